use std::sync::Arc;

use tower_sessions_core::session::{Id, Record};

use super::SessionCache;

/// A cache that stores nothing, so every load goes to the store.
#[derive(Clone, Copy, Debug, Default)]
pub struct SkipCache;

impl SessionCache for SkipCache {
    fn get(&self, _id: &Id) -> Option<Arc<Record>> {
        None
    }

    fn insert(&self, _record: Arc<Record>) {}

    fn remove(&self, _id: &Id) {}
}
