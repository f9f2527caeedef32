//! Property tests of flash aging on a real [`Session`].
//!
//! Random operation sequences run against the session and against a
//! reference model written from the aging rules, not from `flash.rs`. The
//! tests compare what the two show after every step.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

use crate::Session;

/// Small key alphabet, so that operations often hit the same key.
const KEYS: [&str; 3] = ["a", "b", "c"];

/// One call on the session, or the end of a request.
#[derive(Clone, Debug)]
enum Op {
    Put(&'static str, Value),
    Forget(&'static str),
    Flash(&'static str, Value),
    Now(&'static str, Value),
    Reflash,
    Keep(Vec<&'static str>),
    /// End of a request that ages flash data (GET, POST and the like).
    AgingRequest,
    /// End of a `HEAD`, `OPTIONS` or prefetch request, which ages nothing.
    NonAgingRequest,
}

/// Reference model of session items with the `new` set of keys flashed for
/// the next request and the `old` set of keys visible now, which are removed
/// when this request ages.
#[derive(Debug, Default)]
struct FlashModel {
    items: BTreeMap<String, Value>,
    new: BTreeSet<String>,
    old: BTreeSet<String>,
}

impl FlashModel {
    fn apply(&mut self, op: &Op) {
        match op {
            Op::Put(key, value) => {
                self.items.insert((*key).to_owned(), value.clone());
                self.new.remove(*key);
                self.old.remove(*key);
            }
            Op::Forget(key) => {
                self.items.remove(*key);
                self.new.remove(*key);
                self.old.remove(*key);
            }
            Op::Flash(key, value) => {
                self.items.insert((*key).to_owned(), value.clone());
                self.new.insert((*key).to_owned());
                self.old.remove(*key);
            }
            Op::Now(key, value) => {
                self.items.insert((*key).to_owned(), value.clone());
                self.old.insert((*key).to_owned());
            }
            // Kept items stay visible now and are added for the next request.
            Op::Reflash => {
                self.new.extend(self.old.iter().cloned());
            }
            Op::Keep(keys) => {
                for key in keys {
                    if self.old.contains(*key) {
                        self.new.insert((*key).to_owned());
                    }
                }
            }
            Op::AgingRequest => {
                for key in &self.old {
                    if !self.new.contains(key) {
                        self.items.remove(key);
                    }
                }
                self.old = std::mem::take(&mut self.new);
            }
            Op::NonAgingRequest => {}
        }
    }

    /// Returns the items whose keys are in `old`, the ones templates show.
    fn visible(&self) -> BTreeMap<String, Value> {
        self.items
            .iter()
            .filter(|(key, _)| self.old.contains(*key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }
}

fn apply_to_session(session: &Session, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::Put(key, value) => session.put(key, value).map_err(fail)?,
        Op::Forget(key) => session.forget([key]),
        Op::Flash(key, value) => session.flash(key, value).map_err(fail)?,
        Op::Now(key, value) => session.now(key, value).map_err(fail)?,
        Op::Reflash => session.reflash(),
        Op::Keep(keys) => session.keep(keys),
        Op::AgingRequest => session.age_flash(),
        Op::NonAgingRequest => {}
    }
    Ok(())
}

fn fail(error: crate::Error) -> TestCaseError {
    TestCaseError::fail(format!("session call failed: {error}"))
}

/// Converts a flash list to a set, failing when it lists a key twice.
fn key_set(list: &str, keys: Vec<String>) -> Result<BTreeSet<String>, TestCaseError> {
    let count = keys.len();
    let set: BTreeSet<String> = keys.into_iter().collect();
    prop_assert_eq!(set.len(), count, "{} lists a key twice: {:?}", list, set);
    Ok(set)
}

/// Compares everything the session shows with the model, naming the step and
/// operation in every failure.
fn check_matches(
    session: &Session,
    model: &FlashModel,
    step: usize,
    op: &Op,
) -> Result<(), TestCaseError> {
    for key in KEYS {
        let expected = model.items.get(key);
        let actual = session.get_value(key);
        prop_assert_eq!(
            actual.as_ref(),
            expected,
            "get_value({:?}) after step {} ({:?})",
            key,
            step,
            op
        );

        let expected_exists = expected.is_some();
        prop_assert_eq!(
            session.exists(key),
            expected_exists,
            "exists({:?}) after step {} ({:?})",
            key,
            step,
            op
        );

        let expected_has = expected.is_some_and(|value| !value.is_null());
        prop_assert_eq!(
            session.has(key),
            expected_has,
            "has({:?}) after step {} ({:?})",
            key,
            step,
            op
        );
    }

    let old = key_set("flash_keys", session.flash_keys())?;
    prop_assert_eq!(
        &old,
        &model.old,
        "flash_keys after step {} ({:?})",
        step,
        op
    );

    let new = key_set("pending_flash_keys", session.pending_flash_keys())?;
    prop_assert_eq!(
        &new,
        &model.new,
        "pending_flash_keys after step {} ({:?})",
        step,
        op
    );

    prop_assert_eq!(
        session.visible_flash(),
        model.visible(),
        "visible_flash after step {} ({:?})",
        step,
        op
    );
    Ok(())
}

fn key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&KEYS[..])
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::Null), (0u8..4).prop_map(Value::from)]
}

/// Operations that create or move flash data but never store a permanent item.
fn flash_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (key(), value()).prop_map(|(key, value)| Op::Flash(key, value)),
        2 => (key(), value()).prop_map(|(key, value)| Op::Now(key, value)),
        1 => key().prop_map(Op::Forget),
        1 => Just(Op::Reflash),
        1 => prop::collection::vec(key(), 0..=3).prop_map(Op::Keep),
        3 => Just(Op::AgingRequest),
        1 => Just(Op::NonAgingRequest),
    ]
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (key(), value()).prop_map(|(key, value)| Op::Put(key, value)),
        6 => flash_op(),
    ]
}

proptest! {
    #[test]
    fn session_matches_model(ops in prop::collection::vec(any_op(), 0..40)) {
        let session = Session::default();
        let mut model = FlashModel::default();

        for (step, op) in ops.iter().enumerate() {
            apply_to_session(&session, op)?;
            model.apply(op);
            check_matches(&session, &model, step, op)?;
        }
    }

    #[test]
    fn flash_only_session_empties(ops in prop::collection::vec(flash_op(), 0..30)) {
        let session = Session::default();
        for op in &ops {
            apply_to_session(&session, op)?;
        }

        // The first aging request removes the visible items and makes the
        // pending ones visible, and the second removes those too.
        session.age_flash();
        session.age_flash();

        prop_assert!(session.is_empty(), "left {:?}", session.all());
    }

    #[test]
    fn flash_renders_on_one_page(requests_age in prop::collection::vec(any::<bool>(), 0..20)) {
        let session = Session::default();
        let marker = Value::String("saved-once".to_owned());

        // The request that flashes renders nothing of it, then ages as a
        // POST does.
        session.flash("status", &marker).map_err(fail)?;
        prop_assert!(
            !session.visible_flash().contains_key("status"),
            "flashing request shows its own flash"
        );
        session.age_flash();

        // Each later request is either an aging one that renders the visible
        // flash, or a HEAD, OPTIONS or prefetch request that ages nothing.
        let mut pages_showing = 0;
        for request_ages in &requests_age {
            if *request_ages {
                if session.visible_flash().get("status") == Some(&marker) {
                    pages_showing += 1;
                }
                session.age_flash();
            }
        }

        let expected = usize::from(requests_age.contains(&true));
        prop_assert_eq!(pages_showing, expected, "pages that showed the flash");
    }
}
