//! Session cookie attributes, and anonymous traffic that must cost no store
//! write and set no cookie.

mod support;

use std::time::SystemTime;

use integration_tests::{list_files, location, set_cookies};
use serde_json::json;
use support::{cookie_attribute, cookie_attributes, cookie_pair, is_removal, within, CaseApp};
use tokio::task::JoinSet;
use web_session::tower_sessions_core::session::Id;
use web_session::StoreDriver;

/// Returns the single `Set-Cookie` line of a fresh session, started without
/// a cookie by a put.
async fn first_set_cookie(app: &CaseApp) -> String {
    let response = app.get_with_cookie("/put?key=user&value=ada", None).await;
    assert_eq!(response.status(), 200);
    let lines = set_cookies(&response);
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c21_secure_cookie_attributes() {
    let app = CaseApp::start_with(|config| config.secure = true).await;
    let line = first_set_cookie(&app).await;
    let attributes = cookie_attributes(&line);

    assert!(attributes.contains(&"Secure".to_owned()), "{line}");
    assert!(attributes.contains(&"HttpOnly".to_owned()), "{line}");
    assert!(attributes.contains(&"SameSite=Lax".to_owned()), "{line}");
    assert!(attributes.contains(&"Path=/".to_owned()), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c21_plain_http_cookie_not_secure() {
    let app = CaseApp::start().await;
    let line = first_set_cookie(&app).await;
    let attributes = cookie_attributes(&line);
    assert!(!attributes.contains(&"Secure".to_owned()), "{line}");
    assert!(attributes.contains(&"HttpOnly".to_owned()), "{line}");
    assert!(attributes.contains(&"SameSite=Lax".to_owned()), "{line}");

    // Over plain HTTP the browser sends the cookie back, so a form's input
    // comes back after the redirect.
    let client = app.client();
    let response = client.post_form("/input", &[("name", "Ada")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/old");
    assert_eq!(client.json("/old?field=name").await, json!("Ada"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c23_expire_on_close_has_no_expiry() {
    let app = CaseApp::start_with(|config| config.expire_on_close = true).await;
    let line = first_set_cookie(&app).await;

    assert_eq!(cookie_attribute(&line, "Max-Age"), None, "{line}");
    assert_eq!(cookie_attribute(&line, "Expires"), None, "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c23_max_age_equals_lifetime() {
    let app = CaseApp::start_with(|config| {
        config.lifetime = std::time::Duration::from_secs(600);
    })
    .await;
    let line = first_set_cookie(&app).await;

    let max_age = cookie_attribute(&line, "Max-Age").unwrap_or_default();
    assert_eq!(max_age.parse::<u64>().ok(), Some(600), "{line}");
    assert_eq!(cookie_attribute(&line, "Expires"), None, "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c23_removal_keeps_path_and_domain() {
    let app = CaseApp::start_custom(
        |config| {
            config.cookie_path = "/app".to_owned();
            config.cookie_domain = Some("app.test".to_owned());
        },
        "/app",
        |config| web_session::SessionStart::from_config(config).expect("open the session store"),
    )
    .await;
    let line = first_set_cookie(&app).await;
    assert_eq!(cookie_attribute(&line, "Path").as_deref(), Some("/app"));
    assert_eq!(
        cookie_attribute(&line, "Domain").as_deref(),
        Some("app.test")
    );
    let pair = cookie_pair(&line);

    for logout in ["/forget?key=user", "/invalidate"] {
        app.get_with_cookie("/put?key=user&value=ada", Some(&pair))
            .await;
        let response = app.get_with_cookie(logout, Some(&pair)).await;
        assert_eq!(response.status(), 200, "{logout}");
        let lines = set_cookies(&response);
        assert_eq!(lines.len(), 1, "{logout}: {lines:?}");
        let removal = &lines[0];
        assert!(is_removal(removal), "{logout}: {removal}");
        assert!(removal.starts_with("app_session="), "{logout}: {removal}");
        assert_eq!(
            cookie_attribute(removal, "Path").as_deref(),
            Some("/app"),
            "{logout}: {removal}"
        );
        assert_eq!(
            cookie_attribute(removal, "Domain").as_deref(),
            Some("app.test"),
            "{logout}: {removal}"
        );
    }
}

/// Maximum number of requests in flight at once in the load test.
const IN_FLIGHT: usize = 16;

/// Sends GET `path` once per entry of `cookies`, each with that `Cookie`
/// header or none, at most [`IN_FLIGHT`] at a time, and returns each
/// response's status and `Set-Cookie` lines in no particular order.
async fn send_all(
    app: &CaseApp,
    path: &str,
    cookies: Vec<Option<String>>,
) -> Vec<(u16, Vec<String>)> {
    let mut results = Vec::with_capacity(cookies.len());
    let mut requests = JoinSet::new();
    for cookie in cookies {
        while requests.len() >= IN_FLIGHT {
            let done = requests.join_next().await.expect("a request in flight");
            results.push(done.expect("request task"));
        }
        let mut request = app.plain.get(app.url(path));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        requests.spawn(async move {
            let response = request.send().await.expect("GET request");
            (response.status().as_u16(), set_cookies(&response))
        });
    }
    for done in requests.join_all().await {
        results.push(done);
    }
    results
}

/// Returns the session folder's modification time, which any file created,
/// renamed or removed in it changes.
fn folder_modified(app: &CaseApp) -> SystemTime {
    std::fs::metadata(app.sessions_folder())
        .and_then(|metadata| metadata.modified())
        .expect("session folder modification time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c24_anonymous_traffic_writes_nothing() {
    let app = CaseApp::start().await;

    // An app with the same key but a store that keeps nothing signs cookies
    // for ids that the app under test has never stored.
    let key = app.layer.config().key.clone();
    let minter = CaseApp::start_with(move |config| {
        config.key = key;
        config.store = StoreDriver::Skip;
    })
    .await;
    let minted = within(
        "minting cookies",
        send_all(&minter, "/put?key=user&value=ada", vec![None; 1000]),
    )
    .await;
    let signed_unknown: Vec<Option<String>> = minted
        .iter()
        .map(|(_, lines)| Some(cookie_pair(lines.first().expect("minted cookie"))))
        .collect();
    // The same ids without a signature, and signed values whose id part
    // was swapped for another id.
    let unsigned: Vec<Option<String>> = (0..100)
        .map(|_| Some(format!("app_session={}", Id::default())))
        .collect();
    let tampered: Vec<Option<String>> = signed_unknown
        .iter()
        .take(100)
        .flatten()
        .map(|pair| {
            let signature = &pair[..pair.len() - 22];
            Some(format!("{signature}{}", Id::default()))
        })
        .collect();

    let folder_before = folder_modified(&app);
    let batches = [
        ("no cookie", vec![None; 1000]),
        ("signed unknown id", signed_unknown),
        ("unsigned id", unsigned),
        ("tampered signature", tampered),
    ];
    for (name, cookies) in batches {
        let sent = cookies.len();
        let results = within(name, send_all(&app, "/get?key=user", cookies)).await;
        assert_eq!(results.len(), sent, "{name}");
        let failed = results.iter().filter(|(status, _)| *status != 200).count();
        assert_eq!(failed, 0, "{name}: responses other than 200");
        let with_cookie = results
            .iter()
            .filter(|(_, lines)| !lines.is_empty())
            .count();
        assert_eq!(with_cookie, 0, "{name}: responses with Set-Cookie");
    }

    assert!(list_files(&app.sessions_folder()).is_empty());
    assert_eq!(
        folder_modified(&app),
        folder_before,
        "the store was written"
    );
}
