//! Renders the session functions through real templates: auto-escaping,
//! Unicode, macros, includes, imports, inheritance and a full form page.
//! The fixture templates under `tests/fixtures` are rendered into insta
//! snapshots under `tests/snapshots`, one fixture per group of functions.

use minijinja::{context, Environment, Value};
use minijinja_session::{add_to_environment, context_with_session, SessionView};
use serde_json::json;

const HOSTILE: &str = r#"<script>alert("x" & 'y')</script>"#;
const HOSTILE_ESCAPED: &str =
    "&lt;script&gt;alert(&quot;x&quot; &amp; &#x27;y&#x27;)&lt;&#x2f;script&gt;";

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    add_to_environment(&mut env);
    env
}

/// Renders `source` under `name`, which selects the auto-escaping mode.
fn render_named(name: &str, source: &str, view: SessionView) -> String {
    let ctx = context_with_session(view, context! { title => "Test" });
    environment()
        .render_named_str(name, source, ctx)
        .expect("test template renders")
}

fn render_html(source: &str, view: SessionView) -> String {
    render_named("test.html", source, view)
}

/// Builds an environment with the templates under `tests/fixtures`.
fn fixture_environment() -> Environment<'static> {
    let mut env = environment();
    let fixtures = [
        ("layout.html", include_str!("fixtures/layout.html")),
        ("fields.html", include_str!("fixtures/fields.html")),
        ("signup.html", include_str!("fixtures/signup.html")),
        ("footer.html", include_str!("fixtures/footer.html")),
        ("flash.html", include_str!("fixtures/flash.html")),
        ("old_input.html", include_str!("fixtures/old_input.html")),
        ("errors.html", include_str!("fixtures/errors.html")),
        ("csrf.html", include_str!("fixtures/csrf.html")),
        ("notice.html", include_str!("fixtures/notice.html")),
        ("profile.html", include_str!("fixtures/profile.html")),
    ];
    for (name, source) in fixtures {
        env.add_template(name, source)
            .expect("fixture template parses");
    }
    env
}

/// Renders the fixture template `name` with `view` as the session data.
fn render_fixture(name: &str, view: SessionView) -> String {
    let ctx = context_with_session(view, context! { title => "Test" });
    fixture_environment()
        .get_template(name)
        .and_then(|template| template.render(ctx))
        .unwrap_or_else(|err| panic!("fixture {name} fails to render: {err:#}"))
}

#[test]
fn flash_hostile_escaped() {
    let view = SessionView::new().with_flash("message", HOSTILE);

    assert_eq!(render_html("{{ flash('message') }}", view), HOSTILE_ESCAPED);
}

#[test]
fn flash_nested_hostile_escaped() {
    let view = SessionView::new().with_flash("message", json!({ "text": HOSTILE }));

    assert_eq!(
        render_html("{{ flash('message').text }}", view),
        HOSTILE_ESCAPED
    );
}

#[test]
fn flash_default_hostile_escaped() {
    let ctx = context_with_session(SessionView::new(), context! { fallback => HOSTILE });

    let output = environment()
        .render_named_str("test.html", "{{ flash('message', fallback) }}", ctx)
        .expect("test template renders");

    assert_eq!(output, HOSTILE_ESCAPED);
}

#[test]
fn old_hostile_escaped_in_attribute() {
    let view = SessionView::new().with_old_input("nick", r#"" onfocus="alert(1)"#);

    let output = render_html(r#"<input value="{{ old('nick') }}">"#, view);

    assert_eq!(output, r#"<input value="&quot; onfocus=&quot;alert(1)">"#);
}

#[test]
fn errors_hostile_escaped() {
    let view = SessionView::new().with_errors("nick", [HOSTILE]);

    let output = render_html(
        "{{ first_error('nick') }}|{% for e in errors('nick') %}{{ e }}{% endfor %}",
        view,
    );

    assert_eq!(output, format!("{HOSTILE_ESCAPED}|{HOSTILE_ESCAPED}"));
}

#[test]
fn csrf_token_hostile_escaped() {
    let view = SessionView::new().with_csrf_token(HOSTILE);

    assert_eq!(render_html("{{ csrf_token() }}", view), HOSTILE_ESCAPED);
}

#[test]
fn csrf_field_breakout_escaped() {
    let view = SessionView::new().with_csrf_token(r#""><script>alert(1)</script>"#);

    let output = render_html("{{ csrf_field() }}", view);

    assert_eq!(
        output,
        r#"<input type="hidden" name="_token" value="&quot;&gt;&lt;script&gt;alert(1)&lt;&#x2f;script&gt;">"#
    );
}

#[test]
fn csrf_field_not_double_escaped() {
    let view = SessionView::new().with_csrf_token("a&b");

    let output = render_html("{{ csrf_field() }}", view);

    assert_eq!(
        output,
        r#"<input type="hidden" name="_token" value="a&amp;b">"#
    );
}

#[test]
fn text_template_not_escaped() {
    let view = SessionView::new().with_flash("message", HOSTILE);

    assert_eq!(
        render_named("mail.txt", "{{ flash('message') }}", view),
        HOSTILE
    );
}

#[test]
fn unicode_round_trips() {
    let view = SessionView::new()
        .with_flash("message", "Grüße, 世界 👋")
        .with_old_input("nick", "Zoë")
        .with_errors("nick", ["ist ungültig"])
        .with_csrf_token("ключ");
    let source =
        "{{ flash('message') }}|{{ old('nick') }}|{{ first_error('nick') }}|{{ csrf_token() }}";

    let output = render_html(source, view);

    assert_eq!(output, "Grüße, 世界 👋|Zoë|ist ungültig|ключ");
}

#[test]
fn unicode_flash_key() {
    let view = SessionView::new().with_flash("état", "prêt");

    assert_eq!(render_html("{{ flash('état') }}", view), "prêt");
}

#[test]
fn local_macro_sees_session() {
    let view = SessionView::new().with_old_input("nick", "ada");
    let source = "{% macro field(name) %}[{{ old(name) }}]{% endmacro %}{{ field('nick') }}";

    assert_eq!(render_html(source, view), "[ada]");
}

#[test]
fn imported_macro_sees_session() {
    let mut env = environment();
    env.add_template(
        "macros.html",
        "{% macro notice() %}[{{ flash('message') }}]{% endmacro %}",
    )
    .expect("macro template parses");
    env.add_template(
        "page.html",
        "{% from 'macros.html' import notice %}{{ notice() }}",
    )
    .expect("page template parses");
    let view = SessionView::new().with_flash("message", "Saved");
    let ctx = context_with_session(view, Value::from(()));

    let output = env
        .get_template("page.html")
        .and_then(|template| template.render(ctx))
        .expect("page renders");

    assert_eq!(output, "[Saved]");
}

#[test]
fn call_block_sees_session() {
    let view = SessionView::new().with_flash("message", "Saved");
    let source = "{% macro box() %}<{{ caller() }}>{% endmacro %}\
                  {% call box() %}{{ flash('message') }}{% endcall %}";

    assert_eq!(render_named("test.txt", source, view), "<Saved>");
}

#[test]
fn included_template_sees_session() {
    let mut env = environment();
    env.add_template("flash.html", "[{{ flash('message') }}]")
        .expect("partial template parses");
    env.add_template("page.html", "{% include 'flash.html' %}")
        .expect("page template parses");
    let view = SessionView::new().with_flash("message", "Saved");
    let ctx = context_with_session(view, Value::from(()));

    let output = env
        .get_template("page.html")
        .and_then(|template| template.render(ctx))
        .expect("page renders");

    assert_eq!(output, "[Saved]");
}

#[test]
fn include_without_session_fails() {
    let mut env = environment();
    env.add_template("flash.html", "{{ flash('message') }}")
        .expect("partial template parses");
    env.add_template("page.html", "{% include 'flash.html' %}")
        .expect("page template parses");

    let err = env
        .get_template("page.html")
        .and_then(|template| template.render(context! { title => "Home" }))
        .expect_err("rendering without session data fails");

    // The include reports its own error, with the function's error as the source.
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let chain = chain.join("\n");
    assert!(chain.contains("`__session`"), "{chain}");
}

#[test]
fn functions_under_custom_names() {
    let mut env = Environment::new();
    env.add_function("session_flash", minijinja_session::flash);
    env.add_function("session_has_flash", minijinja_session::has_flash);
    let view = SessionView::new().with_flash("message", "Saved");
    let ctx = context_with_session(view, Value::from(()));
    let source = "{% if session_has_flash('message') %}{{ session_flash('message') }}{% endif %}";

    let output = env.render_str(source, ctx).expect("test template renders");

    assert_eq!(output, "Saved");
}

#[test]
fn signup_page_snapshot() {
    let env = fixture_environment();
    let view = SessionView::new()
        .with_flash(
            "message",
            json!({ "status": "error", "text": "Check the form & try again" }),
        )
        .with_old_input("nick", "<ada>")
        .with_old_input("email", "")
        .with_errors("nick", ["is taken", "must not contain <, > or \""])
        .with_csrf_token("k2P9\"x");
    let ctx = context_with_session(view, context! { title => "Sign up" });

    let html = env
        .get_template("signup.html")
        .and_then(|template| template.render(ctx))
        .expect("sign-up page renders");

    insta::assert_snapshot!(html);
}

#[test]
fn signup_page_without_flash() {
    let env = fixture_environment();
    let view = SessionView::new().with_csrf_token("k2P9");
    let ctx = context_with_session(view, context! { title => "Sign up" });

    let html = env
        .get_template("signup.html")
        .and_then(|template| template.render(ctx))
        .expect("sign-up page renders");

    assert!(!html.contains("class=\"flash"), "{html}");
    assert!(!html.contains("aria-invalid"), "{html}");
}

#[test]
fn flash_fixture_snapshot() {
    let view = SessionView::new()
        .with_flash("message", HOSTILE)
        .with_flash(
            "status",
            json!({
                "level": "error\" onclick=\"steal()",
                "text": "Grüße & 世界 <b>👋</b>",
                "detail": { "title": "it's \"quoted\"" },
            }),
        )
        .with_flash(
            "notes",
            json!(["<img src=x onerror=alert(1)>", "Zoë & Ünïcödé"]),
        )
        .with_flash("cleared", json!(null));

    let html = render_fixture("flash.html", view);

    insta::assert_snapshot!("flash_fixture", html);
}

#[test]
fn flash_fixture_empty_snapshot() {
    let html = render_fixture("flash.html", SessionView::new());

    insta::assert_snapshot!("flash_fixture_empty", html);
}

#[test]
fn old_input_fixture_snapshot() {
    let view = SessionView::new()
        .with_old_input("nick", r#""><script>alert('x')</script>"#)
        .with_old_input("email", "")
        .with_old_input("bio", "Zoë from Zürich\n<3 cats & \"dogs\"");

    let html = render_fixture("old_input.html", view);

    insta::assert_snapshot!("old_input_fixture", html);
}

#[test]
fn old_input_fixture_empty_snapshot() {
    let html = render_fixture("old_input.html", SessionView::new());

    insta::assert_snapshot!("old_input_fixture_empty", html);
}

#[test]
fn errors_fixture_snapshot() {
    let view = SessionView::new()
        .with_errors("nick", ["is taken", HOSTILE])
        .with_errors("email", ["ist ungültig — 無効です"]);

    let html = render_fixture("errors.html", view);

    insta::assert_snapshot!("errors_fixture", html);
}

#[test]
fn errors_fixture_empty_snapshot() {
    let html = render_fixture("errors.html", SessionView::new());

    insta::assert_snapshot!("errors_fixture_empty", html);
}

#[test]
fn csrf_fixture_snapshot() {
    let view = SessionView::new().with_csrf_token(r#"k2P9"><script>alert('x')</script>&amp;"#);

    let html = render_fixture("csrf.html", view);

    insta::assert_snapshot!("csrf_fixture", html);
}

#[test]
fn csrf_fixture_unicode_snapshot() {
    let view = SessionView::new().with_csrf_token("ключ-🔑");

    let html = render_fixture("csrf.html", view);

    insta::assert_snapshot!("csrf_fixture_unicode", html);
}

#[test]
fn profile_fixture_snapshot() {
    let view = SessionView::new()
        .with_flash("message", "Profile <saved> & synced")
        .with_flash("status", json!({ "level": "ok", "text": "Alles gut ✓" }))
        .with_old_input("nick", "Zoë")
        .with_errors("nick", ["is too \"short\""])
        .with_csrf_token("k2P9");

    let html = render_fixture("profile.html", view);

    insta::assert_snapshot!("profile_fixture", html);
}

#[test]
fn module_import_sees_session() {
    let mut env = environment();
    env.add_template(
        "macros.html",
        "{% macro notice() %}[{{ flash('message') }}]{% endmacro %}",
    )
    .expect("macro template parses");
    env.add_template(
        "page.html",
        "{% import 'macros.html' as macros %}{{ macros.notice() }}",
    )
    .expect("page template parses");
    let view = SessionView::new().with_flash("message", "Saved");
    let ctx = context_with_session(view, Value::from(()));

    let output = env
        .get_template("page.html")
        .and_then(|template| template.render(ctx))
        .expect("page renders");

    assert_eq!(output, "[Saved]");
}
