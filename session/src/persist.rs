//! Loading and saving sessions through the cache and the store, on behalf of
//! the `SessionStart` layer.

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{Mutex, MutexGuard};
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::{session_store, SessionStore};

use crate::cache::SessionCache;
use crate::config::SessionConfig;
use crate::id::short_id;
use crate::merge::merge;
use crate::session::{lifetime_of, Data};
use crate::session_cookie::{removal_cookie, session_cookie};
use crate::store::FileStore;
use crate::{Error, Session};

/// Maximum interval between two renewals of an unchanged session's expiry.
const MAX_RENEWAL_INTERVAL: Duration = Duration::from_secs(60);
/// Number of lock stripes that serialize saves of the same session.
const LOCK_STRIPES: usize = 256;

/// A source of the current time. Tests and simulations replace the system
/// clock to move through a session's lifetime without waiting.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// The cache, the store and the settings that every request shares.
pub(crate) struct Backend {
    pub(crate) config: SessionConfig,
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) cache: Arc<dyn SessionCache>,
    /// The same store as `store` when it is a file store, for sweeps.
    pub(crate) file_store: Option<FileStore>,
    pub(crate) clock: Clock,
    /// Locks, picked by a hash of the id, that serialize the load-merge-save
    /// of one session within this process.
    locks: Box<[Mutex<()>]>,
}

impl fmt::Debug for Backend {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Backend")
            .field("config", &self.config)
            .field("store", &self.store)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// Snapshot of a request's session state, taken when the layer saves it.
struct Outcome {
    loaded: Option<Arc<Record>>,
    data: Data,
    changed: bool,
    aged: Vec<String>,
    regenerate: bool,
    invalidated: bool,
}

impl Backend {
    pub(crate) fn new(
        config: SessionConfig,
        store: Arc<dyn SessionStore>,
        cache: Arc<dyn SessionCache>,
        file_store: Option<FileStore>,
    ) -> Self {
        Self {
            config,
            store,
            cache,
            file_store,
            clock: Arc::new(OffsetDateTime::now_utc),
            locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Returns a copy that reads the time from `clock`.
    pub(crate) fn with_clock(&self, clock: Clock) -> Self {
        let mut backend = Self::new(
            self.config.clone(),
            self.store.clone(),
            self.cache.clone(),
            self.file_store.clone(),
        );
        backend.clock = clock;
        backend
    }

    fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    async fn lock(&self, id: &Id) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        id.hash(&mut hasher);
        let stripe = usize::try_from(hasher.finish() % LOCK_STRIPES as u64).unwrap_or(0);
        self.locks[stripe].lock().await
    }

    fn is_live(&self, record: &Record) -> bool {
        record.expiry_date > self.now()
    }

    /// Loads a record from the cache, then the store. An expired record, or
    /// one the store cannot decode, means "no session".
    ///
    /// # Errors
    ///
    /// Returns the store's error when the store itself fails, for example
    /// when a Redis server is down.
    pub(crate) async fn load(&self, id: &Id) -> Result<Option<Arc<Record>>, Error> {
        if let Some(record) = self.cache.get(id).filter(|record| self.is_live(record)) {
            return Ok(Some(record));
        }
        // Under the lock, a record read from the store cannot reach the
        // cache after a concurrent save replaced it or a delete removed it.
        let _guard = self.lock(id).await;
        if let Some(record) = self.cache.get(id).filter(|record| self.is_live(record)) {
            return Ok(Some(record));
        }
        match self.store.load(id).await {
            Ok(Some(record)) if self.is_live(&record) => {
                let record = Arc::new(record);
                self.cache.insert(record.clone());
                Ok(Some(record))
            }
            Ok(_) => Ok(None),
            Err(session_store::Error::Decode(error)) => {
                tracing::warn!(session = %short_id(id), %error, "stored session is unreadable, starting a new one");
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Returns the newest record of a session that this process can see:
    /// the cached one, else the stored one. `None` means it was deleted or has
    /// expired. The caller holds the session's lock.
    async fn latest(&self, id: &Id) -> Result<Option<Arc<Record>>, Error> {
        if let Some(record) = self.cache.get(id) {
            return Ok(Some(record).filter(|record| self.is_live(record)));
        }
        let record = self.store.load(id).await?;
        Ok(record.filter(|record| self.is_live(record)).map(Arc::new))
    }

    /// Persists the session's changes and returns the `Set-Cookie` value to
    /// send, if any.
    pub(crate) async fn commit(
        &self,
        session: &Session,
        had_cookie: bool,
    ) -> Result<Option<String>, Error> {
        let outcome = {
            let state = session.lock();
            // An unchanged session needs only the loaded record, so its map
            // is not copied.
            let data = if state.changed {
                Data::clone(&state.data)
            } else {
                Data::new()
            };
            Outcome {
                loaded: state.loaded.clone(),
                data,
                changed: state.changed,
                aged: state.aged.clone(),
                regenerate: state.regenerate,
                invalidated: state.invalidated,
            }
        };

        if outcome.invalidated {
            if let Some(loaded) = &outcome.loaded {
                let _guard = self.lock(&loaded.id).await;
                self.delete(&loaded.id).await?;
            }
            return self.create_or_forget(outcome.data, had_cookie).await;
        }
        match outcome.loaded.clone() {
            None if outcome.changed => self.create_or_forget(outcome.data, had_cookie).await,
            None => Ok(None),
            Some(loaded) if !outcome.changed => self.renew_if_due(&loaded).await,
            Some(loaded) => self.save_changes(&loaded, outcome).await,
        }
    }

    /// Stores data that has no record yet under a new id, or does nothing
    /// but expire the cookie when the data is empty.
    async fn create_or_forget(
        &self,
        data: Data,
        had_cookie: bool,
    ) -> Result<Option<String>, Error> {
        if data.is_empty() {
            return Ok(had_cookie.then(|| removal_cookie(&self.config)));
        }
        self.check_size(&data)?;
        let lifetime = lifetime_of(&data);
        let mut record = Record {
            id: Id::default(),
            data,
            expiry_date: self.next_expiry(lifetime),
        };
        self.store.create(&mut record).await?;
        self.cache.insert(Arc::new(record.clone()));
        Ok(Some(session_cookie(&record.id, &self.config, lifetime)))
    }

    /// Applies this request's changes to the newest record of the session
    /// and saves it, under a new id when regeneration was requested.
    async fn save_changes(
        &self,
        loaded: &Arc<Record>,
        outcome: Outcome,
    ) -> Result<Option<String>, Error> {
        let _guard = self.lock(&loaded.id).await;
        let Some(latest) = self.latest(&loaded.id).await? else {
            // Another request deleted the session, or it expired, while this
            // one ran. Saving now would bring it back. No cookie is sent
            // either: the browser may already hold the id that a concurrent
            // log in rotated to, and that one must stay.
            tracing::debug!(session = %short_id(&loaded.id), "session ended during the request, its changes are dropped");
            return Ok(None);
        };
        let data = if Arc::ptr_eq(&latest, loaded) {
            outcome.data
        } else {
            merge(&latest.data, &loaded.data, &outcome.data, &outcome.aged)
        };

        if data.is_empty() {
            self.delete(&loaded.id).await?;
            return Ok(Some(removal_cookie(&self.config)));
        }
        self.check_size(&data)?;
        let lifetime = lifetime_of(&data);
        let mut record = Record {
            id: loaded.id,
            data,
            expiry_date: self.next_expiry(lifetime),
        };
        if outcome.regenerate {
            // The new record is stored before the old one goes, so a failed
            // write leaves the old session intact.
            record.id = Id::default();
            self.store.create(&mut record).await?;
            self.cache.insert(Arc::new(record.clone()));
            self.delete(&loaded.id).await?;
        } else {
            self.store.save(&record).await?;
            self.cache.insert(Arc::new(record.clone()));
        }
        Ok(Some(session_cookie(&record.id, &self.config, lifetime)))
    }

    /// Moves an unchanged session's expiry forward when enough of its
    /// lifetime has passed. It starts from the newest record, so a request
    /// that only read never writes back data that another request changed.
    async fn renew_if_due(&self, loaded: &Arc<Record>) -> Result<Option<String>, Error> {
        let lifetime = lifetime_of(&loaded.data);
        if !self.renewal_due(loaded.expiry_date, lifetime) {
            return Ok(None);
        }
        let _guard = self.lock(&loaded.id).await;
        let Some(latest) = self.latest(&loaded.id).await? else {
            return Ok(None);
        };
        let lifetime = lifetime_of(&latest.data);
        let mut record = Record::clone(&latest);
        record.expiry_date = self.next_expiry(lifetime);
        self.store.save(&record).await?;
        self.cache.insert(Arc::new(record));

        // A browser-session cookie has no expiry to move forward.
        let persistent_cookie = lifetime.is_some() || !self.config.expire_on_close;
        Ok(persistent_cookie.then(|| session_cookie(&loaded.id, &self.config, lifetime)))
    }

    async fn delete(&self, id: &Id) -> Result<(), Error> {
        self.cache.remove(id);
        self.store.delete(id).await?;
        self.cache.remove(id);
        Ok(())
    }

    fn next_expiry(&self, lifetime: Option<Duration>) -> OffsetDateTime {
        self.now() + lifetime.unwrap_or(self.config.lifetime)
    }

    /// Returns whether enough of the lifetime has passed since the last
    /// renewal to renew again: a tenth of it, and at most a minute.
    fn renewal_due(&self, expiry: OffsetDateTime, lifetime: Option<Duration>) -> bool {
        let lifetime = lifetime.unwrap_or(self.config.lifetime);
        let interval = (lifetime / 10).min(MAX_RENEWAL_INTERVAL);
        let remaining = expiry - self.now();
        remaining < lifetime.saturating_sub(interval)
    }

    fn check_size(&self, data: &Data) -> Result<(), Error> {
        let size = serde_json::to_vec(data)
            .map(|bytes| bytes.len())
            .unwrap_or(usize::MAX);
        if size > self.config.max_bytes {
            return Err(Error::TooLarge {
                size,
                limit: self.config.max_bytes,
            });
        }
        Ok(())
    }
}
