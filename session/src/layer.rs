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
use tower::{Layer, Service};
use tower_sessions_core::SessionStore;

use crate::cache::{MemoryCache, SessionCache, SkipCache};
use crate::config::{CacheDriver, SessionConfig, StoreDriver};
use crate::id::short_id;
use crate::persist::{Backend, Clock};
use crate::session_cookie::read_id;
use crate::store::{FileStore, SkipStore};
use crate::{Error, Session};

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
#[derive(Clone, Debug)]
pub struct SessionStart {
    backend: Arc<Backend>,
}

impl SessionStart {
    /// Creates the layer over any tower-sessions store and cache.
    pub fn new(config: SessionConfig, store: impl SessionStore, cache: impl SessionCache) -> Self {
        let backend = Backend::new(config, Arc::new(store), Arc::new(cache), None);
        Self {
            backend: Arc::new(backend),
        }
    }

    /// Creates the layer with the store and cache that the configuration's
    /// drivers name.
    ///
    /// # Errors
    ///
    /// Returns the I/O error when the file store's folder cannot be created.
    pub fn from_config(config: SessionConfig) -> std::io::Result<Self> {
        let file_store = match config.store {
            StoreDriver::File => Some(FileStore::new(&config.files)?),
            StoreDriver::Skip => None,
            StoreDriver::Redis => {
                return Err(std::io::Error::other(
                    "the redis session driver connects asynchronously: build the layer with SessionStart::connect(config).await",
                ));
            }
        };
        let store: Arc<dyn SessionStore> = match &file_store {
            Some(file_store) => Arc::new(file_store.clone()),
            None => Arc::new(SkipStore),
        };
        Ok(Self::assemble(config, store, file_store))
    }

    /// Creates the layer with the store and cache that the configuration's
    /// drivers name, connecting to Redis first for the `redis` driver.
    ///
    /// # Errors
    ///
    /// Returns an error that names what failed: the file store's folder
    /// cannot be created, or Redis cannot be reached (with the URL's
    /// password masked).
    pub async fn connect(
        config: SessionConfig,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        #[cfg(feature = "redis")]
        if config.store == StoreDriver::Redis {
            let store = crate::store::connect_redis(&config.redis_url).await?;
            return Ok(Self::assemble(config, Arc::new(store), None));
        }
        Ok(Self::from_config(config)?)
    }

    fn assemble(
        config: SessionConfig,
        store: Arc<dyn SessionStore>,
        file_store: Option<FileStore>,
    ) -> Self {
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
        let backend = Backend::new(config, store, cache, file_store);
        Self {
            backend: Arc::new(backend),
        }
    }

    /// Returns a layer that reads the current time from `clock` instead of
    /// the system clock, for tests that move through a session's lifetime
    /// without waiting. It shares the store and cache with `self`.
    ///
    /// NOTE: only the layer reads this clock. `FileStore` and `MemoryCache`
    /// check expiry against the system clock, so keep `clock` at or ahead
    /// of real time, or live sessions look expired to them.
    pub fn with_clock(&self, clock: Clock) -> Self {
        Self {
            backend: Arc::new(self.backend.with_clock(clock)),
        }
    }

    /// Returns the configuration the layer runs with.
    pub fn config(&self) -> &SessionConfig {
        &self.backend.config
    }

    /// Returns the file store when the layer uses one.
    pub fn file_store(&self) -> Option<&FileStore> {
        self.backend.file_store.as_ref()
    }

    /// Starts a background task that sweeps expired session files every
    /// `period`, when the layer uses the file store. Other stores expire
    /// records themselves, so this returns `None` for them.
    ///
    /// Call it from within a Tokio runtime. Dropping the handle leaves the
    /// task running; abort it to stop sweeping.
    pub fn spawn_sweeper(&self, period: Duration) -> Option<tokio::task::JoinHandle<()>> {
        let store = self.backend.file_store.clone()?;
        Some(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = store.sweep().await {
                    tracing::error!(folder = %store.folder().display(), %error, "sweeping session files failed");
                }
            }
        }))
    }
}

impl<S> Layer<S> for SessionStart {
    type Service = SessionStartService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionStartService {
            inner,
            backend: self.backend.clone(),
        }
    }
}

/// The service that [`SessionStart`] wraps around an inner service.
#[derive(Clone)]
pub struct SessionStartService<S> {
    inner: S,
    backend: Arc<Backend>,
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
        let backend = self.backend.clone();

        Box::pin(async move {
            let ages_flash = ages_flash(&request);
            let cookie_id = read_id(request.headers(), &backend.config);
            let record = match cookie_id {
                Some(id) => match backend.load(&id).await {
                    Ok(record) => record,
                    Err(error) => {
                        tracing::error!(session = %short_id(&id), %error, "the session store is unavailable");
                        return Ok(unavailable_response());
                    }
                },
                None => None,
            };
            let session = Session::from_record(record);
            request.extensions_mut().insert(session.clone());

            let mut response = inner.call(request).await?;
            if response.status().is_server_error() {
                return Ok(response);
            }

            if ages_flash {
                session.age_flash();
            }
            match backend.commit(&session, cookie_id.is_some()).await {
                Ok(Some(set_cookie)) => append_set_cookie(&mut response, &set_cookie),
                Ok(None) => {}
                Err(error) => {
                    let id = session.id().map(|id| short_id(&id)).unwrap_or_default();
                    tracing::error!(session = %id, %error, "saving the session failed");
                    if matches!(error, Error::Store(_)) {
                        return Ok(unavailable_response());
                    }
                    return Ok(save_failed_response(&error));
                }
            }
            Ok(response)
        })
    }
}

/// Returns whether a request ages flash data. `HEAD`, `OPTIONS` and browser
/// prefetches do not, since their response is not shown to a person.
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

/// Marks a `503 Service Unavailable` response that [`SessionStart`] sent
/// because the session store failed. An app can look for this response
/// extension in an outer middleware to render its own page.
#[derive(Clone, Copy, Debug)]
pub struct SessionStoreUnavailable;

fn unavailable_response() -> Response<Body> {
    let mut response = Response::new(Body::from(
        "Sessions are unavailable right now, so this page cannot be shown. Please try again in a moment.",
    ));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.extensions_mut().insert(SessionStoreUnavailable);
    response
}

/// Builds the response that replaces the handler's when the session could
/// not be saved. For a session over the size limit the message names both
/// sizes, since the page that stored too much can change; other failures
/// get a generic message.
fn save_failed_response(error: &Error) -> Response<Body> {
    let message = match error {
        Error::TooLarge { .. } => format!("The session could not be saved: {error}."),
        _ => "The session could not be saved. Please try again; if this persists, \
              the server log says what failed."
            .to_owned(),
    };
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
