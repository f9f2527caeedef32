//! The axum extractor for [`Session`].

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::StatusCode;

use crate::Session;

/// Rejection when a handler requests a [`Session`] on a route that the
/// [`SessionStart`](crate::SessionStart) layer does not wrap.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error(
    "the Session extractor was used on a route without the SessionStart layer: \
     add `.layer(SessionStart::from_config(config)?)` to the router that holds this route"
)]
pub struct MissingSessionLayer;

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        tracing::error!("{self}");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(MissingSessionLayer)
    }
}
