//! CSRF checks and secret fields on the demo's forms over real TCP. A form
//! sent after its session expired comes back with the input kept. A token
//! that does not match a live session is rejected. Password fields never
//! reach the session files or the HTML.

use std::time::Duration;

use integration_tests::{
    csrf_token_in, field_errors, flash_messages, input_value, location, textarea_value, TestApp,
    TestClient,
};
use web_session::CacheDriver;

const EXPIRED: &str = "Your session expired, so the form was not sent. \
                       Check your input and submit it again.";
const PASSWORD: &str = "analytical-engine";

/// The register form with every field valid, and a `current_password`
/// field that no form should ever keep.
const REGISTER: &[(&str, &str)] = &[
    ("name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("password", PASSWORD),
    ("password_confirmation", PASSWORD),
    ("current_password", "old-secret-77"),
    ("terms", "on"),
];

/// Removes every session file, as if the sessions had expired and been swept.
fn delete_session_files(app: &TestApp) {
    for name in app.session_files() {
        std::fs::remove_file(app.sessions_folder().join(name)).expect("remove session file");
    }
}

/// Asserts that none of the secret values of [`REGISTER`] is in `text`.
fn assert_no_secrets(text: &str, place: &str) {
    assert!(!text.contains(PASSWORD), "password in {place}");
    assert!(
        !text.contains("old-secret-77"),
        "current_password in {place}"
    );
}

/// Starts an app whose session files are the only copy of a session, so
/// deleting them ends the session at once.
async fn start_without_cache() -> TestApp {
    TestApp::start_with(|config| config.cache = CacheDriver::Skip).await
}

/// Opens `form_page` and returns its CSRF token.
async fn open_form(client: &TestClient, form_page: &str) -> String {
    let html = client.page(form_page).await;
    csrf_token_in(&html).expect("form carries a CSRF token")
}

#[tokio::test]
async fn expired_register_form_returned_with_input() {
    // The cookie ends with the browser, so the client still sends it after
    // the two-second lifetime on the server has passed.
    let app = TestApp::start_with(|config| {
        config.lifetime = Duration::from_secs(2);
        config.expire_on_close = true;
    })
    .await;
    let client = app.client();
    let token = open_form(&client, "/register").await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    let response = client.post_with_token("/register", &token, REGISTER).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register");
    assert_no_secrets(&app.stored_sessions_text(), "the session files");
    let html = client.page("/register").await;
    assert_eq!(flash_messages(&html), vec![EXPIRED]);
    assert_eq!(input_value(&html, "name").as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        input_value(&html, "email").as_deref(),
        Some("ada@example.com")
    );
    assert!(html.contains(" checked"), "terms box not refilled");
    assert_eq!(input_value(&html, "password"), None);
    assert_no_secrets(&html, "the page");
    assert!(
        !app.storage_folder().join("users.json").exists(),
        "user created"
    );
}

#[tokio::test]
async fn expired_form_can_be_sent_again() {
    let app = start_without_cache().await;
    let client = app.client();
    let token = open_form(&client, "/register").await;
    delete_session_files(&app);
    client.post_with_token("/register", &token, REGISTER).await;

    let response = client.submit("/register", "/register", REGISTER).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");
    let dashboard = client.page("/dashboard").await;
    assert!(dashboard.contains("<h1>Hello, Ada Lovelace</h1>"));
}

#[tokio::test]
async fn expired_guestbook_form_keeps_message() {
    let app = start_without_cache().await;
    let client = app.client();
    let html = client.page("/guestbook").await;
    let token = csrf_token_in(&html).expect("token");
    let submission = input_value(&html, "submission").expect("submission id");
    delete_session_files(&app);

    let fields = [
        ("name", "Ada"),
        ("message", "Written slowly"),
        ("submission", submission.as_str()),
    ];
    let response = client.post_with_token("/guestbook", &token, &fields).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/guestbook");
    let page = client.page("/guestbook").await;
    assert_eq!(flash_messages(&page), vec![EXPIRED]);
    assert_eq!(input_value(&page, "name").as_deref(), Some("Ada"));
    assert_eq!(
        textarea_value(&page, "message").as_deref(),
        Some("Written slowly")
    );
    assert!(
        page.contains("No entries yet."),
        "entry added without a token"
    );
}

#[tokio::test]
async fn expired_login_form_keeps_email() {
    let app = start_without_cache().await;
    let client = app.client();
    let token = open_form(&client, "/login").await;
    delete_session_files(&app);

    let fields = [("email", "ada@example.com"), ("password", PASSWORD)];
    let response = client.post_with_token("/login", &token, &fields).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login");
    assert_no_secrets(&app.stored_sessions_text(), "the session files");
    let page = client.page("/login").await;
    assert_eq!(flash_messages(&page), vec![EXPIRED]);
    assert_eq!(
        input_value(&page, "email").as_deref(),
        Some("ada@example.com")
    );
    assert_no_secrets(&page, "the page");
}

#[tokio::test]
async fn expired_form_returns_to_referer() {
    let app = start_without_cache().await;
    let client = app.client();
    let token = open_form(&client, "/register").await;
    delete_session_files(&app);

    let response = client
        .http
        .post(app.url("/playground"))
        .header("referer", app.url("/register?step=2"))
        .form(&[("action", "put"), ("_token", token.as_str())])
        .send()
        .await
        .expect("POST /playground");

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register?step=2");
}

#[tokio::test]
async fn foreign_referer_ignored() {
    let app = start_without_cache().await;
    let client = app.client();
    let token = open_form(&client, "/register").await;
    delete_session_files(&app);

    let response = client
        .http
        .post(app.url("/register"))
        .header("referer", "http://evil.example/register")
        .form(&[("name", "Ada"), ("_token", token.as_str())])
        .send()
        .await
        .expect("POST /register");

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register");
}

#[tokio::test]
async fn mismatched_token_rejected_on_every_form() {
    let app = TestApp::start().await;
    let client = app
        .register_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;
    client.page("/dashboard").await;

    for action in [
        "/register",
        "/login",
        "/logout",
        "/guestbook",
        "/playground",
    ] {
        let forged = client
            .post_with_token(
                action,
                "forged",
                &[("name", "Mallory"), ("action", "invalidate")],
            )
            .await;
        assert_eq!(forged.status(), 303, "forged token on {action}");
        let page = follow_redirects(&client, &location(&forged)).await;
        assert!(
            page.contains("This form was already sent"),
            "{action}: {page}"
        );
        assert!(
            !page.contains("Mallory"),
            "{action}: input of a forged form refilled"
        );

        let missing = client.post_form(action, &[("name", "Mallory")]).await;
        assert_eq!(missing.status(), 303, "no token on {action}");

        let script = client
            .http
            .post(app.url(action))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("POST");
        assert_eq!(script.status(), 403, "JSON without token on {action}");
    }
    let stored = app.stored_sessions_text();
    assert!(
        !stored.contains("Mallory"),
        "a rejected form stored its input"
    );
    let dashboard = client.page("/dashboard").await;
    assert!(
        dashboard.contains("<h1>Hello, Ada Lovelace</h1>"),
        "signed out"
    );
}

#[tokio::test]
async fn token_of_other_session_rejected() {
    let app = TestApp::start().await;
    let mallory = app.client();
    let foreign_token = open_form(&mallory, "/guestbook").await;
    let client = app.client();
    open_form(&client, "/guestbook").await;

    let response = client
        .post_with_token("/guestbook", &foreign_token, &[("name", "Ada")])
        .await;

    assert_eq!(response.status(), 303);
    let page = client.page("/guestbook").await;
    assert!(page.contains("This form was already sent"), "{page}");
}

#[tokio::test]
async fn header_token_accepted() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/guestbook").await;
    let token = csrf_token_in(&html).expect("token");
    let submission = input_value(&html, "submission").expect("submission id");

    let response = client
        .http
        .post(app.url("/guestbook"))
        .header("x-csrf-token", token)
        .form(&[
            ("name", "Ada"),
            ("message", "Sent by a script"),
            ("submission", submission.as_str()),
        ])
        .send()
        .await
        .expect("POST /guestbook");

    assert_eq!(response.status(), 303);
    let page = client.page("/guestbook").await;
    assert!(page.contains("Sent by a script"));
}

#[tokio::test]
async fn secret_fields_never_stored_or_shown() {
    let app = TestApp::start().await;
    let client = app.client();
    let mut fields = REGISTER.to_vec();
    fields[1] = ("email", "not-an-email");

    let response = client.submit("/register", "/register", &fields).await;

    assert_eq!(location(&response), "/register");
    assert_no_secrets(&app.stored_sessions_text(), "the session files");
    let html = client.page("/register").await;
    assert_no_secrets(&html, "the page");
    assert_eq!(input_value(&html, "name").as_deref(), Some("Ada Lovelace"));
    assert_eq!(input_value(&html, "email").as_deref(), Some("not-an-email"));
    assert_eq!(input_value(&html, "password"), None);
    assert_eq!(input_value(&html, "password_confirmation"), None);
    assert!(html.contains(" checked"), "terms box not refilled");
    assert_eq!(
        field_errors(&html, "email"),
        vec!["Enter a valid e-mail address, like ada@example.com."]
    );
    assert_no_secrets(
        &app.stored_sessions_text(),
        "the session files after the page",
    );
}

#[tokio::test]
async fn mismatched_passwords_never_stored() {
    let app = TestApp::start().await;
    let client = app.client();
    let fields = [
        ("name", "Ada Lovelace"),
        ("email", "ada@example.com"),
        ("password", "first-secret-11"),
        ("password_confirmation", "second-secret-22"),
        ("terms", "on"),
    ];

    client.submit("/register", "/register", &fields).await;

    let stored = app.stored_sessions_text();
    assert!(!stored.contains("first-secret-11"));
    assert!(!stored.contains("second-secret-22"));
    let html = client.page("/register").await;
    assert_eq!(
        field_errors(&html, "password_confirmation"),
        vec!["The two passwords do not match."]
    );
    assert!(!html.contains("first-secret-11"));
    assert!(!html.contains("second-secret-22"));
}

#[tokio::test]
async fn passwords_never_in_users_file_or_session() {
    let app = TestApp::start().await;

    app.register_user("Ada Lovelace", "ada@example.com", PASSWORD)
        .await;

    let users =
        std::fs::read_to_string(app.storage_folder().join("users.json")).expect("users file");
    assert!(
        !users.contains(PASSWORD),
        "plain password in the users file"
    );
    assert!(
        users.contains("$argon2id$"),
        "password not hashed with Argon2id"
    );
    assert!(!app.stored_sessions_text().contains(PASSWORD));
}

/// Opens `path` and follows up to three redirects, returning the final page.
async fn follow_redirects(client: &TestClient, path: &str) -> String {
    let mut path = path.to_owned();
    for _ in 0..3 {
        let response = client.get(&path).await;
        if response.status() != 303 {
            return response.text().await.expect("page body");
        }
        path = location(&response);
    }
    panic!("more than three redirects from {path}");
}
