//! The HTTP server that `scripts/bench` loads with wrk, and the check that
//! runs after the server was killed.
//!
//! `load-server serve FOLDER SESSIONS` serves, on 127.0.0.1 and an ephemeral
//! port, the same two handlers behind each session setup:
//!
//! | prefix | sessions |
//! |---|---|
//! | `/plain` | none: the handler without any session layer |
//! | `/ws-none` | web-session, skip store and skip cache, no cookie |
//! | `/ws-mem` | web-session, file store and memory cache |
//! | `/ws-skip` | web-session, file store and skip cache |
//! | `/ws-inline` | web-session, file store reading on the calling thread, skip cache |
//! | `/ts-mem` | tower-sessions 0.15 with its `MemoryStore` |
//! | `/ts-file` | tower-sessions 0.15 with `tower-sessions-file-store` 0.3 |
//!
//! `/read` returns the stored number `n` (404 when the session has none) and
//! `/write?s=INDEX&v=VALUE` stores `v` as `n` and returns `INDEX VALUE`, so a
//! load script can tell which write a response acknowledges. Before it
//! listens, the server starts SESSIONS sessions per setup and writes their
//! cookies, one `name=value` a line, to `FOLDER/cookies-PREFIX.txt`. Then it
//! prints `listening on 127.0.0.1:PORT`.
//!
//! `load-server check FOLDER COOKIES ACKED` opens the `ws-mem` file store in
//! FOLDER in a fresh process and checks that every acknowledged write (lines
//! `INDEX VALUE` in ACKED) is readable through the session of that cookie.
//!
//! Both read `APP_KEY` (`base64:...`), so the check verifies the cookies
//! that the server signed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Query;
use axum::routing::get;
use axum::Router;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use serde::Deserialize;
use tower::ServiceExt;
use web_session::{
    AppKey, FileStore, MemoryCache, SessionConfig, SessionStart, SkipCache, SkipStore,
};

/// Idle lifetime of every setup's sessions: web-session's default.
const LIFETIME: Duration = Duration::from_secs(120 * 60);

/// Setups whose sessions the server starts before it listens.
const SEEDED: [&str; 5] = ["ws-mem", "ws-skip", "ws-inline", "ts-mem", "ts-file"];

/// The query of `/write`: the session's index in the cookie file and the
/// value to store.
#[derive(Deserialize)]
struct WriteQuery {
    s: u64,
    v: u64,
}

async fn plain() -> &'static str {
    "0"
}

async fn web_session_peek(session: web_session::Session) -> String {
    let value: Option<u64> = session.get("n").ok().flatten();
    value.unwrap_or(0).to_string()
}

async fn web_session_read(session: web_session::Session) -> Result<String, StatusCode> {
    match session.get::<u64>("n") {
        Ok(Some(value)) => Ok(value.to_string()),
        _ => Err(StatusCode::NOT_FOUND),
    }
}

async fn web_session_write(
    session: web_session::Session,
    Query(query): Query<WriteQuery>,
) -> Result<String, StatusCode> {
    session
        .put("n", query.v)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(format!("{} {}", query.s, query.v))
}

async fn tower_sessions_read(session: tower_sessions::Session) -> Result<String, StatusCode> {
    match session.get::<u64>("n").await {
        Ok(Some(value)) => Ok(value.to_string()),
        Ok(None) => Err(StatusCode::NOT_FOUND),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

async fn tower_sessions_write(
    session: tower_sessions::Session,
    Query(query): Query<WriteQuery>,
) -> Result<String, StatusCode> {
    session
        .insert("n", query.v)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(format!("{} {}", query.s, query.v))
}

fn app_key() -> Result<AppKey, String> {
    match std::env::var("APP_KEY") {
        Ok(value) => AppKey::parse(&value).map_err(|error| format!("invalid APP_KEY: {error}")),
        Err(_) => Ok(AppKey::generate()),
    }
}

fn web_session_config(key: &AppKey, cookie_name: &str) -> SessionConfig {
    let mut config = SessionConfig::new(key.clone());
    config.cookie_name = cookie_name.to_owned();
    config.lifetime = LIFETIME;
    config
}

fn web_session_routes(layer: SessionStart) -> Router {
    Router::new()
        .route("/read", get(web_session_read))
        .route("/write", get(web_session_write))
        .layer(layer)
}

fn memory_cached_layer(key: &AppKey, folder: &Path) -> std::io::Result<SessionStart> {
    let store = FileStore::new(folder.join("ws-mem"))?;
    let cache = MemoryCache::new(10_000, LIFETIME);
    Ok(SessionStart::new(
        web_session_config(key, "ws_mem"),
        store,
        cache,
    ))
}

fn tower_sessions_routes<S>(store: S, cookie_name: &'static str) -> Router
where
    S: tower_sessions::SessionStore + Clone,
{
    let expiry = tower_sessions::Expiry::OnInactivity(time::Duration::minutes(120));
    let layer = tower_sessions::SessionManagerLayer::new(store)
        .with_name(cookie_name)
        .with_secure(false)
        .with_expiry(expiry);
    Router::new()
        .route("/read", get(tower_sessions_read))
        .route("/write", get(tower_sessions_write))
        .layer(layer)
}

fn app(key: &AppKey, folder: &Path) -> std::io::Result<Router> {
    let skip_cached = SessionStart::new(
        web_session_config(key, "ws_skip"),
        FileStore::new(folder.join("ws-skip"))?,
        SkipCache,
    );
    let inline_reads = SessionStart::new(
        web_session_config(key, "ws_inline"),
        FileStore::new(folder.join("ws-inline"))?.with_inline_reads(true),
        SkipCache,
    );
    let no_store = SessionStart::new(web_session_config(key, "ws_none"), SkipStore, SkipCache);
    let peer_files = folder.join("ts-file");
    std::fs::create_dir_all(&peer_files)?;
    let peer_file_store = tower_sessions_file_store::FileSessionStorage::new_in_folder(peer_files);

    Ok(Router::new()
        .route("/plain/read", get(plain))
        .route("/plain/write", get(plain))
        .nest(
            "/ws-none",
            Router::new()
                .route("/read", get(web_session_peek))
                .layer(no_store),
        )
        .nest(
            "/ws-mem",
            web_session_routes(memory_cached_layer(key, folder)?),
        )
        .nest("/ws-skip", web_session_routes(skip_cached))
        .nest("/ws-inline", web_session_routes(inline_reads))
        .nest(
            "/ts-mem",
            tower_sessions_routes(tower_sessions::MemoryStore::default(), "ts_mem"),
        )
        .nest(
            "/ts-file",
            tower_sessions_routes(peer_file_store, "ts_file"),
        ))
}

/// Sends one GET through the router and returns the status, the first
/// `Set-Cookie` pair and the body.
async fn get_once(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
) -> Result<(StatusCode, Option<String>, String), String> {
    let mut request = Request::builder().uri(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let request = request
        .body(Body::empty())
        .map_err(|error| format!("building GET {path} failed: {error}"))?;
    let response = router
        .clone()
        .oneshot(request)
        .await
        .map_err(|error| format!("GET {path} failed: {error}"))?;
    let status = response.status();
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .map_err(|error| format!("reading the body of GET {path} failed: {error}"))?;
    Ok((
        status,
        set_cookie,
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

/// Starts `count` sessions of `prefix` through its write route and writes
/// their cookies to `FOLDER/cookies-PREFIX.txt`.
async fn seed(router: &Router, folder: &Path, prefix: &str, count: u64) -> Result<(), String> {
    let mut cookies = String::new();
    for index in 0..count {
        let path = format!("/{prefix}/write?s={index}&v=0");
        let (status, cookie, _) = get_once(router, &path, None).await?;
        let Some(cookie) = cookie.filter(|_| status == StatusCode::OK) else {
            return Err(format!("GET {path} returned {status} without a cookie"));
        };
        cookies.push_str(&cookie);
        cookies.push('\n');
    }
    let path = folder.join(format!("cookies-{prefix}.txt"));
    std::fs::write(&path, cookies)
        .map_err(|error| format!("writing {} failed: {error}", path.display()))
}

async fn serve(folder: PathBuf, sessions: u64) -> Result<(), String> {
    let key = app_key()?;
    let router =
        app(&key, &folder).map_err(|error| format!("setting up the stores failed: {error}"))?;
    for prefix in SEEDED {
        seed(&router, &folder, prefix, sessions).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| format!("binding 127.0.0.1 failed: {error}"))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("reading the bound address failed: {error}"))?;
    println!("listening on {address}");
    axum::serve(listener, router)
        .await
        .map_err(|error| format!("serving failed: {error}"))
}

/// Reads every acknowledged write back through a new process's session
/// layer and prints how many were found as written, newer, or lost.
async fn check(folder: PathBuf, cookies: PathBuf, acked: PathBuf) -> Result<(), String> {
    let key = app_key()?;
    let layer = memory_cached_layer(&key, &folder)
        .map_err(|error| format!("opening the store failed: {error}"))?;
    let router = web_session_routes(layer);
    let read = |path: &Path| {
        std::fs::read_to_string(path)
            .map_err(|error| format!("reading {} failed: {error}", path.display()))
    };
    let cookies: Vec<String> = read(&cookies)?.lines().map(str::to_owned).collect();
    let mut expected: HashMap<usize, u64> = HashMap::new();
    for line in read(&acked)?.lines() {
        let mut fields = line.split_whitespace().map(str::parse::<u64>);
        if let (Some(Ok(index)), Some(Ok(value))) = (fields.next(), fields.next()) {
            let index = usize::try_from(index).map_err(|error| error.to_string())?;
            let entry = expected.entry(index).or_default();
            *entry = (*entry).max(value);
        }
    }

    let (mut exact, mut newer, mut lost) = (0, 0, 0);
    for (index, value) in &expected {
        let cookie = cookies
            .get(*index)
            .ok_or_else(|| format!("acknowledged session {index} has no cookie"))?;
        let (status, _, body) = get_once(&router, "/read", Some(cookie)).await?;
        match body.trim().parse::<u64>() {
            Ok(stored) if status == StatusCode::OK && stored == *value => exact += 1,
            Ok(stored) if status == StatusCode::OK && stored > *value => newer += 1,
            _ => {
                lost += 1;
                eprintln!("session {index}: acknowledged {value}, read {status} {body:?}");
            }
        }
    }
    println!(
        "{{\"sessions\": {}, \"exact\": {exact}, \"newer\": {newer}, \"lost\": {lost}}}",
        expected.len()
    );
    Ok(())
}

const USAGE: &str =
    "usage: load-server serve FOLDER SESSIONS | load-server check FOLDER COOKIES ACKED";

#[tokio::main]
async fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let result = match arguments.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["serve", folder, sessions] => match sessions.parse() {
            Ok(sessions) => serve(PathBuf::from(folder), sessions).await,
            Err(error) => Err(format!("invalid SESSIONS {sessions:?}: {error}")),
        },
        ["check", folder, cookies, acked] => {
            check(
                PathBuf::from(folder),
                PathBuf::from(cookies),
                PathBuf::from(acked),
            )
            .await
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("load-server: {message}");
            ExitCode::FAILURE
        }
    }
}
