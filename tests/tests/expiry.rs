//! Idle expiry with the layer's clock moved forward, expiry enforced on
//! load, and sweeps of expired session files.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use integration_tests::set_cookies;
use serde_json::json;
use support::{cookie_attribute, parse_id, shift_modified, CaseApp};
use time::OffsetDateTime;
use web_session::tower_sessions_core::session::{Id, Record};
use web_session::tower_sessions_core::SessionStore;
use web_session::{CacheDriver, FileStore};

const TEN_MINUTES: Duration = Duration::from_secs(600);

async fn app_with_ten_minute_lifetime() -> CaseApp {
    CaseApp::start_with(|config| config.lifetime = TEN_MINUTES).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c15_reads_keep_session_alive() {
    let app = app_with_ten_minute_lifetime().await;
    let reader = app.client();
    reader.text("/put?key=user&value=ada").await;
    let reader_id = reader.session_id().await.expect("session is stored");
    let idle = app.client();
    idle.text("/put?key=user&value=grace").await;
    let idle_id = idle.session_id().await.expect("session is stored");

    for minute in [6, 12, 18] {
        app.clock.advance_minutes(6);
        let response = reader.get("/get?key=user").await;
        assert_eq!(response.status(), 200, "minute {minute}");
        let lines = set_cookies(&response);
        assert_eq!(lines.len(), 1, "minute {minute}: {lines:?}");
        let max_age = cookie_attribute(&lines[0], "Max-Age");
        assert_eq!(max_age.as_deref(), Some("600"), "minute {minute}");
        let body = response.text().await.expect("body");
        assert_eq!(body, r#""ada""#, "signed out at minute {minute}");
    }

    app.clock.advance_minutes(1);
    let report = app.sweep_at_clock().await;
    assert_eq!(report.removed, 1, "sweep at minute 19: {report:?}");
    assert!(
        app.session_path(&reader_id).exists(),
        "sweep at minute 19 removed the active session"
    );
    assert!(
        !app.session_path(&idle_id).exists(),
        "sweep at minute 19 kept the idle session"
    );

    // The last read, at minute 18, moved the expiry to minute 28.
    app.clock.advance_minutes(10);
    assert_eq!(reader.text("/get?key=user").await, "missing");
    let report = app.sweep_at_clock().await;
    assert_eq!(report.removed, 1, "sweep at minute 29: {report:?}");
    assert!(app.session_files().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c16_expired_session_rejected_before_sweep() {
    let app = app_with_ten_minute_lifetime().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");

    app.clock.advance_minutes(11);
    let response = client.get("/get?key=user").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.expect("body"), "missing");
    assert!(app.session_path(&id).exists(), "no sweep ran yet");

    // A write after expiry starts a new session instead of reviving it.
    client.text("/put?key=cart&value=1").await;
    assert_eq!(client.text("/get?key=user").await, "missing");
    let new_id = client.session_id().await.expect("session is stored");
    assert_ne!(new_id, id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c16_expired_file_rejected_without_cache() {
    let app = CaseApp::start_with(|config| config.cache = CacheDriver::Skip).await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");

    let expired = Record {
        id: parse_id(&id),
        data: HashMap::from([("user".to_owned(), json!("ada"))]),
        expiry_date: OffsetDateTime::now_utc() - time::Duration::minutes(1),
    };
    app.file_store().save(&expired).await.expect("save record");
    assert!(app.session_path(&id).exists());

    assert_eq!(client.text("/get?key=user").await, "missing");
}

/// Stores `count` records that expired a minute ago, as a store would hold
/// them after their users left.
async fn store_expired_records(store: &FileStore, count: usize) {
    for _ in 0..count {
        let record = Record {
            id: Id::default(),
            data: HashMap::from([("user".to_owned(), json!("gone"))]),
            expiry_date: OffsetDateTime::now_utc() - time::Duration::minutes(1),
        };
        store.save(&record).await.expect("save record");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c16_concurrent_sweeps_both_succeed() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");
    let store = app.file_store();
    store_expired_records(&store, 60).await;

    let (first, second) = tokio::join!(store.sweep(), store.sweep());
    let first = first.expect("first sweep");
    let second = second.expect("second sweep");
    assert_eq!(first.removed + second.removed, 60);
    assert_eq!(app.session_files(), vec![id]);
    assert_eq!(client.text("/get?key=user").await, r#""ada""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c16_sweep_keeps_session_extended_meanwhile() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");
    let path = app.session_path(&id);
    let store = app.file_store();

    // Each round backdates the session file's modification time, which the
    // sweep reads as the expiry, while the memory cache still serves the
    // live record. A request then writes the session while a sweep walks a
    // folder of expired files. Whichever order the two take, the session
    // must survive with the new key. The interleaving is not controlled, so
    // the rounds give the write many chances to land mid-sweep.
    // NOTE: a save that lands between the sweep's check of this file and its
    // move aside needs a window of microseconds, which these rounds rarely
    // hit. The file store's unit test `sweep_puts_back_extended_session`
    // covers that step directly.
    for round in 0..20 {
        shift_modified(&path, |modified| modified - Duration::from_secs(3 * 3600));
        store_expired_records(&store, 50).await;

        let path_and_query = format!("/put?key=round{round}&value={round}");
        let (sweep, write) = tokio::join!(store.sweep(), client.get(&path_and_query));
        sweep.expect("sweep");
        assert_eq!(write.status(), 200, "round {round}");

        let stored = store
            .load(&parse_id(&id))
            .await
            .expect("load from the file store");
        let data = stored.map(|record| record.data).unwrap_or_default();
        assert_eq!(
            data.get(&format!("round{round}")),
            Some(&json!(round.to_string())),
            "round {round}: the sweep removed a session written meanwhile"
        );
    }
}
