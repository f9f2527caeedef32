//! Logging in and out of the demo app over real TCP. The guard sends guests
//! to log in and then back to the page they requested. Logging in rotates
//! the session id, and a copy of an old cookie loads nothing. A register
//! form sent twice at once creates one user.

use integration_tests::{
    csrf_token_in, field_errors, flash_messages, input_value, location, set_cookies, TestApp,
    TestClient,
};
use web_session::CacheDriver;

const NAME: &str = "Ada Lovelace";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "analytical-engine";

/// Registers the user with another client and signs that client out, so
/// the returned app has an account to log in to.
async fn app_with_account() -> TestApp {
    let app = TestApp::start().await;
    let registered = app.register_user(NAME, EMAIL, PASSWORD).await;
    let response = registered.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(response.status(), 303);
    app
}

/// Sends the log in form with `email` and `password`.
async fn log_in(client: &TestClient, email: &str, password: &str) -> reqwest::Response {
    let fields = [("email", email), ("password", password)];
    client.submit("/login", "/login", &fields).await
}

/// Returns whether `cookie` (`name=value`) signs a fresh client in.
async fn cookie_signs_in(app: &TestApp, cookie: &str) -> bool {
    let client = app.client();
    client.set_session_cookie(cookie);
    let response = client.get("/dashboard").await;
    response.status() == 200
}

#[tokio::test]
async fn login_lands_on_home_hop() {
    let app = app_with_account().await;
    let client = app.client();

    let response = log_in(&client, EMAIL, PASSWORD).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/");
    let dashboard = client.page("/dashboard").await;
    assert!(dashboard.contains("<h1>Hello, Ada Lovelace</h1>"));
}

#[tokio::test]
async fn login_email_ignores_case() {
    let app = app_with_account().await;
    let client = app.client();

    let response = log_in(&client, "ADA@Example.COM", PASSWORD).await;

    assert_eq!(location(&response), "/");
    assert_eq!(client.get("/dashboard").await.status(), 200);
}

#[tokio::test]
async fn wrong_password_refills_email_only() {
    let app = app_with_account().await;
    let client = app.client();

    let response = log_in(&client, EMAIL, "wrong-password-42").await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    assert!(!app.stored_sessions_text().contains("wrong-password-42"));
    let html = client.page("/login").await;
    assert_eq!(
        field_errors(&html, "email"),
        vec!["These credentials do not match our records."]
    );
    assert_eq!(input_value(&html, "email").as_deref(), Some(EMAIL));
    assert_eq!(input_value(&html, "password"), None);
    assert!(!html.contains("wrong-password-42"));
    let dashboard = client.get("/dashboard").await;
    assert_eq!(location(&dashboard), "/login");
}

#[tokio::test]
async fn unknown_email_rejected() {
    let app = app_with_account().await;
    let client = app.client();

    let response = log_in(&client, "grace@example.com", PASSWORD).await;

    assert_eq!(location(&response), "/login");
    let html = client.page("/login").await;
    assert_eq!(
        field_errors(&html, "email"),
        vec!["These credentials do not match our records."]
    );
}

#[tokio::test]
async fn guest_sent_to_login_then_back() {
    let app = app_with_account().await;
    let client = app.client();

    let guarded = client.get("/dashboard").await;
    assert_eq!(guarded.status(), 303);
    assert_eq!(location(&guarded), "/login");
    assert_eq!(set_cookies(&guarded).len(), 1, "guard saved nothing");

    let login_page = client.page("/login").await;
    assert_eq!(
        flash_messages(&login_page),
        vec!["Log in to see that page."]
    );
    let response = log_in(&client, EMAIL, PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");

    let dashboard = client.page("/dashboard").await;
    assert_eq!(
        flash_messages(&dashboard),
        vec!["Welcome back, Ada Lovelace!"]
    );
    assert!(dashboard.contains("<h1>Hello, Ada Lovelace</h1>"));
}

#[tokio::test]
async fn intended_url_keeps_query() {
    let app = app_with_account().await;
    let client = app.client();
    client.get("/dashboard?tab=settings").await;

    let response = log_in(&client, EMAIL, PASSWORD).await;

    assert_eq!(location(&response), "/dashboard?tab=settings");
}

#[tokio::test]
async fn intended_url_used_once() {
    let app = app_with_account().await;
    let client = app.client();
    client.get("/dashboard").await;
    log_in(&client, EMAIL, PASSWORD).await;
    client.submit("/dashboard", "/logout", &[]).await;

    let response = log_in(&client, EMAIL, PASSWORD).await;

    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn login_rotates_session_id() {
    let app = app_with_account().await;
    let client = app.client();
    client.get("/dashboard").await;
    let before = client.session_cookie().expect("guard starts a session");

    let response = log_in(&client, EMAIL, PASSWORD).await;

    let after = client.session_cookie().expect("cookie after login");
    assert_ne!(before, after, "session id kept across login");
    assert_eq!(location(&response), "/dashboard", "intended URL lost");
    let dashboard = client.page("/dashboard").await;
    assert_eq!(
        flash_messages(&dashboard),
        vec!["Welcome back, Ada Lovelace!"]
    );

    let stale = app.client();
    stale.set_session_cookie(&before);
    let html = stale.page("/session").await;
    assert!(html.contains("The session is empty."), "old id still loads");
    assert!(!cookie_signs_in(&app, &before).await);
}

#[tokio::test]
async fn login_rotates_csrf_token() {
    let app = app_with_account().await;
    let client = app.client();
    let form = client.page("/login").await;
    let before = csrf_token_in(&form).expect("token");

    log_in(&client, EMAIL, PASSWORD).await;

    let dashboard = client.page("/dashboard").await;
    let after = csrf_token_in(&dashboard).expect("token on the dashboard");
    assert_ne!(before, after);
    let old_token = client.post_with_token("/logout", &before, &[]).await;
    assert_eq!(old_token.status(), 303);
    let dashboard = client.page("/dashboard").await;
    assert!(
        dashboard.contains("This form was already sent"),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("Hello, Ada"),
        "signed out by a stale token"
    );
}

#[tokio::test]
async fn cookie_copied_before_logout_loads_nothing() {
    for cache in [CacheDriver::Memory, CacheDriver::Skip] {
        let app = TestApp::start_with(|config| config.cache = cache).await;
        let client = app.register_user(NAME, EMAIL, PASSWORD).await;
        let copied = client.session_cookie().expect("signed-in cookie");
        assert!(cookie_signs_in(&app, &copied).await, "{cache:?}");

        let response = client.submit("/dashboard", "/logout", &[]).await;
        assert_eq!(location(&response), "/", "{cache:?}");

        assert!(
            !cookie_signs_in(&app, &copied).await,
            "{cache:?}: copy still signs in"
        );
        let stale = app.client();
        stale.set_session_cookie(&copied);
        let html = stale.page("/session").await;
        assert!(html.contains("The session is empty."), "{cache:?}");
        assert!(!html.contains("user_id"), "{cache:?}");
    }
}

#[tokio::test]
async fn logout_gives_new_cookie() {
    let app = TestApp::start().await;
    let client = app.register_user(NAME, EMAIL, PASSWORD).await;
    let before = client.session_cookie().expect("signed-in cookie");

    client.submit("/dashboard", "/logout", &[]).await;

    let after = client
        .session_cookie()
        .expect("cookie for the goodbye message");
    assert_ne!(before, after);
    assert!(!cookie_signs_in(&app, &after).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_clicked_register_creates_one_user() {
    // Each round races the two requests anew, since which one finishes
    // first varies.
    for round in 0..5 {
        let app = TestApp::start().await;
        let client = app.client();
        let html = client.page("/register").await;
        let token = csrf_token_in(&html).expect("token");
        let fields = [
            ("name", NAME),
            ("email", EMAIL),
            ("password", PASSWORD),
            ("password_confirmation", PASSWORD),
            ("terms", "on"),
        ];

        let (first, second) = tokio::join!(
            client.post_with_token("/register", &token, &fields),
            client.post_with_token("/register", &token, &fields)
        );

        for response in [&first, &second] {
            assert_eq!(response.status(), 303, "round {round}");
        }
        let users =
            std::fs::read_to_string(app.storage_folder().join("users.json")).expect("users file");
        let users: serde_json::Value = serde_json::from_str(&users).expect("users JSON");
        assert_eq!(users.as_array().map(Vec::len), Some(1), "round {round}");
        let dashboard = client.get("/dashboard").await;
        assert_eq!(dashboard.status(), 200, "round {round}: signed out");
        let html = dashboard.text().await.expect("body");
        assert!(
            html.contains("<h1>Hello, Ada Lovelace</h1>"),
            "round {round}"
        );
    }
}

#[tokio::test]
async fn register_sent_twice_in_a_row_friendly() {
    let app = TestApp::start().await;
    let client = app.client();
    let form = client.page("/register").await;
    let token = csrf_token_in(&form).expect("token");
    let fields = [
        ("name", NAME),
        ("email", EMAIL),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
        ("terms", "on"),
        ("_token", token.as_str()),
    ];

    let first = client.post_form("/register", &fields).await;
    assert_eq!(location(&first), "/dashboard");
    // The second click arrives after the first one rotated the token.
    let second = client.post_form("/register", &fields).await;
    assert_eq!(second.status(), 303);
    assert_eq!(location(&second), "/register");

    let hop = client.get("/register").await;
    assert_eq!(location(&hop), "/dashboard");
    let dashboard = client.page("/dashboard").await;
    assert!(
        dashboard.contains("Welcome, Ada Lovelace! Your account is ready."),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("This form was already sent"),
        "{dashboard}"
    );
    assert!(!dashboard.contains("already registered"), "{dashboard}");
}
