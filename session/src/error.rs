use tower_sessions_core::session_store;

/// Errors returned by the [`Session`](crate::Session) handle and the stores.
///
/// Messages name the session key or the file involved, never a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A stored value no longer deserializes into the requested type.
    #[error("session value under key `{key}` does not match the requested type: {source}")]
    Deserialize {
        /// The session key that was read.
        key: String,
        /// The serde error.
        source: serde_json::Error,
    },

    /// A value could not be serialized to JSON for storage.
    #[error("value for session key `{key}` cannot be stored as JSON: {source}")]
    Serialize {
        /// The session key that was written.
        key: String,
        /// The serde error.
        source: serde_json::Error,
    },

    /// The session store failed.
    #[error("session store failed: {0}")]
    Store(#[from] session_store::Error),

    /// The serialized session is larger than the configured maximum.
    #[error(
        "session is {size} bytes, over the configured maximum of {limit} bytes \
         (SESSION_MAX_BYTES): store less data in the session or raise the limit"
    )]
    TooLarge {
        /// Size of the serialized session data in bytes.
        size: usize,
        /// The configured maximum in bytes.
        limit: usize,
    },
}
