//! Checks what happens when a render-context or template variable has the
//! name of a function. minijinja looks names up in the template's scopes,
//! then in the render context, then in the globals where the functions
//! live, so the variable wins wherever it is visible.

use minijinja::{context, Environment, Error, ErrorKind, Value};
use minijinja_session::{add_to_environment, context_with_session, SessionView};

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    add_to_environment(&mut env);
    env
}

fn view() -> SessionView {
    SessionView::new().with_flash("message", "Saved")
}

fn render(env: &Environment, name: &str, ctx: Value) -> Result<String, Error> {
    env.get_template(name)
        .and_then(|template| template.render(ctx))
}

/// Renders `source` with `ctx` merged with the session data.
fn render_str(source: &str, ctx: Value) -> Result<String, Error> {
    let ctx = context_with_session(view(), ctx);
    environment().render_named_str("page.html", source, ctx)
}

fn assert_not_callable(result: Result<String, Error>) {
    let err = result.expect_err("calling a shadowed function fails");

    assert_eq!(err.kind(), ErrorKind::InvalidOperation);
    assert!(err.to_string().contains("is not callable"), "{err}");
}

#[test]
fn context_variable_renders_as_variable() {
    let output = render_str("{{ flash }}", context! { flash => "from the handler" });

    assert_eq!(output.ok().as_deref(), Some("from the handler"));
}

#[test]
fn context_variable_hides_function() {
    let result = render_str(
        "{{ flash('message') }}",
        context! { flash => "from the handler" },
    );

    assert_not_callable(result);
}

#[test]
fn context_variable_error_has_location() {
    let result = render_str(
        "<p>\n{{ flash('message') }}</p>",
        context! { flash => "from the handler" },
    );

    let err = result.expect_err("calling a shadowed function fails");
    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(2));
}

#[test]
fn context_variable_leaves_aliases() {
    let output = render_str(
        "{{ hasFlash('message') }} {{ has_flash('message') }}",
        context! { flash => "from the handler" },
    );

    assert_eq!(output.ok().as_deref(), Some("True True"));
}

#[test]
fn custom_names_avoid_clash() {
    let mut env = Environment::new();
    env.add_function("session_flash", minijinja_session::flash);
    let ctx = context_with_session(view(), context! { flash => "from the handler" });

    let output = env.render_str("{{ flash }}|{{ session_flash('message') }}", ctx);

    assert_eq!(output.ok().as_deref(), Some("from the handler|Saved"));
}

#[test]
fn set_hides_function() {
    let result = render_str(
        "{% set flash = 'local' %}{{ flash('message') }}",
        Value::from(()),
    );

    assert_not_callable(result);
}

#[test]
fn set_hides_only_after_assignment() {
    let result = render_str(
        "{{ flash('message') }}{% set flash = 'local' %}{{ flash }}",
        Value::from(()),
    );

    assert_eq!(result.ok().as_deref(), Some("Savedlocal"));
}

#[test]
fn set_hides_function_in_local_macro() {
    let source = "{% macro notice() %}{{ flash('message') }}{% endmacro %}\
                  {% set flash = 'local' %}{{ notice() }}";

    assert_not_callable(render_str(source, Value::from(())));
}

#[test]
fn loop_variable_scope_ends() {
    let source = "{% for flash in ['a', 'b'] %}{{ flash }}{% endfor %}|{{ flash('message') }}";

    assert_eq!(
        render_str(source, Value::from(())).ok().as_deref(),
        Some("ab|Saved")
    );
}

#[test]
fn with_block_scope_ends() {
    let source = "{% with flash = 'w' %}{{ flash }}{% endwith %}|{{ flash('message') }}";

    assert_eq!(
        render_str(source, Value::from(())).ok().as_deref(),
        Some("w|Saved")
    );
}

#[test]
fn macro_argument_scope_ends() {
    let source = "{% macro show(flash) %}{{ flash }}{% endmacro %}\
                  {{ show('argument') }}|{{ flash('message') }}";

    assert_eq!(
        render_str(source, Value::from(())).ok().as_deref(),
        Some("argument|Saved")
    );
}

#[test]
fn set_in_block_stays_in_block() {
    let mut env = environment();
    env.add_template(
        "layout.html",
        "{% block content %}{% endblock %}|{{ flash('message') }}",
    )
    .expect("layout parses");
    env.add_template(
        "page.html",
        "{% extends 'layout.html' %}\
         {% block content %}{% set flash = 'block' %}{{ flash }}{% endblock %}",
    )
    .expect("page parses");
    let ctx = context_with_session(view(), Value::from(()));

    let output = render(&env, "page.html", ctx);

    assert_eq!(output.ok().as_deref(), Some("block|Saved"));
}

#[test]
fn top_level_set_reaches_layout() {
    let mut env = environment();
    env.add_template(
        "layout.html",
        "{% block content %}{% endblock %}|{{ flash('message') }}",
    )
    .expect("layout parses");
    env.add_template(
        "page.html",
        "{% extends 'layout.html' %}{% set flash = 'top' %}\
         {% block content %}{{ flash }}{% endblock %}",
    )
    .expect("page parses");
    let ctx = context_with_session(view(), Value::from(()));

    let err = render(&env, "page.html", ctx).expect_err("the layout's call fails");

    assert!(err.to_string().contains("is not callable"), "{err}");
    assert_eq!(err.name(), Some("layout.html"));
}

// With minijinja 3.1, a top-level `set` in an included template stays
// visible in the including template after the include.
#[test]
fn set_in_include_reaches_includer() {
    let mut env = environment();
    env.add_template("partial.html", "{% set flash = 'partial' %}[{{ flash }}]")
        .expect("partial parses");
    env.add_template(
        "page.html",
        "{{ flash('message') }}{% include 'partial.html' %}{{ flash('message') }}",
    )
    .expect("page parses");
    let ctx = context_with_session(view(), Value::from(()));

    let err = render(&env, "page.html", ctx).expect_err("the call after the include fails");

    assert!(err.to_string().contains("is not callable"), "{err}");
    assert_eq!(err.name(), Some("page.html"));
}

#[test]
fn session_key_set_is_invalid_data() {
    let result = render_str(
        "{% set __session = {'flash': {}} %}{{ flash('message') }}",
        Value::from(()),
    );

    let err = result.expect_err("a template value under the reserved key fails");
    assert!(err.to_string().contains("`__session`"), "{err}");
    assert!(err.to_string().contains("is a map"), "{err}");
}
