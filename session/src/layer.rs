//! The `SessionStart` layer: loads the session before the handler and saves
//! it after.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use http::header::SET_COOKIE;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use time::OffsetDateTime;
use tower::{Layer, Service};
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::SessionStore;

use crate::cache::{MemoryCache, SessionCache, SkipCache};
use crate::config::{CacheDriver, SessionConfig, StoreDriver};
use crate::id::short_id;
use crate::session_cookie::{read_id, removal_cookie, session_cookie};
use crate::store::{FileStore, SkipStore};
use crate::{Error, Session};

/// Longest interval between two renewals of an unchanged session's expiry.
const MAX_RENEWAL_INTERVAL: Duration = Duration::from_secs(60);

/// Tower layer that loads the session before the inner service runs and
/// saves it afterwards.
///
/// For each request it reads the signed session cookie, loads the record
/// from the cache or the store, and puts a [`Session`] handle into the
/// request's extensions. After the inner service it ages flash data and
/// saves: a changed session is written, a session emptied by the request is
/// deleted, an unchanged one has its expiry renewed at most once a minute,
/// and a new session that stays empty costs no store call and sets no
/// cookie. A `5xx` response or a panic saves nothing and ages nothing.
///
/// `HEAD`, `OPTIONS` and browser prefetches (`Sec-Purpose: prefetch` or
/// `Purpose: prefetch`) do not age flash data. Routes outside the layer, such
/// as static files and JSON APIs, never see the session at all.
///
/// # Examples
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use web_session::{SessionConfig, SessionStart};
///
/// # fn build() -> Result<Router, Box<dyn std::error::Error>> {
/// let config = SessionConfig::from_env()?;
/// let app: Router = Router::new()
///     .route("/", get(|| async { "hello" }))
///     .layer(SessionStart::from_config(config)?);
/// # Ok(app)
/// # }
/// ```
#[derive(Clone)]
pub struct SessionStart {
    shared: Arc<Shared>,
}

struct Shared {
    config: SessionConfig,
    store: Arc<dyn SessionStore>,
    cache: Arc<dyn SessionCache>,
}

impl fmt::Debug for SessionStart {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SessionStart")
            .field("config", &self.shared.config)
            .field("store", &self.shared.store)
            .field("cache", &self.shared.cache)
            .finish()
    }
}

impl SessionStart {
    /// Creates the layer over any tower-sessions store and cache.
    pub fn new(config: SessionConfig, store: impl SessionStore, cache: impl SessionCache) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                store: Arc::new(store),
                cache: Arc::new(cache),
            }),
        }
    }

    /// Creates the layer with the store and cache that the configuration's
    /// drivers name.
    ///
    /// # Errors
    ///
    /// Returns the I/O error when the file store's folder cannot be created.
    pub fn from_config(config: SessionConfig) -> std::io::Result<Self> {
        let store: Arc<dyn SessionStore> = match config.store {
            StoreDriver::File => Arc::new(FileStore::new(&config.files)?),
            StoreDriver::Skip => Arc::new(SkipStore),
        };
        let cache: Arc<dyn SessionCache> = match config.cache {
            CacheDriver::Memory => {
                Arc::new(MemoryCache::new(config.cache_capacity, config.lifetime))
            }
            CacheDriver::Skip => Arc::new(SkipCache),
        };
        tracing::info!(
            store = ?config.store,
            cache = ?config.cache,
            folder = %config.files.display(),
            lifetime_minutes = config.lifetime.as_secs() / 60,
            expire_on_close = config.expire_on_close,
            cookie = %config.cookie_name,
            secure = config.secure,
            "session layer configured"
        );
        Ok(Self {
            shared: Arc::new(Shared {
                config,
                store,
                cache,
            }),
        })
    }

    /// Returns the configuration the layer runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.shared.config
    }
}

impl<S> Layer<S> for SessionStart {
    type Service = SessionStartService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionStartService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service that [`SessionStart`] wraps around an inner service.
#[derive(Clone)]
pub struct SessionStartService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> fmt::Debug for SessionStartService<S> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SessionStartService")
            .finish_non_exhaustive()
    }
}

impl<S, B> Service<Request<B>> for SessionStartService<S>
where
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();

        Box::pin(async move {
            let ages_flash = ages_flash(&request);
            let cookie_id = read_id(request.headers(), &shared.config);
            let record = match cookie_id {
                Some(id) => shared.load(&id).await,
                None => None,
            };
            let had_cookie = cookie_id.is_some();
            let session = Session::from_record(record);
            request.extensions_mut().insert(session.clone());

            let mut response = inner.call(request).await?;
            if response.status().is_server_error() {
                return Ok(response);
            }

            if ages_flash {
                session.age_flash();
            }
            match shared.commit(&session, had_cookie).await {
                Ok(Some(set_cookie)) => append_set_cookie(&mut response, &set_cookie),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(%error, "saving the session failed");
                    return Ok(save_failed_response());
                }
            }
            Ok(response)
        })
    }
}

impl Shared {
    /// Loads a record from the cache, then the store. Failures and expired
    /// records mean "no session".
    async fn load(&self, id: &Id) -> Option<Record> {
        if let Some(record) = self.cache.get(id) {
            return Some(Arc::unwrap_or_clone(record));
        }
        match self.store.load(id).await {
            Ok(Some(record)) if record.expiry_date > OffsetDateTime::now_utc() => {
                self.cache.insert(Arc::new(record.clone()));
                Some(record)
            }
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(session = %short_id(id), %error, "loading the session failed, starting a new one");
                None
            }
        }
    }

    /// Persists the session's changes and returns the `Set-Cookie` value to
    /// send, if any.
    async fn commit(&self, session: &Session, had_cookie: bool) -> Result<Option<String>, Error> {
        let (loaded_id, data, expiry_date, changed, regenerate, invalidated) = {
            let state = session.lock();
            (
                state.id,
                state.data.clone(),
                state.expiry_date,
                state.changed,
                state.regenerate,
                state.invalidated,
            )
        };

        if invalidated {
            if let Some(id) = loaded_id {
                self.delete(&id).await?;
            }
        }
        let stored_id = if invalidated { None } else { loaded_id };

        if !changed {
            return match (stored_id, expiry_date) {
                (Some(id), Some(expiry)) if self.renewal_due(expiry) => self.renew(&id).await,
                _ => Ok(None),
            };
        }

        if data.is_empty() {
            if let Some(id) = stored_id {
                self.delete(&id).await?;
            }
            return Ok(had_cookie.then(|| removal_cookie(&self.config)));
        }

        self.check_size(&data)?;
        let mut record = Record {
            id: stored_id.unwrap_or_default(),
            data,
            expiry_date: self.next_expiry(),
        };
        match stored_id {
            Some(old_id) if regenerate => {
                // The new record is stored before the old one goes, so a
                // failed write leaves the old session intact.
                record.id = Id::default();
                self.store.create(&mut record).await?;
                self.cache.insert(Arc::new(record.clone()));
                self.delete(&old_id).await?;
            }
            Some(_) => {
                self.store.save(&record).await?;
                self.cache.insert(Arc::new(record.clone()));
            }
            None => {
                self.store.create(&mut record).await?;
                self.cache.insert(Arc::new(record.clone()));
            }
        }
        Ok(Some(session_cookie(&record.id, &self.config)))
    }

    /// Moves an unchanged session's expiry forward. It reloads the record
    /// first, so a request that only read never writes back data that a
    /// concurrent request has changed since.
    async fn renew(&self, id: &Id) -> Result<Option<String>, Error> {
        let Some(mut record) = self.store.load(id).await? else {
            self.cache.remove(id);
            return Ok(None);
        };
        record.expiry_date = self.next_expiry();
        self.store.save(&record).await?;
        self.cache.insert(Arc::new(record));

        // A browser-session cookie has no expiry to move forward.
        Ok((!self.config.expire_on_close).then(|| session_cookie(id, &self.config)))
    }

    async fn delete(&self, id: &Id) -> Result<(), Error> {
        self.cache.remove(id);
        self.store.delete(id).await?;
        self.cache.remove(id);
        Ok(())
    }

    fn next_expiry(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.config.lifetime
    }

    /// Returns whether enough of the lifetime has passed since the last
    /// renewal to renew again: a tenth of it, and at most a minute.
    fn renewal_due(&self, expiry: OffsetDateTime) -> bool {
        let lifetime = self.config.lifetime;
        let interval = (lifetime / 10).min(MAX_RENEWAL_INTERVAL);
        let remaining = expiry - OffsetDateTime::now_utc();
        remaining < lifetime.saturating_sub(interval)
    }

    fn check_size(&self, data: &crate::session::Data) -> Result<(), Error> {
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

/// Returns whether a request ages flash data. `HEAD`, `OPTIONS` and browser
/// prefetches do not, since no person sees their response.
fn ages_flash<B>(request: &Request<B>) -> bool {
    if request.method() == Method::HEAD || request.method() == Method::OPTIONS {
        return false;
    }
    let prefetch = ["sec-purpose", "purpose"].iter().any(|name| {
        request
            .headers()
            .get_all(*name)
            .iter()
            .any(|value| value.to_str().is_ok_and(|text| text.contains("prefetch")))
    });
    !prefetch
}

fn append_set_cookie(response: &mut Response<Body>, set_cookie: &str) {
    match HeaderValue::from_str(set_cookie) {
        Ok(value) => {
            response.headers_mut().append(SET_COOKIE, value);
        }
        Err(error) => tracing::error!(%error, "session cookie is not a valid header value"),
    }
}

fn save_failed_response() -> Response<Body> {
    let mut response = Response::new(Body::from(
        "The session could not be saved. Please try again; if this persists, \
         the server log says what failed.",
    ));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
