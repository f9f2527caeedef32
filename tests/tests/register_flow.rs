//! The register flow over real TCP with a cookie-keeping client, on the file
//! store in a temporary folder.

use integration_tests::{field_errors, input_value, location, set_cookies, TestApp};

const VALID: &[(&str, &str)] = &[
    ("name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("password", "analytical-engine"),
    ("password_confirmation", "analytical-engine"),
    ("terms", "on"),
];

#[tokio::test]
async fn invalid_submission_redirects_back_with_303() {
    let app = TestApp::start().await;
    let client = app.client();

    let response = client.submit("/register", "/register", &[]).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register");
}

#[tokio::test]
async fn errors_shown_after_redirect_then_gone() {
    let app = TestApp::start().await;
    let client = app.client();
    client.submit("/register", "/register", &[]).await;

    let first = client.page("/register").await;
    assert_eq!(field_errors(&first, "name"), vec!["Enter your name."]);
    assert_eq!(
        field_errors(&first, "email"),
        vec!["Enter your e-mail address."]
    );
    assert_eq!(field_errors(&first, "password"), vec!["Choose a password."]);
    assert_eq!(
        field_errors(&first, "terms"),
        vec!["Accept the terms to create an account."]
    );

    let second = client.page("/register").await;
    assert!(
        field_errors(&second, "name").is_empty(),
        "errors shown twice"
    );
    assert!(!second.contains("aria-invalid"), "{second}");
}

#[tokio::test]
async fn old_input_refilled_without_password() {
    let app = TestApp::start().await;
    let client = app.client();
    let fields = [
        ("name", "Grace <Hopper> & \"Co\""),
        ("email", "not-an-email"),
        ("password", "secret-pass-123"),
        ("password_confirmation", "secret-pass-123"),
    ];
    client.submit("/register", "/register", &fields).await;

    let stored = app.stored_sessions_text();
    assert!(
        !stored.contains("secret-pass-123"),
        "password reached the store"
    );

    let html = client.page("/register").await;
    assert_eq!(
        input_value(&html, "name").as_deref(),
        Some("Grace &lt;Hopper&gt; &amp; &quot;Co&quot;")
    );
    assert_eq!(input_value(&html, "email").as_deref(), Some("not-an-email"));
    assert_eq!(input_value(&html, "password"), None);
    assert_eq!(input_value(&html, "password_confirmation"), None);
    assert!(!html.contains("secret-pass-123"), "password refilled");
    assert_eq!(
        field_errors(&html, "email"),
        vec!["Enter a valid e-mail address, like ada@example.com."]
    );
    assert!(field_errors(&html, "name").is_empty());
}

#[tokio::test]
async fn unchecked_terms_stays_unchecked() {
    let app = TestApp::start().await;
    let client = app.client();
    client.submit("/register", "/register", &VALID[..4]).await;

    let html = client.page("/register").await;
    assert!(!html.contains(" checked"), "terms box checked");
    assert_eq!(input_value(&html, "name").as_deref(), Some("Ada Lovelace"));
}

#[tokio::test]
async fn success_flash_shown_once() {
    let app = TestApp::start().await;
    let client = app.client();

    let response = client.submit("/register", "/register", VALID).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/dashboard");

    let dashboard = client.page("/dashboard").await;
    assert!(dashboard.contains("Welcome, Ada Lovelace! Your account is ready."));
    assert!(dashboard.contains("ada@example.com"));

    let again = client.page("/dashboard").await;
    assert!(
        !again.contains("Your account is ready."),
        "flash shown twice"
    );
    assert!(
        again.contains("Hello, Ada Lovelace"),
        "signed out after reload"
    );
}

#[tokio::test]
async fn registration_rotates_session_id() {
    let app = TestApp::start().await;
    let client = app.client();
    client.page("/register").await;
    let before = client.session_cookie().expect("form page starts a session");

    client.submit("/register", "/register", VALID).await;
    let after = client
        .session_cookie()
        .expect("session cookie after registration");

    assert_ne!(before, after);
    let stale = app.client();
    stale.set_session_cookie(&before);
    let page = stale.page("/session").await;
    assert!(page.contains("The session is empty."), "old id still loads");
}

#[tokio::test]
async fn duplicate_email_flags_field() {
    let app = TestApp::start().await;
    app.client().submit("/register", "/register", VALID).await;

    let client = app.client();
    let response = client.submit("/register", "/register", VALID).await;
    assert_eq!(location(&response), "/register");

    let html = client.page("/register").await;
    assert_eq!(
        field_errors(&html, "email"),
        vec!["This e-mail address is already registered."]
    );
    assert_eq!(
        input_value(&html, "email").as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test]
async fn wrong_csrf_token_rejected() {
    let app = TestApp::start().await;
    let client = app.client();
    client.page("/register").await;

    let mut fields = VALID.to_vec();
    fields.push(("_token", "forged"));
    let response = client.post_form("/register", &fields).await;
    assert_eq!(response.status(), 303);

    let html = client.page("/register").await;
    assert!(html.contains("This form was already sent"), "{html}");
    assert_eq!(input_value(&html, "name").as_deref(), Some(""));
    assert!(app.stored_sessions_text().contains("_token"));
    assert!(!app.stored_sessions_text().contains("Ada Lovelace"));
}

#[tokio::test]
async fn expired_session_returns_form_with_input() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/register").await;
    let token = integration_tests::csrf_token_in(&html).expect("token");

    // The session ends while the form is open.
    for name in app.session_files() {
        std::fs::remove_file(app.sessions_folder().join(name)).expect("remove session file");
    }
    let app_restarted = TestApp::start().await;
    let stale = app_restarted.client();
    let mut fields = VALID.to_vec();
    fields.push(("_token", token.as_str()));
    let response = stale.post_form("/register", &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register");

    let page = stale.page("/register").await;
    assert!(page.contains("Your session expired"), "{page}");
    assert_eq!(input_value(&page, "name").as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        input_value(&page, "email").as_deref(),
        Some("ada@example.com")
    );
    assert!(!app_restarted
        .stored_sessions_text()
        .contains("analytical-engine"));
}

#[tokio::test]
async fn malformed_form_body_redirects_back() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/register").await;
    let token = integration_tests::csrf_token_in(&html).expect("token");

    let response = client
        .http
        .post(app.url("/register"))
        .header("content-type", "text/plain")
        .header("x-csrf-token", token)
        .body("name=Ada&terms=on")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 303);

    let html = client.page("/register").await;
    assert!(html.contains("The form could not be read"), "{html}");
}

#[tokio::test]
async fn home_page_sets_no_cookie() {
    let app = TestApp::start().await;
    let response = app.client().get("/").await;

    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
    assert!(app.session_files().is_empty());
}
