use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};

use super::SessionCache;

/// A bounded in-process cache of session records.
///
/// It holds at most `capacity` sessions, evicting the least useful first,
/// and drops an entry `time_to_live` after it was last written. A record
/// past its own expiry date is never returned.
#[derive(Clone, Debug)]
pub struct MemoryCache {
    entries: Cache<Id, Arc<Record>>,
}

impl MemoryCache {
    /// Creates a cache of at most `capacity` sessions, each kept for at most
    /// `time_to_live` after its last write.
    pub fn new(capacity: u64, time_to_live: Duration) -> Self {
        let entries = Cache::builder()
            .max_capacity(capacity)
            .time_to_live(time_to_live)
            .build();
        Self { entries }
    }

    /// Returns the number of cached sessions, which may lag behind recent
    /// inserts and removals by a few operations.
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// Returns whether the cache contains no sessions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SessionCache for MemoryCache {
    fn get(&self, id: &Id) -> Option<Arc<Record>> {
        let record = self.entries.get(id)?;
        if record.expiry_date <= OffsetDateTime::now_utc() {
            self.entries.invalidate(id);
            return None;
        }
        Some(record)
    }

    fn insert(&self, record: Arc<Record>) {
        self.entries.insert(record.id, record);
    }

    fn remove(&self, id: &Id) {
        self.entries.invalidate(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn record(expires_in: time::Duration) -> Arc<Record> {
        Arc::new(Record {
            id: Id::default(),
            data: HashMap::from([("user".to_owned(), serde_json::json!(1))]),
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        })
    }

    #[test]
    fn get_returns_inserted_record() {
        let cache = MemoryCache::new(10, Duration::from_secs(60));
        let stored = record(time::Duration::minutes(5));
        cache.insert(stored.clone());
        assert_eq!(cache.get(&stored.id), Some(stored));
    }

    #[test]
    fn get_skips_expired_record() {
        let cache = MemoryCache::new(10, Duration::from_secs(60));
        let stored = record(time::Duration::seconds(-1));
        cache.insert(stored.clone());
        assert_eq!(cache.get(&stored.id), None);
    }

    #[test]
    fn remove_hides_record() {
        let cache = MemoryCache::new(10, Duration::from_secs(60));
        let stored = record(time::Duration::minutes(5));
        cache.insert(stored.clone());
        cache.remove(&stored.id);
        assert_eq!(cache.get(&stored.id), None);
    }

    #[test]
    fn insert_replaces_record() {
        let cache = MemoryCache::new(10, Duration::from_secs(60));
        let first = record(time::Duration::minutes(5));
        let mut second = (*first).clone();
        second.data.insert("user".to_owned(), serde_json::json!(2));
        cache.insert(first.clone());
        cache.insert(Arc::new(second.clone()));
        assert_eq!(cache.get(&first.id).as_deref(), Some(&second));
    }

    #[test]
    fn capacity_bounds_entry_count() {
        let cache = MemoryCache::new(50, Duration::from_secs(60));
        for _ in 0..500 {
            cache.insert(record(time::Duration::minutes(5)));
        }
        assert!(cache.len() <= 50, "holds {} entries", cache.len());
    }

    #[test]
    fn time_to_live_drops_entry() {
        let cache = MemoryCache::new(10, Duration::from_millis(50));
        let stored = record(time::Duration::minutes(5));
        cache.insert(stored.clone());
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(cache.get(&stored.id), None);
    }
}
