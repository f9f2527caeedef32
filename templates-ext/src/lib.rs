//! Template functions for [minijinja](https://docs.rs/minijinja) that read
//! per-request session data: flash messages, old form input, validation
//! errors and the CSRF token.
//!
//! The crate depends on minijinja and serde only, so it works with any web
//! framework and any session library. The application copies what the
//! current request needs from its session into a [`SessionView`] and passes
//! that view in the render context under one reserved key,
//! [`CONTEXT_KEY`] (`__session`). [`context_with_session`] adds it to an
//! existing context.
//!
//! | function | returns |
//! |---|---|
//! | `flash(key, default)` | the flash item, or `default` (an empty string when not given) if it is missing or null |
//! | `hasFlash(key)`, `has_flash(key)` | whether the flash item exists and is not null |
//! | `old(field, default)` | the previous input of a form field, or `default` (an empty string when not given) if it is missing |
//! | `errors(field)` | the validation error messages of a field, possibly empty |
//! | `first_error(field)` | the first error message of a field, or an empty string |
//! | `has_error(field)` | whether a field has an error message |
//! | `csrf_token()` | the CSRF token; an error when the session data has none |
//! | `csrf_field()` | a hidden `_token` form field that carries the CSRF token |
//!
//! [`add_to_environment`] registers all of them. Each one is also public on
//! its own, so an application can register it under another name.
//!
//! # Example
//!
//! ```
//! use minijinja::{context, Environment};
//! use minijinja_session::{context_with_session, SessionView};
//!
//! let mut env = Environment::new();
//! minijinja_session::add_to_environment(&mut env);
//! env.add_template(
//!     "form.html",
//!     r#"{% if hasFlash('message') %}<p>{{ flash('message') }}</p>{% endif %}
//! <form method="post">{{ csrf_field() }}
//! <input name="nick" value="{{ old('nick') }}"> {{ first_error('nick') }}
//! </form>"#,
//! )
//! .unwrap();
//!
//! let view = SessionView::new()
//!     .with_flash("message", "Fix the errors below")
//!     .with_old_input("nick", "<ada>")
//!     .with_errors("nick", ["is taken"])
//!     .with_csrf_token("k2P9");
//! let ctx = context_with_session(view, context! { title => "Sign up" });
//! let html = env.get_template("form.html").unwrap().render(ctx).unwrap();
//!
//! assert_eq!(
//!     html,
//!     r#"<p>Fix the errors below</p>
//! <form method="post"><input type="hidden" name="_token" value="k2P9">
//! <input name="nick" value="&lt;ada&gt;"> is taken
//! </form>"#
//! );
//! ```
//!
//! # Escaping
//!
//! Every function except `csrf_field()` returns plain strings or data, so
//! auto-escaping applies to its output as to any other value. `csrf_field()`
//! returns markup as a safe string, with the token HTML-escaped inside it.
//!
//! # Errors
//!
//! A function called while the render context has nothing under
//! [`CONTEXT_KEY`] fails the render with an
//! [`InvalidOperation`](minijinja::ErrorKind::InvalidOperation) error that
//! names the key and explains how to pass the session data. The same kind
//! of error reports a value under the key that does not come from
//! [`SessionView::into_value`].
//!
//! # Macros and includes
//!
//! The functions read the render context of the template being rendered.
//! Included templates, parent templates of `{% extends %}`, macros (local
//! and imported) and `{% call %}` blocks all see that context, so the
//! functions work in them too.
#![deny(missing_docs)]

mod context;
mod functions;
mod object;
mod view;

use minijinja::Environment;

pub use self::context::context_with_session;
pub use self::functions::{
    csrf_field, csrf_token, errors, first_error, flash, has_error, has_flash, old,
};
pub use self::view::SessionView;

/// Reserved render-context key under which the functions of this crate look
/// for the session data of the current request.
///
/// Its value must come from [`SessionView::into_value`].
pub const CONTEXT_KEY: &str = "__session";

/// Registers every template function of this crate in `env`.
///
/// The names are `flash`, `hasFlash`, `has_flash`, `old`, `errors`,
/// `first_error`, `has_error`, `csrf_token` and `csrf_field`. A function
/// registered earlier under one of these names is replaced.
///
/// # Examples
///
/// ```
/// let mut env = minijinja::Environment::new();
/// minijinja_session::add_to_environment(&mut env);
/// ```
pub fn add_to_environment(env: &mut Environment<'_>) {
    env.add_function("flash", flash);
    env.add_function("hasFlash", has_flash);
    env.add_function("has_flash", has_flash);
    env.add_function("old", old);
    env.add_function("errors", errors);
    env.add_function("first_error", first_error);
    env.add_function("has_error", has_error);
    env.add_function("csrf_token", csrf_token);
    env.add_function("csrf_field", csrf_field);
}
