//! Template functions for [minijinja](https://docs.rs/minijinja) that read
//! per-request session data: flash messages, old form input, validation
//! errors and the CSRF token.
//!
//! The crate depends on minijinja and serde only, so it works with any web
//! framework and any session library. The application copies what the
//! current request needs from its session into a [`SessionView`] and passes
//! that view in the render context under one reserved key,
//! [`CONTEXT_KEY`] (`__session`). [`context_with_session`] adds it to an
//! existing context. Applications built on the `web-session` crate get the
//! view from `Session::template_view()`, which that crate provides behind
//! its `minijinja` feature.
//!
//! [`add_to_environment`] registers all functions. Each one is also public
//! on its own, so an application can register it under another name.
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
//! # Rules
//!
//! What each function returns, by the state of the value it reads. The
//! columns are: a present value, a JSON `null`, a missing key or field, an
//! empty string `""` stored as the value, and a render context with nothing
//! under [`CONTEXT_KEY`]. `default` is the optional second argument: no
//! argument or `none` means an empty string, and an undefined value is
//! returned undefined (see [Undefined behavior](#undefined-behavior)).
//!
//! | function | present | `null` | missing | `""` | no session data |
//! |---|---|---|---|---|---|
//! | `flash(key, default)` | the value as stored, of any type | `default` | `default` | `""` | error |
//! | `hasFlash(key)`, `has_flash(key)` | `true` | `false` | `false` | `true` | error |
//! | `old(field, default)` | the submitted string | `default` | `default` | `""`, not `default` | error |
//! | `errors(field)` | the list of messages | `[]` | `[]` | `[]` | error |
//! | `first_error(field)` | the first message | `""` | `""` | `""` | error |
//! | `has_error(field)` | `true` | `false` | `false` | `false` | error |
//! | `csrf_token()` | the token | error | error | error | error |
//! | `csrf_field()` | `<input type="hidden" name="_token" value="…">` | error | error | error | error |
//!
//! Notes on the cells:
//!
//! - A stored value of the wrong shape counts as missing. Old input is text,
//!   so a `null` or a number there is dropped. The errors of a field must be
//!   a list of strings, so `null` or `""` there reads as no errors. A CSRF
//!   token that is not a string reads as no token. [`SessionView`] applies
//!   these rules when it is deserialized from stored data.
//! - A flash value of `false` or `0` is present: `flash()` returns it and
//!   `hasFlash()` is `true`.
//! - An empty list of errors is the same as missing. A list that contains one
//!   empty message, `[""]`, is a present error: `has_error()` is `true` and
//!   `first_error()` is `""`.
//! - An empty CSRF token is an error like a missing one, because no
//!   submitted form can match it.
//! - `default` is returned as given, so `flash('count', 0) + 1` is a
//!   number.
//!
//! # Escaping
//!
//! Every function except `csrf_field()` returns plain strings or data, so
//! auto-escaping applies to its output as to any other value. `csrf_field()`
//! returns markup as a safe string, with the token HTML-escaped inside it.
//!
//! # Errors
//!
//! A failed function call fails the render with a minijinja
//! [`Error`](minijinja::Error) that carries the template name and line
//! ([`Error::name`](minijinja::Error::name),
//! [`Error::line`](minijinja::Error::line)). Its detail says what to fix:
//!
//! - nothing under [`CONTEXT_KEY`]: the message names the key and says to
//!   pass [`SessionView::into_value`] there, for example with
//!   [`context_with_session`];
//! - another value under the key, such as a plain map or a template
//!   variable assigned with `{% set __session = … %}`: the message names
//!   the key and the kind of value found;
//! - no CSRF token: the message says to set [`SessionView::csrf_token`]
//!   before rendering;
//! - a key or field name that is not a string, as in `flash(nokey)` with an
//!   undefined `nokey`: the message names the argument and the kind passed;
//! - too few or too many arguments: minijinja's `missing argument` and
//!   `too many arguments` errors.
//!
//! # Names and scopes
//!
//! minijinja looks a name up in the template's own scopes first (`set`,
//! `for`, `with`, macro arguments), then in the render context, and last in
//! the environment's globals, where [`add_to_environment`] puts the
//! functions. So a context variable or a template variable named like a
//! function hides that function wherever the variable is visible, and
//! calling it fails with minijinja's `value of type … is not callable`
//! error. The other functions stay callable, and the function comes back
//! outside the variable's scope, for example after a `{% for flash in … %}`
//! loop, a `{% with %}` block or a macro with such an argument ends. A
//! `{% set %}` inside a `{% block %}` ends with the block. A `{% set %}` at
//! the top level of a template hides the function for the rest of the
//! render: in the macros of that template, in the layout it extends, and
//! (as of minijinja 3.1) in the template that includes it, after the
//! `{% include %}`. An application that needs such a variable name
//! registers the functions under other names.
//!
//! # Undefined behavior
//!
//! The functions return an undefined value only when a template passes one
//! as the default, so a missing flash item renders the same under every
//! [`UndefinedBehavior`](minijinja::UndefinedBehavior):
//! `{% if hasFlash('x') %}` and `{% if flash('x') %}` are false. An
//! attribute of the result follows the environment's setting:
//! `{{ flash('x').status }}` prints nothing with the default lenient
//! behavior and fails with `UndefinedBehavior::Strict`. Test with
//! `hasFlash()` before reading attributes of a flash item that a page shows
//! only sometimes.
//!
//! An undefined default, such as the misspelled `user.nik` in
//! `old('nick', user.nik)`, is returned as it is when the default is used,
//! as minijinja's own `default` filter does. It prints nothing under the
//! lenient behavior and fails the render under the strict one.
//!
//! # Macros and includes
//!
//! The functions read the render context of the template being rendered.
//! Included templates, parent templates of `{% extends %}`, macros (local
//! and imported with `{% import %}` or `{% from … import %}`) and
//! `{% call %}` blocks all see that context, so the functions work in them
//! too.
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
/// registered earlier under one of these names is replaced. The functions
/// are globals, so a render-context or template variable with the same name
/// hides one, as the crate docs explain under "Names and scopes".
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
