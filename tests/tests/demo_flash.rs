//! Which requests consume flash data on the demo app. Assets, JSON polls,
//! `HEAD` and `OPTIONS` requests and the 404 page leave it pending. The home
//! page's redirect hop passes it on to the dashboard. Over any sequence of
//! requests, a flashed message renders on at most one page.

use integration_tests::{
    field_errors, flash_messages, input_value, location, set_cookies, TestApp,
};
use proptest::prelude::*;
use reqwest::Method;

const FROM_EMAIL: &str = "Thanks for following the link in your e-mail.";

/// Sends the register form with a valid name and an invalid e-mail address,
/// so the errors and the input are flashed for the next request.
async fn send_invalid_register(client: &integration_tests::TestClient) {
    let fields = [
        ("name", "Ada Lovelace"),
        ("email", "not-an-email"),
        ("password", "analytical-engine"),
        ("password_confirmation", "analytical-engine"),
    ];
    let response = client.submit("/register", "/register", &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register");
}

#[tokio::test]
async fn asset_between_redirect_and_page() {
    let app = TestApp::start().await;
    let client = app.client();
    send_invalid_register(&client).await;
    let before = app.session_snapshot();
    assert_eq!(before.len(), 1);

    for path in ["/favicon.ico", "/static/favicon.svg", "/static/app.css"] {
        let response = client.get(path).await;
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "GET {path}: {}",
            response.status()
        );
        assert!(set_cookies(&response).is_empty(), "GET {path} set a cookie");
    }
    assert_eq!(
        app.session_snapshot(),
        before,
        "an asset request touched the session file"
    );

    let first = client.page("/register").await;
    assert_eq!(
        field_errors(&first, "email"),
        vec!["Enter a valid e-mail address, like ada@example.com."]
    );
    assert_eq!(input_value(&first, "name").as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        input_value(&first, "email").as_deref(),
        Some("not-an-email")
    );
    let second = client.page("/register").await;
    assert!(
        field_errors(&second, "email").is_empty(),
        "errors shown twice"
    );
    assert_eq!(input_value(&second, "name").as_deref(), Some(""));
}

#[tokio::test]
async fn api_head_options_keep_errors() {
    let app = TestApp::start().await;
    let client = app.client();
    send_invalid_register(&client).await;

    for path in ["/api/health", "/api/guestbook"] {
        let response = client.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        assert!(set_cookies(&response).is_empty(), "GET {path} set a cookie");
    }
    for method in [Method::OPTIONS, Method::HEAD] {
        let response = client.send(method.clone(), "/register").await;
        assert!(
            !response.status().is_server_error(),
            "{method} /register: {}",
            response.status()
        );
    }

    let first = client.page("/register").await;
    assert_eq!(
        field_errors(&first, "email"),
        vec!["Enter a valid e-mail address, like ada@example.com."]
    );
    assert_eq!(input_value(&first, "name").as_deref(), Some("Ada Lovelace"));
    let second = client.page("/register").await;
    assert!(
        field_errors(&second, "email").is_empty(),
        "errors shown twice"
    );
}

#[tokio::test]
async fn api_head_options_keep_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    let landing = client.get("/from-email").await;
    assert_eq!(location(&landing), "/");

    client.get("/api/health").await;
    client.get("/api/guestbook").await;
    for method in [Method::OPTIONS, Method::HEAD] {
        let response = client.send(method.clone(), "/").await;
        assert!(
            !response.status().is_server_error(),
            "{method} /: {}",
            response.status()
        );
    }

    let home = client.page("/").await;
    assert_eq!(flash_messages(&home), vec![FROM_EMAIL]);
    let again = client.page("/").await;
    assert!(flash_messages(&again).is_empty(), "flash shown twice");
}

#[tokio::test]
async fn head_request_has_no_body() {
    let app = TestApp::start().await;

    let response = app.client().send(Method::HEAD, "/register").await;

    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("body").is_empty());
}

#[tokio::test]
async fn not_found_keeps_pending_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    client.get("/from-email").await;
    let before = app.session_snapshot();

    let missing = client.get("/no/such/page").await;
    assert_eq!(missing.status(), 404);
    assert!(set_cookies(&missing).is_empty());
    let html = missing.text().await.expect("404 page");
    assert!(html.contains("<h1>Page not found</h1>"));
    assert!(
        html.contains(r#"<footer class="site-footer">"#),
        "no layout"
    );
    assert!(
        flash_messages(&html).is_empty(),
        "404 page showed the flash"
    );
    let posted = client.post_form("/no-such-form", &[("field", "x")]).await;
    assert_eq!(posted.status(), 404);
    assert_eq!(app.session_snapshot(), before);

    let home = client.page("/").await;
    assert_eq!(flash_messages(&home), vec![FROM_EMAIL]);
}

#[tokio::test]
async fn not_found_keeps_pending_errors() {
    let app = TestApp::start().await;
    let client = app.client();
    send_invalid_register(&client).await;

    let missing = client.get("/registr").await;
    assert_eq!(missing.status(), 404);

    let form = client.page("/register").await;
    assert_eq!(
        field_errors(&form, "email"),
        vec!["Enter a valid e-mail address, like ada@example.com."]
    );
}

#[tokio::test]
async fn welcome_back_shown_once_after_hop() {
    let app = TestApp::start().await;
    let registered = app
        .register_user("Ada Lovelace", "ada@example.com", "analytical-engine")
        .await;
    registered.submit("/dashboard", "/logout", &[]).await;
    let client = app.client();

    let fields = [
        ("email", "ada@example.com"),
        ("password", "analytical-engine"),
    ];
    let login = client.submit("/login", "/login", &fields).await;
    assert_eq!(login.status(), 303);
    assert_eq!(location(&login), "/");
    let hop = client.get("/").await;
    assert_eq!(hop.status(), 303);
    assert_eq!(location(&hop), "/dashboard");

    let dashboard = client.page("/dashboard").await;
    assert_eq!(
        flash_messages(&dashboard),
        vec!["Welcome back, Ada Lovelace!"]
    );
    let again = client.page("/dashboard").await;
    assert!(flash_messages(&again).is_empty(), "flash shown twice");
}

#[tokio::test]
async fn guard_redirect_consumes_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    client.get("/from-email").await;

    // The guard of the dashboard redirects a guest: the request reads the
    // session and responds with a redirect, which consumes the flash.
    let guarded = client.get("/dashboard").await;
    assert_eq!(guarded.status(), 303);

    let login = client.page("/login").await;
    assert_eq!(flash_messages(&login), vec!["Log in to see that page."]);
    let home = client.page("/").await;
    assert!(
        flash_messages(&home).is_empty(),
        "{:?}",
        flash_messages(&home)
    );
}

/// One request of the random sequences below.
#[derive(Clone, Copy, Debug)]
struct Step {
    method: &'static str,
    path: &'static str,
    /// Whether the request runs inside the session layer as a person's
    /// page view, which removes the flash data visible to it.
    ends_flash: bool,
    /// Whether the response is an HTML page that shows flash messages.
    renders: bool,
}

/// Builds a `GET` of a page that shows the flash messages of its request.
const fn page_view(path: &'static str) -> Step {
    Step {
        method: "GET",
        path,
        ends_flash: true,
        renders: true,
    }
}

/// Builds a `GET` inside the session layer that responds with a redirect.
const fn redirect_view(path: &'static str) -> Step {
    Step {
        method: "GET",
        path,
        ends_flash: true,
        renders: false,
    }
}

/// Builds a request that must leave flash data pending: an asset, a JSON
/// route, the 404 page, or a `HEAD` or `OPTIONS` request.
const fn passive(method: &'static str, path: &'static str) -> Step {
    Step {
        method,
        path,
        ends_flash: false,
        renders: false,
    }
}

const STEPS: &[Step] = &[
    page_view("/"),
    page_view("/register"),
    page_view("/login"),
    page_view("/guestbook"),
    page_view("/playground"),
    page_view("/session"),
    redirect_view("/dashboard"),
    passive("GET", "/favicon.ico"),
    passive("GET", "/static/app.css"),
    passive("GET", "/static/favicon.svg"),
    passive("GET", "/api/health"),
    passive("GET", "/api/guestbook"),
    passive("GET", "/no-such-page"),
    passive("HEAD", "/"),
    passive("HEAD", "/register"),
    passive("HEAD", "/playground"),
    passive("OPTIONS", "/"),
    passive("OPTIONS", "/guestbook"),
];

/// Flashes the e-mail landing message, runs `steps` and returns on which
/// steps the message rendered.
async fn steps_showing_flash(steps: &[Step]) -> Vec<usize> {
    let app = TestApp::start().await;
    let client = app.client();
    let landing = client.get("/from-email").await;
    assert_eq!(landing.status(), 303);

    let mut showing_steps = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let method = Method::from_bytes(step.method.as_bytes()).expect("HTTP method");
        let response = client.send(method, step.path).await;
        assert!(
            !response.status().is_server_error(),
            "{} {}: {}",
            step.method,
            step.path,
            response.status()
        );
        let body = response.text().await.expect("body");
        if body.contains(FROM_EMAIL) {
            showing_steps.push(index);
        }
    }
    showing_steps
}

/// Returns the step that must show the flash: the first page view, if that
/// one renders a page.
fn expected_step(steps: &[Step]) -> Option<usize> {
    let first_view = steps.iter().position(|step| step.ends_flash)?;
    steps[first_view].renders.then_some(first_view)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn flash_renders_on_at_most_one_page(
        indices in proptest::collection::vec(0..STEPS.len(), 1..12)
    ) {
        let steps: Vec<Step> = indices.iter().map(|&index| STEPS[index]).collect();
        let runtime = tokio::runtime::Runtime::new().expect("Tokio runtime");

        let showing_steps = runtime.block_on(steps_showing_flash(&steps));

        prop_assert!(
            showing_steps.len() <= 1,
            "shown on steps {:?} of {:?}",
            showing_steps,
            steps
        );
        let expected: Vec<usize> = expected_step(&steps).into_iter().collect();
        prop_assert_eq!(showing_steps, expected, "steps: {:?}", steps);
    }
}
