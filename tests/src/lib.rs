//! Shared helpers for the HTTP and browser tests of the demo app: start the
//! app on `127.0.0.1` with an ephemeral port and its own temporary folders,
//! and a cookie-keeping client that does not follow redirects. The
//! [`browser`] module drives headless Chromium through chromedriver.

pub mod browser;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response as AxumResponse;
use demo_app::{build_app, AppConfig};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use tempfile::TempDir;
use tokio::task::JoinHandle;
use web_session::{AppKey, SessionConfig};

/// A demo app served on `127.0.0.1` for one test, with its session files and
/// storage in a temporary folder that is removed when the app is dropped.
/// It records every request it handles, see [`TestApp::requests`].
pub struct TestApp {
    /// The address the app listens on.
    pub address: SocketAddr,
    folder: TempDir,
    server: JoinHandle<()>,
    requests: RequestLog,
}

impl TestApp {
    /// Starts the app with the default test configuration: file store,
    /// memory cache, a fresh key.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the app after `configure` has adjusted the session settings.
    pub async fn start_with(configure: impl FnOnce(&mut SessionConfig)) -> Self {
        let folder = tempfile::tempdir().expect("create temporary folder");
        let mut session = SessionConfig::new(AppKey::generate());
        session.files = folder.path().join("sessions");
        configure(&mut session);

        let storage = folder.path().join("storage");
        Self::serve(folder, storage, session).await
    }

    /// Starts one of several instances that share `storage` (registered
    /// users) and the session settings, such as a Redis store and a key.
    pub async fn start_instance(storage: &Path, session: SessionConfig) -> Self {
        let folder = tempfile::tempdir().expect("create temporary folder");
        Self::serve(folder, storage.to_path_buf(), session).await
    }

    async fn serve(folder: TempDir, storage: PathBuf, session: SessionConfig) -> Self {
        let requests = RequestLog {
            cookie_name: session.cookie_name.clone(),
            entries: Arc::default(),
        };
        let mut config = AppConfig::new(session);
        config.storage = storage;
        let app = build_app(config).await.expect("build the demo app").layer(
            middleware::from_fn_with_state(requests.clone(), record_request),
        );

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("serve the demo app");
        });
        Self {
            address,
            folder,
            server,
            requests,
        }
    }

    /// Returns the absolute URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Returns the folder of the session files.
    pub fn sessions_folder(&self) -> PathBuf {
        self.folder.path().join("sessions")
    }

    /// Returns the names of the session files, sorted.
    pub fn session_files(&self) -> Vec<String> {
        list_files(&self.sessions_folder())
    }

    /// Returns the contents of every session file joined together, to check
    /// what reached the store.
    pub fn stored_sessions_text(&self) -> String {
        self.session_files()
            .iter()
            .filter_map(|name| std::fs::read_to_string(self.sessions_folder().join(name)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Returns every request the app has handled so far, in the order the
    /// app produced the responses.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.entries().clone()
    }

    /// Creates a browser-like client for this app.
    pub fn client(&self) -> TestClient {
        TestClient::new(self.url("/"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One request the app handled, as the request log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, such as `GET`.
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// Whether the request carried the session cookie.
    pub sent_session_cookie: bool,
    /// The response status code.
    pub status: u16,
    /// Whether the response had a `Set-Cookie` header.
    pub set_cookie: bool,
}

/// The requests an app handled, shared between the app's middleware and
/// the test.
#[derive(Clone, Debug)]
struct RequestLog {
    cookie_name: String,
    entries: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl RequestLog {
    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<RecordedRequest>> {
        // A panic while the lock was held cannot leave an entry half
        // written, so a poisoned lock is read as usual.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Records the request and its response in the app's [`RequestLog`].
async fn record_request(
    State(log): State<RequestLog>,
    request: Request,
    next: Next,
) -> AxumResponse {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let cookie_prefix = format!("{}=", log.cookie_name);
    let sent_session_cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.trim_start().starts_with(&cookie_prefix));

    let response = next.run(request).await;

    log.entries().push(RecordedRequest {
        method,
        path,
        sent_session_cookie,
        status: response.status().as_u16(),
        set_cookie: response.headers().contains_key(header::SET_COOKIE),
    });
    response
}

/// Lists the file names in `folder`, sorted; an absent folder has none.
pub fn list_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// An HTTP client that keeps cookies like a browser and returns redirects
/// instead of following them, so tests see every hop.
pub struct TestClient {
    /// The underlying client.
    pub http: Client,
    /// The client's cookie jar.
    pub jar: Arc<Jar>,
    base: reqwest::Url,
}

impl TestClient {
    fn new(base: String) -> Self {
        let jar = Arc::new(Jar::default());
        let http = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("build the HTTP client");
        let base = reqwest::Url::parse(&base).expect("base URL");
        Self { http, jar, base }
    }

    fn url(&self, path: &str) -> reqwest::Url {
        self.base.join(path).expect("join URL")
    }

    /// Sends a GET request.
    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("GET request")
    }

    /// Sends a GET request and returns the body, asserting a `200`.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("page body")
    }

    /// Posts a URL-encoded form.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST request")
    }

    /// Opens `form_page`, reads its CSRF token and posts `fields` with it to
    /// `action`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let html = self.page(form_page).await;
        let token = csrf_token_in(&html).expect("form page carries a CSRF token");
        let mut with_token = fields.to_vec();
        with_token.push(("_token", token.as_str()));
        self.post_form(action, &with_token).await
    }

    /// Returns the session cookie as a `name=value` pair, if the jar has one.
    pub fn session_cookie(&self) -> Option<String> {
        let header = self.jar.cookies(&self.base)?;
        let text = header.to_str().ok()?.to_owned();
        text.split("; ")
            .find(|pair| pair.starts_with("app_session="))
            .map(str::to_owned)
    }

    /// Replaces the jar's session cookie with `pair` (`name=value`).
    pub fn set_session_cookie(&self, pair: &str) {
        self.jar
            .add_cookie_str(&format!("{pair}; Path=/"), &self.base);
    }
}

/// Returns the `Location` header of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Returns every `Set-Cookie` header of a response.
pub fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect()
}

/// Returns the value of the hidden `_token` field in a page.
pub fn csrf_token_in(html: &str) -> Option<String> {
    let marker = r#"name="_token" value=""#;
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// Returns the `value` attribute of the input named `name`, if it has one.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}""#);
    let start = html.find(&marker)?;
    let tag_end = start + html[start..].find('>')?;
    let tag = &html[start..tag_end];
    let value_start = tag.find(r#"value=""#)? + r#"value=""#.len();
    let value_end = tag[value_start..].find('"')?;
    Some(tag[value_start..value_start + value_end].to_owned())
}

/// Returns the error messages listed for field `name`.
pub fn field_errors(html: &str, name: &str) -> Vec<String> {
    let marker = format!(r#"id="{name}-errors""#);
    let Some(start) = html.find(&marker) else {
        return Vec::new();
    };
    let end = start + html[start..].find("</ul>").unwrap_or(html.len() - start);
    html[start..end]
        .split("<li>")
        .skip(1)
        .filter_map(|item| item.split("</li>").next())
        .map(str::to_owned)
        .collect()
}

/// One session file as found on disk: its name, contents and modification
/// time, to check that a request left the store alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile {
    /// The file name.
    pub name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The file's modification time.
    pub modified: std::time::SystemTime,
}

impl TestApp {
    /// Returns the folder of the app's own data files (users, guestbook) of
    /// an app from [`TestApp::start`] or [`TestApp::start_with`]. An app from
    /// [`TestApp::start_instance`] uses the folder it was given instead.
    pub fn storage_folder(&self) -> PathBuf {
        self.folder.path().join("storage")
    }

    /// Reads every session file with its bytes and modification time.
    pub fn session_snapshot(&self) -> Vec<StoredFile> {
        let folder = self.sessions_folder();
        self.session_files()
            .into_iter()
            .filter_map(|name| {
                let path = folder.join(&name);
                let bytes = std::fs::read(&path).ok()?;
                let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
                Some(StoredFile {
                    name,
                    bytes,
                    modified,
                })
            })
            .collect()
    }

    /// Registers a user through the register form and returns the client,
    /// which is signed in as that user.
    pub async fn register_user(&self, name: &str, email: &str, password: &str) -> TestClient {
        let client = self.client();
        let fields = [
            ("name", name),
            ("email", email),
            ("password", password),
            ("password_confirmation", password),
            ("terms", "on"),
        ];
        let response = client.submit("/register", "/register", &fields).await;
        assert_eq!(response.status(), 303, "register {email}");
        assert_eq!(location(&response), "/dashboard", "register {email}");
        client
    }
}

impl TestClient {
    /// Sends a request with any method and no body.
    pub async fn send(&self, method: reqwest::Method, path: &str) -> Response {
        self.http
            .request(method.clone(), self.url(path))
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path} failed: {error}"))
    }

    /// Posts a URL-encoded form with `token` in its `_token` field, without
    /// opening the form page first, so no page view ages flash data.
    pub async fn post_with_token(
        &self,
        action: &str,
        token: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut with_token = fields.to_vec();
        with_token.push(("_token", token));
        self.post_form(action, &with_token).await
    }
}

/// Replaces the entities that minijinja's HTML escaping produces with the
/// characters they stand for.
pub fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Returns the unescaped text of the element with `id`, up to its first
/// child tag or closing tag.
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!(r#"id="{id}""#);
    let start = html.find(&marker)?;
    let content_start = start + html[start..].find('>')? + 1;
    let content_end = content_start + html[content_start..].find('<')?;
    Some(unescape_html(&html[content_start..content_end]))
}

/// Returns the unescaped contents of the textarea named `name`.
pub fn textarea_value(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"<textarea id="{name}" name="{name}""#);
    let start = html.find(&marker)?;
    let content_start = start + html[start..].find('>')? + 1;
    let content_end = content_start + html[content_start..].find("</textarea>")?;
    Some(unescape_html(&html[content_start..content_end]))
}

/// Returns the unescaped texts of the flash messages that the shared layout
/// shows at the top of a page.
pub fn flash_messages(html: &str) -> Vec<String> {
    html.split(r#"<p class="flash "#)
        .skip(1)
        .filter_map(|rest| {
            let content_start = rest.find('>')? + 1;
            let content_end = content_start + rest[content_start..].find("</p>")?;
            Some(unescape_html(&rest[content_start..content_end]))
        })
        .collect()
}
