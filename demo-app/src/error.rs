//! The app's error type, which logs once and shows the shared error page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error in a handler. It becomes a `500` response that the error page
/// middleware renders with the shared layout.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AppError {
    /// A template failed to render.
    #[error("rendering a template failed: {0:#}")]
    Template(#[from] minijinja::Error),

    /// A session value could not be read or written.
    #[error("{0}")]
    Session(#[from] web_session::Error),

    /// The users file could not be read or written.
    #[error("users file: {0}")]
    Users(#[from] std::io::Error),

    /// A blocking task failed.
    #[error("background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Marks a response whose body the error page middleware replaces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ErrorPage;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, "request failed");
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(ErrorPage);
        response
    }
}
