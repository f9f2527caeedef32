//! Checks that failed function calls fail the render with errors that
//! explain what to fix and carry the name and line of the template that
//! made the call.

use minijinja::{context, Environment, Error, ErrorKind, Value};
use minijinja_session::{add_to_environment, context_with_session, SessionView};

/// Three lines, with the call under test on the third one.
fn page_source(call: &str) -> String {
    format!("<!doctype html>\n<title>Test</title>\n<p>{{{{ {call} }}}}</p>\n")
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    add_to_environment(&mut env);
    env
}

fn render_err(env: &Environment, name: &str, ctx: Value) -> Error {
    env.get_template(name)
        .and_then(|template| template.render(ctx))
        .expect_err("the template fails to render")
}

/// Renders `call` on line 3 of `page.html` and returns the error.
fn call_err(call: &str, ctx: Value) -> Error {
    let mut env = environment();
    env.add_template_owned("page.html", page_source(call))
        .expect("test template parses");
    render_err(&env, "page.html", ctx)
}

fn session_ctx() -> Value {
    context_with_session(SessionView::new(), context! { title => "Test" })
}

/// Joins the messages of `err` and its sources, one per line.
fn error_chain(err: &Error) -> String {
    let mut messages = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        messages.push(cause.to_string());
        source = cause.source();
    }
    messages.join("\n")
}

#[test]
fn missing_session_names_key_and_fix() {
    let err = call_err("flash('message')", context! { title => "Test" });
    let message = err.to_string();

    assert_eq!(err.kind(), ErrorKind::InvalidOperation);
    assert!(message.contains("`__session`"), "{message}");
    assert!(message.contains("context_with_session"), "{message}");
    assert!(message.contains("Session::template_view()"), "{message}");
}

#[test]
fn missing_session_has_location() {
    let err = call_err("flash('message')", context! { title => "Test" });

    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(3));
    assert!(err.to_string().ends_with("(in page.html:3)"), "{err}");
}

#[test]
fn wrong_session_value_has_location() {
    let err = call_err("old('nick')", context! { __session => "stale" });

    assert!(err.to_string().contains("is a string"), "{err}");
    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(3));
}

#[test]
fn missing_token_has_location() {
    let err = call_err("csrf_field()", session_ctx());

    assert!(err.to_string().contains("Session::token()"), "{err}");
    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(3));
}

#[test]
fn missing_argument_has_location() {
    for call in [
        "flash()",
        "hasFlash()",
        "old()",
        "errors()",
        "first_error()",
    ] {
        let err = call_err(call, session_ctx());

        assert_eq!(err.kind(), ErrorKind::MissingArgument, "{call}");
        assert_eq!(err.name(), Some("page.html"), "{call}");
        assert_eq!(err.line(), Some(3), "{call}");
    }
}

#[test]
fn too_many_arguments_has_location() {
    let calls = [
        "flash('a', 'b', 'c')",
        "has_flash('a', 'b')",
        "old('a', 'b', 'c')",
        "has_error('a', 'b')",
        "csrf_token('a')",
        "csrf_field('a')",
    ];

    for call in calls {
        let err = call_err(call, session_ctx());

        assert_eq!(err.kind(), ErrorKind::TooManyArguments, "{call}");
        assert_eq!(err.name(), Some("page.html"), "{call}");
        assert_eq!(err.line(), Some(3), "{call}");
    }
}

#[test]
fn keyword_argument_rejected() {
    let err = call_err("flash(key='message')", session_ctx());

    assert_eq!(err.kind(), ErrorKind::TooManyArguments);
    assert_eq!(err.line(), Some(3));
}

#[test]
fn key_type_error_names_argument() {
    let cases = [
        ("flash(42)", "the flash key must be a string, not number"),
        ("hasFlash(none)", "the flash key must be a string, not none"),
        (
            "old(['nick'])",
            "the form field name must be a string, not sequence",
        ),
        (
            "errors(nokey)",
            "the form field name must be a string, not undefined",
        ),
        (
            "first_error(1.5)",
            "the form field name must be a string, not number",
        ),
        (
            "has_error(true)",
            "the form field name must be a string, not bool",
        ),
    ];

    for (call, expected) in cases {
        let err = call_err(call, session_ctx());

        assert_eq!(err.kind(), ErrorKind::InvalidOperation, "{call}");
        assert!(err.to_string().contains(expected), "{call}: {err}");
        assert_eq!(err.name(), Some("page.html"), "{call}");
        assert_eq!(err.line(), Some(3), "{call}");
    }
}

#[test]
fn key_type_checked_before_session() {
    let err = call_err("flash(42)", context! { title => "Test" });

    assert!(err.to_string().contains("flash key"), "{err}");
}

#[test]
fn alternate_display_shows_source_line() {
    let mut env = environment();
    env.set_debug(true);
    env.add_template_owned("page.html", page_source("old()"))
        .expect("test template parses");

    let err = render_err(&env, "page.html", session_ctx());
    let detailed = format!("{err:#}");

    assert!(detailed.contains("page.html"), "{detailed}");
    assert!(detailed.contains("3 > <p>{{ old() }}</p>"), "{detailed}");
}

#[test]
fn include_error_names_partial() {
    let mut env = environment();
    env.add_template("partial.html", "<p>\n{{ flash('message') }}\n</p>")
        .expect("partial template parses");
    env.add_template("page.html", "<main>\n\n{% include 'partial.html' %}</main>")
        .expect("page template parses");

    let err = render_err(&env, "page.html", context! { title => "Test" });
    let chain = error_chain(&err);

    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(3));
    assert!(chain.contains("`__session`"), "{chain}");
    assert!(chain.contains("(in partial.html:2)"), "{chain}");
}

#[test]
fn imported_macro_error_names_macro_template() {
    let mut env = environment();
    env.add_template(
        "macros.html",
        "{% macro field(name) %}\n\n<input value=\"{{ old(name) }}\">{% endmacro %}",
    )
    .expect("macro template parses");
    env.add_template(
        "page.html",
        "{% import 'macros.html' as forms %}\n{{ forms.field('nick') }}",
    )
    .expect("page template parses");

    let err = render_err(&env, "page.html", context! { title => "Test" });

    assert!(err.to_string().contains("`__session`"), "{err}");
    assert_eq!(err.name(), Some("macros.html"));
    assert_eq!(err.line(), Some(3));
}
