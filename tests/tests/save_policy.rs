//! When `SessionStart` saves, deletes or leaves a session alone: emptied
//! sessions, guard layers that return early, handler errors and panics.

mod support;

use integration_tests::{location, set_cookies};
use support::{cookie_attribute, is_removal, snapshot, CaseApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c06_flash_only_session_deleted() {
    let app = CaseApp::start().await;
    let client = app.client();
    let flashed = client.get("/flash?key=status&value=Saved").await;
    assert_eq!(flashed.status(), 200);
    assert_eq!(app.session_files().len(), 1);
    let copied = client.session_cookie().expect("flash starts a session");

    let shown = client.get("/show").await;
    let cookies = set_cookies(&shown);
    assert_eq!(shown.status(), 200);
    assert_eq!(shown.text().await.expect("body"), r#"{"status":"Saved"}"#);
    assert!(
        app.session_files().is_empty(),
        "emptied session still stored: {:?}",
        app.session_files()
    );
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(is_removal(&cookies[0]), "{}", cookies[0]);
    assert_eq!(cookie_attribute(&cookies[0], "Path").as_deref(), Some("/"));

    assert_eq!(client.text("/show").await, "{}");
    let replayed = app.get_with_cookie("/show", Some(&copied)).await;
    assert_eq!(replayed.text().await.expect("body"), "{}");
    assert!(app.session_files().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c06_forgetting_only_key_logs_out() {
    let app = CaseApp::start().await;
    let client = app.client();
    client.text("/put?key=user&value=ada").await;
    let copied = client.session_cookie().expect("put starts a session");

    let logout = client.get("/forget?key=user").await;
    let cookies = set_cookies(&logout);
    assert_eq!(logout.status(), 200);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(is_removal(&cookies[0]), "{}", cookies[0]);
    assert!(app.session_files().is_empty());

    assert_eq!(client.text("/get?key=user").await, "missing");
    let replayed = app.get_with_cookie("/get?key=user", Some(&copied)).await;
    assert_eq!(replayed.text().await.expect("body"), "missing");
    assert!(app.session_files().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c07_guard_redirect_saves_flash() {
    let app = CaseApp::start().await;
    let client = app.client();

    let response = client.get("/dashboard?tab=2").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/login_page");
    assert_eq!(app.session_files().len(), 1);

    let page = client.json("/login_page").await;
    assert_eq!(page["flash"]["status"], "please log in");
    assert_eq!(page["intended"], "/dashboard?tab=2");
}

/// Flashes `status` so that it is visible on the next request, and returns
/// the client and the path of the session file.
async fn session_with_pending_flash(app: &CaseApp) -> (support::CaseClient, std::path::PathBuf) {
    let client = app.client();
    client.text("/flash?key=status&value=Pending").await;
    let id = client.session_id().await.expect("flash starts a session");
    (client, app.session_path(&id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c08_panic_leaves_file_unchanged() {
    let app = CaseApp::start().await;
    let (client, path) = session_with_pending_flash(&app).await;
    let before = snapshot(&path);

    let response = client.get("/panic?key=other").await;
    assert_eq!(response.status(), 500);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(snapshot(&path), before);

    assert_eq!(client.text("/show").await, r#"{"status":"Pending"}"#);
    assert_eq!(client.text("/get?key=other").await, "missing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c08_server_error_leaves_file_unchanged() {
    let app = CaseApp::start().await;
    let (client, path) = session_with_pending_flash(&app).await;
    let before = snapshot(&path);

    let response = client.get("/fail?status=500&key=other").await;
    assert_eq!(response.status(), 500);
    assert!(set_cookies(&response).is_empty());
    assert_eq!(snapshot(&path), before);

    assert_eq!(client.text("/show").await, r#"{"status":"Pending"}"#);
    assert_eq!(client.text("/get?key=other").await, "missing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c08_client_error_saves_normally() {
    let app = CaseApp::start().await;
    let (client, path) = session_with_pending_flash(&app).await;
    let before = snapshot(&path);

    let response = client.get("/fail?status=422&key=other").await;
    assert_eq!(response.status(), 422);
    assert_ne!(snapshot(&path), before);

    assert_eq!(client.text("/show").await, "{}", "flash shown twice");
    assert_eq!(
        client.text("/get?key=other").await,
        r#""written before the error""#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c08_redirect_error_saves_normally() {
    let app = CaseApp::start().await;
    let (client, path) = session_with_pending_flash(&app).await;
    let before = snapshot(&path);

    let response = client.get("/fail?status=303&key=other").await;
    assert_eq!(response.status(), 303);
    assert_ne!(snapshot(&path), before);

    assert_eq!(client.text("/show").await, "{}", "flash shown twice");
    assert_eq!(
        client.text("/get?key=other").await,
        r#""written before the error""#
    );
}
