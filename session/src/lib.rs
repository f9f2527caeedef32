//! Laravel-style sessions for axum and tower.
//!
//! | feature | where |
//! |---|---|
//! | load before the handler, save after | [`SessionStart`] |
//! | put, get, pull, has, exists, forget, get-or-create | [`Session`] |
//! | flash data, `now`, `reflash`, `keep` | [`Session::flash`] and friends |
//! | old input and validation errors | [`Session::flash_input`], [`Session::flash_errors`] |
//! | CSRF token and its check | [`Session::token`], [`VerifyCsrfToken`] |
//! | id rotation and invalidation | [`Session::regenerate`], [`Session::invalidate`] |
//! | stores | [`FileStore`], [`SkipStore`], or any `tower_sessions_core::SessionStore` |
//! | caches | [`MemoryCache`], [`SkipCache`] |
//! | configuration from the environment | [`SessionConfig::from_env`] |
//! | minijinja-session template data (feature `minijinja`) | `Session::template_view` |
//!
//! # Flash aging
//!
//! A flashed item is visible on the next request that ages flash data and
//! removed at its end. Every request through [`SessionStart`] ages, except
//! `HEAD`, `OPTIONS` and browser prefetches. Routes outside the layer
//! (static files, JSON APIs) never touch the session. A handler that only
//! redirects can call [`Session::reflash`] to pass flash data on.
//!
//! # Save policy
//!
//! A response with a `5xx` status, or a panic, saves nothing. Otherwise a
//! changed session is written, a session that the request emptied is
//! deleted with its cookie, an unchanged session costs no store write except
//! a throttled expiry renewal, and a new session that stays empty costs
//! nothing and sets no cookie.
//!
//! # Concurrent requests
//!
//! Browsers send several requests of one session at once. The layer keeps
//! the record each request loaded, and on save applies only that request's
//! changes, key by key, to the newest record, under a per-session lock. So
//! within one process:
//!
//! - two requests that change different keys both persist, and when they
//!   write the same key the later save wins;
//! - a request that only read never writes data back, so it cannot undo a
//!   concurrent change;
//! - a request still running when another one invalidates or deletes the
//!   session drops its changes instead of bringing the session back;
//! - flash lists merge as sets, so a flash set by one request survives a
//!   page view that consumed older flash data at the same time.
//!
//! NOTE: with several processes sharing one store, the merge still starts
//! from the newest stored record, but the read-merge-write of two processes
//! is not atomic: changes that two instances save within the same few
//! milliseconds can still overwrite each other. The memory cache of each
//! process also does not see the other processes' writes, so use the `skip`
//! cache with a shared store.

#![warn(missing_docs)]

mod cache;
mod config;
mod csrf;
mod csrf_layer;
mod error;
mod extract;
mod flash;
#[cfg(test)]
mod flash_model_tests;
mod id;
mod input;
mod key;
mod layer;
mod merge;
mod persist;
mod session;
mod session_cookie;
mod store;
#[cfg(feature = "minijinja")]
mod template_view;

pub use cache::{MemoryCache, SessionCache, SkipCache};
pub use config::{
    CacheDriver, ConfigError, SameSite, SessionConfig, StoreDriver, DEFAULT_FILES,
    DEFAULT_KEY_FILE, DEFAULT_REDIS_URL,
};
pub use csrf::TOKEN_KEY;
pub use csrf_layer::{VerifyCsrfToken, VerifyCsrfTokenService, TOKEN_FIELD, TOKEN_HEADER};
pub use error::Error;
pub use extract::MissingSessionLayer;
pub use flash::{FLASH_NEW, FLASH_OLD};
pub use input::{ERRORS_KEY, OLD_INPUT_KEY, SECRET_FIELDS};
pub use key::AppKey;
pub use layer::{SessionStart, SessionStartService, SessionStoreUnavailable};
pub use persist::Clock;
pub use session::{Session, LIFETIME_KEY};
#[cfg(feature = "redis")]
pub use store::{connect_redis, RedisConnectError};
pub use store::{FileStore, SkipStore, SweepReport};

/// Re-export of the store trait and record types this crate builds on.
pub use tower_sessions_core;
