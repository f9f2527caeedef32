//! Session stores that implement [`tower_sessions_core::SessionStore`].

mod file;
mod skip;

pub use file::{FileStore, SweepReport};
pub use skip::SkipStore;
