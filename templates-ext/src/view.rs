use std::collections::BTreeMap;

use minijinja::Value;
use serde::{Deserialize, Deserializer, Serialize};

use crate::object::SessionObject;

/// Session data for one request, as the template functions read it.
///
/// The application fills a view from its own session with the flash items
/// that are visible on this request, the old input, the validation errors
/// and the CSRF token. It then passes [`into_value`](Self::into_value) of the
/// view under [`CONTEXT_KEY`](crate::CONTEXT_KEY) in the render context.
///
/// # Deserialization of stored data
///
/// Deserializing a view is lenient per field, because session data written
/// by an older version of an application may no longer fit these types. A
/// field of the wrong shape reads as empty, an old input value that is not a
/// string is dropped, an error entry that is not a list of strings is
/// dropped, and a CSRF token that is not a string reads as `None`. A missing
/// field reads as empty too.
///
/// # Examples
///
/// ```
/// use minijinja_session::SessionView;
///
/// let view = SessionView::new()
///     .with_flash("message", "Profile saved")
///     .with_old_input("email", "ada@example.com")
///     .with_errors("password", ["is too short"])
///     .with_csrf_token("2f1c9a");
///
/// assert_eq!(view.old_input["email"], "ada@example.com");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// Flash items visible on this request, by key.
    ///
    /// A JSON `null` is a stored value, but the template functions treat it
    /// like a missing item.
    #[serde(default, deserialize_with = "flash_or_empty")]
    pub flash: BTreeMap<String, serde_json::Value>,

    /// Form input of the previous request, by field name.
    #[serde(default, deserialize_with = "old_input_or_empty")]
    pub old_input: BTreeMap<String, String>,

    /// Validation error messages, by field name.
    #[serde(default, deserialize_with = "errors_or_empty")]
    pub errors: BTreeMap<String, Vec<String>>,

    /// CSRF token of the session, if it has one.
    ///
    /// `csrf_token()` and `csrf_field()` fail when it is `None` or empty.
    #[serde(default, deserialize_with = "csrf_token_or_none")]
    pub csrf_token: Option<String>,
}

impl SessionView {
    /// Creates an empty view: no flash items, old input, errors or CSRF token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a flash item, replacing any item with the same key.
    ///
    /// Any `serde_json::Value` works, including one built with
    /// `serde_json::json!` or `serde_json::to_value` from a `Serialize` type.
    pub fn with_flash(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.flash.insert(key.into(), value.into());
        self
    }

    /// Adds the previous input of one form field, replacing any earlier value.
    pub fn with_old_input(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.old_input.insert(field.into(), value.into());
        self
    }

    /// Sets the validation error messages of one form field.
    pub fn with_errors<I, S>(mut self, field: impl Into<String>, messages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let messages = messages.into_iter().map(Into::into).collect();
        self.errors.insert(field.into(), messages);
        self
    }

    /// Sets the CSRF token.
    pub fn with_csrf_token(mut self, token: impl Into<String>) -> Self {
        self.csrf_token = Some(token.into());
        self
    }

    /// Converts the view into the template value the functions of this crate
    /// look up under [`CONTEXT_KEY`](crate::CONTEXT_KEY).
    ///
    /// The value is a map-like object, so templates can also read its fields
    /// for debugging, as in `{{ __session.flash }}`.
    pub fn into_value(self) -> Value {
        Value::from_object(SessionObject::new(self))
    }
}

/// Reads the flash map, or an empty map when the stored data is not a map.
fn flash_or_empty<'de, D>(deserializer: D) -> Result<BTreeMap<String, serde_json::Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let flash = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Object(items) => items.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    Ok(flash)
}

/// Reads the old input map, keeping only the entries whose value is a string.
fn old_input_or_empty<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: Deserializer<'de>,
{
    let serde_json::Value::Object(fields) = serde_json::Value::deserialize(deserializer)? else {
        return Ok(BTreeMap::new());
    };

    let old_input = fields
        .into_iter()
        .filter_map(|(field, value)| match value {
            serde_json::Value::String(value) => Some((field, value)),
            _ => None,
        })
        .collect();
    Ok(old_input)
}

/// Reads the error map, keeping only the entries that are lists of strings.
fn errors_or_empty<'de, D>(deserializer: D) -> Result<BTreeMap<String, Vec<String>>, D::Error>
where
    D: Deserializer<'de>,
{
    let serde_json::Value::Object(fields) = serde_json::Value::deserialize(deserializer)? else {
        return Ok(BTreeMap::new());
    };

    let errors = fields
        .into_iter()
        .filter_map(|(field, messages)| {
            let messages = Vec::<String>::deserialize(messages).ok()?;
            Some((field, messages))
        })
        .collect();
    Ok(errors)
}

/// Reads the CSRF token, or `None` when the stored data is not a string.
fn csrf_token_or_none<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: Deserializer<'de>,
{
    let token = match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(token) => Some(token),
        _ => None,
    };
    Ok(token)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn from_json(data: serde_json::Value) -> SessionView {
        serde_json::from_value(data).expect("a JSON object deserializes into a view")
    }

    #[test]
    fn builders_fill_fields() {
        let view = SessionView::new()
            .with_flash("message", json!({ "status": "saved" }))
            .with_old_input("nick", "ada")
            .with_errors("email", ["is required", "is invalid"])
            .with_csrf_token("token-1");

        assert_eq!(view.flash["message"], json!({ "status": "saved" }));
        assert_eq!(view.old_input["nick"], "ada");
        assert_eq!(view.errors["email"], ["is required", "is invalid"]);
        assert_eq!(view.csrf_token.as_deref(), Some("token-1"));
    }

    #[test]
    fn with_flash_replaces_item() {
        let view = SessionView::new()
            .with_flash("message", "first")
            .with_flash("message", "second");

        assert_eq!(view.flash["message"], json!("second"));
    }

    #[test]
    fn serde_round_trip() {
        let view = SessionView::new()
            .with_flash("count", 3)
            .with_flash("gone", serde_json::Value::Null)
            .with_old_input("nick", "")
            .with_errors("nick", ["is taken"])
            .with_csrf_token("abc");

        let json = serde_json::to_value(&view).expect("a view serializes");

        assert_eq!(from_json(json), view);
    }

    #[test]
    fn deserialize_missing_fields() {
        let view = from_json(json!({}));

        assert_eq!(view, SessionView::default());
    }

    #[test]
    fn deserialize_wrong_field_shapes() {
        let view = from_json(json!({
            "flash": "not a map",
            "old_input": ["not", "a", "map"],
            "errors": 42,
            "csrf_token": { "not": "a string" },
        }));

        assert_eq!(view, SessionView::default());
    }

    #[test]
    fn deserialize_drops_bad_entries() {
        let view = from_json(json!({
            "old_input": { "nick": "ada", "age": 36, "empty": "" },
            "errors": { "email": ["is invalid"], "nick": "is taken", "age": [1, 2] },
        }));

        assert_eq!(view.old_input.len(), 2);
        assert_eq!(view.old_input["empty"], "");
        assert_eq!(view.errors.len(), 1);
        assert_eq!(view.errors["email"], ["is invalid"]);
    }

    #[test]
    fn deserialize_keeps_null_flash() {
        let view = from_json(json!({ "flash": { "gone": null } }));

        assert_eq!(view.flash.get("gone"), Some(&serde_json::Value::Null));
    }
}
