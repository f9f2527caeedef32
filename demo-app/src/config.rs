//! Settings of the demo app, read from the environment.

use std::path::PathBuf;

use web_session::{ConfigError, SessionConfig};

/// Settings of the demo app.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Address to bind (`HOST`, default `127.0.0.1`).
    pub host: String,
    /// Port to bind (`PORT`, default 3000).
    pub port: u16,
    /// Folder of the app's own data, such as registered users (`STORAGE_DIR`, default `storage`).
    pub storage: PathBuf,
    /// Folder of the minijinja templates (`TEMPLATES_DIR`, default the workspace's `templates/`).
    pub templates: PathBuf,
    /// Folder served under `/static` (`STATIC_DIR`, default the workspace's `static/`).
    pub static_files: PathBuf,
    /// Session settings.
    pub session: SessionConfig,
}

/// Error that stops the demo app from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration variable is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),

    /// A file or folder the app needs could not be read or created.
    #[error("{what} at {path} failed: {source}")]
    Io {
        /// The operation that failed.
        what: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The session store could not be opened or reached.
    #[error("session store: {0}")]
    SessionStore(String),

    /// A template failed to compile.
    #[error("template {name} is invalid: {source:#}")]
    Template {
        /// The template's file name.
        name: String,
        /// The minijinja error, with the line number.
        source: minijinja::Error,
    },

    /// A data file of the app is not valid.
    #[error("data file {path} is not valid JSON ({source}); fix or move it, and restart")]
    DataFile {
        /// The data file.
        path: PathBuf,
        /// The serde error.
        source: serde_json::Error,
    },
}

/// Returns the workspace folder, which contains `templates/` and `static/`.
fn workspace_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl AppConfig {
    /// Creates a configuration with the default host, port and folders and
    /// the given session settings.
    pub fn new(session: SessionConfig) -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 3000,
            storage: PathBuf::from("storage"),
            templates: workspace_dir().join("templates"),
            static_files: workspace_dir().join("static"),
            session,
        }
    }

    /// Reads the configuration from the environment, after loading `.env`
    /// when present.
    ///
    /// # Errors
    ///
    /// Returns [`StartError::Config`] naming the variable, the value and the
    /// allowed values when a variable is invalid.
    pub fn from_env() -> Result<Self, StartError> {
        let mut config = Self::new(SessionConfig::from_env()?);
        let read = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        };

        if let Some(host) = read("HOST") {
            config.host = host;
        }
        if let Some(port) = read("PORT") {
            config.port = port.trim().parse().map_err(|_| ConfigError {
                variable: "PORT".to_owned(),
                value: Some(port.clone()),
                reason: "allowed: a port number from 0 to 65535".to_owned(),
            })?;
        }
        if let Some(storage) = read("STORAGE_DIR") {
            config.storage = PathBuf::from(storage);
        }
        if let Some(templates) = read("TEMPLATES_DIR") {
            config.templates = PathBuf::from(templates);
        }
        if let Some(static_files) = read("STATIC_DIR") {
            config.static_files = PathBuf::from(static_files);
        }
        Ok(config)
    }
}
