//! Graceful shutdown: a request still arriving when the server receives the
//! signal to stop finishes, and its session and data are saved.

use std::time::Duration;

use demo_app::{build_app, serve, AppConfig};
use integration_tests::{csrf_token_in, list_files};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use web_session::{AppKey, SessionConfig};

#[tokio::test]
async fn shutdown_finishes_request_in_flight() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let mut session = SessionConfig::new(AppKey::generate());
    session.files = folder.path().join("sessions");
    let mut config = AppConfig::new(session);
    config.storage = folder.path().join("storage");
    let app = build_app(config).await.expect("build the demo app");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app, async {
        stopped.await.ok();
    }));

    // Open the form like a browser: a session cookie and its token.
    let form_page = reqwest::get(format!("http://{address}/guestbook"))
        .await
        .expect("GET /guestbook");
    let cookie = form_page
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .expect("session cookie")
        .to_owned();
    let html = form_page.text().await.expect("form page");
    let token = csrf_token_in(&html).expect("token");
    let body =
        format!("_token={token}&submission=shutdown-test&name=Ada&message=Sent+during+shutdown");

    // Send the headers and half the body, then ask the server to stop.
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST /guestbook HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let (first_half, second_half) = body.split_at(body.len() / 2);
    stream
        .write_all(head.as_bytes())
        .await
        .expect("write headers");
    stream
        .write_all(first_half.as_bytes())
        .await
        .expect("write first half");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).expect("signal shutdown");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stream
        .write_all(second_half.as_bytes())
        .await
        .expect("write second half");

    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("read response");
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("set-cookie: app_session="),
        "{response}"
    );

    let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(
        finished.is_ok(),
        "server did not stop after the request finished"
    );

    let entries = std::fs::read_to_string(folder.path().join("storage/guestbook.json"))
        .expect("guestbook file");
    assert!(entries.contains("Sent during shutdown"), "{entries}");
    let sessions = list_files(&folder.path().join("sessions"));
    let stored: String = sessions
        .iter()
        .filter_map(|name| std::fs::read_to_string(folder.path().join("sessions").join(name)).ok())
        .collect();
    assert!(stored.contains("Thanks, Ada!"), "flash not saved: {stored}");
}
