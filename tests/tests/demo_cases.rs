//! Field cases checked on the demo app: the 404 page next to pending flash
//! data, and an empty form field kept as old input.

use integration_tests::{field_errors, input_value, location, set_cookies, TestApp};

#[tokio::test]
async fn c09_not_found_keeps_pending_errors() {
    let app = TestApp::start().await;
    let client = app.client();
    let response = client.submit("/register", "/register", &[]).await;
    assert_eq!(response.status(), 303);

    let missing = client.get("/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert!(set_cookies(&missing).is_empty());
    let html = missing.text().await.expect("404 page");
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(html.contains(r#"<footer class="site-footer">"#), "{html}");

    let form = client.page("/register").await;
    assert_eq!(field_errors(&form, "name"), vec!["Enter your name."]);
}

#[tokio::test]
async fn c09_not_found_keeps_pending_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    let landing = client.get("/from-email").await;
    assert_eq!(landing.status(), 303);
    assert_eq!(location(&landing), "/");
    let notice = "Thanks for following the link in your e-mail.";

    let missing = client.get("/no-such-page").await;
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.expect("404 page");
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(!html.contains(notice), "404 page showed the flash: {html}");

    let home = client.page("/").await;
    assert!(home.contains(notice), "{home}");
    let again = client.page("/").await;
    assert!(!again.contains(notice), "flash shown twice");
}

#[tokio::test]
async fn c20_empty_name_kept_as_old_input() {
    let app = TestApp::start().await;
    let client = app.client();
    let fields = [("name", ""), ("email", "not-an-email")];
    let response = client.submit("/register", "/register", &fields).await;
    assert_eq!(response.status(), 303);
    let stored = app.stored_sessions_text();
    assert!(stored.contains(r#""name":"""#), "{stored}");

    let html = client.page("/register").await;
    assert_eq!(input_value(&html, "name").as_deref(), Some(""));
    assert_eq!(input_value(&html, "email").as_deref(), Some("not-an-email"));
    assert_eq!(field_errors(&html, "name"), vec!["Enter your name."]);
}
