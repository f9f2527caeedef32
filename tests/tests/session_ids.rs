//! Session ids: rotation on login, malformed and empty cookie values, and
//! cookies replayed after logout.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use integration_tests::set_cookies;
use support::{cookie_pair, is_removal, parse_id, snapshot, tree, CaseApp, COOKIE_NAME};
use web_session::tower_sessions_core::session::{Id, Record};
use web_session::tower_sessions_core::session_store;
use web_session::tower_sessions_core::SessionStore;
use web_session::{CacheDriver, FileStore, MemoryCache, SessionStart};

/// Signs in through the guard and the login route and checks that the id
/// changed and the old id loads nothing, from the cache or the store.
async fn login_rotates_id(app: &CaseApp) {
    let client = app.client();
    let guarded = client.get("/dashboard?tab=2").await;
    assert_eq!(guarded.status(), 303);
    let old_pair = client.session_cookie().expect("guard starts a session");
    let old_id = client.session_id().await.expect("session is stored");

    let login = client.get("/login?user=ada").await;
    assert_eq!(login.status(), 200);
    let new_pair = client.session_cookie().expect("login keeps a session");
    let new_id = client.session_id().await.expect("session is stored");
    assert_ne!(new_pair, old_pair);
    assert_ne!(new_id, old_id);

    assert!(!app.session_path(&old_id).exists(), "old session file kept");
    let from_store = app
        .file_store()
        .load(&parse_id(&old_id))
        .await
        .expect("load from the file store");
    assert!(from_store.is_none(), "old id loads from the store");
    let replayed = app.get_with_cookie("/get?key=user", Some(&old_pair)).await;
    assert_eq!(replayed.text().await.expect("body"), "missing");
    let replayed = app.get_with_cookie("/login_page", Some(&old_pair)).await;
    let page: serde_json::Value = replayed.json().await.expect("JSON body");
    assert_eq!(page["intended"], serde_json::Value::Null);

    let page = client.json("/login_page").await;
    assert_eq!(page["flash"]["welcome"], "Welcome back");
    assert_eq!(page["intended"], "/dashboard?tab=2");
    assert_eq!(client.text("/dashboard").await, r#"dashboard of "ada""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c12_login_rotates_id() {
    let app = CaseApp::start().await;
    login_rotates_id(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c12_login_rotates_id_without_cache() {
    let app = CaseApp::start_with(|config| config.cache = CacheDriver::Skip).await;
    login_rotates_id(&app).await;
}

/// A file store whose `create` fails while `fail_create` is set.
///
/// This is a test double around the real `FileStore`, because the tests run
/// as root and file permissions cannot make a real write fail.
#[derive(Clone, Debug)]
struct FailingCreateStore {
    inner: FileStore,
    fail_create: Arc<AtomicBool>,
}

#[async_trait]
impl SessionStore for FailingCreateStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        if self.fail_create.load(Ordering::SeqCst) {
            return Err(session_store::Error::Backend(
                "create failed as the test requested".to_owned(),
            ));
        }
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.inner.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c12_failed_rotation_keeps_old_session() {
    let fail_create = Arc::new(AtomicBool::new(false));
    let flag = fail_create.clone();
    let app = CaseApp::start_custom(
        |_| {},
        "",
        move |config| {
            let inner = FileStore::new(&config.files).expect("open the file store");
            let store = FailingCreateStore {
                inner,
                fail_create: flag,
            };
            let cache = MemoryCache::new(config.cache_capacity, config.lifetime);
            SessionStart::new(config, store, cache)
        },
    )
    .await;
    let client = app.client();
    let guarded = client.get("/dashboard?tab=2").await;
    assert_eq!(guarded.status(), 303);
    let old_pair = client.session_cookie().expect("guard starts a session");
    let old_file = app.session_files().pop().expect("session is stored");
    let before = snapshot(&app.session_path(&old_file));

    fail_create.store(true, Ordering::SeqCst);
    let login = client.get("/login?user=ada").await;
    assert!(login.status().is_server_error(), "{}", login.status());
    assert!(set_cookies(&login).is_empty());

    assert_eq!(app.session_files(), vec![old_file.clone()]);
    assert_eq!(snapshot(&app.session_path(&old_file)), before);
    assert_eq!(client.session_cookie(), Some(old_pair));
    let page = client.json("/login_page").await;
    assert_eq!(page["intended"], "/dashboard?tab=2");
    assert_eq!(page["flash"]["status"], "please log in");
    assert_eq!(client.text("/get?key=user").await, "missing");

    fail_create.store(false, Ordering::SeqCst);
    let retry = client.get("/login?user=ada").await;
    assert_eq!(retry.status(), 200);
    assert_eq!(client.text("/dashboard").await, r#"dashboard of "ada""#);
    assert!(
        !app.session_path(&old_file).exists(),
        "old session file kept"
    );
}

/// Returns the modification time of `path`, or `None` when it does not
/// exist, to tell whether a request created or changed it.
fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c13_malformed_ids_get_fresh_session() {
    let app = CaseApp::start().await;
    let long = "a".repeat(5000);
    // reqwest rejects a NUL byte in a header value (the `http` crate's check),
    // and hyper answers a raw one with 400 before the app runs, so `%00` is
    // the closest value that reaches the session layer.
    assert!(reqwest::header::HeaderValue::from_bytes(b"app_session=a\0b").is_err());
    let values = [
        "",
        "../../etc/passwd",
        "..%2F..%2Fx",
        "/tmp/x",
        "a\\..\\b",
        "abc def",
        "%00",
        "a%00b",
        long.as_str(),
        "ß",
        ".",
        "..",
    ];
    let outside = [PathBuf::from("/tmp/x"), PathBuf::from("/etc/passwd")];
    let outside_before: Vec<_> = outside.iter().map(|path| modified(path)).collect();
    let tree_before = tree(app.root());

    for value in values {
        let cookie = format!("{COOKIE_NAME}={value}");
        let read = app.get_with_cookie("/get?key=user", Some(&cookie)).await;
        assert_eq!(read.status(), 200, "{value:?}");
        assert!(set_cookies(&read).is_empty(), "{value:?}");
        assert_eq!(read.text().await.expect("body"), "missing", "{value:?}");

        let write = app
            .get_with_cookie("/put?key=user&value=ada", Some(&cookie))
            .await;
        assert_eq!(write.status(), 200, "{value:?}");
        let lines = set_cookies(&write);
        assert_eq!(lines.len(), 1, "{value:?}: {lines:?}");
        assert!(!is_removal(&lines[0]), "{value:?}: {}", lines[0]);
        let fresh = cookie_pair(&lines[0]);
        let again = app.get_with_cookie("/get?key=user", Some(&fresh)).await;
        assert_eq!(again.text().await.expect("body"), r#""ada""#, "{value:?}");
    }

    let sessions = app.sessions_folder();
    let relative_sessions = sessions.strip_prefix(app.root()).expect("inside root");
    let added: Vec<PathBuf> = tree(app.root()).difference(&tree_before).cloned().collect();
    assert_eq!(added.len(), values.len(), "{added:?}");
    for path in &added {
        assert_eq!(path.parent(), Some(relative_sessions), "{path:?}");
        let name = path.file_name().and_then(|name| name.to_str());
        assert_eq!(name.map(str::len), Some(22), "{path:?}");
    }
    let outside_after: Vec<_> = outside.iter().map(|path| modified(path)).collect();
    assert_eq!(outside_after, outside_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c13_empty_cookie_never_shared() {
    let app = CaseApp::start().await;
    let empty = format!("{COOKIE_NAME}=");

    let (first, second) = tokio::join!(
        app.get_with_cookie("/put?key=owner&value=first", Some(&empty)),
        app.get_with_cookie("/put?key=owner&value=second", Some(&empty)),
    );
    let first_lines = set_cookies(&first);
    let second_lines = set_cookies(&second);
    assert_eq!(first_lines.len(), 1, "{first_lines:?}");
    assert_eq!(second_lines.len(), 1, "{second_lines:?}");
    let first_pair = cookie_pair(&first_lines[0]);
    let second_pair = cookie_pair(&second_lines[0]);
    assert_ne!(first_pair, second_pair);
    assert_eq!(app.session_files().len(), 2);

    let first_owner = app
        .get_with_cookie("/get?key=owner", Some(&first_pair))
        .await;
    assert_eq!(first_owner.text().await.expect("body"), r#""first""#);
    let second_owner = app
        .get_with_cookie("/get?key=owner", Some(&second_pair))
        .await;
    assert_eq!(second_owner.text().await.expect("body"), r#""second""#);
}

/// Logs out and replays the cookie copied before the logout.
async fn replayed_cookie_loads_nothing(app: &CaseApp) {
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let copied = client.session_cookie().expect("put starts a session");
    let id = client.session_id().await.expect("session is stored");

    let logout = client.get("/invalidate").await;
    assert_eq!(logout.status(), 200);
    let lines = set_cookies(&logout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(is_removal(&lines[0]), "{}", lines[0]);
    assert!(!app.session_path(&id).exists(), "session file kept");

    let read = app.get_with_cookie("/get?key=user", Some(&copied)).await;
    assert_eq!(read.status(), 200);
    assert!(set_cookies(&read).is_empty());
    assert_eq!(read.text().await.expect("body"), "missing");

    let write = app
        .get_with_cookie("/put?key=cart&value=1", Some(&copied))
        .await;
    let lines = set_cookies(&write);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_ne!(cookie_pair(&lines[0]), copied, "logged-out id reused");
    assert!(
        !app.session_path(&id).exists(),
        "logged-out session stored again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c14_replayed_cookie_loads_nothing() {
    let app = CaseApp::start().await;
    replayed_cookie_loads_nothing(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c14_replayed_cookie_loads_nothing_without_cache() {
    let app = CaseApp::start_with(|config| config.cache = CacheDriver::Skip).await;
    replayed_cookie_loads_nothing(&app).await;
}
