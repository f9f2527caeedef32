//! The session playground over real TCP: every call's form, the `reflash`
//! and `keep` links, and what each call leaves in the session.

use integration_tests::{csrf_token_in, element_text, location, TestApp, TestClient};

/// Returns the keys of the "Flash keys visible now" line of a playground or
/// session page.
fn visible_flash_keys(html: &str) -> Vec<String> {
    let text = element_text(html, "visible-flash").expect("page lists visible flash keys");
    if text == "none" {
        return Vec::new();
    }
    text.split(", ").map(str::to_owned).collect()
}

/// Returns the playground's result line, if the page shows one.
fn result_line(html: &str) -> Option<String> {
    element_text(html, "result")
}

/// Posts one playground call with the token from `html` and checks the
/// redirect back to the playground.
async fn post_call(client: &TestClient, html: &str, action: &str, key: &str, value: &str) {
    let token = csrf_token_in(html).expect("playground carries a CSRF token");
    let fields = [("action", action), ("key", key), ("value", value)];
    let response = client.post_with_token("/playground", &token, &fields).await;
    assert_eq!(response.status(), 303, "{action}({key}, {value})");
    assert_eq!(
        location(&response),
        "/playground",
        "{action}({key}, {value})"
    );
}

/// Opens the playground, runs one call and returns the result line of the
/// page it redirects to.
async fn run(client: &TestClient, action: &str, key: &str, value: &str) -> String {
    let html = client.page("/playground").await;
    post_call(client, &html, action, key, value).await;
    let after = client.page("/playground").await;
    result_line(&after).unwrap_or_else(|| panic!("no result line after {action}: {after}"))
}

#[tokio::test]
async fn playground_offers_every_call() {
    let app = TestApp::start().await;

    let html = app.client().page("/playground").await;

    assert!(html.contains("<h1>Session playground</h1>"));
    for action in [
        "put",
        "get",
        "pull",
        "get_or_create",
        "has",
        "exists",
        "forget",
        "flash",
        "now",
        "regenerate",
        "invalidate",
    ] {
        let field = format!(r#"<input type="hidden" name="action" value="{action}">"#);
        assert!(html.contains(&field), "no form for {action}");
    }
    assert!(html.contains(r#"href="/playground?reflash=1""#));
    assert!(html.contains(r#"<input name="keep""#));
}

#[tokio::test]
async fn put_then_get_returns_value() {
    let app = TestApp::start().await;
    let client = app.client();

    let put = run(&client, "put", "color", "blue").await;
    let get = run(&client, "get", "color", "").await;

    assert_eq!(put, r#"put('color', "blue") stored the value."#);
    assert_eq!(get, r#"get('color') returned "blue"."#);
    let html = client.page("/session").await;
    assert!(html.contains("<code>color</code></td><td><pre>&quot;blue&quot;</pre>"));
}

#[tokio::test]
async fn json_value_stored_as_json() {
    let app = TestApp::start().await;
    let client = app.client();

    run(&client, "put", "settings", r#"{"size": 42}"#).await;
    let get = run(&client, "get", "settings", "").await;

    assert_eq!(get, r#"get('settings') returned {"size":42}."#);
}

#[tokio::test]
async fn get_missing_returns_nothing() {
    let app = TestApp::start().await;

    let get = run(&app.client(), "get", "missing", "").await;

    assert_eq!(get, "get('missing') returned nothing.");
}

#[tokio::test]
async fn pull_removes_key() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "color", "blue").await;

    let pull = run(&client, "pull", "color", "").await;
    let get = run(&client, "get", "color", "").await;

    assert_eq!(pull, r#"pull('color') returned "blue" and removed it."#);
    assert_eq!(get, "get('color') returned nothing.");
}

#[tokio::test]
async fn get_or_create_keeps_first_value() {
    let app = TestApp::start().await;
    let client = app.client();

    let first_call = run(&client, "get_or_create", "visits", "1").await;
    let second_call = run(&client, "get_or_create", "visits", "2").await;

    assert_eq!(first_call, "get_or_create('visits', 1) returned 1.");
    assert_eq!(second_call, "get_or_create('visits', 2) returned 1.");
}

#[tokio::test]
async fn null_value_exists_but_not_has() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "nothing", "null").await;

    let has = run(&client, "has", "nothing", "").await;
    let exists = run(&client, "exists", "nothing", "").await;

    assert_eq!(has, "has('nothing') is false.");
    assert_eq!(exists, "exists('nothing') is true.");
}

#[tokio::test]
async fn missing_key_neither_exists_nor_has() {
    let app = TestApp::start().await;
    let client = app.client();

    let has = run(&client, "has", "missing", "").await;
    let exists = run(&client, "exists", "missing", "").await;

    assert_eq!(has, "has('missing') is false.");
    assert_eq!(exists, "exists('missing') is false.");
}

#[tokio::test]
async fn stored_value_has_and_exists() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "color", "blue").await;

    let has = run(&client, "has", "color", "").await;
    let exists = run(&client, "exists", "color", "").await;

    assert_eq!(has, "has('color') is true.");
    assert_eq!(exists, "exists('color') is true.");
}

#[tokio::test]
async fn forget_removes_key() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "color", "blue").await;

    let forget = run(&client, "forget", "color", "").await;
    let get = run(&client, "get", "color", "").await;

    assert_eq!(forget, "forget(['color']) removed the key.");
    assert_eq!(get, "get('color') returned nothing.");
}

#[tokio::test]
async fn flash_visible_on_next_request_only() {
    let app = TestApp::start().await;
    let client = app.client();

    let result = run(&client, "flash", "note", "hello").await;
    assert_eq!(
        result,
        r#"flash('note', "hello"): visible on the next request, then gone."#
    );

    // `run` already made the one request that shows the flash.
    let after = client.page("/playground").await;
    assert!(visible_flash_keys(&after).is_empty(), "{after}");
    assert!(!after.contains("<code>note</code>"), "flash item kept");
}

#[tokio::test]
async fn flashed_value_listed_on_next_page() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let next_page = client.page("/playground").await;

    let mut keys = visible_flash_keys(&next_page);
    keys.sort();
    assert_eq!(keys, vec!["note", "result"]);
    assert!(next_page.contains("<li><code>note</code>: hello</li>"));
}

#[tokio::test]
async fn now_visible_on_this_page_only() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    let token = csrf_token_in(&html).expect("token");

    let fields = [("action", "now"), ("key", "tip"), ("value", "hi")];
    let response = client.post_with_token("/playground", &token, &fields).await;

    assert_eq!(response.status(), 200, "now() renders the page directly");
    let page = response.text().await.expect("body");
    assert_eq!(
        element_text(&page, "notice").as_deref(),
        Some(r#"now('tip', "hi"): visible on this page only; reload and it is gone."#)
    );
    assert!(visible_flash_keys(&page).contains(&"tip".to_owned()));
    assert!(page.contains("<li><code>tip</code>: hi</li>"));
    let reloaded = client.page("/playground").await;
    assert!(visible_flash_keys(&reloaded).is_empty());
    let get = run(&client, "get", "tip", "").await;
    assert_eq!(get, "get('tip') returned nothing.");
}

#[tokio::test]
async fn regenerate_changes_id_keeps_data() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "color", "blue").await;
    let before = client.session_cookie().expect("put starts a session");

    let result = run(&client, "regenerate", "", "").await;

    assert_eq!(
        result,
        "regenerate(): the session has a new id, with its data kept."
    );
    let after = client.session_cookie().expect("cookie after regenerate");
    assert_ne!(before, after);
    let get = run(&client, "get", "color", "").await;
    assert_eq!(get, r#"get('color') returned "blue"."#);
    let stale = app.client();
    stale.set_session_cookie(&before);
    let html = stale.page("/session").await;
    assert!(html.contains("The session is empty."), "old id still loads");
}

#[tokio::test]
async fn invalidate_removes_everything() {
    let app = TestApp::start().await;
    let client = app.client();
    run(&client, "put", "color", "blue").await;
    let before = client.session_cookie().expect("put starts a session");

    let result = run(&client, "invalidate", "", "").await;

    assert_eq!(
        result,
        "invalidate(): all data removed; the old id no longer loads."
    );
    let after = client.session_cookie().expect("cookie after invalidate");
    assert_ne!(before, after);
    let get = run(&client, "get", "color", "").await;
    assert_eq!(get, "get('color') returned nothing.");
    let stale = app.client();
    stale.set_session_cookie(&before);
    let html = stale.page("/session").await;
    assert!(html.contains("The session is empty."), "old id still loads");
}

#[tokio::test]
async fn reserved_key_rejected() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    let token = csrf_token_in(&html).expect("token");

    let result = run(&client, "put", "_token", "chosen-by-visitor").await;

    assert_eq!(
        result,
        "Keys that start with _ are reserved for the library."
    );
    let page = client.page("/playground").await;
    assert_eq!(csrf_token_in(&page), Some(token), "token overwritten");
}

#[tokio::test]
async fn unknown_action_reported() {
    let app = TestApp::start().await;

    let result = run(&app.client(), "explode", "key", "").await;

    assert_eq!(result, "Unknown call 'explode'.");
}

#[tokio::test]
async fn reflash_keeps_flash_one_more_request() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let reflashed = client.page("/playground?reflash=1").await;
    assert_eq!(
        element_text(&reflashed, "notice").as_deref(),
        Some("reflash(): every visible flash item stays for one more request.")
    );

    let next = client.page("/playground").await;
    assert!(visible_flash_keys(&next).contains(&"note".to_owned()));
    assert!(next.contains("<li><code>note</code>: hello</li>"));
    let last = client.page("/playground").await;
    assert!(visible_flash_keys(&last).is_empty(), "{last}");
}

#[tokio::test]
async fn reflash_page_still_shows_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let reflashed = client.page("/playground?reflash=1").await;

    assert!(
        visible_flash_keys(&reflashed).contains(&"note".to_owned()),
        "reflash() hid the flash data of this request"
    );
    assert!(reflashed.contains("<li><code>note</code>: hello</li>"));
    assert!(result_line(&reflashed).is_some(), "result line hidden");
}

#[tokio::test]
async fn keep_page_still_shows_flash() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let keep_page = client.page("/playground?keep=note").await;

    assert!(
        visible_flash_keys(&keep_page).contains(&"note".to_owned()),
        "keep() hid the flash item on this request"
    );
    assert!(keep_page.contains("<li><code>note</code>: hello</li>"));
}

#[tokio::test]
async fn reflash_carries_flash_to_other_page() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;
    client.page("/playground?reflash=1").await;

    let session = client.page("/session").await;

    assert!(visible_flash_keys(&session).contains(&"note".to_owned()));
    let after = client.page("/session").await;
    assert!(visible_flash_keys(&after).is_empty());
}

#[tokio::test]
async fn without_reflash_flash_gone() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let first = client.page("/playground").await;
    let second = client.page("/playground").await;

    assert!(visible_flash_keys(&first).contains(&"note".to_owned()));
    assert!(visible_flash_keys(&second).is_empty(), "{second}");
}

#[tokio::test]
async fn keep_holds_one_key() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let keep_page = client.page("/playground?keep=note").await;
    assert_eq!(
        element_text(&keep_page, "notice").as_deref(),
        Some("keep(['note']): this item stays for one more request.")
    );

    let next = client.page("/playground").await;
    assert_eq!(visible_flash_keys(&next), vec!["note"]);
    let last = client.page("/playground").await;
    assert!(visible_flash_keys(&last).is_empty());
}

#[tokio::test]
async fn pending_flash_listed() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    let reflashed = client.page("/playground?reflash=1").await;

    let pending = element_text(&reflashed, "pending-flash").expect("pending list");
    let mut keys: Vec<&str> = pending.split(", ").collect();
    keys.sort_unstable();
    assert_eq!(keys, vec!["note", "result"]);
}

#[tokio::test]
async fn flash_read_by_redirecting_call_consumed() {
    let app = TestApp::start().await;
    let client = app.client();
    let html = client.page("/playground").await;
    post_call(&client, &html, "flash", "note", "hello").await;

    // This request reads the flashed value and responds with a redirect.
    post_call(&client, &html, "get", "note", "").await;

    let after = client.page("/playground").await;
    assert_eq!(
        result_line(&after).as_deref(),
        Some(r#"get('note') returned "hello"."#)
    );
    assert!(!visible_flash_keys(&after).contains(&"note".to_owned()));
    assert!(!after.contains("<code>note</code>"));
    let get = run(&client, "get", "note", "").await;
    assert_eq!(get, "get('note') returned nothing.");
}
