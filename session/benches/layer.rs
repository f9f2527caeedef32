//! In-process cost of one request through `SessionStart`, against the same
//! handler with no session layer.
//!
//! Every request goes through `tower::ServiceExt::oneshot` on an axum router
//! with one tiny handler, so the numbers contain routing, the layer, the
//! cache and the store, but no sockets or HTTP parsing. `scripts/bench` runs
//! the same handlers over HTTP.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode};
use minijinja::{context, Environment};
use minijinja_session::{context_with_session, SessionView};
use tower::ServiceExt;
use web_session::tower_sessions_core::SessionStore;
use web_session::{
    AppKey, FileStore, MemoryCache, SessionCache, SessionConfig, SessionStart, SkipCache, SkipStore,
};

/// Counter that makes every write request store a new value.
static NEXT_VALUE: AtomicU64 = AtomicU64::new(0);

async fn plain() -> &'static str {
    "ok"
}

async fn read(session: web_session::Session) -> String {
    let value: u64 = session.get("n").ok().flatten().unwrap_or(0);
    value.to_string()
}

async fn write(session: web_session::Session) -> String {
    let value = NEXT_VALUE.fetch_add(1, Ordering::Relaxed);
    session.put("n", value).ok();
    value.to_string()
}

async fn flash(session: web_session::Session) -> &'static str {
    session.flash("status", "Profile saved").ok();
    "flashed"
}

const PAGE: &str = r#"<!doctype html>
<title>Profile</title>
{% if hasFlash('status') %}<p class="flash">{{ flash('status') }}</p>{% endif %}
<form method="post">{{ csrf_field() }}
<input name="email" value="{{ old('email') }}">
{% for message in errors('email') %}<p class="error">{{ message }}</p>{% endfor %}
<button>Save</button>
</form>"#;

fn page_router(layer: SessionStart) -> Router {
    let mut environment = Environment::new();
    minijinja_session::add_to_environment(&mut environment);
    environment
        .add_template("page.html", PAGE)
        .expect("template compiles");
    let environment = std::sync::Arc::new(environment);

    let render = move |session: web_session::Session| {
        let environment = environment.clone();
        async move {
            let view = SessionView {
                flash: session.visible_flash(),
                old_input: session.old_input(),
                errors: session.errors(),
                csrf_token: Some(session.token()),
            };
            let template = environment.get_template("page.html").expect("template");
            let html = template
                .render(context_with_session(view, context! {}))
                .expect("page renders");
            Html(html)
        }
    };
    Router::new()
        .route("/page", get(render))
        .route("/flash", get(flash))
        .layer(layer)
}

fn session_router(layer: SessionStart) -> Router {
    Router::new()
        .route("/read", get(read))
        .route("/write", get(write))
        .layer(layer)
}

fn layer(store: impl SessionStore, cache: impl SessionCache) -> SessionStart {
    SessionStart::new(SessionConfig::new(AppKey::generate()), store, cache)
}

fn request(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().uri(path);
    if let Some(cookie) = cookie {
        builder = builder.header(COOKIE, cookie);
    }
    builder.body(Body::empty()).expect("request")
}

/// Sends one request and checks that it succeeded.
async fn send(router: &Router, path: &str, cookie: Option<&str>) -> http::Response<Body> {
    let response = router
        .clone()
        .oneshot(request(path, cookie))
        .await
        .expect("infallible");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response
}

/// Starts a session through `path` and returns its cookie as `name=value`.
async fn start_session(router: &Router, path: &str) -> String {
    let response = send(router, path, None).await;
    let set_cookie = response
        .headers()
        .get(SET_COOKIE)
        .expect("the first write sets a cookie")
        .to_str()
        .expect("ASCII cookie");
    set_cookie
        .split(';')
        .next()
        .expect("name=value pair")
        .to_owned()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn bench_layer(criterion: &mut Criterion) {
    let runtime = runtime();
    let folder = tempfile::tempdir().expect("temporary folder");
    let mut group = criterion.benchmark_group("request");

    let no_layer = Router::new().route("/read", get(plain));
    group.bench_function("no_session_layer", |bencher| {
        bencher
            .to_async(&runtime)
            .iter(|| send(&no_layer, "/read", None));
    });

    let skip_skip = session_router(layer(SkipStore, SkipCache));
    group.bench_function("skip_store_skip_cache/read", |bencher| {
        bencher
            .to_async(&runtime)
            .iter(|| send(&skip_skip, "/read", None));
    });

    let memory_store = FileStore::new(folder.path().join("memory")).expect("store");
    let skip_store = FileStore::new(folder.path().join("skip")).expect("store");
    let layers = [
        (
            "file_store_memory_cache",
            layer(
                memory_store,
                MemoryCache::new(10_000, Duration::from_secs(7200)),
            ),
        ),
        ("file_store_skip_cache", layer(skip_store, SkipCache)),
    ];
    for (name, layer) in layers {
        let router = session_router(layer);
        let cookie = runtime.block_on(start_session(&router, "/write"));
        group.bench_function(format!("{name}/read"), |bencher| {
            bencher
                .to_async(&runtime)
                .iter(|| send(&router, "/read", Some(&cookie)));
        });
        group.bench_function(format!("{name}/write"), |bencher| {
            bencher
                .to_async(&runtime)
                .iter(|| send(&router, "/write", Some(&cookie)));
        });
    }
    group.finish();
}

fn bench_pages(criterion: &mut Criterion) {
    let runtime = runtime();
    let folder = tempfile::tempdir().expect("temporary folder");
    let store = FileStore::new(folder.path().join("sessions")).expect("store");
    let router = page_router(layer(
        store,
        MemoryCache::new(10_000, Duration::from_secs(7200)),
    ));
    // The first page view creates the session and its CSRF token; later
    // views change nothing, so they cost no store call.
    let cookie = runtime.block_on(start_session(&router, "/page"));
    let mut group = criterion.benchmark_group("page");

    group.bench_function("render_with_helpers", |bencher| {
        bencher
            .to_async(&runtime)
            .iter(|| send(&router, "/page", Some(&cookie)));
    });
    // One request flashes a message and saves; the next shows it, ages it
    // away and saves again.
    group.bench_function("flash_then_show_and_age", |bencher| {
        bencher.to_async(&runtime).iter(|| async {
            send(&router, "/flash", Some(&cookie)).await;
            send(&router, "/page", Some(&cookie)).await
        });
    });
    group.finish();
}

criterion_group!(benches, bench_layer, bench_pages);
criterion_main!(benches);
