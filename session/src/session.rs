//! The per-request session handle.

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use tower_sessions_core::session::{Id, Record};

use crate::flash::{self, FLASH_NEW, FLASH_OLD};
use crate::Error;

pub(crate) type Data = HashMap<String, Value>;

/// The data map of one request. It is the loaded record's map until the
/// first change and a copy of it from then on, so a request that only
/// reads never copies the map.
#[derive(Debug)]
pub(crate) enum SessionData {
    Loaded(Arc<Record>),
    Owned(Data),
}

impl Default for SessionData {
    fn default() -> Self {
        Self::Owned(Data::new())
    }
}

impl Deref for SessionData {
    type Target = Data;

    fn deref(&self) -> &Data {
        match self {
            Self::Loaded(record) => &record.data,
            Self::Owned(data) => data,
        }
    }
}

impl SessionData {
    /// Returns the map for changing it, copying the loaded record's map on
    /// the first call.
    pub(crate) fn to_mut(&mut self) -> &mut Data {
        if let Self::Loaded(record) = self {
            *self = Self::Owned(record.data.clone());
        }
        match self {
            Self::Owned(data) => data,
            Self::Loaded(_) => unreachable!("a loaded map was replaced by its copy above"),
        }
    }
}

/// The session data of one request, shared between the layer and the handler.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The stored record this session was loaded from, kept unchanged so the
    /// layer can tell this request's changes from a concurrent request's.
    pub(crate) loaded: Option<Arc<Record>>,
    pub(crate) data: SessionData,
    /// Whether the data changed during this request.
    pub(crate) changed: bool,
    /// Keys that flash aging removed during this request.
    pub(crate) aged: Vec<String>,
    /// Whether the id must change when the session is saved.
    pub(crate) regenerate: bool,
    /// Whether the stored record must be deleted when the session is saved.
    pub(crate) invalidated: bool,
}

/// The session of the current request.
///
/// `SessionStart` loads the session before the handler runs, so every call
/// here works on data in memory and none of them waits. The layer saves the
/// changes after the handler returns. Cloning the handle is cheap, and every
/// clone sees the same data.
///
/// Keys that start with `_` are reserved for the library: flash bookkeeping,
/// the CSRF token, old input and validation errors.
///
/// # Examples
///
/// ```
/// use web_session::Session;
///
/// async fn handler(session: Session) -> String {
///     let visits: u64 = session.get("visits").ok().flatten().unwrap_or(0);
///     session.put("visits", visits + 1).ok();
///     format!("visit number {}", visits + 1)
/// }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Session {
    state: Arc<Mutex<State>>,
}

impl Session {
    /// Creates a handle for a loaded record, or an empty new session.
    pub(crate) fn from_record(record: Option<Arc<Record>>) -> Self {
        let state = State {
            data: record.clone().map(SessionData::Loaded).unwrap_or_default(),
            loaded: record,
            ..State::default()
        };
        Self {
            state: Arc::new(Mutex::new(state)),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave the map half-written,
        // because every change is a single map operation.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `change` on the data and records whether it changed anything.
    pub(crate) fn change(&self, change: impl FnOnce(&mut Data) -> bool) {
        let mut state = self.lock();
        if change(state.data.to_mut()) {
            state.changed = true;
        }
    }

    /// Stores `value` under `key`. A key that was flash data becomes a
    /// permanent item.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Serialize`] when the value cannot be represented as JSON.
    pub fn put(&self, key: &str, value: impl Serialize) -> Result<(), Error> {
        let value = to_json(key, value)?;
        self.change(|data| {
            let was_flash = flash::unmark(data, key);
            let previous = data.insert(key.to_owned(), value);
            was_flash || previous.as_ref() != data.get(key)
        });
        Ok(())
    }

    /// Stores every entry, as [`Session::put`] does for one.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Serialize`] for the first value that cannot be
    /// represented as JSON. The entries before it are stored.
    pub fn put_all<K, V>(&self, entries: impl IntoIterator<Item = (K, V)>) -> Result<(), Error>
    where
        K: AsRef<str>,
        V: Serialize,
    {
        for (key, value) in entries {
            self.put(key.as_ref(), value)?;
        }
        Ok(())
    }

    /// Returns the value under `key`, or `None` when the key is missing.
    /// A stored JSON `null` reads as `None` for `Option` types.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Deserialize`] when the stored value does not fit `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.get_value(key) {
            Some(value) => from_json(key, value).map(Some),
            None => Ok(None),
        }
    }

    /// Returns the raw JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Value> {
        self.lock().data.get(key).cloned()
    }

    /// Returns the value under `key`, or `default` when the key is missing or
    /// null. The default is not stored.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Deserialize`] when the stored value does not fit `T`.
    pub fn get_or<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T, Error> {
        self.get_or_else(key, || default)
    }

    /// Returns the value under `key`, or the result of `default` when the key
    /// is missing or null. The default is not stored.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Deserialize`] when the stored value does not fit `T`.
    pub fn get_or_else<T: DeserializeOwned>(
        &self,
        key: &str,
        default: impl FnOnce() -> T,
    ) -> Result<T, Error> {
        match self.get_value(key) {
            Some(Value::Null) | None => Ok(default()),
            Some(value) => from_json(key, value),
        }
    }

    /// Returns the value under `key` and removes it.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Deserialize`] when the stored value does not fit `T`;
    /// the value then stays in the session.
    pub fn pull<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        let value = self.get(key)?;
        self.forget([key]);
        Ok(value)
    }

    /// Returns the value under `key`, or stores `default` there and returns
    /// it when the key is missing.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Deserialize`] when the stored value does not fit `T`,
    /// or [`Error::Serialize`] when the default cannot be stored.
    pub fn get_or_create<T>(&self, key: &str, default: T) -> Result<T, Error>
    where
        T: Serialize + DeserializeOwned,
    {
        self.get_or_create_with(key, || default)
    }

    /// Returns the value under `key`, or stores the result of `default` there
    /// and returns it when the key is missing.
    ///
    /// # Errors
    ///
    /// The same as [`Session::get_or_create`].
    pub fn get_or_create_with<T>(&self, key: &str, default: impl FnOnce() -> T) -> Result<T, Error>
    where
        T: Serialize + DeserializeOwned,
    {
        if let Some(value) = self.get_value(key) {
            return from_json(key, value);
        }
        let value = default();
        self.put(key, &value)?;
        Ok(value)
    }

    /// Returns whether `key` exists and its value is not null.
    pub fn has(&self, key: &str) -> bool {
        matches!(self.lock().data.get(key), Some(value) if !value.is_null())
    }

    /// Returns whether `key` exists, even with a null value.
    pub fn exists(&self, key: &str) -> bool {
        self.lock().data.contains_key(key)
    }

    /// Removes each key. Missing keys are ignored.
    pub fn forget<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) {
        let keys: Vec<String> = keys
            .into_iter()
            .map(|key| key.as_ref().to_owned())
            .collect();
        self.change(|data| {
            let mut changed = false;
            for key in &keys {
                changed |= data.remove(key).is_some();
                changed |= flash::unmark(data, key);
            }
            changed
        });
    }

    /// Stores `value` under `key` until the end of the next request.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Serialize`] when the value cannot be represented as JSON.
    pub fn flash(&self, key: &str, value: impl Serialize) -> Result<(), Error> {
        let value = to_json(key, value)?;
        self.change(|data| {
            flash::flash(data, key, value);
            true
        });
        Ok(())
    }

    /// Stores `value` under `key` for the current request only.
    ///
    /// # Errors
    ///
    /// Returns [`Error::Serialize`] when the value cannot be represented as JSON.
    pub fn now(&self, key: &str, value: impl Serialize) -> Result<(), Error> {
        let value = to_json(key, value)?;
        self.change(|data| {
            flash::now(data, key, value);
            true
        });
        Ok(())
    }

    /// Keeps all flash data visible on this request for one more request.
    /// The items stay visible on this request too.
    pub fn reflash(&self) {
        self.change(|data| {
            let before = flash::keys(data, FLASH_NEW);
            flash::reflash(data);
            flash::keys(data, FLASH_NEW) != before
        });
    }

    /// Keeps the named flash items for one more request.
    pub fn keep<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) {
        let keys: Vec<String> = keys
            .into_iter()
            .map(|key| key.as_ref().to_owned())
            .collect();
        self.change(|data| {
            let before = flash::keys(data, FLASH_NEW);
            flash::keep(data, &keys);
            flash::keys(data, FLASH_NEW) != before
        });
    }

    /// Returns the keys of the flash items visible on this request, the ones
    /// template helpers show.
    pub fn flash_keys(&self) -> Vec<String> {
        flash::keys(&self.lock().data, FLASH_OLD)
    }

    /// Returns the keys flashed for the next request.
    pub fn pending_flash_keys(&self) -> Vec<String> {
        flash::keys(&self.lock().data, FLASH_NEW)
    }

    /// Returns the visible flash items whose keys are not reserved.
    pub fn visible_flash(&self) -> BTreeMap<String, Value> {
        let state = self.lock();
        flash::keys(&state.data, FLASH_OLD)
            .into_iter()
            .filter(|key| !key.starts_with('_'))
            .filter_map(|key| {
                let value = state.data.get(&key)?.clone();
                Some((key, value))
            })
            .collect()
    }

    /// Returns a copy of every item in the session, reserved keys included.
    pub fn all(&self) -> BTreeMap<String, Value> {
        self.lock()
            .data
            .iter()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }

    /// Returns whether the session contains no items.
    pub fn is_empty(&self) -> bool {
        self.lock().data.is_empty()
    }

    /// Returns the id of the stored session this request loaded, or `None`
    /// for a session that is not stored yet. After [`Session::regenerate`]
    /// and [`Session::invalidate`] the new id exists only once the layer has
    /// saved the session.
    pub fn id(&self) -> Option<Id> {
        self.lock().loaded.as_ref().map(|record| record.id)
    }

    /// Returns the first characters of the loaded session's id, enough to
    /// tell sessions apart in logs and pages without showing the whole id.
    pub fn log_id(&self) -> Option<String> {
        self.id().map(|id| crate::id::short_id(&id))
    }

    /// Returns when the loaded session expires, or `None` for a new one.
    pub fn expiry_date(&self) -> Option<OffsetDateTime> {
        self.lock().loaded.as_ref().map(|record| record.expiry_date)
    }

    /// Sets this session's idle lifetime, which replaces the configured one
    /// and survives later saves, for example a long "remember me" session.
    /// The cookie then carries `Max-Age` even when sessions are configured
    /// to end with the browser.
    pub fn set_lifetime(&self, lifetime: Duration) {
        let seconds = Value::from(lifetime.as_secs());
        self.change(|data| data.insert(LIFETIME_KEY.to_owned(), seconds.clone()) != Some(seconds));
    }

    /// Returns to the configured lifetime after [`Session::set_lifetime`].
    pub fn reset_lifetime(&self) {
        self.change(|data| data.remove(LIFETIME_KEY).is_some());
    }

    /// Returns the lifetime set with [`Session::set_lifetime`], if any.
    pub fn lifetime(&self) -> Option<Duration> {
        lifetime_of(&self.lock().data)
    }

    /// Gives the session a new id when it is saved, keeping its data. Call it
    /// on log in to prevent session fixation. The old record is deleted only
    /// after the new one is stored.
    pub fn regenerate(&self) {
        let mut state = self.lock();
        state.regenerate = true;
        state.changed = true;
    }

    /// Removes all data and deletes the stored record when the session is
    /// saved, so the old id never loads again. Data put after this call goes
    /// into a new session with a new id.
    pub fn invalidate(&self) {
        let mut state = self.lock();
        state.data = SessionData::default();
        state.invalidated = true;
        state.changed = true;
    }

    /// Ages flash data at the end of a request.
    pub(crate) fn age_flash(&self) {
        let mut state = self.lock();
        // Without flash lists there is nothing to age, and the loaded map
        // need not be copied.
        if !state.data.contains_key(FLASH_OLD) && !state.data.contains_key(FLASH_NEW) {
            return;
        }
        let visible = flash::keys(&state.data, FLASH_OLD);
        if flash::age(state.data.to_mut()) {
            state.changed = true;
            state.aged = visible;
        }
    }
}

/// Reserved key of a per-session lifetime in seconds.
pub const LIFETIME_KEY: &str = "_lifetime";

/// Reads the per-session lifetime; a value of the wrong shape counts as unset.
pub(crate) fn lifetime_of(data: &Data) -> Option<Duration> {
    data.get(LIFETIME_KEY)?.as_u64().map(Duration::from_secs)
}

pub(crate) fn to_json(key: &str, value: impl Serialize) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|source| Error::Serialize {
        key: key.to_owned(),
        source,
    })
}

pub(crate) fn from_json<T: DeserializeOwned>(key: &str, value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|source| Error::Deserialize {
        key: key.to_owned(),
        source,
    })
}
