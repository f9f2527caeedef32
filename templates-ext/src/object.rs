use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Serde};
use minijinja::Value;

use crate::SessionView;

/// Template object behind [`SessionView::into_value`].
///
/// Flash items are converted to template values once, when the object is
/// built, so that each `flash()` call only clones a reference-counted value.
#[derive(Debug)]
pub(crate) struct SessionObject {
    flash: BTreeMap<String, Value>,
    old_input: BTreeMap<String, String>,
    errors: BTreeMap<String, Vec<String>>,
    csrf_token: Option<String>,
}

impl SessionObject {
    const FIELDS: &'static [&'static str] = &["flash", "old_input", "errors", "csrf_token"];

    pub(crate) fn new(view: SessionView) -> Self {
        let flash = view
            .flash
            .into_iter()
            .map(|(key, item)| (key, Value::from(Serde(item))))
            .collect();

        Self {
            flash,
            old_input: view.old_input,
            errors: view.errors,
            csrf_token: view.csrf_token,
        }
    }

    /// Returns the flash item under `key`, or `None` when it is missing or null.
    pub(crate) fn flash_item(&self, key: &str) -> Option<&Value> {
        self.flash.get(key).filter(|item| !item.is_none())
    }

    pub(crate) fn old_input(&self, field: &str) -> Option<&str> {
        self.old_input.get(field).map(String::as_str)
    }

    /// Returns the error messages of `field`, empty when it has none.
    pub(crate) fn errors(&self, field: &str) -> &[String] {
        self.errors.get(field).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_deref()
    }
}

impl Object for SessionObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let value = match key {
            "flash" => Value::from(self.flash.clone()),
            "old_input" => Value::from(self.old_input.clone()),
            "errors" => Value::from(self.errors.clone()),
            "csrf_token" => Value::from(self.csrf_token.clone()),
            _ => return None,
        };
        Some(value)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(Self::FIELDS)
    }
}

#[cfg(test)]
mod tests {
    use minijinja::Environment;
    use serde_json::json;

    use super::*;

    fn render(source: &str, view: SessionView) -> String {
        let env = Environment::new();
        let template = env.template_from_str(source).expect("test template parses");
        template
            .render(minijinja::context! { session => view.into_value() })
            .expect("test template renders")
    }

    #[test]
    fn flash_item_null_is_none() {
        let object = SessionObject::new(SessionView::new().with_flash("gone", json!(null)));

        assert!(object.flash_item("gone").is_none());
    }

    #[test]
    fn flash_item_keeps_false() {
        let object = SessionObject::new(SessionView::new().with_flash("done", false));

        assert_eq!(object.flash_item("done"), Some(&Value::from(false)));
    }

    #[test]
    fn errors_missing_field_empty() {
        let object = SessionObject::new(SessionView::new());

        assert!(object.errors("email").is_empty());
    }

    #[test]
    fn fields_readable_in_template() {
        let view = SessionView::new()
            .with_flash("message", json!({ "status": "saved" }))
            .with_old_input("nick", "ada")
            .with_errors("nick", ["is taken"])
            .with_csrf_token("abc");
        let source = "{{ session.flash.message.status }}|{{ session.old_input.nick }}|\
                      {{ session.errors.nick[0] }}|{{ session.csrf_token }}";

        assert_eq!(render(source, view), "saved|ada|is taken|abc");
    }

    #[test]
    fn fields_enumerate_in_order() {
        let source = "{% for key in session %}{{ key }} {% endfor %}";

        assert_eq!(
            render(source, SessionView::new()),
            "flash old_input errors csrf_token "
        );
    }

    #[test]
    fn unknown_field_undefined() {
        let source = "{{ session.password is undefined }}";

        assert_eq!(render(source, SessionView::new()), "True");
    }
}
