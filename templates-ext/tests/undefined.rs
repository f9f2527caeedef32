//! Checks the functions under lenient and strict undefined behavior. The
//! functions return an undefined value only when it is passed to them as the
//! default, so otherwise only attribute lookups on their results depend on
//! the setting.

use minijinja::{context, Environment, Error, ErrorKind, UndefinedBehavior};
use minijinja_session::{add_to_environment, context_with_session, SessionView};
use serde_json::json;

const ALL_BEHAVIORS: [UndefinedBehavior; 4] = [
    UndefinedBehavior::Lenient,
    UndefinedBehavior::Strict,
    UndefinedBehavior::SemiStrict,
    UndefinedBehavior::Chainable,
];

fn render(behavior: UndefinedBehavior, source: &str) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(behavior);
    add_to_environment(&mut env);

    let view = SessionView::new()
        .with_flash("message", json!({ "status": "saved" }))
        .with_old_input("nick", "ada");
    let ctx = context_with_session(view, context! { user => context! { name => "Ada" } });

    env.render_named_str("page.html", source, ctx)
}

fn lenient(source: &str) -> Result<String, Error> {
    render(UndefinedBehavior::Lenient, source)
}

fn strict(source: &str) -> Result<String, Error> {
    render(UndefinedBehavior::Strict, source)
}

fn assert_undefined_error(result: Result<String, Error>) {
    let err = result.expect_err("strict undefined behavior fails the render");

    assert_eq!(err.kind(), ErrorKind::UndefinedError);
    assert_eq!(err.name(), Some("page.html"));
    assert_eq!(err.line(), Some(1));
}

#[test]
fn missing_flash_same_everywhere() {
    let sources = [
        ("[{{ flash('x') }}]", "[]"),
        ("{% if hasFlash('x') %}yes{% else %}no{% endif %}", "no"),
        ("{% if flash('x') %}yes{% else %}no{% endif %}", "no"),
        ("{{ flash('x', 'default') }}", "default"),
        ("[{{ old('x') }}]", "[]"),
        ("{{ errors('x') | length }}", "0"),
        ("[{{ first_error('x') }}]", "[]"),
    ];

    for behavior in ALL_BEHAVIORS {
        for (source, expected) in sources {
            let output = render(behavior, source);

            assert_eq!(
                output.ok().as_deref(),
                Some(expected),
                "{behavior:?}: {source}"
            );
        }
    }
}

#[test]
fn lenient_missing_item_attribute_empty() {
    let output = lenient("[{{ flash('x').missing_attr }}]");

    assert_eq!(output.ok().as_deref(), Some("[]"));
}

#[test]
fn strict_missing_item_attribute_fails() {
    assert_undefined_error(strict("{{ flash('x').missing_attr }}"));
}

#[test]
fn lenient_missing_attribute_empty() {
    let output = lenient("[{{ flash('message').missing_attr }}]");

    assert_eq!(output.ok().as_deref(), Some("[]"));
}

#[test]
fn strict_missing_attribute_fails() {
    assert_undefined_error(strict("{{ flash('message').missing_attr }}"));
}

#[test]
fn strict_present_attribute_renders() {
    let output = strict("{{ flash('message').status }}");

    assert_eq!(output.ok().as_deref(), Some("saved"));
}

#[test]
fn strict_guarded_attribute_renders() {
    let source = "{% if hasFlash('x') %}{{ flash('x').status }}{% endif %}\
                  {% if hasFlash('message') %}{{ flash('message').status }}{% endif %}";

    assert_eq!(strict(source).ok().as_deref(), Some("saved"));
}

#[test]
fn lenient_if_has_flash() {
    let source = "{% if hasFlash('message') %}a{% endif %}{% if hasFlash('x') %}b{% endif %}";

    assert_eq!(lenient(source).ok().as_deref(), Some("a"));
}

#[test]
fn strict_if_has_flash() {
    let source = "{% if hasFlash('message') %}a{% endif %}{% if hasFlash('x') %}b{% endif %}";

    assert_eq!(strict(source).ok().as_deref(), Some("a"));
}

#[test]
fn lenient_undefined_default_empty() {
    let output =
        lenient("[{{ old('x', user.nick) }}|{{ old('x', nik) }}|{{ flash('x', nothing) }}]");

    assert_eq!(output.ok().as_deref(), Some("[||]"));
}

#[test]
fn strict_undefined_attribute_default_fails() {
    assert_undefined_error(strict("{{ old('x', user.nick) }}"));
}

#[test]
fn strict_undefined_name_default_fails() {
    assert_undefined_error(strict("{{ old('x', nik) }}"));
}

#[test]
fn strict_undefined_flash_default_fails() {
    assert_undefined_error(strict("{{ flash('x', nothing) }}"));
}

#[test]
fn strict_unused_undefined_default_renders() {
    let output = strict("{{ old('nick', nik) }}");

    assert_eq!(output.ok().as_deref(), Some("ada"));
}

#[test]
fn none_default_empty_everywhere() {
    for behavior in ALL_BEHAVIORS {
        let output = render(behavior, "[{{ old('x', none) }}|{{ flash('x', none) }}]");

        assert_eq!(output.ok().as_deref(), Some("[|]"), "{behavior:?}");
    }
}

#[test]
fn undefined_key_fails_everywhere() {
    for behavior in ALL_BEHAVIORS {
        let err = render(behavior, "{{ flash(nokey) }}").expect_err("an undefined key fails");

        assert!(
            err.to_string().contains("not undefined"),
            "{behavior:?}: {err}"
        );
    }
}
