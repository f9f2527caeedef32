//! JSON routes. They sit outside the session layer, so polling them never
//! consumes flash data or touches the session store.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::AppState;

/// Returns the `/api` routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/guestbook", get(guestbook))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Returns the guestbook entries, newest first.
async fn guestbook(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "entries": state.guestbook.entries() }))
}
