use minijinja::value::Rest;
use minijinja::{Error, ErrorKind, HtmlEscape, State, Value};

use crate::context::session_object;

/// Name of the hidden form field that [`csrf_field`] renders.
const CSRF_FIELD_NAME: &str = "_token";

/// Returns the flash item `key`, or `default` when the item is missing or null.
///
/// ```jinja
/// {% if hasFlash('message') %}<p class="notice">{{ flash('message') }}</p>{% endif %}
/// ```
///
/// `default` is the one optional argument after `key`. Without it, or with
/// `none`, a missing or null item is an empty string. An undefined default
/// is returned undefined, so the environment's undefined behavior decides
/// whether using it fails, as with minijinja's `default` filter. Any stored
/// value other than null is returned as it is, including `false`, `0` and
/// `""`. A stored object stays an object, so `flash('message').status` reads
/// one of its fields.
///
/// # Errors
///
/// Fails when `key` is not a string, when more than one default is passed,
/// when the render context has nothing under
/// [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does not
/// come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn flash(state: &State, key: &Value, default: Rest<Value>) -> Result<Value, Error> {
    let key = string_argument("flash key", key)?;
    let default = default_argument(default)?;
    let session = session_object(state)?;

    let item = match session.flash_item(key) {
        Some(item) => item.clone(),
        None => default,
    };
    Ok(item)
}

/// Checks whether the flash item `key` exists and is not null.
///
/// ```jinja
/// {% if hasFlash('message') %}{{ flash('message') }}{% endif %}
/// ```
///
/// [`add_to_environment`](crate::add_to_environment) registers this function
/// as both `hasFlash` and `has_flash`.
///
/// # Errors
///
/// Fails when `key` is not a string, when the render context has nothing
/// under [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does
/// not come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn has_flash(state: &State, key: &Value) -> Result<bool, Error> {
    let key = string_argument("flash key", key)?;
    let session = session_object(state)?;
    Ok(session.flash_item(key).is_some())
}

/// Returns the previous input of form field `field`, or `default` when the
/// field is missing.
///
/// ```jinja
/// <input name="nick" value="{{ old('nick', user.nick) }}">
/// ```
///
/// An empty string submitted by the user is a real value, so it is returned
/// in place of the default. `default` is optional and follows the rules of
/// [`flash`]: without it, or with `none`, a missing field is an empty
/// string, and an undefined default is returned undefined.
///
/// # Errors
///
/// Fails when `field` is not a string, when more than one default is
/// passed, when the render context has nothing under
/// [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does not
/// come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn old(state: &State, field: &Value, default: Rest<Value>) -> Result<Value, Error> {
    let field = string_argument("form field name", field)?;
    let default = default_argument(default)?;
    let session = session_object(state)?;

    let value = match session.old_input(field) {
        Some(value) => Value::from(value),
        None => default,
    };
    Ok(value)
}

/// Returns the validation error messages of form field `field`, an empty
/// list when it has none.
///
/// ```jinja
/// {% for message in errors('email') %}<li>{{ message }}</li>{% endfor %}
/// ```
///
/// # Errors
///
/// Fails when `field` is not a string, when the render context has nothing
/// under [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does
/// not come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn errors(state: &State, field: &Value) -> Result<Vec<String>, Error> {
    let field = string_argument("form field name", field)?;
    let session = session_object(state)?;
    Ok(session.errors(field).to_vec())
}

/// Returns the first validation error message of form field `field`, or an
/// empty string when it has none.
///
/// ```jinja
/// <span class="error">{{ first_error('email') }}</span>
/// ```
///
/// # Errors
///
/// Fails when `field` is not a string, when the render context has nothing
/// under [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does
/// not come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn first_error(state: &State, field: &Value) -> Result<String, Error> {
    let field = string_argument("form field name", field)?;
    let session = session_object(state)?;
    let message = session.errors(field).first().cloned();
    Ok(message.unwrap_or_default())
}

/// Checks whether form field `field` has at least one validation error message.
///
/// ```jinja
/// <input name="email" class="{{ 'invalid' if has_error('email') }}">
/// ```
///
/// # Errors
///
/// Fails when `field` is not a string, when the render context has nothing
/// under [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does
/// not come from [`SessionView::into_value`](crate::SessionView::into_value).
pub fn has_error(state: &State, field: &Value) -> Result<bool, Error> {
    let field = string_argument("form field name", field)?;
    let session = session_object(state)?;
    Ok(!session.errors(field).is_empty())
}

/// Returns the CSRF token.
///
/// ```jinja
/// <meta name="csrf-token" content="{{ csrf_token() }}">
/// ```
///
/// # Errors
///
/// Fails when the render context has nothing under
/// [`CONTEXT_KEY`](crate::CONTEXT_KEY), or when the value there does not
/// come from [`SessionView::into_value`](crate::SessionView::into_value).
///
/// Fails when the session data has no token or an empty one, because a form
/// or script without a token can never pass the CSRF check.
pub fn csrf_token(state: &State) -> Result<String, Error> {
    let session = session_object(state)?;
    Ok(required_token(session.csrf_token())?.to_owned())
}

/// Renders a hidden form field named `_token` that carries the CSRF token.
///
/// ```jinja
/// <form method="post">{{ csrf_field() }}</form>
/// ```
///
/// This is the only function of this crate that returns markup. The result
/// is a safe string, so auto-escaping leaves it alone, and the token is
/// HTML-escaped inside the `value` attribute.
///
/// # Errors
///
/// The same as [`csrf_token`]: no session data, or no token in it.
pub fn csrf_field(state: &State) -> Result<Value, Error> {
    let session = session_object(state)?;

    let token = HtmlEscape(required_token(session.csrf_token())?);
    let field = format!(r#"<input type="hidden" name="{CSRF_FIELD_NAME}" value="{token}">"#);
    Ok(Value::from_safe_string(field))
}

/// Returns the token, or an error that explains how to provide one. An empty
/// token counts as none, because no submitted value can match it.
fn required_token(token: Option<&str>) -> Result<&str, Error> {
    token.filter(|token| !token.is_empty()).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "no CSRF token in the session data (it is missing or empty): set \
             SessionView::csrf_token before rendering; with web-session, call \
             Session::token() in the handler before Session::template_view()",
        )
    })
}

/// Reads the optional default argument of [`flash`] and [`old`].
///
/// The arguments arrive as a rest list because minijinja turns an undefined
/// value passed as an `Option` argument into `None`, which would hide a
/// misspelled default under strict undefined behavior.
fn default_argument(arguments: Rest<Value>) -> Result<Value, Error> {
    let Rest(arguments) = arguments;
    let mut arguments = arguments.into_iter();
    let default = arguments.next();
    if arguments.next().is_some() {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            "expected at most two arguments: the key or field name and a default",
        ));
    }

    let default = match default {
        Some(default) if !default.is_none() => default,
        _ => Value::from(""),
    };
    Ok(default)
}

/// Reads a key or field name argument, with an error that names the
/// argument and the kind of value passed, such as `undefined` for a
/// misspelled variable.
fn string_argument<'a>(argument: &str, value: &'a Value) -> Result<&'a str, Error> {
    value.as_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the {argument} must be a string, not {}", value.kind()),
        )
    })
}

#[cfg(test)]
mod tests {
    use minijinja::{context, Environment, ErrorKind};
    use serde_json::json;

    use crate::{add_to_environment, context_with_session, SessionView};

    /// Renders `source` as an auto-escaped HTML template with `view` as the
    /// session data.
    fn render(source: &str, view: SessionView) -> String {
        let mut env = Environment::new();
        add_to_environment(&mut env);
        env.render_named_str("test.html", source, context_with_session(view, ().into()))
            .expect("test template renders")
    }

    fn render_err(source: &str, view: SessionView) -> minijinja::Error {
        let mut env = Environment::new();
        add_to_environment(&mut env);
        env.render_named_str("test.html", source, context_with_session(view, ().into()))
            .expect_err("test template fails")
    }

    #[test]
    fn flash_returns_item() {
        let view = SessionView::new().with_flash("message", "Saved");

        assert_eq!(render("{{ flash('message') }}", view), "Saved");
    }

    #[test]
    fn flash_missing_is_empty() {
        assert_eq!(render("[{{ flash('message') }}]", SessionView::new()), "[]");
    }

    #[test]
    fn flash_missing_uses_default() {
        let output = render("{{ flash('message', 'none yet') }}", SessionView::new());

        assert_eq!(output, "none yet");
    }

    #[test]
    fn flash_null_uses_default() {
        let view = SessionView::new().with_flash("message", json!(null));

        assert_eq!(
            render("{{ flash('message', 'fallback') }}", view),
            "fallback"
        );
    }

    #[test]
    fn flash_null_without_default() {
        let view = SessionView::new().with_flash("message", json!(null));

        assert_eq!(render("[{{ flash('message') }}]", view), "[]");
    }

    #[test]
    fn flash_none_default_is_empty() {
        assert_eq!(
            render("[{{ flash('message', none) }}]", SessionView::new()),
            "[]"
        );
    }

    #[test]
    fn flash_present_ignores_default() {
        let view = SessionView::new().with_flash("message", "Saved");

        assert_eq!(render("{{ flash('message', 'fallback') }}", view), "Saved");
    }

    #[test]
    fn flash_keeps_false_and_zero() {
        let view = SessionView::new()
            .with_flash("done", false)
            .with_flash("count", 0);

        let output = render("{{ flash('done', 'x') }} {{ flash('count', 'x') }}", view);

        assert_eq!(output, "False 0");
    }

    #[test]
    fn flash_default_keeps_type() {
        let output = render("{{ flash('count', 41) + 1 }}", SessionView::new());

        assert_eq!(output, "42");
    }

    #[test]
    fn flash_nested_object() {
        let message = json!({ "status": "saved", "detail": { "count": 3 } });
        let view = SessionView::new().with_flash("message", message);

        let output = render(
            "{{ flash('message').status }} {{ flash('message').detail.count }}",
            view,
        );

        assert_eq!(output, "saved 3");
    }

    #[test]
    fn flash_list_iterates() {
        let view = SessionView::new().with_flash("notes", json!(["one", "two"]));

        let output = render(
            "{% for note in flash('notes') %}[{{ note }}]{% endfor %}",
            view,
        );

        assert_eq!(output, "[one][two]");
    }

    #[test]
    fn has_flash_present() {
        let view = SessionView::new().with_flash("message", "Saved");

        assert_eq!(render("{{ hasFlash('message') }}", view), "True");
    }

    #[test]
    fn has_flash_missing() {
        assert_eq!(
            render("{{ hasFlash('message') }}", SessionView::new()),
            "False"
        );
    }

    #[test]
    fn has_flash_null_is_false() {
        let view = SessionView::new().with_flash("message", json!(null));

        assert_eq!(render("{{ hasFlash('message') }}", view), "False");
    }

    #[test]
    fn has_flash_false_value_is_true() {
        let view = SessionView::new().with_flash("done", false);

        assert_eq!(render("{{ hasFlash('done') }}", view), "True");
    }

    #[test]
    fn has_flash_snake_case_alias() {
        let view = SessionView::new().with_flash("message", "Saved");

        assert_eq!(render("{{ has_flash('message') }}", view), "True");
    }

    #[test]
    fn old_returns_input() {
        let view = SessionView::new().with_old_input("nick", "ada");

        assert_eq!(render("{{ old('nick', 'default') }}", view), "ada");
    }

    #[test]
    fn old_keeps_empty_string() {
        let view = SessionView::new().with_old_input("nick", "");

        assert_eq!(render("[{{ old('nick', 'default') }}]", view), "[]");
    }

    #[test]
    fn old_missing_uses_default() {
        let output = render("{{ old('nick', 'default') }}", SessionView::new());

        assert_eq!(output, "default");
    }

    #[test]
    fn old_missing_without_default() {
        assert_eq!(render("[{{ old('nick') }}]", SessionView::new()), "[]");
    }

    #[test]
    fn errors_lists_messages() {
        let view = SessionView::new().with_errors("email", ["is required", "is invalid"]);

        let output = render("{{ errors('email') | join(', ') }}", view);

        assert_eq!(output, "is required, is invalid");
    }

    #[test]
    fn errors_missing_is_empty_list() {
        let output = render("{{ errors('email') | length }}", SessionView::new());

        assert_eq!(output, "0");
    }

    #[test]
    fn first_error_returns_first() {
        let view = SessionView::new().with_errors("email", ["is required", "is invalid"]);

        assert_eq!(render("{{ first_error('email') }}", view), "is required");
    }

    #[test]
    fn first_error_missing_is_empty() {
        assert_eq!(
            render("[{{ first_error('email') }}]", SessionView::new()),
            "[]"
        );
    }

    #[test]
    fn first_error_empty_list_is_empty() {
        let view = SessionView::new().with_errors("email", Vec::<String>::new());

        assert_eq!(render("[{{ first_error('email') }}]", view), "[]");
    }

    #[test]
    fn has_error_present() {
        let view = SessionView::new().with_errors("email", ["is required"]);

        assert_eq!(render("{{ has_error('email') }}", view), "True");
    }

    #[test]
    fn has_error_missing() {
        assert_eq!(
            render("{{ has_error('email') }}", SessionView::new()),
            "False"
        );
    }

    #[test]
    fn has_error_empty_list() {
        let view = SessionView::new().with_errors("email", Vec::<String>::new());

        assert_eq!(render("{{ has_error('email') }}", view), "False");
    }

    #[test]
    fn csrf_token_returns_token() {
        let view = SessionView::new().with_csrf_token("abc123");

        assert_eq!(render("{{ csrf_token() }}", view), "abc123");
    }

    #[test]
    fn csrf_token_missing_is_error() {
        let err = render_err("{{ csrf_token() }}", SessionView::new()).to_string();

        assert!(err.contains("no CSRF token"), "{err}");
    }

    #[test]
    fn csrf_field_renders_input() {
        let view = SessionView::new().with_csrf_token("abc123");

        assert_eq!(
            render("{{ csrf_field() }}", view),
            r#"<input type="hidden" name="_token" value="abc123">"#
        );
    }

    #[test]
    fn csrf_field_escapes_token() {
        let view = SessionView::new().with_csrf_token(r#""><script>alert('x')</script>&"#);

        assert_eq!(
            render("{{ csrf_field() }}", view),
            "<input type=\"hidden\" name=\"_token\" \
             value=\"&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;&amp;\">"
        );
    }

    #[test]
    fn csrf_field_without_token_is_error() {
        let err = render_err("{{ csrf_field() }}", SessionView::new()).to_string();

        assert!(err.contains("Session::token()"), "{err}");
    }

    #[test]
    fn csrf_field_is_safe_value() {
        let view = SessionView::new().with_csrf_token("abc");

        assert_eq!(render("{{ csrf_field() is safe }}", view), "True");
    }

    #[test]
    fn key_not_a_string_rejected() {
        let err = render_err("{{ flash(42) }}", SessionView::new());

        assert_eq!(err.kind(), ErrorKind::InvalidOperation);
    }

    #[test]
    fn missing_argument_rejected() {
        let err = render_err("{{ old() }}", SessionView::new());

        assert_eq!(err.kind(), ErrorKind::MissingArgument);
    }

    #[test]
    fn extra_argument_rejected() {
        let err = render_err("{{ has_error('email', 'name') }}", SessionView::new());

        assert_eq!(err.kind(), ErrorKind::TooManyArguments);
    }

    #[test]
    fn no_argument_function_rejects_argument() {
        let err = render_err("{{ csrf_token('x') }}", SessionView::new());

        assert_eq!(err.kind(), ErrorKind::TooManyArguments);
    }

    #[test]
    fn every_function_reports_missing_session() {
        let calls = [
            "flash('k')",
            "hasFlash('k')",
            "has_flash('k')",
            "old('k')",
            "errors('k')",
            "first_error('k')",
            "has_error('k')",
            "csrf_token()",
            "csrf_field()",
        ];
        let mut env = Environment::new();
        add_to_environment(&mut env);

        for call in calls {
            let source = format!("{{{{ {call} }}}}");
            let err = env
                .render_str(&source, context! { title => "Home" })
                .expect_err("rendering without session data fails");

            assert_eq!(err.kind(), ErrorKind::InvalidOperation, "{call}");
            assert!(err.to_string().contains("`__session`"), "{call}: {err}");
        }
    }
}
