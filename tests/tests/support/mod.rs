//! A small axum app built for the session field cases, served on `127.0.0.1`
//! with an ephemeral port, and the clients and file helpers the tests share.
//!
//! The app wraps its routes in `SessionStart` with the file store in a
//! temporary folder, and a `CatchPanicLayer` outside the session layer so a
//! panicking handler turns into a `500` and the server keeps running. Each
//! route does one thing to the session, driven by query parameters, and
//! returns plain text or JSON that the tests parse.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use integration_tests::list_files;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::Client;
use serde_json::{json, Value};
use tempfile::TempDir;
use time::OffsetDateTime;
use tokio::sync::{Barrier, Notify};
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;
use web_session::tower_sessions_core::session::Id;
use web_session::{AppKey, Clock, FileStore, Session, SessionConfig, SessionStart};

/// Name of the session cookie in the default configuration.
pub const COOKIE_NAME: &str = "app_session";

/// Maximum wait for a gate or a request before a test fails as stuck. It
/// only turns a deadlock into a failure and never judges speed.
pub const HANG_LIMIT: Duration = Duration::from_secs(60);

/// Awaits `future`, described by `description`, failing the test when it
/// takes longer than [`HANG_LIMIT`], which means the test is stuck.
pub async fn within<T>(description: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(HANG_LIMIT, future).await {
        Ok(value) => value,
        Err(_) => panic!("{description} timed out after {HANG_LIMIT:?}, so the test is stuck"),
    }
}

/// Gates that slow handlers wait on, so a test decides the order in which
/// concurrent requests load and save.
#[derive(Debug)]
pub struct Gates {
    /// Passed by the two gated writers together, so each has loaded the
    /// session before either one saves.
    pub writers: Barrier,
    /// Notified by the slow reader once its session is loaded.
    pub reader_loaded: Notify,
    /// Lets the slow reader finish.
    pub release_reader: Notify,
}

impl Default for Gates {
    fn default() -> Self {
        Self {
            writers: Barrier::new(2),
            reader_loaded: Notify::new(),
            release_reader: Notify::new(),
        }
    }
}

/// A clock for the session layer that runs with the system clock plus an
/// offset that tests move forward.
///
/// The file store and the memory cache compare expiry dates with the system
/// clock, so the layer's clock must never fall behind it. Otherwise a record
/// that the layer considers live would be expired for the store. An offset
/// that only grows keeps the layer's clock at or ahead of real time.
#[derive(Clone, Debug, Default)]
pub struct TestClock {
    offset: Arc<Mutex<time::Duration>>,
}

impl TestClock {
    /// Moves the clock forward by `minutes`.
    pub fn advance_minutes(&self, minutes: i64) {
        let mut offset = self.offset.lock().expect("clock offset lock");
        *offset += time::Duration::minutes(minutes);
    }

    /// Returns how far the clock runs ahead of the system clock.
    pub fn offset(&self) -> time::Duration {
        *self.offset.lock().expect("clock offset lock")
    }

    /// Returns the clock's current time.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.offset()
    }

    fn as_layer_clock(&self) -> Clock {
        let clock = self.clone();
        Arc::new(move || clock.now())
    }
}

/// The case app served on `127.0.0.1` for one test. Its session folder sits
/// three levels deep inside a temporary folder, so a test can check that
/// nothing is written next to it or above it.
pub struct CaseApp {
    /// The address the app listens on.
    pub address: SocketAddr,
    /// The layer the app runs with, for its file store and configuration.
    pub layer: SessionStart,
    /// The clock the layer reads.
    pub clock: TestClock,
    /// The gates of the slow handlers.
    pub gates: Arc<Gates>,
    /// A client without cookie jar that does not follow redirects, for
    /// requests whose `Cookie` header a test writes itself.
    pub plain: Client,
    base_path: String,
    root: TempDir,
    server: JoinHandle<()>,
}

impl CaseApp {
    /// Starts the app with the default configuration: file store, memory
    /// cache, a fresh key.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the app after `configure` has adjusted the session settings.
    pub async fn start_with(configure: impl FnOnce(&mut SessionConfig)) -> Self {
        Self::start_custom(configure, "", |config| {
            SessionStart::from_config(config).expect("open the session store")
        })
        .await
    }

    /// Starts the app with the routes under `base_path` (empty for `/`) and
    /// the layer that `build_layer` makes from the configuration.
    pub async fn start_custom(
        configure: impl FnOnce(&mut SessionConfig),
        base_path: &str,
        build_layer: impl FnOnce(SessionConfig) -> SessionStart,
    ) -> Self {
        let root = tempfile::tempdir().expect("create temporary folder");
        let mut config = SessionConfig::new(AppKey::generate());
        config.files = root.path().join("var").join("app").join("sessions");
        configure(&mut config);

        let clock = TestClock::default();
        let layer = build_layer(config).with_clock(clock.as_layer_clock());
        let gates = Arc::new(Gates::default());

        let mut routes = case_routes(gates.clone());
        if !base_path.is_empty() {
            routes = Router::new().nest(base_path, routes);
        }
        let app = routes.layer(layer.clone()).layer(CatchPanicLayer::new());

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("serve the case app");
        });
        let plain = Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("build the HTTP client");
        Self {
            address,
            layer,
            clock,
            gates,
            plain,
            base_path: base_path.to_owned(),
            root,
            server,
        }
    }

    /// Returns the absolute URL of `path`, under the app's base path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}{path}", self.address, self.base_path)
    }

    /// Creates a browser-like client with its own cookie jar.
    pub fn client(&self) -> CaseClient {
        CaseClient::new(&format!("http://{}/", self.address), &self.base_path)
    }

    /// Sends a GET request with `cookie` as the whole `Cookie` header, or
    /// with no cookie at all.
    pub async fn get_with_cookie(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.plain.get(self.url(path));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        within(&format!("GET {path}"), request.send())
            .await
            .expect("GET request")
    }

    /// Returns the temporary folder that contains the session folder.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Returns the session folder.
    pub fn sessions_folder(&self) -> PathBuf {
        self.layer.config().files.clone()
    }

    /// Returns the names of the session files, without temporary files.
    pub fn session_files(&self) -> Vec<String> {
        list_files(&self.sessions_folder())
            .into_iter()
            .filter(|name| !name.starts_with('.'))
            .collect()
    }

    /// Returns the path of the file of the session `id`.
    pub fn session_path(&self, id: &str) -> PathBuf {
        self.sessions_folder().join(id)
    }

    /// Returns the file store, for apps started from the configuration.
    pub fn file_store(&self) -> FileStore {
        self.layer
            .file_store()
            .cloned()
            .expect("the case app uses the file store")
    }

    /// Sweeps expired session files as a sweep would at the layer's clock.
    ///
    /// `FileStore::sweep` compares each file's modification time, which is
    /// its session's expiry, with the system clock. Moving every session
    /// file's modification time back by the clock's offset makes that the
    /// same comparison as one with the layer's clock. The files that survive
    /// get their modification times back.
    pub async fn sweep_at_clock(&self) -> web_session::SweepReport {
        let offset = std::time::Duration::try_from(self.clock.offset())
            .expect("the test clock runs ahead of the system clock");
        let folder = self.sessions_folder();
        for name in self.session_files() {
            shift_modified(&folder.join(name), |modified| modified - offset);
        }
        let report = self.file_store().sweep().await.expect("sweep");
        for name in self.session_files() {
            shift_modified(&folder.join(name), |modified| modified + offset);
        }
        report
    }
}

impl Drop for CaseApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Changes a file's modification time with `change`.
pub fn shift_modified(path: &Path, change: impl FnOnce(SystemTime) -> SystemTime) {
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open session file");
    let modified = file
        .metadata()
        .and_then(|metadata| metadata.modified())
        .expect("modification time");
    file.set_modified(change(modified))
        .expect("set modification time");
}

/// The bytes and modification time of a file, to tell whether a request
/// wrote it.
#[derive(Debug, PartialEq, Eq)]
pub struct FileSnapshot {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// The file's modification time.
    pub modified: SystemTime,
}

/// Reads the contents and modification time of `path`.
pub fn snapshot(path: &Path) -> FileSnapshot {
    let bytes = std::fs::read(path).expect("read session file");
    let modified = std::fs::metadata(path)
        .and_then(|metadata| metadata.modified())
        .expect("modification time");
    FileSnapshot { bytes, modified }
}

/// Lists every file and folder under `root`, as paths relative to it, to
/// compare before and after a test. Descends at most eight levels.
pub fn tree(root: &Path) -> BTreeSet<PathBuf> {
    fn walk(root: &Path, folder: &Path, depth: usize, found: &mut BTreeSet<PathBuf>) {
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if let Ok(relative) = path.strip_prefix(root) {
                found.insert(relative.to_owned());
            }
            if path.is_dir() {
                walk(root, &path, depth - 1, found);
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(root, root, 8, &mut found);
    found
}

/// Parses a session id from a file name.
pub fn parse_id(text: &str) -> Id {
    text.parse().expect("session id")
}

/// An HTTP client that keeps cookies like a browser and returns redirects
/// instead of following them.
#[derive(Clone)]
pub struct CaseClient {
    /// The underlying client.
    pub http: Client,
    /// The client's cookie jar.
    pub jar: Arc<Jar>,
    origin: reqwest::Url,
    base_path: String,
}

impl CaseClient {
    fn new(origin: &str, base_path: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let http = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("build the HTTP client");
        let origin = reqwest::Url::parse(origin).expect("origin URL");
        Self {
            http,
            jar,
            origin,
            base_path: base_path.to_owned(),
        }
    }

    /// Returns the absolute URL of `path` under the app's base path.
    pub fn url(&self, path: &str) -> reqwest::Url {
        self.origin
            .join(&format!("{}{path}", self.base_path))
            .expect("join URL")
    }

    /// Sends a GET request.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        within(&format!("GET {path}"), self.http.get(self.url(path)).send())
            .await
            .expect("GET request")
    }

    /// Sends a GET request and returns the body, asserting a `200`.
    pub async fn text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("response body")
    }

    /// Sends a GET request and parses the JSON body, asserting a `200`.
    pub async fn json(&self, path: &str) -> Value {
        let text = self.text(path).await;
        serde_json::from_str(&text).expect("JSON body")
    }

    /// Posts a URL-encoded form.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let request = self.http.post(self.url(path)).form(fields).send();
        within(&format!("POST {path}"), request)
            .await
            .expect("POST request")
    }

    /// Returns the session cookie as a `name=value` pair, if the jar has one.
    pub fn session_cookie(&self) -> Option<String> {
        let header = self.jar.cookies(&self.url("/"))?;
        let text = header.to_str().ok()?.to_owned();
        let prefix = format!("{COOKIE_NAME}=");
        text.split("; ")
            .find(|pair| pair.starts_with(&prefix))
            .map(str::to_owned)
    }

    /// Returns the id of the session the client's cookie loads, read through
    /// a request that does not age flash data, or `None` when it loads none.
    pub async fn session_id(&self) -> Option<String> {
        let request = self
            .http
            .get(self.url("/dump"))
            .header("sec-purpose", "prefetch")
            .send();
        let response = within("GET /dump", request).await.expect("GET /dump");
        let dump: Value = response.json().await.expect("JSON body");
        dump["id"].as_str().map(str::to_owned)
    }
}

/// Returns the `name=value` part of a `Set-Cookie` line.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Returns the attributes of a `Set-Cookie` line after the `name=value`
/// pair, trimmed, such as `HttpOnly` or `Max-Age=600`.
pub fn cookie_attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|attribute| attribute.trim().to_owned())
        .collect()
}

/// Returns the value of the attribute `name` (case-insensitive) of a
/// `Set-Cookie` line, if present.
pub fn cookie_attribute(set_cookie: &str, name: &str) -> Option<String> {
    cookie_attributes(set_cookie)
        .into_iter()
        .find_map(|attribute| {
            let (key, value) = attribute.split_once('=')?;
            key.eq_ignore_ascii_case(name).then(|| value.to_owned())
        })
}

/// Returns whether a `Set-Cookie` line removes the cookie.
pub fn is_removal(set_cookie: &str) -> bool {
    cookie_attribute(set_cookie, "Max-Age").as_deref() == Some("0")
}

/// Errors a handler of the case app returns, each with the status a real
/// app would map it to.
#[derive(Debug)]
enum HandlerError {
    Session(web_session::Error),
    Server,
    Rejected,
    Redirect,
}

impl From<web_session::Error> for HandlerError {
    fn from(error: web_session::Error) -> Self {
        Self::Session(error)
    }
}

impl IntoResponse for HandlerError {
    fn into_response(self) -> Response {
        match self {
            Self::Session(error) => {
                (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response()
            }
            Self::Server => (StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response(),
            Self::Rejected => (StatusCode::UNPROCESSABLE_ENTITY, "rejected").into_response(),
            Self::Redirect => Redirect::to("/form").into_response(),
        }
    }
}

type Params = Query<HashMap<String, String>>;

fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> &'a str {
    params.get(name).map(String::as_str).unwrap_or_default()
}

/// Renders a stored value as JSON text, or `missing` when the key is absent.
fn show_value(value: Option<Value>) -> String {
    value.map_or_else(|| "missing".to_owned(), |value| value.to_string())
}

fn case_routes(gates: Arc<Gates>) -> Router {
    let guarded = Router::new()
        .route("/dashboard", get(dashboard))
        .route_layer(middleware::from_fn(require_login));
    Router::new()
        .route("/put", get(put))
        .route("/put_null", get(put_null))
        .route("/get", get(read))
        .route("/get_number", get(read_number))
        .route("/probe", get(probe))
        .route("/flash", get(flash))
        .route("/show", get(show_flash))
        .route("/forget", get(forget))
        .route("/fail", get(fail))
        .route("/panic", get(panic_after_put))
        .route("/slow_read", get(slow_read))
        .route("/gated_put", get(gated_put))
        .route("/gated_flash", get(gated_flash))
        .route("/invalidate", get(invalidate))
        .route("/login", get(login))
        .route("/login_page", get(login_page))
        .route("/input", post(flash_input))
        .route("/old", get(old_input))
        .route("/page", get(page))
        .route("/dump", get(dump))
        .route("/act", get(act))
        .merge(guarded)
        .with_state(gates)
}

async fn put(session: Session, Query(params): Params) -> Result<&'static str, HandlerError> {
    session.put(param(&params, "key"), param(&params, "value"))?;
    Ok("stored")
}

async fn put_null(session: Session, Query(params): Params) -> Result<&'static str, HandlerError> {
    session.put(param(&params, "key"), Value::Null)?;
    Ok("stored null")
}

async fn read(session: Session, Query(params): Params) -> String {
    show_value(session.get_value(param(&params, "key")))
}

/// Reads a number with a typed read and reports a read error in the body.
async fn read_number(session: Session, Query(params): Params) -> String {
    match session.get::<u64>(param(&params, "key")) {
        Ok(Some(number)) => number.to_string(),
        Ok(None) => "missing".to_owned(),
        Err(error) => format!("typed read failed: {error}"),
    }
}

async fn probe(session: Session, Query(params): Params) -> String {
    let key = param(&params, "key");
    format!("exists={} has={}", session.exists(key), session.has(key))
}

async fn flash(session: Session, Query(params): Params) -> Result<&'static str, HandlerError> {
    session.flash(param(&params, "key"), param(&params, "value"))?;
    Ok("flashed")
}

/// Returns the visible flash items as a JSON object.
async fn show_flash(session: Session) -> String {
    json!(session.visible_flash()).to_string()
}

async fn forget(session: Session, Query(params): Params) -> &'static str {
    session.forget([param(&params, "key")]);
    "forgotten"
}

/// Writes `key`, then fails with the error that `status` names: `500`,
/// `422` or `303`.
async fn fail(session: Session, Query(params): Params) -> Result<&'static str, HandlerError> {
    session.put(param(&params, "key"), "written before the error")?;
    match param(&params, "status") {
        "422" => Err(HandlerError::Rejected),
        "303" => Err(HandlerError::Redirect),
        _ => Err(HandlerError::Server),
    }
}

async fn panic_after_put(session: Session, Query(params): Params) -> &'static str {
    session
        .put(param(&params, "key"), "written before the panic")
        .expect("put a string");
    panic!("the case app's panic route was called");
}

/// Reads `key` after the test releases it, telling the test once the
/// session is loaded.
async fn slow_read(
    State(gates): State<Arc<Gates>>,
    session: Session,
    Query(params): Params,
) -> String {
    gates.reader_loaded.notify_one();
    gates.release_reader.notified().await;
    show_value(session.get_value(param(&params, "key")))
}

async fn gated_put(
    State(gates): State<Arc<Gates>>,
    session: Session,
    Query(params): Params,
) -> Result<&'static str, HandlerError> {
    session.put(param(&params, "key"), param(&params, "value"))?;
    gates.writers.wait().await;
    Ok("stored")
}

async fn gated_flash(
    State(gates): State<Arc<Gates>>,
    session: Session,
    Query(params): Params,
) -> Result<&'static str, HandlerError> {
    session.flash(param(&params, "key"), param(&params, "value"))?;
    gates.writers.wait().await;
    Ok("flashed")
}

async fn invalidate(session: Session) -> &'static str {
    session.invalidate();
    "signed out"
}

/// Signs `user` in under a new session id and flashes a welcome message.
async fn login(session: Session, Query(params): Params) -> Result<&'static str, HandlerError> {
    session.regenerate();
    session.put("user", param(&params, "user"))?;
    session.flash("welcome", "Welcome back")?;
    Ok("signed in")
}

/// Returns the visible flash items and the intended URL as JSON.
async fn login_page(session: Session) -> String {
    json!({
        "flash": session.visible_flash(),
        "intended": session.get_value("url.intended"),
    })
    .to_string()
}

async fn dashboard(session: Session) -> String {
    format!("dashboard of {}", show_value(session.get_value("user")))
}

/// Sends visitors without a signed-in user to the login page with a flash
/// message, remembering where they wanted to go, without calling the
/// handler.
async fn require_login(request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no session layer").into_response();
    };
    if session.has("user") {
        return next.run(request).await;
    }
    let saved = session
        .flash("status", "please log in")
        .and_then(|()| session.put("url.intended", request.uri().to_string()));
    match saved {
        Ok(()) => Redirect::to("/login_page").into_response(),
        Err(error) => HandlerError::Session(error).into_response(),
    }
}

/// Flashes the submitted form as old input and redirects to `/old`.
async fn flash_input(session: Session, Form(fields): Form<Vec<(String, String)>>) -> Redirect {
    session.flash_input(fields);
    Redirect::to("/old")
}

/// Returns the old input of `field` as JSON: a string, or `null`.
async fn old_input(session: Session, Query(params): Params) -> String {
    json!(session.old(param(&params, "field"))).to_string()
}

/// Renders what a page's flash helpers and a typed read return, as JSON.
async fn page(session: Session) -> String {
    let count = match session.get::<u64>("count") {
        Ok(Some(count)) => count.to_string(),
        Ok(None) => "missing".to_owned(),
        Err(error) => format!("typed read failed: {error}"),
    };
    json!({
        "visible_flash": session.visible_flash(),
        "old_input": session.old_input(),
        "errors": session.errors(),
        "name": session.old("name").unwrap_or_else(|| "default".to_owned()),
        "count": count,
    })
    .to_string()
}

/// Returns the session's id, all its data and its visible flash keys as
/// JSON.
async fn dump(session: Session) -> String {
    json!({
        "id": session.id().map(|id| id.to_string()),
        "data": session.all(),
        "visible": session.flash_keys(),
    })
    .to_string()
}

/// Applies the optional `put`, `forget` and `flash` parameters, each naming
/// a key (a put stores the key as its own value), and returns the flash
/// keys visible on this request, which its aging removes, as JSON.
async fn act(session: Session, Query(params): Params) -> Result<String, HandlerError> {
    let visible = session.flash_keys();
    if let Some(key) = params.get("put") {
        session.put(key, key)?;
    }
    if let Some(key) = params.get("forget") {
        session.forget([key]);
    }
    if let Some(key) = params.get("flash") {
        session.flash(key, key)?;
    }
    Ok(json!({ "visible": visible }).to_string())
}
