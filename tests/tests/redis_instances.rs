//! Two demo instances share sessions through a real `redis-server` on
//! 127.0.0.1: what one instance stores, the other sees at once.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use demo_app::{build_app, AppConfig};
use integration_tests::{csrf_token_in, field_errors, location, TestApp, TestClient};
use tempfile::TempDir;
use web_session::{AppKey, CacheDriver, SessionConfig, StoreDriver};

const VALID: &[(&str, &str)] = &[
    ("name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("password", "analytical-engine"),
    ("password_confirmation", "analytical-engine"),
    ("terms", "on"),
];

/// A `redis-server` child process on a free port of 127.0.0.1, without
/// persistence, killed when dropped.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    folder: TempDir,
}

impl RedisServer {
    fn start() -> Self {
        let found = Command::new("redis-server").arg("--version").output();
        assert!(
            found.is_ok(),
            "redis-server is missing: install it with `apt-get install -y redis-server` (./scripts/test does)"
        );
        let port = free_port();
        let folder = tempfile::tempdir().expect("temporary folder");
        let mut server = Self {
            child: None,
            port,
            folder,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.folder.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "redis-server did not listen on 127.0.0.1:{} within 5 s",
            self.port
        );
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("address").port()
}

fn redis_config(url: &str, key: &AppKey) -> SessionConfig {
    let mut config = SessionConfig::new(key.clone());
    config.store = StoreDriver::Redis;
    config.cache = CacheDriver::Skip;
    config.redis_url = url.to_owned();
    config
}

/// Two instances of the demo on one Redis, sharing key and storage folder.
async fn two_instances(redis: &RedisServer, storage: &Path) -> (TestApp, TestApp) {
    let key = AppKey::generate();
    let first = TestApp::start_instance(storage, redis_config(&redis.url(), &key)).await;
    let second = TestApp::start_instance(storage, redis_config(&redis.url(), &key)).await;
    (first, second)
}

/// Sends a GET to `app` with the client's cookies. Browsers share cookies
/// across ports of one host, and so does the client's jar.
async fn get_at(client: &TestClient, app: &TestApp, path: &str) -> reqwest::Response {
    client
        .http
        .get(app.url(path))
        .send()
        .await
        .expect("GET request")
}

async fn page_at(client: &TestClient, app: &TestApp, path: &str) -> String {
    let response = get_at(client, app, path).await;
    assert_eq!(response.status(), 200, "GET {path} on {}", app.address);
    response.text().await.expect("page body")
}

async fn post_at(
    client: &TestClient,
    app: &TestApp,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = page_at(client, app, form_page).await;
    let token = csrf_token_in(&html).expect("form carries a CSRF token");
    let mut with_token = fields.to_vec();
    with_token.push(("_token", token.as_str()));
    client
        .http
        .post(app.url(action))
        .form(&with_token)
        .send()
        .await
        .expect("POST request")
}

#[tokio::test]
async fn sign_in_on_a_seen_on_b() {
    let redis = RedisServer::start();
    let storage = tempfile::tempdir().expect("storage");
    let (a, b) = two_instances(&redis, storage.path()).await;
    let client = a.client();

    let response = post_at(&client, &a, "/register", "/register", VALID).await;
    assert_eq!(location(&response), "/dashboard");

    let dashboard = page_at(&client, &b, "/dashboard").await;
    assert!(dashboard.contains("Hello, Ada Lovelace"), "{dashboard}");
}

#[tokio::test]
async fn logout_on_b_rejects_cookie_on_a() {
    let redis = RedisServer::start();
    let storage = tempfile::tempdir().expect("storage");
    let (a, b) = two_instances(&redis, storage.path()).await;
    let client = a.client();
    post_at(&client, &a, "/register", "/register", VALID).await;
    let signed_in = client.session_cookie().expect("session cookie");

    let response = post_at(&client, &b, "/dashboard", "/logout", &[]).await;
    assert_eq!(location(&response), "/");

    let replay = a.client();
    replay.set_session_cookie(&signed_in);
    let response = get_at(&replay, &a, "/dashboard").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn flash_on_a_shown_once_on_b() {
    let redis = RedisServer::start();
    let storage = tempfile::tempdir().expect("storage");
    let (a, b) = two_instances(&redis, storage.path()).await;
    let client = a.client();

    let response = get_at(&client, &a, "/from-email").await;
    assert_eq!(response.status(), 303);

    let first = page_at(&client, &b, "/").await;
    assert!(first.contains("Thanks for following the link in your e-mail."));
    let second = page_at(&client, &b, "/").await;
    assert!(
        !second.contains("Thanks for following the link"),
        "shown twice"
    );
}

#[tokio::test]
async fn errors_posted_to_a_render_on_b() {
    let redis = RedisServer::start();
    let storage = tempfile::tempdir().expect("storage");
    let (a, b) = two_instances(&redis, storage.path()).await;
    let client = a.client();

    let response = post_at(&client, &a, "/register", "/register", &[("name", "Ada")]).await;
    assert_eq!(response.status(), 303);

    let html = page_at(&client, &b, "/register").await;
    assert_eq!(
        field_errors(&html, "email"),
        vec!["Enter your e-mail address."]
    );
    assert!(html.contains(r#"value="Ada""#), "old input missing");
}

#[tokio::test]
async fn unreachable_redis_stops_start_up() {
    let port = free_port();
    let storage = tempfile::tempdir().expect("storage");
    let mut session = redis_config(
        &format!("redis://:s3cret@127.0.0.1:{port}"),
        &AppKey::generate(),
    );
    session.files = storage.path().join("sessions");
    let mut config = AppConfig::new(session);
    config.storage = storage.path().to_path_buf();

    let message = build_app(config)
        .await
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("redis-server"), "{message}");
    assert!(
        !message.contains("s3cret"),
        "password in message: {message}"
    );
}

#[tokio::test]
async fn outage_gives_503_then_recovers() {
    let mut redis = RedisServer::start();
    let storage = tempfile::tempdir().expect("storage");
    let (a, _b) = two_instances(&redis, storage.path()).await;
    let client = a.client();
    page_at(&client, &a, "/register").await;

    redis.stop();
    let response = get_at(&client, &a, "/register").await;
    assert_eq!(response.status(), 503);
    let body = response.text().await.expect("body");
    assert!(body.contains("Temporarily unavailable"), "{body}");

    redis.spawn();
    let mut status = 0;
    for _ in 0..40 {
        status = get_at(&client, &a, "/register").await.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, 200, "the app did not recover after Redis returned");
}
