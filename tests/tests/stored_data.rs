//! What the layer does with session files that are damaged, hold data of
//! the wrong shape or grow large, and how null values and empty input read
//! back.

mod support;

use std::collections::HashMap;

use integration_tests::{location, set_cookies};
use serde_json::{json, Value};
use support::{parse_id, snapshot, CaseApp};
use web_session::tower_sessions_core::session::Record;
use web_session::tower_sessions_core::SessionStore;
use web_session::CacheDriver;

/// Starts an app without the memory cache, so every request reads the
/// session file.
async fn app_reading_files() -> CaseApp {
    CaseApp::start_with(|config| config.cache = CacheDriver::Skip).await
}

/// Turns a session file's contents into damaged contents.
type Damage = fn(&[u8]) -> Vec<u8>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c17_damaged_file_starts_fresh() {
    let app = app_reading_files().await;
    let cases: [(&str, Damage); 3] = [
        ("cut off mid-way", |bytes| bytes[..bytes.len() / 2].to_vec()),
        ("empty", |_| Vec::new()),
        ("one byte", |bytes| bytes[..1].to_vec()),
    ];
    for (name, damage) in cases {
        let client = app.client();
        client.text("/put?key=user&value=ada").await;
        let old_pair = client.session_cookie().expect("put starts a session");
        let id = client.session_id().await.expect("session is stored");
        let path = app.session_path(&id);
        let full = std::fs::read(&path).expect("read session file");
        std::fs::write(&path, damage(&full)).expect("damage session file");

        let read = client.get("/get?key=user").await;
        assert_eq!(read.status(), 200, "{name}");
        assert!(set_cookies(&read).is_empty(), "{name}");
        assert_eq!(read.text().await.expect("body"), "missing", "{name}");

        let write = client.get("/put?key=user&value=grace").await;
        assert_eq!(write.status(), 200, "{name}");
        let new_pair = client.session_cookie().expect("put starts a new session");
        assert_ne!(new_pair, old_pair, "{name}");
        assert_eq!(client.text("/get?key=user").await, r#""grace""#, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c17_abandoned_temp_file_ignored() {
    let app = app_reading_files().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");
    let full = std::fs::read(app.session_path(&id)).expect("read session file");

    // NOTE: a write cannot be made to fail half-way from outside the store
    // (the tests run as root, so permissions do not stop it). This leaves
    // what a process killed mid-write leaves: a partial temporary file next
    // to the session file, never renamed over it.
    let partial = app
        .sessions_folder()
        .join(format!(".tmp-{id}-00000000deadbeef"));
    std::fs::write(&partial, &full[..full.len() / 2]).expect("write partial file");

    assert_eq!(client.text("/get?key=user").await, r#""ada""#);
    assert_eq!(app.session_files(), vec![id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c18_wrong_shapes_read_as_missing() {
    let app = app_reading_files().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");

    // Data that an older version of an app could have stored.
    let data: HashMap<String, Value> = HashMap::from([
        ("user".to_owned(), json!("ada")),
        ("status".to_owned(), json!("Saved")),
        ("_flash.old".to_owned(), json!("status")),
        ("_flash.new".to_owned(), json!({"status": true})),
        ("_errors".to_owned(), json!(5)),
        ("_old_input".to_owned(), json!(["name", "Ada"])),
        ("_lifetime".to_owned(), json!("forever")),
        ("count".to_owned(), json!("twelve")),
    ]);
    let record = Record {
        id: parse_id(&id),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    app.file_store().save(&record).await.expect("save record");

    for visit in ["first", "second"] {
        let response = client.get("/page").await;
        assert_eq!(response.status(), 200, "{visit} visit");
        let page: Value = response.json().await.expect("JSON body");
        assert_eq!(page["visible_flash"], json!({}), "{visit} visit");
        assert_eq!(page["old_input"], json!({}), "{visit} visit");
        assert_eq!(page["errors"], json!({}), "{visit} visit");
        assert_eq!(page["name"], "default", "{visit} visit");
        let count = page["count"].as_str().unwrap_or_default();
        assert!(
            count.starts_with("typed read failed"),
            "{visit} visit: {count}"
        );
        assert!(count.contains("`count`"), "{visit} visit: {count}");
    }
    assert_eq!(client.text("/get?key=user").await, r#""ada""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c19_large_old_input_intact() {
    let app = CaseApp::start().await;
    let client = app.client();
    let text: String = (0..200 * 1024)
        .map(|index| char::from(b'a' + (index % 26) as u8))
        .collect();

    let response = client
        .post_form("/input", &[("body", text.as_str()), ("name", "Ada")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/old");
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(
        cookies[0].len() < 300,
        "Set-Cookie is {} bytes",
        cookies[0].len()
    );

    let old = client.json("/old?field=body").await;
    let returned = old.as_str().unwrap_or_default();
    assert_eq!(returned.len(), text.len());
    assert!(returned == text, "old input came back changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c19_size_limit_gives_clear_error() {
    let app = CaseApp::start_with(|config| config.max_bytes = 1000).await;
    let client = app.client();
    client.text("/put?key=small&value=ok").await;
    let id = client.session_id().await.expect("session is stored");
    let before = snapshot(&app.session_path(&id));

    let big = "x".repeat(2000);
    let size = serde_json::to_vec(&json!({"small": "ok", "big": big}))
        .expect("serialize")
        .len();
    let response = client.get(&format!("/put?key=big&value={big}")).await;
    assert_eq!(response.status(), 500);
    assert!(set_cookies(&response).is_empty());
    let message = response.text().await.expect("body");
    assert!(message.contains(&format!("{size} bytes")), "{message}");
    assert!(message.contains("maximum of 1000 bytes"), "{message}");

    assert_eq!(snapshot(&app.session_path(&id)), before);
    assert_eq!(client.text("/get?key=big").await, "missing");
    assert_eq!(client.text("/get?key=small").await, r#""ok""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c19_oversized_new_session_not_dropped() {
    let app = CaseApp::start_with(|config| config.max_bytes = 1000).await;
    let client = app.client();

    let big = "x".repeat(2000);
    let response = client.get(&format!("/put?key=big&value={big}")).await;
    assert_eq!(response.status(), 500);
    let message = response.text().await.expect("body");
    assert!(message.contains("maximum of 1000 bytes"), "{message}");
    assert!(app.session_files().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c20_null_exists_but_not_has() {
    let app = CaseApp::start().await;
    let client = app.client();
    assert_eq!(
        client.text("/probe?key=nick").await,
        "exists=false has=false"
    );

    client.text("/put_null?key=nick").await;
    assert_eq!(app.session_files().len(), 1);
    assert_eq!(
        client.text("/probe?key=nick").await,
        "exists=true has=false"
    );
    assert_eq!(client.text("/get?key=nick").await, "null");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c20_empty_string_is_old_input() {
    let app = CaseApp::start().await;
    let client = app.client();

    let response = client
        .post_form("/input", &[("nick", ""), ("name", "Ada")])
        .await;
    assert_eq!(response.status(), 303);

    let nick = client.json("/old?field=nick").await;
    assert_eq!(nick, json!(""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c20_missing_field_is_no_old_input() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.post_form("/input", &[("name", "Ada")]).await;

    let nick = client.json("/old?field=nick").await;
    assert_eq!(nick, Value::Null);
}
