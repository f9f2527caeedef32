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
