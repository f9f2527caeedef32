//! Checks every cell of the rules table in the crate docs: what each
//! function returns for a present value, a JSON null, a missing key, an
//! empty string and a render context without session data.
//!
//! The null and empty-string views are deserialized from JSON, as stored
//! session data would be, because the typed builders cannot hold a null
//! old input value or a string in place of a list of errors.

use minijinja::{context, Environment, Error, ErrorKind, Value};
use minijinja_session::{add_to_environment, context_with_session, SessionView};
use serde_json::json;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    add_to_environment(&mut env);
    env
}

fn render(source: &str, view: &SessionView) -> Result<String, Error> {
    let ctx = context_with_session(view.clone(), Value::from(()));
    environment().render_named_str("rules.html", source, ctx)
}

fn render_ok(source: &str, view: &SessionView) -> String {
    render(source, view).unwrap_or_else(|err| panic!("{source} fails: {err:#}"))
}

fn render_err(source: &str, view: &SessionView) -> Error {
    match render(source, view) {
        Ok(output) => panic!("{source} renders {output:?} instead of failing"),
        Err(err) => err,
    }
}

fn from_json(data: serde_json::Value) -> SessionView {
    serde_json::from_value(data).expect("test data deserializes into a view")
}

fn assert_no_token_error(source: &str, view: &SessionView) {
    let err = render_err(source, view);

    assert_eq!(err.kind(), ErrorKind::InvalidOperation, "{source}");
    assert!(err.to_string().contains("no CSRF token"), "{source}: {err}");
}

#[test]
fn present_values() {
    let view = SessionView::new()
        .with_flash("k", "Saved")
        .with_flash("object", json!({ "status": "ok" }))
        .with_old_input("k", "ada")
        .with_errors("k", ["is taken", "is too short"])
        .with_csrf_token("t0k3n");

    assert_eq!(render_ok("{{ flash('k') }}", &view), "Saved");
    assert_eq!(render_ok("{{ flash('k', 'default') }}", &view), "Saved");
    assert_eq!(render_ok("{{ flash('object') is mapping }}", &view), "True");
    assert_eq!(render_ok("{{ hasFlash('k') }}", &view), "True");
    assert_eq!(render_ok("{{ has_flash('k') }}", &view), "True");
    assert_eq!(render_ok("{{ old('k', 'default') }}", &view), "ada");
    assert_eq!(
        render_ok("{{ errors('k') }}", &view),
        "[&#x27;is taken&#x27;, &#x27;is too short&#x27;]"
    );
    assert_eq!(render_ok("{{ first_error('k') }}", &view), "is taken");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "True");
    assert_eq!(render_ok("{{ csrf_token() }}", &view), "t0k3n");
    assert_eq!(
        render_ok("{{ csrf_field() }}", &view),
        r#"<input type="hidden" name="_token" value="t0k3n">"#
    );
}

#[test]
fn null_values() {
    let view = from_json(json!({
        "flash": { "k": null },
        "old_input": { "k": null },
        "errors": { "k": null },
        "csrf_token": null,
    }));

    assert_eq!(render_ok("[{{ flash('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ flash('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("{{ hasFlash('k') }}", &view), "False");
    assert_eq!(render_ok("{{ has_flash('k') }}", &view), "False");
    assert_eq!(render_ok("{{ old('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("[{{ old('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ errors('k') }}", &view), "[]");
    assert_eq!(render_ok("[{{ first_error('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "False");
    assert_no_token_error("{{ csrf_token() }}", &view);
    assert_no_token_error("{{ csrf_field() }}", &view);
}

#[test]
fn null_flash_from_builder() {
    let view = SessionView::new().with_flash("k", json!(null));

    assert_eq!(render_ok("{{ flash('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("{{ hasFlash('k') }}", &view), "False");
}

#[test]
fn missing_keys() {
    let view = SessionView::new();

    assert_eq!(render_ok("[{{ flash('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ flash('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("{{ hasFlash('k') }}", &view), "False");
    assert_eq!(render_ok("{{ has_flash('k') }}", &view), "False");
    assert_eq!(render_ok("{{ old('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("[{{ old('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ errors('k') }}", &view), "[]");
    assert_eq!(render_ok("[{{ first_error('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "False");
    assert_no_token_error("{{ csrf_token() }}", &view);
    assert_no_token_error("{{ csrf_field() }}", &view);
}

#[test]
fn empty_strings() {
    let view = from_json(json!({
        "flash": { "k": "" },
        "old_input": { "k": "" },
        "errors": { "k": "" },
        "csrf_token": "",
    }));

    assert_eq!(render_ok("[{{ flash('k', 'default') }}]", &view), "[]");
    assert_eq!(render_ok("{{ hasFlash('k') }}", &view), "True");
    assert_eq!(render_ok("{{ has_flash('k') }}", &view), "True");
    assert_eq!(render_ok("[{{ old('k', 'default') }}]", &view), "[]");
    assert_eq!(render_ok("{{ errors('k') }}", &view), "[]");
    assert_eq!(render_ok("[{{ first_error('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "False");
    assert_no_token_error("{{ csrf_token() }}", &view);
    assert_no_token_error("{{ csrf_field() }}", &view);
}

#[test]
fn empty_token_from_builder() {
    let view = SessionView::new().with_csrf_token("");

    assert_no_token_error("{{ csrf_token() }}", &view);
    assert_no_token_error("{{ csrf_field() }}", &view);
}

#[test]
fn no_session_data() {
    let calls = [
        "flash('k')",
        "flash('k', 'default')",
        "hasFlash('k')",
        "has_flash('k')",
        "old('k', 'default')",
        "errors('k')",
        "first_error('k')",
        "has_error('k')",
        "csrf_token()",
        "csrf_field()",
    ];
    let env = environment();

    for call in calls {
        let source = format!("{{{{ {call} }}}}");
        let err = env
            .render_named_str("rules.html", &source, context! { title => "Home" })
            .expect_err("rendering without session data fails");

        assert_eq!(err.kind(), ErrorKind::InvalidOperation, "{call}");
        assert!(err.to_string().contains("`__session`"), "{call}: {err}");
    }
}

#[test]
fn flash_false_and_zero_present() {
    let view = SessionView::new()
        .with_flash("done", false)
        .with_flash("count", 0);

    assert_eq!(render_ok("{{ flash('done', 'default') }}", &view), "False");
    assert_eq!(render_ok("{{ hasFlash('done') }}", &view), "True");
    assert_eq!(render_ok("{{ flash('count', 'default') }}", &view), "0");
    assert_eq!(render_ok("{{ hasFlash('count') }}", &view), "True");
}

#[test]
fn default_none_is_empty() {
    let view = SessionView::new();

    assert_eq!(render_ok("[{{ flash('k', none) }}]", &view), "[]");
    assert_eq!(render_ok("[{{ old('k', none) }}]", &view), "[]");
}

#[test]
fn default_keeps_type() {
    let view = SessionView::new();

    assert_eq!(render_ok("{{ flash('count', 41) + 1 }}", &view), "42");
    assert_eq!(render_ok("{{ old('age', 41) + 1 }}", &view), "42");
}

#[test]
fn empty_error_list_is_missing() {
    let view = SessionView::new().with_errors("k", Vec::<String>::new());

    assert_eq!(render_ok("{{ errors('k') }}", &view), "[]");
    assert_eq!(render_ok("[{{ first_error('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "False");
}

#[test]
fn empty_error_message_is_present() {
    let view = SessionView::new().with_errors("k", [""]);

    assert_eq!(render_ok("{{ errors('k') | length }}", &view), "1");
    assert_eq!(render_ok("[{{ first_error('k') }}]", &view), "[]");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "True");
}

#[test]
fn wrong_shapes_are_missing() {
    let view = from_json(json!({
        "old_input": { "k": 42 },
        "errors": { "k": { "not": "a list" } },
        "csrf_token": ["not", "a", "string"],
    }));

    assert_eq!(render_ok("{{ old('k', 'default') }}", &view), "default");
    assert_eq!(render_ok("{{ has_error('k') }}", &view), "False");
    assert_no_token_error("{{ csrf_field() }}", &view);
}
