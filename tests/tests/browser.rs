//! The demo app in a real headless Chromium: forms submitted by clicking,
//! redirects, reloads and the back button, as a person uses the site.
//!
//! Each test starts its own app on `127.0.0.1` and its own browser, and the
//! harness in `integration_tests::browser` runs them one at a time.

use std::time::{Duration, Instant};

use cookie::SameSite;
use integration_tests::browser::{with_browser, workspace_dir, Browser, OtherSite};
use integration_tests::{RecordedRequest, TestApp};
use serde_json::json;

const REGISTER_BUTTON: &str = r#"form[action="/register"] button[type="submit"]"#;
const LOGIN_BUTTON: &str = r#"form[action="/login"] button[type="submit"]"#;
const GUESTBOOK_BUTTON: &str = r#"form[action="/guestbook"] button[type="submit"]"#;
const LOGOUT_BUTTON: &str = r#"form[action="/logout"] button[type="submit"]"#;
const TERMS_LABEL: &str = r#"label[for="terms"]"#;
const STATUS_FLASH: &str = ".flash-status";
const ERROR_FLASH: &str = ".flash-error";
const SESSION_COOKIE: &str = "app_session";

/// The color of error messages in `static/app.css` (`--bad`), as the
/// browser reports a computed color.
const ERROR_COLOR: &str = "rgb(164, 38, 44)";

/// A user who registers through the form.
struct Account {
    name: &'static str,
    email: &'static str,
    password: &'static str,
}

const ADA: Account = Account {
    name: "Ada Lovelace",
    email: "ada@example.com",
    password: "analytical-engine",
};

#[tokio::test]
async fn empty_register_form_errors_once() {
    let app = TestApp::start().await;
    with_browser("empty_register_form_errors_once", async |browser| {
        browser.open(&app.url("/register")).await;
        browser.click_and_load(REGISTER_BUTTON).await;

        assert_eq!(browser.path().await, "/register");
        assert_eq!(browser.texts("#name-errors li").await, ["Enter your name."]);
        assert_eq!(
            browser.texts("#email-errors li").await,
            ["Enter your e-mail address."]
        );
        assert_eq!(
            browser.texts("#password-errors li").await,
            ["Choose a password."]
        );
        assert_eq!(
            browser.texts("#terms-errors li").await,
            ["Accept the terms to create an account."]
        );
        assert!(browser
            .find_all("#password_confirmation-errors")
            .await
            .is_empty());
        for field in ["name", "email", "password", "terms"] {
            assert_below(browser, &format!("#{field}-errors"), &format!("#{field}")).await;
        }

        browser.reload().await;

        assert_eq!(browser.path().await, "/register");
        assert!(
            browser.find_all("ul.errors").await.is_empty(),
            "errors shown after reload"
        );
        assert!(
            browser.find_all("[aria-invalid]").await.is_empty(),
            "fields still marked invalid"
        );
    })
    .await;
}

#[tokio::test]
async fn bad_email_keeps_name_only() {
    let app = TestApp::start().await;
    with_browser("bad_email_keeps_name_only", async |browser| {
        browser.open(&app.url("/register")).await;
        browser.fill("#name", "Ada Lovelace").await;
        browser.fill("#email", "ada-at-example.com").await;
        browser.fill("#password", ADA.password).await;
        browser.fill("#password_confirmation", ADA.password).await;
        browser.click(TERMS_LABEL).await;
        browser.click_and_load(REGISTER_BUTTON).await;

        assert_eq!(browser.path().await, "/register");
        assert_eq!(browser.value("#name").await, "Ada Lovelace");
        assert_eq!(browser.value("#email").await, "ada-at-example.com");
        assert_eq!(browser.value("#password").await, "", "password refilled");
        assert_eq!(
            browser.value("#password_confirmation").await,
            "",
            "password confirmation refilled"
        );
        assert_eq!(
            browser.texts("#email-errors li").await,
            ["Enter a valid e-mail address, like ada@example.com."]
        );
        assert_below(browser, "#email-errors", "#email").await;
        assert!(browser.find_all("#name-errors").await.is_empty());
        assert!(browser.find_all("#password-errors").await.is_empty());
        assert!(
            browser
                .find("#terms")
                .await
                .is_selected()
                .await
                .expect("read the terms box"),
            "accepted terms not kept"
        );
    })
    .await;
}

#[tokio::test]
async fn welcome_flash_shown_once() {
    let app = TestApp::start().await;
    with_browser("welcome_flash_shown_once", async |browser| {
        register(browser, &app, &ADA).await;

        assert_eq!(browser.path().await, "/dashboard");
        assert_eq!(
            browser.text(STATUS_FLASH).await,
            "Welcome, Ada Lovelace! Your account is ready."
        );
        assert_eq!(browser.text("main h1").await, "Hello, Ada Lovelace");

        browser.click_and_load(r#"nav a[href="/guestbook"]"#).await;
        assert_eq!(browser.path().await, "/guestbook");
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "flash shown on the next page"
        );

        let requests_before_back = app.requests().len();
        browser.back().await;
        assert_eq!(browser.path().await, "/dashboard");
        assert_eq!(browser.text("main h1").await, "Hello, Ada Lovelace");
        if browser.restored_from_back_forward_cache().await {
            // Chromium (156 here) keeps a page sent with `Cache-Control:
            // no-store` in its back/forward cache unless a cookie changes,
            // and shows it without asking the server. `static/app.js`
            // removes the flash messages of such a restored page.
            let after_back = &app.requests()[requests_before_back..];
            assert!(
                after_back
                    .iter()
                    .all(|request| request.path != "/dashboard"),
                "page restored from the back/forward cache and requested again: {after_back:#?}"
            );
        }
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "flash shown again after going back"
        );

        browser.reload().await;
        assert_eq!(browser.text("main h1").await, "Hello, Ada Lovelace");
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "flash shown again on reload"
        );

        browser.click_and_load(r#"nav a[href="/dashboard"]"#).await;
        assert_eq!(browser.text("main h1").await, "Hello, Ada Lovelace");
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "flash shown again on a later visit"
        );
    })
    .await;
}

#[tokio::test]
async fn guestbook_post_listed_once() {
    let app = TestApp::start().await;
    with_browser("guestbook_post_listed_once", async |browser| {
        browser.open(&app.url("/guestbook")).await;
        browser.fill("#name", "Ada").await;
        browser
            .fill("#message", "Hello from <Chromium> & friends")
            .await;
        browser.click_and_load(GUESTBOOK_BUTTON).await;

        assert_eq!(browser.path().await, "/guestbook");
        assert_eq!(
            browser.text(STATUS_FLASH).await,
            "Thanks, Ada! Your message is in the guestbook."
        );
        assert_eq!(
            browser.texts(".entry-message").await,
            ["Hello from <Chromium> & friends"]
        );

        browser.reload().await;
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "flash shown again on reload"
        );
        assert_eq!(browser.texts(".entry-message").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn guestbook_errors_keep_message() {
    let app = TestApp::start().await;
    with_browser("guestbook_errors_keep_message", async |browser| {
        browser.open(&app.url("/guestbook")).await;
        browser.fill("#message", "A message without a name").await;
        browser.click_and_load(GUESTBOOK_BUTTON).await;

        assert_eq!(browser.texts("#name-errors li").await, ["Enter your name."]);
        assert_eq!(browser.value("#message").await, "A message without a name");
        assert!(browser.find_all(".entry").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn playground_flash_then_reflash() {
    let app = TestApp::start().await;
    with_browser("playground_flash_then_reflash", async |browser| {
        const FLASH_FORM: &str = r#"form.call:has(input[value="flash"])"#;
        browser.open(&app.url("/playground")).await;
        browser
            .fill(&format!(r#"{FLASH_FORM} input[name="key"]"#), "note")
            .await;
        browser
            .fill(&format!(r#"{FLASH_FORM} input[name="value"]"#), "hello")
            .await;
        // The next page calls reflash() while it shows the item, which
        // keeps it for one more request.
        browser.click_and_load("#flash-then-reflash").await;
        assert_eq!(browser.path().await, "/playground");
        assert!(shows_note(browser).await, "note hidden by reflash");

        browser.click_and_load(r#"nav a[href="/playground"]"#).await;
        assert!(shows_note(browser).await, "note not kept by reflash");

        browser.click_and_load(r#"nav a[href="/playground"]"#).await;
        assert!(
            !shows_note(browser).await,
            "flash kept for more than one extra request"
        );
    })
    .await;
}

/// Returns whether the playground lists the flash item `note` as visible.
/// The list also holds the playground's own result line.
async fn shows_note(browser: &Browser) -> bool {
    browser
        .texts("#visible-flash-values li")
        .await
        .iter()
        .any(|item| item == "note: hello")
}

#[tokio::test]
async fn logout_hides_dashboard_from_back() {
    let app = TestApp::start().await;
    with_browser("logout_hides_dashboard_from_back", async |browser| {
        register(browser, &app, &ADA).await;
        browser.click_and_load(LOGOUT_BUTTON).await;
        assert_eq!(browser.path().await, "/");
        assert_eq!(
            browser.text(STATUS_FLASH).await,
            "You have been logged out."
        );

        browser.click_and_load(r#"nav a[href="/login"]"#).await;
        browser.fill("#email", ADA.email).await;
        browser.fill("#password", ADA.password).await;
        browser.click_and_load(LOGIN_BUTTON).await;

        assert_eq!(browser.path().await, "/dashboard");
        assert_eq!(
            browser.text(STATUS_FLASH).await,
            "Welcome back, Ada Lovelace!"
        );
        assert_eq!(browser.text("main h1").await, "Hello, Ada Lovelace");
        assert!(browser.page_text().await.contains(ADA.email));

        browser.click_and_load(LOGOUT_BUTTON).await;
        assert_eq!(browser.path().await, "/");
        assert_eq!(
            browser.text(STATUS_FLASH).await,
            "You have been logged out."
        );
        let requests_before_back = app.requests().len();

        browser.back().await;

        // Logging out changed the session cookie, so Chromium does not
        // restore the dashboard, sent with `Cache-Control: no-store`,
        // from its back/forward cache. Going back requests /dashboard again,
        // and the server redirects a guest to the log in page.
        let after_back = &app.requests()[requests_before_back..];
        assert!(
            after_back
                .iter()
                .any(|request| request.path == "/dashboard" && request.status == 303),
            "going back did not request /dashboard again: {after_back:#?}"
        );
        assert_eq!(browser.path().await, "/login");
        assert_eq!(browser.text(ERROR_FLASH).await, "Log in to see that page.");
        let page = browser.page_text().await;
        assert!(
            !page.contains("Hello, Ada Lovelace"),
            "private page shown after going back:\n{page}"
        );
        assert!(
            !page.contains(ADA.email),
            "e-mail address shown after going back:\n{page}"
        );

        browser.open(&app.url("/dashboard")).await;
        assert_eq!(browser.path().await, "/login");
        assert_eq!(browser.text(ERROR_FLASH).await, "Log in to see that page.");

        browser.reload().await;
        assert_eq!(browser.path().await, "/login");
        assert!(
            browser.find_all(ERROR_FLASH).await.is_empty(),
            "log in message shown twice"
        );
    })
    .await;
}

#[tokio::test]
async fn session_cookie_attributes_in_browser() {
    let app = TestApp::start().await;
    with_browser("session_cookie_attributes_in_browser", async |browser| {
        browser.open(&app.url("/register")).await;
        let guest_cookie = assert_session_cookie_attributes(browser).await;

        let visible_to_scripts = browser.execute("return document.cookie;", vec![]).await;
        assert!(
            !visible_to_scripts
                .as_str()
                .unwrap_or_default()
                .contains(SESSION_COOKIE),
            "page scripts can read the session cookie: {visible_to_scripts}"
        );

        register(browser, &app, &ADA).await;
        let signed_in_cookie = assert_session_cookie_attributes(browser).await;
        assert_ne!(
            guest_cookie, signed_in_cookie,
            "session id not changed on registration"
        );
    })
    .await;
}

#[tokio::test]
async fn assets_loaded_before_errors_render() {
    let app = TestApp::start().await;
    with_browser("assets_loaded_before_errors_render", async |browser| {
        browser.disable_cache().await;
        browser.open(&app.url("/register")).await;

        // The first view of the form loads the stylesheet and the icon with
        // the new session cookie.
        let form_view = wait_for_request(&app, 0, "/static/favicon.svg").await;
        let stylesheet = find_request(&form_view, "GET", "/static/app.css");
        let icon = find_request(&form_view, "GET", "/static/favicon.svg");
        for asset in [stylesheet, icon] {
            assert_eq!(asset.status, 200, "{asset:?}");
            assert!(
                asset.sent_session_cookie,
                "browser sent no cookie: {asset:?}"
            );
            assert!(!asset.set_cookie, "asset response set a cookie: {asset:?}");
        }
        let before_submit = app.requests().len();

        browser.click_and_load(REGISTER_BUTTON).await;

        assert_eq!(browser.texts("#name-errors li").await, ["Enter your name."]);
        let color = browser
            .execute(
                "return getComputedStyle(document.getElementById('name-errors')).color;",
                vec![],
            )
            .await;
        assert_eq!(color, json!(ERROR_COLOR), "errors rendered without app.css");

        // Between the redirect and the render, the browser loads the
        // stylesheet again, because the cache is off. Chromium keeps icons
        // in a store of its own, so it does not load the icon again.
        let submission = app.requests()[before_submit..].to_vec();
        let [post, page, ..] = submission.as_slice() else {
            panic!("expected the form post and the page view: {submission:#?}");
        };
        assert_eq!(
            (post.method.as_str(), post.path.as_str()),
            ("POST", "/register")
        );
        assert_eq!(post.status, 303);
        assert_eq!(
            (page.method.as_str(), page.path.as_str()),
            ("GET", "/register")
        );
        assert_eq!(page.status, 200);
        let stylesheet = find_request(&submission[2..], "GET", "/static/app.css");
        assert_eq!(stylesheet.status, 200, "{stylesheet:?}");
        assert!(
            stylesheet.sent_session_cookie,
            "browser sent no cookie: {stylesheet:?}"
        );
        assert!(
            !stylesheet.set_cookie,
            "asset response set a cookie: {stylesheet:?}"
        );

        browser.reload().await;
        assert!(
            browser.find_all("ul.errors").await.is_empty(),
            "errors shown after reload"
        );
    })
    .await;
}

#[tokio::test]
async fn asset_visits_keep_pending_errors() {
    let app = TestApp::start().await;
    with_browser("asset_visits_keep_pending_errors", async |browser| {
        browser.disable_cache().await;
        browser.open(&app.url("/register")).await;
        browser.fill("#name", "Ada Lovelace").await;

        // A script in the page posts the form without following the
        // redirect. This stops at the moment between the redirect and the
        // next page view: the errors are stored, and no page has shown them.
        let outcome = browser
            .client()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const form = document.querySelector('form[action=\"/register\"]');
                 fetch(form.action, {
                     method: 'POST',
                     body: new URLSearchParams(new FormData(form)),
                     redirect: 'manual',
                     credentials: 'same-origin',
                 }).then((response) => done(response.type), (error) => done(String(error)));",
                vec![],
            )
            .await
            .expect("post the register form from the page");
        assert_eq!(
            outcome,
            json!("opaqueredirect"),
            "the form post did not redirect"
        );

        let stored_before = app.session_snapshot();
        assert_eq!(stored_before.len(), 1, "expected one session file");
        let requests_before = app.requests().len();

        let form_tab = browser.client().window().await.expect("current tab");
        let asset_tab = browser.client().new_window(true).await.expect("open a tab");
        browser
            .client()
            .switch_to_window(asset_tab.handle)
            .await
            .expect("switch to the new tab");
        browser.disable_cache().await;
        browser.open(&app.url("/static/app.css")).await;
        assert!(
            browser.page_text().await.contains(".errors"),
            "stylesheet not shown"
        );
        browser.open(&app.url("/static/favicon.svg")).await;
        browser.open(&app.url("/favicon.ico")).await;
        assert_eq!(
            browser.path().await,
            "/static/favicon.svg",
            "/favicon.ico did not redirect"
        );
        browser
            .client()
            .close_window()
            .await
            .expect("close the tab");
        browser
            .client()
            .switch_to_window(form_tab)
            .await
            .expect("switch back to the form tab");

        assert!(
            app.session_snapshot() == stored_before,
            "loading assets changed the session files"
        );
        let asset_requests = app.requests()[requests_before..].to_vec();
        let paths: Vec<&str> = asset_requests
            .iter()
            .map(|request| request.path.as_str())
            .collect();
        for expected in ["/static/app.css", "/static/favicon.svg", "/favicon.ico"] {
            assert!(
                paths.contains(&expected),
                "{expected} not requested: {paths:?}"
            );
        }
        for request in &asset_requests {
            assert!(
                request.path.starts_with("/static/") || request.path == "/favicon.ico",
                "unexpected request while loading assets: {request:?}"
            );
            assert!(
                request.sent_session_cookie,
                "browser sent no cookie: {request:?}"
            );
            assert!(
                !request.set_cookie,
                "asset response set a cookie: {request:?}"
            );
        }

        browser.click_and_load(r#"nav a[href="/register"]"#).await;
        assert_eq!(
            browser.texts("#email-errors li").await,
            ["Enter your e-mail address."]
        );
        assert_eq!(browser.value("#name").await, "Ada Lovelace");

        browser.reload().await;
        assert!(
            browser.find_all("ul.errors").await.is_empty(),
            "errors shown after reload"
        );
        assert_eq!(
            browser.value("#name").await,
            "",
            "old input refilled after reload"
        );
    })
    .await;
}

#[tokio::test]
async fn link_from_other_site_flashes() {
    let app = TestApp::start().await;
    let mail = OtherSite::start(format!(
        r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Inbox</title></head>
<body>
  <p>Your account at the demo is ready.</p>
  <a id="email-link" href="{}">Open the demo</a>
</body>
</html>"#,
        app.url("/from-email")
    ))
    .await;
    with_browser("link_from_other_site_flashes", async |browser| {
        const THANKS: &str = "Thanks for following the link in your e-mail.";

        // First visit: the browser has no session cookie yet.
        browser.open(&mail.url()).await;
        browser.click_and_load("#email-link").await;
        assert_eq!(browser.url().await, app.url("/"));
        assert_eq!(browser.text(STATUS_FLASH).await, THANKS);
        browser.reload().await;
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "message shown twice"
        );

        // Second visit with a session that contains more than the message:
        // `SameSite=Lax` lets the browser send its cookie on this top-level
        // GET from another site, so the message lands in that session.
        browser.open(&app.url("/register")).await;
        let session_before = session_cookie_value(browser).await;
        let requests_before = app.requests().len();
        browser.open(&mail.url()).await;
        browser.click_and_load("#email-link").await;

        assert_eq!(browser.url().await, app.url("/"));
        assert_eq!(browser.text(STATUS_FLASH).await, THANKS);
        let visit = app.requests()[requests_before..].to_vec();
        let landing = find_request(&visit, "GET", "/from-email");
        assert!(
            landing.sent_session_cookie,
            "cookie not sent from the other site: {landing:?}"
        );
        assert_eq!(
            session_cookie_value(browser).await,
            session_before,
            "session replaced"
        );

        browser.reload().await;
        assert!(
            browser.find_all(STATUS_FLASH).await.is_empty(),
            "message shown twice"
        );
    })
    .await;
}

/// Rewrites `docs/register-errors.png`, the README's picture of the register
/// page after a failed submission.
#[tokio::test]
#[ignore = "rewrites docs/register-errors.png; run it with --ignored after changing the register page"]
async fn register_errors_screenshot() {
    let app = TestApp::start().await;
    with_browser("register_errors_screenshot", async |browser| {
        browser.set_viewport_size(1024, 768).await;
        browser.open(&app.url("/register")).await;
        browser.fill("#name", "Ada Lovelace").await;
        browser.fill("#email", "ada@example").await;
        browser.fill("#password", "short").await;
        browser.fill("#password_confirmation", "shorter").await;
        browser.click_and_load(REGISTER_BUTTON).await;
        assert_eq!(browser.texts("#email-errors li").await.len(), 1);

        let png = browser.screenshot().await;
        assert_eq!(png_size(&png), Some((1024, 768)));
        let path = workspace_dir().join("docs").join("register-errors.png");
        std::fs::create_dir_all(path.parent().expect("docs folder")).expect("create docs/");
        std::fs::write(&path, png).expect("write the screenshot");
        eprintln!("saved {}", path.display());
    })
    .await;
}

/// Fills the register form for `account`, accepts the terms and submits.
async fn register(browser: &Browser, app: &TestApp, account: &Account) {
    browser.open(&app.url("/register")).await;
    browser.fill("#name", account.name).await;
    browser.fill("#email", account.email).await;
    browser.fill("#password", account.password).await;
    browser
        .fill("#password_confirmation", account.password)
        .await;
    browser.click(TERMS_LABEL).await;
    browser.click_and_load(REGISTER_BUTTON).await;
    assert_eq!(browser.path().await, "/dashboard", "registration failed");
}

/// Asserts that the element `lower` starts below the bottom of `upper`.
async fn assert_below(browser: &Browser, lower: &str, upper: &str) {
    let (_, upper_top, _, upper_height) = browser.rectangle(upper).await;
    let (_, lower_top, _, _) = browser.rectangle(lower).await;
    let upper_bottom = upper_top + upper_height;
    assert!(
        lower_top >= upper_bottom,
        "`{lower}` starts at {lower_top}px, above the bottom of `{upper}` at {upper_bottom}px"
    );
}

/// Asserts the attributes the browser stored for the session cookie and
/// returns its value.
async fn assert_session_cookie_attributes(browser: &Browser) -> String {
    let cookies = browser.cookies().await;
    let cookie = cookies
        .iter()
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .unwrap_or_else(|| panic!("no {SESSION_COOKIE} cookie in {cookies:?}"));
    assert_eq!(cookie.http_only(), Some(true), "{cookie:?}");
    assert_eq!(cookie.same_site(), Some(SameSite::Lax), "{cookie:?}");
    assert_eq!(cookie.path(), Some("/"), "{cookie:?}");
    assert_ne!(
        cookie.secure(),
        Some(true),
        "Secure set on plain HTTP: {cookie:?}"
    );
    cookie.value().to_owned()
}

async fn session_cookie_value(browser: &Browser) -> String {
    browser
        .cookies()
        .await
        .iter()
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .unwrap_or_else(|| panic!("no {SESSION_COOKIE} cookie"))
}

/// Waits up to five seconds until the app has handled a request for
/// `path`, and returns the requests from index `first` on.
async fn wait_for_request(app: &TestApp, first: usize, path: &str) -> Vec<RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let requests = app.requests()[first..].to_vec();
        if requests.iter().any(|request| request.path == path) {
            return requests;
        }
        assert!(
            Instant::now() < deadline,
            "the browser did not request {path}: {requests:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Returns the first request in `requests` with `method` and `path`.
fn find_request<'a>(
    requests: &'a [RecordedRequest],
    method: &str,
    path: &str,
) -> &'a RecordedRequest {
    requests
        .iter()
        .find(|request| request.method == method && request.path == path)
        .unwrap_or_else(|| panic!("no {method} {path} in {requests:#?}"))
}

/// Returns the width and height stored in a PNG's header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    let header = png.get(16..24)?;
    let width = u32::from_be_bytes(header[..4].try_into().ok()?);
    let height = u32::from_be_bytes(header[4..].try_into().ok()?);
    Some((width, height))
}
