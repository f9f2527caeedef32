//! Merging one request's changes into the record as another request left it.
//!
//! Two requests of one session may run at once. Each starts from the record
//! it loaded and changes some keys. When one saves after the other, writing
//! its whole map would undo the other's changes, so the layer applies only
//! this request's changes, key by key, to the latest stored record.

use std::collections::HashSet;

use crate::flash::{self, FLASH_NEW, FLASH_OLD};
use crate::session::Data;

/// Applies the changes from `loaded` to `current` onto `latest`.
///
/// - A key whose value differs between `loaded` and `current` takes the
///   value from `current`, or is removed when `current` lacks it. The later
///   save wins when both requests wrote the same key.
/// - A key that flash aging removed (`aged`) stays when another request
///   changed it in the meantime, because that request flashed or wrote it
///   anew and its value was never shown.
/// - The flash lists are merged as sets: entries this request added are
///   added, entries it removed are removed, and the rest come from `latest`.
pub(crate) fn merge(latest: &Data, loaded: &Data, current: &Data, aged: &[String]) -> Data {
    let mut merged = latest.clone();

    let keys: HashSet<&String> = loaded.keys().chain(current.keys()).collect();
    for key in keys {
        if key == FLASH_NEW || key == FLASH_OLD {
            continue;
        }
        let before = loaded.get(key);
        let after = current.get(key);
        if before == after {
            continue;
        }
        match after {
            Some(value) => {
                merged.insert(key.clone(), value.clone());
            }
            None => {
                let changed_elsewhere = latest.get(key) != before;
                if !(aged.contains(key) && changed_elsewhere) {
                    merged.remove(key);
                }
            }
        }
    }

    for list in [FLASH_NEW, FLASH_OLD] {
        let before = flash::keys(loaded, list);
        let after = flash::keys(current, list);
        let mut entries: Vec<String> = flash::keys(latest, list)
            .into_iter()
            // Keep an entry unless this request removed it.
            .filter(|key| !before.contains(key) || after.contains(key))
            .collect();
        for key in after {
            if !before.contains(&key) && !entries.contains(&key) {
                entries.push(key);
            }
        }
        // A list entry whose item is gone would show nothing, so it goes too.
        entries.retain(|key| merged.contains_key(key));
        flash::set_keys(&mut merged, list, entries);
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(pairs: &[(&str, serde_json::Value)]) -> Data {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    #[test]
    fn different_keys_both_kept() {
        let loaded = data(&[("a", json!(0))]);
        let latest = data(&[("a", json!(0)), ("b", json!(2))]);
        let current = data(&[("a", json!(1))]);
        let merged = merge(&latest, &loaded, &current, &[]);
        assert_eq!(merged.get("a"), Some(&json!(1)));
        assert_eq!(merged.get("b"), Some(&json!(2)));
    }

    #[test]
    fn removal_applies_to_latest() {
        let loaded = data(&[("a", json!(0))]);
        let latest = data(&[("a", json!(0)), ("b", json!(2))]);
        let current = Data::new();
        let merged = merge(&latest, &loaded, &current, &[]);
        assert!(!merged.contains_key("a"));
        assert_eq!(merged.get("b"), Some(&json!(2)));
    }

    #[test]
    fn unchanged_key_keeps_latest_value() {
        let loaded = data(&[("a", json!(0))]);
        let latest = data(&[("a", json!(5))]);
        let current = data(&[("a", json!(0))]);
        let merged = merge(&latest, &loaded, &current, &[]);
        assert_eq!(merged.get("a"), Some(&json!(5)));
    }

    #[test]
    fn flash_from_other_request_survives_aging() {
        let mut loaded = Data::new();
        flash::flash(&mut loaded, "shown", json!("old"));
        flash::age(&mut loaded);

        // This request shows "shown" and ages it away.
        let mut current = loaded.clone();
        flash::age(&mut current);

        // Meanwhile another request flashed "fresh".
        let mut latest = loaded.clone();
        flash::flash(&mut latest, "fresh", json!("new"));

        let merged = merge(&latest, &loaded, &current, &["shown".to_owned()]);
        assert_eq!(merged.get("fresh"), Some(&json!("new")));
        assert_eq!(flash::keys(&merged, FLASH_NEW), vec!["fresh"]);
        assert!(!merged.contains_key("shown"));
        assert!(flash::keys(&merged, FLASH_OLD).is_empty());
    }

    #[test]
    fn aged_key_rewritten_elsewhere_survives() {
        let mut loaded = Data::new();
        flash::flash(&mut loaded, "status", json!("first"));
        flash::age(&mut loaded);

        let mut current = loaded.clone();
        flash::age(&mut current);

        let mut latest = loaded.clone();
        flash::flash(&mut latest, "status", json!("second"));

        let merged = merge(&latest, &loaded, &current, &["status".to_owned()]);
        assert_eq!(merged.get("status"), Some(&json!("second")));
        assert_eq!(flash::keys(&merged, FLASH_NEW), vec!["status"]);
    }
}
