use async_trait::async_trait;
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store::{self, SessionStore};

/// A store that persists nothing, for apps that need no session between
/// requests. Saves succeed and are dropped, and every load finds nothing.
///
/// An API-only app is better served by not installing `SessionStart` at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct SkipStore;

#[async_trait]
impl SessionStore for SkipStore {
    async fn create(&self, _record: &mut Record) -> session_store::Result<()> {
        Ok(())
    }

    async fn save(&self, _record: &Record) -> session_store::Result<()> {
        Ok(())
    }

    async fn load(&self, _id: &Id) -> session_store::Result<Option<Record>> {
        Ok(None)
    }

    async fn delete(&self, _id: &Id) -> session_store::Result<()> {
        Ok(())
    }
}
