use std::sync::Arc;

use minijinja::value::merge_maps;
use minijinja::{Error, ErrorKind, State, Value};

use crate::object::SessionObject;
use crate::{SessionView, CONTEXT_KEY};

/// Adds a session view to a render context under [`CONTEXT_KEY`].
///
/// The result behaves like `ctx` with one more key. The view replaces any
/// value that `ctx` already has under [`CONTEXT_KEY`]. A `ctx` that is not a
/// map, such as `()`, contributes no keys.
///
/// # Examples
///
/// ```
/// use minijinja::{context, Environment};
/// use minijinja_session::{context_with_session, SessionView};
///
/// let mut env = Environment::new();
/// minijinja_session::add_to_environment(&mut env);
/// let template = env.template_from_str("{{ title }}: {{ flash('message') }}").unwrap();
///
/// let view = SessionView::new().with_flash("message", "Saved");
/// let ctx = context_with_session(view, context! { title => "Profile" });
///
/// assert_eq!(template.render(ctx).unwrap(), "Profile: Saved");
/// ```
pub fn context_with_session(view: SessionView, ctx: Value) -> Value {
    let session = Value::from_pairs([(CONTEXT_KEY, view.into_value())]);

    // `merge_maps` gives the last map precedence.
    merge_maps([ctx, session])
}

/// Finds the session object in the render context of `state`.
pub(crate) fn session_object(state: &State) -> Result<Arc<SessionObject>, Error> {
    let value = match state.lookup(CONTEXT_KEY) {
        Some(value) if !value.is_undefined() => value,
        _ => return Err(missing_session_error()),
    };

    value
        .downcast_object::<SessionObject>()
        .ok_or_else(|| wrong_type_error(&value))
}

fn missing_session_error() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "session data missing from the render context: pass \
             SessionView::into_value() under the `{CONTEXT_KEY}` key, for example \
             with minijinja_session::context_with_session(view, ctx); web-session \
             builds the view with Session::template_view()"
        ),
    )
}

fn wrong_type_error(value: &Value) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "invalid session data in the render context: the `{CONTEXT_KEY}` value \
             is a {}, not the output of SessionView::into_value(). Check that neither \
             the application nor a template assigns another value to this key",
            value.kind()
        ),
    )
}

#[cfg(test)]
mod tests {
    use minijinja::{context, Environment};

    use super::*;

    fn csrf_token(state: &State) -> Result<String, Error> {
        let session = session_object(state)?;
        Ok(session.csrf_token().unwrap_or_default().to_owned())
    }

    fn render(source: &str, ctx: Value) -> Result<String, Error> {
        let mut env = Environment::new();
        env.add_function("csrf_token", csrf_token);
        env.render_str(source, ctx)
    }

    fn view() -> SessionView {
        SessionView::new().with_csrf_token("abc")
    }

    #[test]
    fn merge_keeps_other_keys() {
        let ctx = context_with_session(view(), context! { title => "Home" });

        let output = render("{{ title }} {{ csrf_token() }}", ctx);

        assert_eq!(output.ok().as_deref(), Some("Home abc"));
    }

    #[test]
    fn merge_replaces_existing_key() {
        let ctx = context_with_session(view(), context! { __session => "stale" });

        let output = render("{{ csrf_token() }}", ctx);

        assert_eq!(output.ok().as_deref(), Some("abc"));
    }

    #[test]
    fn merge_with_unit_context() {
        let ctx = context_with_session(view(), Value::from(()));

        let output = render("{{ csrf_token() }}", ctx);

        assert_eq!(output.ok().as_deref(), Some("abc"));
    }

    #[test]
    fn missing_key_error() {
        let err = render("{{ csrf_token() }}", context! { title => "Home" })
            .expect_err("rendering without session data fails");

        assert_eq!(err.kind(), ErrorKind::InvalidOperation);
        assert!(err.to_string().contains("`__session`"), "{err}");
        assert!(err.to_string().contains("context_with_session"), "{err}");
    }

    #[test]
    fn wrong_type_error_names_kind() {
        let err = render("{{ csrf_token() }}", context! { __session => "abc" })
            .expect_err("a string under the key fails");

        assert_eq!(err.kind(), ErrorKind::InvalidOperation);
        assert!(err.to_string().contains("`__session`"), "{err}");
        assert!(err.to_string().contains("is a string"), "{err}");
    }

    #[test]
    fn plain_map_is_wrong_type() {
        let ctx = context! { __session => context! { csrf_token => "abc" } };

        let err = render("{{ csrf_token() }}", ctx).expect_err("a plain map fails");

        assert!(err.to_string().contains("is a map"), "{err}");
    }

    #[test]
    fn template_assignment_is_wrong_type() {
        let ctx = context_with_session(view(), Value::from(()));

        let err = render("{% set __session = 1 %}{{ csrf_token() }}", ctx)
            .expect_err("a template assignment shadows the session data");

        assert!(err.to_string().contains("is a number"), "{err}");
    }
}
