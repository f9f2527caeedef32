//! Old input and validation errors, flashed for the next request.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::flash::{self, FLASH_OLD};
use crate::Session;

/// Reserved key of the flashed old input.
pub const OLD_INPUT_KEY: &str = "_old_input";
/// Reserved key of the flashed validation errors.
pub const ERRORS_KEY: &str = "_errors";

/// Form fields that [`Session::flash_input`] never stores.
pub const SECRET_FIELDS: &[&str] = &[
    "password",
    "password_confirmation",
    "current_password",
    "new_password",
    "_token",
];

impl Session {
    /// Flashes form input for the next request, leaving out the fields in
    /// [`SECRET_FIELDS`], so a form shown again can be refilled. An empty
    /// string is kept as a real value.
    pub fn flash_input<K, V>(&self, fields: impl IntoIterator<Item = (K, V)>)
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.flash_input_except(fields, &[]);
    }

    /// Flashes form input like [`Session::flash_input`], also leaving out the
    /// fields named in `secret`.
    pub fn flash_input_except<K, V>(
        &self,
        fields: impl IntoIterator<Item = (K, V)>,
        secret: &[&str],
    ) where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let input: serde_json::Map<String, Value> = fields
            .into_iter()
            .filter(|(name, _)| {
                let name = name.as_ref();
                !SECRET_FIELDS.contains(&name) && !secret.contains(&name)
            })
            .map(|(name, value)| {
                (
                    name.as_ref().to_owned(),
                    Value::String(value.as_ref().to_owned()),
                )
            })
            .collect();
        self.change(|data| {
            flash::flash(data, OLD_INPUT_KEY, Value::Object(input));
            true
        });
    }

    /// Flashes validation errors, a list of messages per field, for the next
    /// request.
    pub fn flash_errors<K, M>(&self, errors: impl IntoIterator<Item = (K, M)>)
    where
        K: AsRef<str>,
        M: IntoIterator,
        M::Item: AsRef<str>,
    {
        let errors: serde_json::Map<String, Value> = errors
            .into_iter()
            .map(|(field, messages)| {
                let messages = messages
                    .into_iter()
                    .map(|message| Value::String(message.as_ref().to_owned()))
                    .collect();
                (field.as_ref().to_owned(), Value::Array(messages))
            })
            .collect();
        self.change(|data| {
            flash::flash(data, ERRORS_KEY, Value::Object(errors));
            true
        });
    }

    /// Returns the old input of `field` flashed by the previous request, or
    /// `None` when there is none. Values of the wrong shape count as missing.
    pub fn old(&self, field: &str) -> Option<String> {
        self.old_input().remove(field)
    }

    /// Returns all old input visible on this request.
    pub fn old_input(&self) -> BTreeMap<String, String> {
        let Some(Value::Object(fields)) = self.visible_reserved(OLD_INPUT_KEY) else {
            return BTreeMap::new();
        };
        fields
            .into_iter()
            .filter_map(|(name, value)| match value {
                Value::String(text) => Some((name, text)),
                _ => None,
            })
            .collect()
    }

    /// Returns the validation errors visible on this request, per field.
    /// Values of the wrong shape count as missing.
    pub fn errors(&self) -> BTreeMap<String, Vec<String>> {
        let Some(Value::Object(fields)) = self.visible_reserved(ERRORS_KEY) else {
            return BTreeMap::new();
        };
        fields
            .into_iter()
            .filter_map(|(field, messages)| {
                let Value::Array(messages) = messages else {
                    return None;
                };
                let messages: Vec<String> = messages
                    .into_iter()
                    .filter_map(|message| message.as_str().map(str::to_owned))
                    .collect();
                Some((field, messages))
            })
            .collect()
    }

    /// Returns a reserved flash item when it is visible on this request.
    fn visible_reserved(&self, key: &str) -> Option<Value> {
        let state = self.lock();
        let visible = flash::keys(&state.data, FLASH_OLD)
            .iter()
            .any(|name| name == key);
        if visible {
            state.data.get(key).cloned()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next_request(session: &Session) {
        session.age_flash();
    }

    #[test]
    fn flash_input_drops_secret_fields() {
        let session = Session::default();
        session.flash_input([
            ("name", "Ada"),
            ("password", "hunter2"),
            ("password_confirmation", "hunter2"),
            ("current_password", "old"),
            ("_token", "abc"),
        ]);
        let stored = serde_json::to_string(&session.all()).unwrap_or_default();
        assert!(!stored.contains("hunter2"), "{stored}");
        assert!(!stored.contains("old\""), "{stored}");
        next_request(&session);
        assert_eq!(session.old("name").as_deref(), Some("Ada"));
        assert_eq!(session.old("password"), None);
    }

    #[test]
    fn flash_input_except_drops_extra_fields() {
        let session = Session::default();
        session.flash_input_except([("name", "Ada"), ("pin", "1234")], &["pin"]);
        next_request(&session);
        assert_eq!(session.old("pin"), None);
        assert_eq!(session.old("name").as_deref(), Some("Ada"));
    }

    #[test]
    fn old_keeps_empty_string() {
        let session = Session::default();
        session.flash_input([("nick", "")]);
        next_request(&session);
        assert_eq!(session.old("nick").as_deref(), Some(""));
    }

    #[test]
    fn old_input_hidden_until_next_request() {
        let session = Session::default();
        session.flash_input([("name", "Ada")]);
        assert_eq!(session.old("name"), None);
    }

    #[test]
    fn errors_round_trip() {
        let session = Session::default();
        session.flash_errors([("email", vec!["is required", "is invalid"])]);
        next_request(&session);
        let errors = session.errors();
        assert_eq!(errors.get("email").map(Vec::len), Some(2));
    }

    #[test]
    fn errors_of_wrong_shape_are_missing() {
        let session = Session::default();
        session.now(ERRORS_KEY, "not a map").expect("now");
        assert!(session.errors().is_empty());
        session.now(OLD_INPUT_KEY, [1, 2, 3]).expect("now");
        assert!(session.old_input().is_empty());
    }
}
