//! Flash aging over a session's data map.
//!
//! Flash items are ordinary session items plus two reserved lists of keys:
//! [`FLASH_NEW`] holds the keys flashed during this request for the next one,
//! and [`FLASH_OLD`] the keys visible now, which are removed when this request
//! ages. A key in both lists is visible now and stays for the next request,
//! which is what `reflash` and `keep` do. A list of the wrong shape in a
//! stored record counts as empty.

use std::collections::HashMap;

use serde_json::Value;

/// Reserved key of the list of keys flashed for the next request.
pub const FLASH_NEW: &str = "_flash.new";
/// Reserved key of the list of keys visible on this request, removed when it ages.
pub const FLASH_OLD: &str = "_flash.old";

type Data = HashMap<String, Value>;

/// Reads one of the flash lists, skipping entries that are not strings.
pub(crate) fn keys(data: &Data, list: &str) -> Vec<String> {
    match data.get(list) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Writes a flash list, removing the reserved key when the list is empty so
/// that a session holding no flash data stays empty.
pub(crate) fn set_keys(data: &mut Data, list: &str, keys: Vec<String>) {
    if keys.is_empty() {
        data.remove(list);
    } else {
        let items = keys.into_iter().map(Value::String).collect();
        data.insert(list.to_owned(), Value::Array(items));
    }
}

fn push_unique(keys: &mut Vec<String>, key: &str) {
    if !keys.iter().any(|existing| existing == key) {
        keys.push(key.to_owned());
    }
}

/// Stores `key` for the next request: adds it to the new list and removes it
/// from the old one.
pub(crate) fn flash(data: &mut Data, key: &str, value: Value) {
    data.insert(key.to_owned(), value);

    let mut new = keys(data, FLASH_NEW);
    push_unique(&mut new, key);
    set_keys(data, FLASH_NEW, new);

    let mut old = keys(data, FLASH_OLD);
    old.retain(|existing| existing != key);
    set_keys(data, FLASH_OLD, old);
}

/// Stores `key` for the current request only.
pub(crate) fn now(data: &mut Data, key: &str, value: Value) {
    data.insert(key.to_owned(), value);

    let mut old = keys(data, FLASH_OLD);
    push_unique(&mut old, key);
    set_keys(data, FLASH_OLD, old);
}

/// Keeps every visible flash item for one more request.
pub(crate) fn reflash(data: &mut Data) {
    let old = keys(data, FLASH_OLD);
    keep(data, &old);
}

/// Keeps the named visible flash items for one more request. Names that are
/// not visible flash items are ignored.
///
/// The items also stay in the old list, so they remain visible on the
/// current request; aging spares keys that are in both lists.
pub(crate) fn keep(data: &mut Data, names: &[String]) {
    let old = keys(data, FLASH_OLD);
    let mut new = keys(data, FLASH_NEW);
    for name in names {
        if old.contains(name) {
            push_unique(&mut new, name);
        }
    }
    set_keys(data, FLASH_NEW, new);
}

/// Removes a key from both flash lists, which turns a flash item into a
/// permanent one or forgets its bookkeeping. Returns whether a list changed.
pub(crate) fn unmark(data: &mut Data, key: &str) -> bool {
    let mut changed = false;
    for list in [FLASH_NEW, FLASH_OLD] {
        let mut entries = keys(data, list);
        let before = entries.len();
        entries.retain(|existing| existing != key);
        if entries.len() != before {
            set_keys(data, list, entries);
            changed = true;
        }
    }
    changed
}

/// Ages flash data at the end of a request: removes every key in the old list,
/// then moves the new list into the old one. Returns whether anything changed.
pub(crate) fn age(data: &mut Data) -> bool {
    let old = keys(data, FLASH_OLD);
    let new = keys(data, FLASH_NEW);
    let had_lists = data.contains_key(FLASH_OLD) || data.contains_key(FLASH_NEW);
    if old.is_empty() && new.is_empty() && !had_lists {
        return false;
    }

    for key in &old {
        // A key that was flashed again during this request is in the new
        // list too and must survive.
        if !new.contains(key) {
            data.remove(key);
        }
    }
    data.remove(FLASH_NEW);
    set_keys(data, FLASH_OLD, new);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn visible(data: &Data) -> Vec<String> {
        keys(data, FLASH_OLD)
    }

    #[test]
    fn flash_visible_after_one_aging() {
        let mut data = Data::new();
        flash(&mut data, "status", json!("saved"));
        assert!(visible(&data).is_empty());

        age(&mut data);
        assert_eq!(visible(&data), vec!["status"]);
        assert_eq!(data.get("status"), Some(&json!("saved")));
    }

    #[test]
    fn flash_removed_after_second_aging() {
        let mut data = Data::new();
        flash(&mut data, "status", json!("saved"));
        age(&mut data);
        age(&mut data);
        assert!(data.is_empty(), "left {data:?}");
    }

    #[test]
    fn now_removed_at_end_of_request() {
        let mut data = Data::new();
        now(&mut data, "notice", json!(1));
        assert_eq!(visible(&data), vec!["notice"]);

        age(&mut data);
        assert!(data.is_empty(), "left {data:?}");
    }

    #[test]
    fn reflash_keeps_items_one_more_request() {
        let mut data = Data::new();
        flash(&mut data, "a", json!(1));
        age(&mut data);
        reflash(&mut data);
        age(&mut data);
        assert_eq!(visible(&data), vec!["a"]);

        age(&mut data);
        assert!(data.is_empty(), "left {data:?}");
    }

    #[test]
    fn keep_only_named_items() {
        let mut data = Data::new();
        flash(&mut data, "a", json!(1));
        flash(&mut data, "b", json!(2));
        age(&mut data);
        keep(&mut data, &["b".to_owned(), "missing".to_owned()]);
        age(&mut data);
        assert_eq!(visible(&data), vec!["b"]);
        assert!(!data.contains_key("a"));
    }

    #[test]
    fn reflash_during_visible_request_survives_aging() {
        let mut data = Data::new();
        flash(&mut data, "a", json!(1));
        age(&mut data);
        flash(&mut data, "a", json!(2));
        age(&mut data);
        assert_eq!(data.get("a"), Some(&json!(2)));
    }

    #[test]
    fn age_ignores_malformed_lists() {
        let mut data = Data::new();
        data.insert(FLASH_OLD.to_owned(), json!({"not": "a list"}));
        data.insert("kept".to_owned(), json!(true));
        assert!(age(&mut data));
        assert_eq!(data.get("kept"), Some(&json!(true)));
        assert!(!data.contains_key(FLASH_OLD));
    }

    #[test]
    fn age_without_flash_data_changes_nothing() {
        let mut data = Data::new();
        data.insert("user".to_owned(), json!(7));
        assert!(!age(&mut data));
    }

    #[test]
    fn unmark_makes_item_permanent() {
        let mut data = Data::new();
        flash(&mut data, "a", json!(1));
        unmark(&mut data, "a");
        age(&mut data);
        age(&mut data);
        assert_eq!(data.get("a"), Some(&json!(1)));
    }
}
