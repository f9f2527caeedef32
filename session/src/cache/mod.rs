//! In-process caches that sit in front of a session store.

mod memory;
mod skip;

pub use memory::MemoryCache;
pub use skip::SkipCache;

use std::fmt::Debug;
use std::sync::Arc;

use tower_sessions_core::session::{Id, Record};

/// A cache of session records in front of a [`SessionStore`](tower_sessions_core::SessionStore).
///
/// The layer writes through: every save goes to the store first and then to
/// the cache, and every delete removes the cached record before the store
/// call, so the cache never serves a record that this process deleted or
/// replaced.
pub trait SessionCache: Debug + Send + Sync + 'static {
    /// Returns the cached record for `id`, if any and not expired.
    fn get(&self, id: &Id) -> Option<Arc<Record>>;

    /// Stores or replaces the cached record under its id.
    fn insert(&self, record: Arc<Record>);

    /// Removes the cached record for `id`.
    fn remove(&self, id: &Id);
}
