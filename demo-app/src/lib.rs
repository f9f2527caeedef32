//! The demo application of `web-session` and `minijinja-session`: a small
//! multi-page axum app with a register form whose validation errors and old
//! input are flashed across a redirect, a welcome page, and a page that shows
//! what the session holds.
//!
//! [`build_app`] assembles the router; the `demo-app` binary serves it.

mod config;
mod error;
mod guestbook;
mod json_file;
mod routes;
mod templates;
mod users;
mod validation;

pub use config::{AppConfig, StartError};
pub use routes::build_app;

use std::future::Future;

/// Serves `app` on `listener` until `shutdown` resolves. Requests already
/// in flight then finish, and their sessions are saved, before it returns.
///
/// # Errors
///
/// Returns the I/O error when accepting connections fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
