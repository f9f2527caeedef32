//! Renders a sign-up form after a failed submission and prints the HTML.
//!
//! Run it with `cargo run -p minijinja-session --example render_flash`.

use minijinja::{context, Environment};
use minijinja_session::{add_to_environment, context_with_session, SessionView};
use serde_json::json;

const LAYOUT: &str = r#"<!doctype html>
<html lang="en">
<head><title>{{ title }}</title></head>
<body>
{% if hasFlash('message') -%}
<p class="flash {{ flash('message').level }}">{{ flash('message').text }}</p>
{% endif -%}
{% block content %}{% endblock %}
</body>
</html>
"#;

const FORM_MACROS: &str = r#"{% macro text_field(name, label, type="text") -%}
<p>
  <label for="{{ name }}">{{ label }}</label>
  <input id="{{ name }}" name="{{ name }}" type="{{ type }}" value="{{ old(name) }}"
    {%- if has_error(name) %} aria-invalid="true"{% endif %}>
  {%- for message in errors(name) %}
  <span class="error">{{ label }} {{ message }}</span>
  {%- endfor %}
</p>
{%- endmacro %}"#;

const SIGNUP: &str = r#"{% extends "layout.html" %}
{% from "form_macros.html" import text_field %}
{% block content -%}
<form method="post" action="/signup">
  {{ csrf_field() }}
  {{ text_field("nick", "Nickname") }}
  {{ text_field("email", "E-mail", type="email") }}
  <button>Sign up</button>
</form>
{%- endblock %}"#;

fn main() -> Result<(), minijinja::Error> {
    let mut env = Environment::new();
    add_to_environment(&mut env);
    env.add_template("layout.html", LAYOUT)?;
    env.add_template("form_macros.html", FORM_MACROS)?;
    env.add_template("signup.html", SIGNUP)?;

    // An application fills the view from its session. The nickname contains
    // markup to show escaping, and the e-mail is an empty submitted value,
    // which `old()` keeps.
    let view = SessionView::new()
        .with_flash(
            "message",
            json!({ "level": "error", "text": "Please fix the errors below." }),
        )
        .with_old_input("nick", "<ada & co>")
        .with_old_input("email", "")
        .with_errors("nick", ["is already taken"])
        .with_errors("email", ["is required"])
        .with_csrf_token("Zx8Qp1");
    let ctx = context_with_session(view, context! { title => "Sign up" });

    let html = env.get_template("signup.html")?.render(ctx)?;
    println!("{html}");
    Ok(())
}
