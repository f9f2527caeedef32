//! Every page of the demo app over real TCP, as a guest and as a signed-in
//! user: home, register, log in, log out, dashboard, session contents, the
//! e-mail landing route, the JSON routes, static files, the 404 page and the
//! error page.

use integration_tests::{
    csrf_token_in, flash_messages, input_value, location, set_cookies, TestApp,
};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use reqwest::Response;

const NAME: &str = "Ada Lovelace";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical-engine";

/// Returns the response's `Content-Type`, or an empty string.
fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn home_shown_to_guest() {
    let app = TestApp::start().await;

    let response = app.client().get("/").await;

    assert_eq!(response.status(), 200);
    assert!(content_type(&response).starts_with("text/html"));
    let html = response.text().await.expect("body");
    assert!(html.contains("<h1>Sessions for axum, the Laravel way</h1>"));
    assert!(html.contains(r#"<a href="/login">Log in</a>"#));
    assert!(!html.contains("Log out"));
}

#[tokio::test]
async fn home_redirects_user_to_dashboard() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;
    client.page("/dashboard").await;

    let response = client.get("/").await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");
}

#[tokio::test]
async fn register_page_has_form() {
    let app = TestApp::start().await;

    let response = app.client().get("/register").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        set_cookies(&response).len(),
        1,
        "the form's token starts a session"
    );
    let html = response.text().await.expect("body");
    assert!(html.contains(r#"<form method="post" action="/register""#));
    assert!(csrf_token_in(&html).is_some());
    for field in [
        "name",
        "email",
        "password",
        "password_confirmation",
        "terms",
    ] {
        assert!(
            html.contains(&format!(r#"name="{field}""#)),
            "no {field} field"
        );
    }
}

#[tokio::test]
async fn login_page_has_form() {
    let app = TestApp::start().await;

    let html = app.client().page("/login").await;

    assert!(html.contains(r#"<form method="post" action="/login""#));
    assert!(csrf_token_in(&html).is_some());
    assert!(html.contains(r#"name="email""#));
    assert!(html.contains(r#"name="password""#));
}

#[tokio::test]
async fn dashboard_shows_signed_in_user() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;

    let html = client.page("/dashboard").await;

    assert!(html.contains("<h1>Hello, Ada Lovelace</h1>"));
    assert!(html.contains("<strong>ada@example.com</strong>"));
    assert!(html.contains(r#"<form class="inline" method="post" action="/logout">"#));
    assert!(!html.contains(r#"<a href="/login">Log in</a>"#));
}

#[tokio::test]
async fn dashboard_redirects_guest() {
    let app = TestApp::start().await;

    let response = app.client().get("/dashboard").await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
}

#[tokio::test]
async fn logout_signs_out_with_flash() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;

    let response = client.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/");

    let home = client.page("/").await;
    assert_eq!(flash_messages(&home), vec!["You have been logged out."]);
    assert!(home.contains(r#"<a href="/login">Log in</a>"#));
    let dashboard = client.get("/dashboard").await;
    assert_eq!(dashboard.status(), 303);
    assert_eq!(location(&dashboard), "/login");
}

#[tokio::test]
async fn logout_without_token_rejected() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;

    let response = client.post_form("/logout", &[]).await;

    assert_eq!(response.status(), 303);
    let html = client.page("/dashboard").await;
    assert!(html.contains("Hello, Ada Lovelace"), "signed out");
}

#[tokio::test]
async fn session_page_empty_for_guest() {
    let app = TestApp::start().await;

    let response = app.client().get("/session").await;

    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
    let html = response.text().await.expect("body");
    assert!(html.contains("<h1>What the session holds</h1>"));
    assert!(html.contains("The session is empty."));
    assert!(html.contains("not stored yet"));
}

#[tokio::test]
async fn session_page_lists_items() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;

    let html = client.page("/session").await;

    assert!(html.contains("<code>user_id</code>"));
    assert!(html.contains("<pre>1</pre>"));
    assert!(html.contains("<code>_token</code></td><td><pre>(hidden)</pre>"));
    assert!(!html.contains("The session is empty."));
    assert!(!html.contains("not stored yet"));
}

#[tokio::test]
async fn from_email_flashes_then_redirects() {
    let app = TestApp::start().await;
    let client = app.client();

    let response = client.get("/from-email").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/");
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("SameSite=Lax"), "{}", cookies[0]);

    let home = client.page("/").await;
    assert_eq!(
        flash_messages(&home),
        vec!["Thanks for following the link in your e-mail."]
    );
    let again = client.page("/").await;
    assert!(flash_messages(&again).is_empty(), "flash shown twice");
}

#[tokio::test]
async fn api_health_returns_json() {
    let app = TestApp::start().await;

    let response = app.client().get("/api/health").await;

    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "application/json");
    assert!(set_cookies(&response).is_empty());
    let body: serde_json::Value = response.json().await.expect("JSON body");
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn api_guestbook_lists_entries() {
    let app = TestApp::start().await;
    let client = app.client();
    let empty: serde_json::Value = client
        .get("/api/guestbook")
        .await
        .json()
        .await
        .expect("JSON body");
    assert_eq!(empty, serde_json::json!({ "entries": [] }));

    let form = client.page("/guestbook").await;
    let token = csrf_token_in(&form).expect("token");
    let submission = input_value(&form, "submission").expect("submission id");
    let fields = [
        ("name", "Ada"),
        ("message", "Hello"),
        ("submission", submission.as_str()),
    ];
    let posted = client.post_with_token("/guestbook", &token, &fields).await;
    assert_eq!(posted.status(), 303);

    let response = client.get("/api/guestbook").await;
    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty(), "API touched the session");
    let body: serde_json::Value = response.json().await.expect("JSON body");
    let entries = body["entries"].as_array().expect("entries array");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["name"], "Ada");
    assert_eq!(entries[0]["message"], "Hello");
    assert_eq!(entries[0]["id"], 1);
}

#[tokio::test]
async fn stylesheet_served_without_cookie() {
    let app = TestApp::start().await;

    let response = app.client().get("/static/app.css").await;

    assert_eq!(response.status(), 200);
    assert!(content_type(&response).starts_with("text/css"));
    assert!(set_cookies(&response).is_empty());
    assert!(!response.text().await.expect("body").is_empty());
}

#[tokio::test]
async fn favicon_redirects_to_svg() {
    let app = TestApp::start().await;
    let client = app.client();

    let response = client.get("/favicon.ico").await;
    assert_eq!(response.status(), 308);
    assert_eq!(location(&response), "/static/favicon.svg");
    assert!(set_cookies(&response).is_empty());

    let icon = client.get("/static/favicon.svg").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(content_type(&icon), "image/svg+xml");
}

#[tokio::test]
async fn unknown_path_renders_404_page() {
    let app = TestApp::start().await;

    let response = app.client().get("/no/such/page").await;

    assert_eq!(response.status(), 404);
    assert!(content_type(&response).starts_with("text/html"));
    assert!(set_cookies(&response).is_empty());
    let html = response.text().await.expect("body");
    assert!(html.contains("<h1>Page not found</h1>"));
    assert!(
        html.contains(r#"<header class="site-header">"#),
        "no layout"
    );
    assert!(html.contains(r#"<link rel="stylesheet" href="/static/app.css">"#));
}

#[tokio::test]
async fn unknown_post_renders_404_page() {
    let app = TestApp::start().await;

    let response = app.client().post_form("/no-such-form", &[]).await;

    assert_eq!(response.status(), 404);
    let html = response.text().await.expect("body");
    assert!(html.contains("<h1>Page not found</h1>"));
}

#[tokio::test]
async fn missing_static_file_is_404() {
    let app = TestApp::start().await;

    let response = app.client().get("/static/missing.css").await;

    assert_eq!(response.status(), 404);
    assert!(set_cookies(&response).is_empty());
}

#[tokio::test]
async fn pages_not_cached() {
    let app = TestApp::start().await;
    let client = app.client();

    for path in [
        "/",
        "/register",
        "/login",
        "/guestbook",
        "/playground",
        "/session",
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        let cache_control = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(cache_control, "no-store", "GET {path}");
    }
}

#[tokio::test]
async fn failed_write_renders_error_page() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/guestbook").await;
    let token = csrf_token_in(&html).expect("token");
    // A folder where the guestbook writes its temporary file makes that
    // write fail, even for root.
    let blocker = app
        .storage_folder()
        .join(format!("guestbook.json.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&blocker).expect("create blocking folder");

    let fields = [("name", "Ada"), ("message", "Hello"), ("submission", "s1")];
    let response = client.post_with_token("/guestbook", &token, &fields).await;

    assert_eq!(response.status(), 500);
    assert!(content_type(&response).starts_with("text/html"));
    let html = response.text().await.expect("body");
    assert!(html.contains("<h1>Something went wrong</h1>"));
    assert!(
        html.contains(r#"<header class="site-header">"#),
        "no layout"
    );
    assert!(!html.contains("guestbook.json"), "error page shows a path");
    let listed = client.page("/guestbook").await;
    assert!(listed.contains("No entries yet."));
}

#[tokio::test]
async fn error_page_leaves_session_unchanged() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/guestbook").await;
    let token = csrf_token_in(&html).expect("token");
    let invalid = [
        ("name", ""),
        ("message", "kept for later"),
        ("submission", "s1"),
    ];
    client.post_with_token("/guestbook", &token, &invalid).await;
    let before = app.session_snapshot();
    let blocker = app
        .storage_folder()
        .join(format!("guestbook.json.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&blocker).expect("create blocking folder");

    let valid = [("name", "Ada"), ("message", "Hello"), ("submission", "s2")];
    let failed = client.post_with_token("/guestbook", &token, &valid).await;

    assert_eq!(failed.status(), 500);
    assert!(set_cookies(&failed).is_empty());
    assert_eq!(app.session_snapshot(), before);
    let html = client.page("/guestbook").await;
    assert!(
        html.contains(">kept for later</textarea>"),
        "pending old input lost"
    );
    assert!(html.contains("Enter your name."), "pending errors lost");
}
