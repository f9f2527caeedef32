//! Session stores that implement [`tower_sessions_core::SessionStore`].

mod file;
#[cfg(feature = "redis")]
mod redis;
mod skip;

pub use file::{FileStore, SweepReport};
#[cfg(feature = "redis")]
pub use redis::{connect_redis, RedisConnectError};
pub use skip::SkipStore;
