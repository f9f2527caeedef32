//! The guestbook over real TCP: validation errors and old input flashed
//! across the redirect, the success message shown once, entries listed and
//! escaped, and a form sent twice adding one entry.

use integration_tests::{
    csrf_token_in, field_errors, flash_messages, input_value, location, textarea_value, TestApp,
    TestClient,
};

const THANKS_ADA: &str = "Thanks, Ada! Your message is in the guestbook.";
const ALREADY_POSTED: &str = "Your message was already posted; it is listed once below.";

/// The hidden fields of one rendering of the guestbook form.
struct OpenForm {
    token: String,
    submission: String,
}

/// Opens the guestbook page and reads the form's CSRF token and
/// submission id.
async fn open_form(client: &TestClient) -> OpenForm {
    let html = client.page("/guestbook").await;
    OpenForm {
        token: csrf_token_in(&html).expect("guestbook form carries a CSRF token"),
        submission: input_value(&html, "submission").expect("guestbook form has a submission id"),
    }
}

/// Sends the guestbook form once with `name` and `message`.
async fn send(
    client: &TestClient,
    form: &OpenForm,
    name: &str,
    message: &str,
) -> reqwest::Response {
    let fields = [
        ("name", name),
        ("message", message),
        ("submission", form.submission.as_str()),
    ];
    client
        .post_with_token("/guestbook", &form.token, &fields)
        .await
}

/// Opens the form, sends it and checks the redirect back to the guestbook.
async fn post_entry(client: &TestClient, name: &str, message: &str) {
    let form = open_form(client).await;
    let response = send(client, &form, name, message).await;
    assert_eq!(response.status(), 303, "posting {name:?}");
    assert_eq!(location(&response), "/guestbook", "posting {name:?}");
}

/// Counts the entries listed on a guestbook page.
fn entry_count(html: &str) -> usize {
    html.matches(r#"<li class="entry">"#).count()
}

/// Returns the entries of the JSON API.
async fn api_entries(client: &TestClient) -> Vec<serde_json::Value> {
    let body: serde_json::Value = client
        .get("/api/guestbook")
        .await
        .json()
        .await
        .expect("JSON body");
    body["entries"].as_array().expect("entries array").clone()
}

#[tokio::test]
async fn guestbook_empty_at_start() {
    let app = TestApp::start().await;

    let html = app.client().page("/guestbook").await;

    assert!(html.contains("<h1>Guestbook</h1>"));
    assert!(html.contains("No entries yet. Be the first."));
    assert_eq!(input_value(&html, "name").as_deref(), Some(""));
    assert_eq!(textarea_value(&html, "message").as_deref(), Some(""));
    let submission = input_value(&html, "submission").expect("submission id");
    assert!(!submission.is_empty());
}

#[tokio::test]
async fn each_rendering_gets_new_submission_id() {
    let app = TestApp::start().await;
    let client = app.client();

    let first = open_form(&client).await;
    let second = open_form(&client).await;

    assert_ne!(first.submission, second.submission);
    assert_eq!(first.token, second.token);
}

#[tokio::test]
async fn entry_posted_and_listed() {
    let app = TestApp::start().await;
    let client = app.client();

    post_entry(&client, "Ada", "Hello from the engine room").await;

    let html = client.page("/guestbook").await;
    assert_eq!(flash_messages(&html), vec![THANKS_ADA]);
    assert_eq!(entry_count(&html), 1);
    assert!(html.contains(r#"<p class="entry-message">Hello from the engine room</p>"#));
    assert!(html.contains(r#"<p class="entry-name">— Ada</p>"#));
    assert!(!html.contains("No entries yet."));
    assert_eq!(input_value(&html, "name").as_deref(), Some(""));
}

#[tokio::test]
async fn success_flash_shown_once() {
    let app = TestApp::start().await;
    let client = app.client();
    post_entry(&client, "Ada", "Hello").await;
    client.page("/guestbook").await;

    let again = client.page("/guestbook").await;

    assert!(flash_messages(&again).is_empty(), "flash shown twice");
    assert_eq!(entry_count(&again), 1);
}

#[tokio::test]
async fn fields_trimmed_before_storing() {
    let app = TestApp::start().await;
    let client = app.client();

    post_entry(&client, "  Ada  ", "\n Hello \n").await;

    let entries = api_entries(&client).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["name"], "Ada");
    assert_eq!(entries[0]["message"], "Hello");
}

#[tokio::test]
async fn entries_listed_newest_first() {
    let app = TestApp::start().await;
    let client = app.client();
    post_entry(&client, "Ada", "first message").await;
    post_entry(&client, "Grace", "second message").await;

    let html = client.page("/guestbook").await;

    assert_eq!(entry_count(&html), 2);
    let first = html.find("first message").expect("first entry listed");
    let second = html.find("second message").expect("second entry listed");
    assert!(second < first, "older entry listed first");
}

#[tokio::test]
async fn empty_fields_flagged() {
    let app = TestApp::start().await;
    let client = app.client();

    post_entry(&client, "", "").await;

    let html = client.page("/guestbook").await;
    assert_eq!(field_errors(&html, "name"), vec!["Enter your name."]);
    assert_eq!(field_errors(&html, "message"), vec!["Write a message."]);
    assert!(html.contains("No entries yet."));
    let again = client.page("/guestbook").await;
    assert!(
        field_errors(&again, "name").is_empty(),
        "errors shown twice"
    );
    assert!(
        field_errors(&again, "message").is_empty(),
        "errors shown twice"
    );
}

#[tokio::test]
async fn blank_name_flagged() {
    let app = TestApp::start().await;
    let client = app.client();

    post_entry(&client, "   ", "Hello").await;

    let html = client.page("/guestbook").await;
    assert_eq!(field_errors(&html, "name"), vec!["Enter your name."]);
    assert!(field_errors(&html, "message").is_empty());
    assert_eq!(textarea_value(&html, "message").as_deref(), Some("Hello"));
}

#[tokio::test]
async fn name_over_50_chars_flagged() {
    let app = TestApp::start().await;
    let client = app.client();
    let name = "n".repeat(51);

    post_entry(&client, &name, "Hello").await;

    let html = client.page("/guestbook").await;
    assert_eq!(
        field_errors(&html, "name"),
        vec!["Use at most 50 characters."]
    );
    assert_eq!(input_value(&html, "name"), Some(name));
    assert_eq!(textarea_value(&html, "message").as_deref(), Some("Hello"));
    assert!(api_entries(&client).await.is_empty());
}

#[tokio::test]
async fn name_of_50_chars_accepted() {
    let app = TestApp::start().await;
    let client = app.client();
    // 50 characters but 100 bytes: the limit counts characters.
    let name = "é".repeat(50);

    post_entry(&client, &name, "Hello").await;

    let html = client.page("/guestbook").await;
    assert!(field_errors(&html, "name").is_empty());
    let entries = api_entries(&client).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["name"], name.as_str());
}

#[tokio::test]
async fn message_over_500_chars_flagged() {
    let app = TestApp::start().await;
    let client = app.client();
    let message = "m".repeat(501);

    post_entry(&client, "Ada", &message).await;

    let html = client.page("/guestbook").await;
    assert_eq!(
        field_errors(&html, "message"),
        vec!["Use at most 500 characters; this one has 501."]
    );
    assert_eq!(textarea_value(&html, "message"), Some(message));
    assert_eq!(input_value(&html, "name").as_deref(), Some("Ada"));
    assert!(api_entries(&client).await.is_empty());
}

#[tokio::test]
async fn message_of_500_chars_accepted() {
    let app = TestApp::start().await;
    let client = app.client();
    let message = "m".repeat(500);

    post_entry(&client, "Ada", &message).await;

    let html = client.page("/guestbook").await;
    assert!(field_errors(&html, "message").is_empty());
    assert_eq!(flash_messages(&html), vec![THANKS_ADA]);
    assert_eq!(api_entries(&client).await.len(), 1);
}

#[tokio::test]
async fn missing_submission_id_flagged() {
    let app = TestApp::start().await;
    let client = app.client();
    let form = open_form(&client).await;

    let fields = [("name", "Ada"), ("message", "Hello")];
    let response = client
        .post_with_token("/guestbook", &form.token, &fields)
        .await;
    assert_eq!(response.status(), 303);

    let html = client.page("/guestbook").await;
    assert_eq!(
        field_errors(&html, "message"),
        vec!["The form is incomplete; reload the page."]
    );
    assert!(api_entries(&client).await.is_empty());
}

#[tokio::test]
async fn markup_in_entry_escaped() {
    let app = TestApp::start().await;
    let client = app.client();

    post_entry(
        &client,
        "<b>Mallory</b>",
        r#"<script>alert("owned")</script>"#,
    )
    .await;

    let html = client.page("/guestbook").await;
    assert!(!html.contains("<script>"), "script tag rendered");
    assert!(!html.contains("<b>Mallory"), "name markup rendered");
    assert!(html.contains("&lt;script&gt;alert(&quot;owned&quot;)&lt;&#x2f;script&gt;"));
    assert!(html.contains("— &lt;b&gt;Mallory&lt;&#x2f;b&gt;"));
    assert_eq!(
        flash_messages(&html),
        vec!["Thanks, <b>Mallory</b>! Your message is in the guestbook."]
    );
    let entries = api_entries(&client).await;
    assert_eq!(entries[0]["message"], r#"<script>alert("owned")</script>"#);
}

#[tokio::test]
async fn markup_in_old_input_escaped() {
    let app = TestApp::start().await;
    let client = app.client();
    let message = format!("</textarea><script>x()</script>{}", "m".repeat(500));

    post_entry(&client, "\"><script>y()</script>", &message).await;

    let html = client.page("/guestbook").await;
    assert!(!html.contains("<script>"), "old input rendered as markup");
    assert_eq!(
        input_value(&html, "name").as_deref(),
        Some("&quot;&gt;&lt;script&gt;y()&lt;&#x2f;script&gt;")
    );
    assert_eq!(textarea_value(&html, "message"), Some(message));
}

#[tokio::test]
async fn forged_token_rejected() {
    let app = TestApp::start().await;
    let client = app.client();
    let mut form = open_form(&client).await;
    form.token = "forged".to_owned();

    let response = send(&client, &form, "Ada", "Hello").await;

    assert_eq!(response.status(), 303);
    assert!(api_entries(&client).await.is_empty());
}

#[tokio::test]
async fn resent_form_gets_friendly_message() {
    let app = TestApp::start().await;
    let client = app.client();
    let form = open_form(&client).await;
    send(&client, &form, "Ada", "Hello").await;
    client.page("/guestbook").await;

    let again = send(&client, &form, "Ada", "Hello").await;

    assert_eq!(again.status(), 303);
    assert_eq!(location(&again), "/guestbook");
    let html = client.page("/guestbook").await;
    assert_eq!(flash_messages(&html), vec![ALREADY_POSTED]);
    assert_eq!(entry_count(&html), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_submit_creates_one_entry() {
    let app = TestApp::start().await;
    let client = app.client();
    let form = open_form(&client).await;

    let (first, second) = tokio::join!(
        send(&client, &form, "Ada", "Hello"),
        send(&client, &form, "Ada", "Hello")
    );

    for response in [&first, &second] {
        assert_eq!(response.status(), 303);
        assert_eq!(location(response), "/guestbook");
    }
    let html = client.page("/guestbook").await;
    assert_eq!(entry_count(&html), 1);
    let messages = flash_messages(&html);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0] == THANKS_ADA || messages[0] == ALREADY_POSTED,
        "{messages:?}"
    );
    assert_eq!(api_entries(&client).await.len(), 1);
}

#[tokio::test]
async fn other_visitor_sees_entry_not_flash() {
    let app = TestApp::start().await;
    post_entry(&app.client(), "Ada", "Hello").await;

    let other = app.client();
    let html = other.page("/guestbook").await;

    assert_eq!(entry_count(&html), 1);
    assert!(
        flash_messages(&html).is_empty(),
        "flash leaked to another visitor"
    );
}
