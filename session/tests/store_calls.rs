//! Store calls that `SessionStart` makes for a session that a request only
//! reads, counted by a store that wraps the file store.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use axum::routing::get;
use axum::Router;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use tower::ServiceExt;
use web_session::tower_sessions_core::session::{Id, Record};
use web_session::tower_sessions_core::session_store::{self, SessionStore};
use web_session::{
    AppKey, FileStore, MemoryCache, Session, SessionCache, SessionConfig, SessionStart, SkipCache,
};

/// Calls per `SessionStore` method.
#[derive(Debug, Default)]
struct Calls {
    create: AtomicUsize,
    save: AtomicUsize,
    load: AtomicUsize,
    delete: AtomicUsize,
}

impl Calls {
    fn snapshot(&self) -> [usize; 4] {
        [
            self.create.load(Ordering::SeqCst),
            self.save.load(Ordering::SeqCst),
            self.load.load(Ordering::SeqCst),
            self.delete.load(Ordering::SeqCst),
        ]
    }
}

#[derive(Clone, Debug)]
struct CountingStore {
    inner: FileStore,
    calls: Arc<Calls>,
}

#[async_trait]
impl SessionStore for CountingStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.calls.create.fetch_add(1, Ordering::SeqCst);
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.calls.save.fetch_add(1, Ordering::SeqCst);
        self.inner.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.calls.load.fetch_add(1, Ordering::SeqCst);
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.calls.delete.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(id).await
    }
}

async fn read(session: Session) -> String {
    let value: Option<u64> = session.get("n").ok().flatten();
    format!("{value:?}")
}

async fn write(session: Session) -> &'static str {
    session.put("n", 7).ok();
    "written"
}

/// Builds an app over a counting file store in a new temporary folder.
fn app(cache: impl SessionCache) -> (tempfile::TempDir, Arc<Calls>, Router) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let calls = Arc::new(Calls::default());
    let store = CountingStore {
        inner: FileStore::new(folder.path().join("sessions")).expect("store"),
        calls: calls.clone(),
    };
    let layer = SessionStart::new(SessionConfig::new(AppKey::generate()), store, cache);
    let router = Router::new()
        .route("/read", get(read))
        .route("/write", get(write))
        .layer(layer);
    (folder, calls, router)
}

async fn send(router: &Router, path: &str, cookie: Option<&str>) -> http::Response<Body> {
    let mut request = Request::builder().uri(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let request = request.body(Body::empty()).expect("request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response
}

/// Starts a session and returns its cookie as `name=value`.
async fn start_session(router: &Router) -> String {
    let response = send(router, "/write", None).await;
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .expect("a new session sets a cookie")
        .to_str()
        .expect("ASCII cookie");
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn cached_read_calls_no_store_method() {
    let (_folder, calls, router) = app(MemoryCache::new(100, Duration::from_secs(7200)));
    let cookie = start_session(&router).await;
    let after_create = calls.snapshot();
    assert_eq!(after_create, [1, 0, 0, 0], "create, save, load, delete");

    for _ in 0..100 {
        let response = send(&router, "/read", Some(&cookie)).await;
        assert!(
            response.headers().get(SET_COOKIE).is_none(),
            "an unchanged session sends no cookie"
        );
    }
    assert_eq!(calls.snapshot(), after_create, "create, save, load, delete");
}

#[tokio::test]
async fn uncached_read_only_loads() {
    let (_folder, calls, router) = app(SkipCache);
    let cookie = start_session(&router).await;

    for _ in 0..100 {
        send(&router, "/read", Some(&cookie)).await;
    }
    assert_eq!(
        calls.snapshot(),
        [1, 0, 100, 0],
        "create, save, load, delete"
    );
}
