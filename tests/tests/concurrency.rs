//! Concurrent requests of one session: writers of different keys, a slow
//! reader next to a writer, and random interleavings of put, forget,
//! flash, page view and logout requests.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use integration_tests::set_cookies;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Client;
use serde_json::{json, Value};
use support::{cookie_pair, is_removal, parse_id, snapshot, within, CaseApp, CaseClient};
use tokio::task::JoinSet;
use web_session::tower_sessions_core::SessionStore;

/// Returns the data that the file store contains for the session `id`.
async fn stored_data(app: &CaseApp, id: &str) -> BTreeMap<String, Value> {
    let record = app
        .file_store()
        .load(&parse_id(id))
        .await
        .expect("load from the file store")
        .expect("session is stored");
    record.data.into_iter().collect()
}

/// Sends two gated requests at once. Each passes the writers' barrier only
/// after both have loaded the session.
async fn send_gated_pair(client: &CaseClient, first: &str, second: &str) {
    let (first_response, second_response) = within("two gated requests", async {
        tokio::join!(client.get(first), client.get(second))
    })
    .await;
    assert_eq!(first_response.status(), 200, "GET {first}");
    assert_eq!(second_response.status(), 200, "GET {second}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c10_concurrent_writers_keep_both_keys() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=seed&value=1").await;
    let id = client.session_id().await.expect("session is stored");

    send_gated_pair(
        &client,
        "/gated_put?key=theme&value=dark",
        "/gated_put?key=cart&value=3",
    )
    .await;

    let stored = stored_data(&app, &id).await;
    assert_eq!(stored.get("theme"), Some(&json!("dark")));
    assert_eq!(stored.get("cart"), Some(&json!("3")));
    assert_eq!(stored.get("seed"), Some(&json!("1")));
    assert_eq!(client.text("/get?key=theme").await, r#""dark""#);
    assert_eq!(client.text("/get?key=cart").await, r#""3""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c10_concurrent_flash_and_put_both_kept() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=seed&value=1").await;
    let id = client.session_id().await.expect("session is stored");

    send_gated_pair(
        &client,
        "/gated_flash?key=status&value=Saved",
        "/gated_put?key=cart&value=3",
    )
    .await;

    let stored = stored_data(&app, &id).await;
    assert_eq!(stored.get("status"), Some(&json!("Saved")));
    assert_eq!(stored.get("cart"), Some(&json!("3")));
    assert_eq!(client.text("/show").await, r#"{"status":"Saved"}"#);
    assert_eq!(client.text("/show").await, "{}");
    assert_eq!(client.text("/get?key=cart").await, r#""3""#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c11_slow_reader_writes_nothing() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let id = client.session_id().await.expect("session is stored");
    let path = app.session_path(&id);

    let reader = client.clone();
    let slow = tokio::spawn(async move { reader.get("/slow_read?key=user").await });
    within(
        "the slow reader to load",
        app.gates.reader_loaded.notified(),
    )
    .await;

    let write = client.get("/put?key=cart&value=3").await;
    assert_eq!(write.status(), 200);
    let after_write = snapshot(&path);

    app.gates.release_reader.notify_one();
    let slow_response = within("the slow reader", slow)
        .await
        .expect("slow reader task");
    assert_eq!(slow_response.status(), 200);
    assert!(set_cookies(&slow_response).is_empty());
    assert_eq!(slow_response.text().await.expect("body"), r#""ada""#);

    assert_eq!(snapshot(&path), after_write);
    let stored = stored_data(&app, &id).await;
    assert_eq!(stored.get("cart"), Some(&json!("3")));
    assert_eq!(client.text("/get?key=cart").await, r#""3""#);
}

/// One request of the random interleavings.
#[derive(Clone, Debug)]
enum Step {
    /// Stores a new key.
    Put,
    /// Removes a key stored by an earlier batch, picked by this number.
    Forget(usize),
    /// Flashes a new key.
    Flash,
    /// Views a page without changing the session. It ages flash data, as
    /// every other step but the logout does.
    View,
    /// Logs out: invalidates the session.
    Logout,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::Put),
        2 => any::<usize>().prop_map(Step::Forget),
        2 => Just(Step::Flash),
        3 => Just(Step::View),
        1 => Just(Step::Logout),
    ]
}

/// The expected state of one session, built from acknowledged responses.
#[derive(Default)]
struct Expected {
    cookie: String,
    id: String,
    /// Keys whose put was acknowledged and not forgotten since.
    stored: BTreeSet<String>,
    /// Keys whose forget was acknowledged.
    forgotten: BTreeSet<String>,
    /// Keys whose flash was acknowledged.
    flashed: BTreeSet<String>,
    /// Flash keys that were visible to some request, which then removed
    /// them when it aged flash data.
    seen: BTreeSet<String>,
}

/// The outcome of one request of a batch.
struct Outcome {
    step: Step,
    key: String,
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Outcome {
    /// Returns whether the request succeeded in the session the batch was
    /// sent with: a `2xx` that neither ended the session nor moved the
    /// client to another one.
    fn acknowledged(&self, cookie: &str) -> bool {
        (200..300).contains(&self.status)
            && self
                .set_cookies
                .iter()
                .all(|line| !is_removal(line) && cookie_pair(line) == cookie)
    }
}

/// Sends a GET request to `url` with `cookie`, and with `Sec-Purpose:
/// prefetch` when `prefetch` is set, so that it does not age flash data.
/// Returns the status, the `Set-Cookie` lines and the body.
async fn send(
    client: Client,
    url: String,
    cookie: String,
    prefetch: bool,
) -> (u16, Vec<String>, String) {
    let mut request = client.get(url).header(reqwest::header::COOKIE, cookie);
    if prefetch {
        request = request.header("sec-purpose", "prefetch");
    }
    let response = request.send().await.expect("GET request");
    let status = response.status().as_u16();
    let cookies = set_cookies(&response);
    let body = response.text().await.expect("response body");
    (status, cookies, body)
}

/// Returns the session that `cookie` loads, without aging flash data.
async fn peek(app: &CaseApp, cookie: &str) -> Value {
    let request = send(app.plain.clone(), app.url("/dump"), cookie.to_owned(), true);
    let (status, _, body) = within("GET /dump", request).await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).expect("JSON body")
}

/// Starts a session with one permanent key, which is never forgotten, so
/// the session never becomes empty by the random steps.
async fn start_session(app: &CaseApp, case: usize) -> Expected {
    let seed = format!("c{case}-seed");
    let response = app
        .get_with_cookie(&format!("/put?key={seed}&value={seed}"), None)
        .await;
    let line = set_cookies(&response)
        .into_iter()
        .next()
        .expect("put starts a session");
    let cookie = cookie_pair(&line);
    let id = peek(app, &cookie).await["id"]
        .as_str()
        .expect("session is stored")
        .to_owned();
    Expected {
        cookie,
        id,
        stored: BTreeSet::from([seed]),
        ..Expected::default()
    }
}

/// Runs `batches` of concurrent requests in one session and checks after
/// each batch that no acknowledged write is lost and no logged-out session
/// comes back.
async fn run_batches(
    app: &CaseApp,
    case: usize,
    batches: Vec<Vec<Step>>,
) -> Result<(), TestCaseError> {
    let mut expected = start_session(app, case).await;
    let mut ended: Vec<(String, String)> = Vec::new();
    let mut counter = 0;

    for batch in batches {
        let candidates: Vec<String> = expected
            .stored
            .iter()
            .filter(|key| !key.ends_with("-seed"))
            .cloned()
            .collect();
        let mut forgetting = BTreeSet::new();
        let mut requests = JoinSet::new();
        for step in batch {
            counter += 1;
            let (key, path) = match &step {
                Step::Put => {
                    let key = format!("c{case}-put{counter}");
                    (key.clone(), format!("/act?put={key}"))
                }
                Step::Forget(pick) if !candidates.is_empty() => {
                    let key = candidates[pick % candidates.len()].clone();
                    if !forgetting.insert(key.clone()) {
                        continue;
                    }
                    (key.clone(), format!("/act?forget={key}"))
                }
                Step::Forget(_) | Step::View => (String::new(), "/act".to_owned()),
                Step::Flash => {
                    let key = format!("c{case}-flash{counter}");
                    (key.clone(), format!("/act?flash={key}"))
                }
                Step::Logout => (String::new(), "/invalidate".to_owned()),
            };
            let step = match step {
                Step::Forget(_) if key.is_empty() => Step::View,
                other => other,
            };
            let request = send(
                app.plain.clone(),
                app.url(&path),
                expected.cookie.clone(),
                false,
            );
            requests.spawn(async move {
                let (status, set_cookies, body) = request.await;
                Outcome {
                    step,
                    key,
                    status,
                    set_cookies,
                    body,
                }
            });
        }
        let outcomes = within("a batch of requests", requests.join_all()).await;

        let mut logged_out = false;
        for outcome in &outcomes {
            prop_assert!(
                outcome.status < 500,
                "{:?} returned status {}: {}",
                outcome.step,
                outcome.status,
                outcome.body
            );
            if let Step::Logout = outcome.step {
                logged_out |= (200..300).contains(&outcome.status);
                continue;
            }
            let page: Value = serde_json::from_str(&outcome.body).expect("JSON body");
            for key in page["visible"].as_array().into_iter().flatten() {
                expected
                    .seen
                    .insert(key.as_str().unwrap_or_default().to_owned());
            }
            if !outcome.acknowledged(&expected.cookie) {
                continue;
            }
            match outcome.step {
                Step::Put => {
                    expected.stored.insert(outcome.key.clone());
                }
                Step::Forget(_) => {
                    expected.stored.remove(&outcome.key);
                    expected.forgotten.insert(outcome.key.clone());
                }
                Step::Flash => {
                    expected.flashed.insert(outcome.key.clone());
                }
                Step::View | Step::Logout => {}
            }
        }

        if logged_out {
            ended.push((expected.cookie.clone(), expected.id.clone()));
            expected = start_session(app, case).await;
        } else {
            let page = peek(app, &expected.cookie).await;
            let data = &page["data"];
            for key in &expected.stored {
                prop_assert_eq!(&data[key], &json!(key), "acknowledged put of {} lost", key);
            }
            for key in &expected.forgotten {
                prop_assert!(data.get(key).is_none(), "forgotten key {} came back", key);
            }
            for key in &expected.flashed {
                prop_assert!(
                    data.get(key).is_some() || expected.seen.contains(key),
                    "flash {} lost before any request saw it",
                    key
                );
            }
        }

        for (cookie, id) in &ended {
            let page = peek(app, cookie).await;
            prop_assert_eq!(
                &page["data"],
                &json!({}),
                "logged-out session {} loads again",
                id
            );
            prop_assert!(
                !app.session_path(id).exists(),
                "logged-out session {} is stored again",
                id
            );
        }
    }
    Ok(())
}

#[test]
fn interleaved_requests_lose_no_acknowledged_write() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build the Tokio runtime");
    let app = runtime.block_on(CaseApp::start());
    let cases = AtomicUsize::new(0);

    let batches = prop::collection::vec(prop::collection::vec(step(), 1..6), 1..7);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&batches, |batches| {
        let case = cases.fetch_add(1, Ordering::Relaxed);
        runtime.block_on(run_batches(&app, case, batches))
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
