//! Configuration read from the environment.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::key::AppKey;

/// Store driver that persists sessions, chosen by `SESSION_DRIVER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreDriver {
    /// One file per session in the `SESSION_FILES` folder.
    File,
    /// Persists nothing; every request starts without a session.
    Skip,
    /// A Redis server at `REDIS_URL`, shared by every instance of the app.
    /// Needs the crate's `redis` feature.
    Redis,
}

/// Cache driver in front of the store, chosen by `SESSION_CACHE_DRIVER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheDriver {
    /// A bounded in-process cache with a time to live.
    Memory,
    /// No cache: every load goes to the store.
    Skip,
}

/// The `SameSite` attribute of the session cookie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// Sent on same-site requests and top-level cross-site navigations.
    Lax,
    /// Sent on same-site requests only.
    Strict,
    /// Sent on every request; browsers require `Secure` with it.
    None,
}

/// Settings of the session layer.
///
/// [`SessionConfig::from_env`] reads them from environment variables; tests
/// and embedding apps can start from [`SessionConfig::new`] and set fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Store driver (`SESSION_DRIVER`, default `file`).
    pub store: StoreDriver,
    /// Cache driver (`SESSION_CACHE_DRIVER`, default `memory`).
    pub cache: CacheDriver,
    /// Folder of the file store (`SESSION_FILES`, default `storage/framework/sessions`).
    pub files: PathBuf,
    /// Idle lifetime (`SESSION_LIFETIME` in minutes, default 120).
    pub lifetime: Duration,
    /// Whether the cookie ends with the browser session (`SESSION_EXPIRE_ON_CLOSE`, default `false`).
    pub expire_on_close: bool,
    /// Cookie name (`SESSION_COOKIE`, default `app_session`).
    pub cookie_name: String,
    /// Cookie path (`SESSION_PATH`, default `/`).
    pub cookie_path: String,
    /// Cookie domain (`SESSION_DOMAIN`, default unset: the request's host only).
    pub cookie_domain: Option<String>,
    /// Whether the cookie carries `Secure` (`SESSION_SECURE_COOKIE`, default `false`).
    pub secure: bool,
    /// The cookie's `SameSite` attribute (`SESSION_SAME_SITE`, default `lax`).
    pub same_site: SameSite,
    /// Maximum size of a session's serialized data in bytes
    /// (`SESSION_MAX_BYTES`, default 1 MiB).
    pub max_bytes: usize,
    /// Maximum number of sessions held by the memory cache
    /// (`SESSION_CACHE_CAPACITY`, default 10,000).
    pub cache_capacity: u64,
    /// Address of the Redis server for the `redis` driver (`REDIS_URL`,
    /// default `redis://127.0.0.1:6379`).
    pub redis_url: String,
    /// Key that signs the session cookie (`APP_KEY`).
    pub key: AppKey,
}

/// Default folder of the file store, relative to the working directory.
pub const DEFAULT_FILES: &str = "storage/framework/sessions";
/// Default address of the Redis server.
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
/// Default file that keeps the generated development key.
pub const DEFAULT_KEY_FILE: &str = "storage/app.key";

impl SessionConfig {
    /// Creates a configuration with every default and the given key.
    pub fn new(key: AppKey) -> Self {
        Self {
            store: StoreDriver::File,
            cache: CacheDriver::Memory,
            files: PathBuf::from(DEFAULT_FILES),
            lifetime: Duration::from_secs(120 * 60),
            expire_on_close: false,
            cookie_name: "app_session".to_owned(),
            cookie_path: "/".to_owned(),
            cookie_domain: None,
            secure: false,
            same_site: SameSite::Lax,
            max_bytes: 1024 * 1024,
            cache_capacity: 10_000,
            redis_url: DEFAULT_REDIS_URL.to_owned(),
            key,
        }
    }

    /// Reads the configuration from the process environment, after loading
    /// a `.env` file from the working folder or its parents when there is
    /// one. Variables already set in the environment win over the file.
    ///
    /// Without `APP_KEY`, a development key is loaded from or generated into
    /// `storage/app.key` (`APP_KEY_FILE` overrides the path), unless
    /// `APP_ENV=production`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the variable, its value and the
    /// allowed values when a variable is invalid, when production runs
    /// without `APP_KEY`, or when a `.env` file exists but cannot be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        if let Err(error) = dotenvy::dotenv() {
            if !error.not_found() {
                return Err(ConfigError {
                    variable: ".env".to_owned(),
                    value: None,
                    reason: format!(
                        "reading the .env file failed ({error}); fix or remove the file"
                    ),
                });
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, which returns a variable's
    /// value or `None` when it is unset. Empty values count as unset.
    ///
    /// # Errors
    ///
    /// The same as [`SessionConfig::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let key = match read("APP_KEY") {
            Some(value) => AppKey::parse(value.trim())?,
            None if read("APP_ENV").as_deref() == Some("production") => {
                return Err(ConfigError::missing_key());
            }
            None => {
                let path = read("APP_KEY_FILE").unwrap_or_else(|| DEFAULT_KEY_FILE.to_owned());
                AppKey::load_or_generate(Path::new(&path))?
            }
        };
        let mut config = Self::new(key);

        if let Some(value) = read("SESSION_DRIVER") {
            config.store = match value.trim() {
                "file" => StoreDriver::File,
                "skip" => StoreDriver::Skip,
                "redis" if cfg!(feature = "redis") => StoreDriver::Redis,
                "redis" => {
                    return Err(ConfigError {
                        variable: "SESSION_DRIVER".to_owned(),
                        value: Some(value.clone()),
                        reason: "this build has no Redis support: enable the `redis` feature of web-session"
                            .to_owned(),
                    });
                }
                _ => {
                    return Err(ConfigError::invalid(
                        "SESSION_DRIVER",
                        &value,
                        ALLOWED_STORES,
                    ))
                }
            };
        }
        if config.store == StoreDriver::Redis {
            // Each instance's memory cache would miss the other instances'
            // writes, so a shared store runs without it.
            config.cache = CacheDriver::Skip;
        }
        if let Some(value) = read("SESSION_CACHE_DRIVER") {
            config.cache = match value.trim() {
                "memory" => CacheDriver::Memory,
                "skip" => CacheDriver::Skip,
                _ => {
                    return Err(ConfigError::invalid(
                        "SESSION_CACHE_DRIVER",
                        &value,
                        "memory, skip",
                    ));
                }
            };
        }
        if config.store == StoreDriver::Redis && config.cache == CacheDriver::Memory {
            return Err(ConfigError {
                variable: "SESSION_CACHE_DRIVER".to_owned(),
                value: Some("memory".to_owned()),
                reason:
                    "a memory cache cannot see other instances' changes to a shared Redis store; \
                         use skip (the default with SESSION_DRIVER=redis)"
                        .to_owned(),
            });
        }
        if let Some(value) = read("REDIS_URL") {
            config.redis_url = value.trim().to_owned();
        }
        if let Some(value) = read("SESSION_FILES") {
            config.files = PathBuf::from(value);
        }
        if let Some(value) = read("SESSION_LIFETIME") {
            let minutes = parse_number(
                "SESSION_LIFETIME",
                &value,
                "a whole number of minutes, at least 1",
            )?;
            config.lifetime = Duration::from_secs(minutes.saturating_mul(60));
        }
        if let Some(value) = read("SESSION_EXPIRE_ON_CLOSE") {
            config.expire_on_close = parse_bool("SESSION_EXPIRE_ON_CLOSE", &value)?;
        }
        if let Some(value) = read("SESSION_COOKIE") {
            config.cookie_name = parse_cookie_name(&value)?;
        }
        if let Some(value) = read("SESSION_PATH") {
            if !value.starts_with('/') {
                return Err(ConfigError::invalid(
                    "SESSION_PATH",
                    &value,
                    "a path starting with `/`",
                ));
            }
            config.cookie_path = value;
        }
        config.cookie_domain = read("SESSION_DOMAIN");
        if let Some(value) = read("SESSION_SECURE_COOKIE") {
            config.secure = parse_bool("SESSION_SECURE_COOKIE", &value)?;
        }
        if let Some(value) = read("SESSION_SAME_SITE") {
            config.same_site = match value.trim().to_ascii_lowercase().as_str() {
                "lax" => SameSite::Lax,
                "strict" => SameSite::Strict,
                "none" => SameSite::None,
                _ => {
                    return Err(ConfigError::invalid(
                        "SESSION_SAME_SITE",
                        &value,
                        "lax, strict, none",
                    ))
                }
            };
        }
        if config.same_site == SameSite::None && !config.secure {
            return Err(ConfigError {
                variable: "SESSION_SAME_SITE".to_owned(),
                value: Some("none".to_owned()),
                reason: "browsers drop SameSite=None cookies without Secure: \
                         set SESSION_SECURE_COOKIE=true or choose lax or strict"
                    .to_owned(),
            });
        }
        if let Some(value) = read("SESSION_MAX_BYTES") {
            let bytes = parse_number(
                "SESSION_MAX_BYTES",
                &value,
                "a whole number of bytes, at least 1",
            )?;
            config.max_bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
        }
        if let Some(value) = read("SESSION_CACHE_CAPACITY") {
            config.cache_capacity = parse_number(
                "SESSION_CACHE_CAPACITY",
                &value,
                "a whole number of sessions, at least 1",
            )?;
        }
        Ok(config)
    }
}

/// Store drivers this build accepts, for error messages.
const ALLOWED_STORES: &str = if cfg!(feature = "redis") {
    "file, skip, redis"
} else {
    "file, skip"
};

fn parse_number(variable: &str, value: &str, allowed: &str) -> Result<u64, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(number) if number > 0 => Ok(number),
        _ => Err(ConfigError::invalid(variable, value, allowed)),
    }
}

fn parse_bool(variable: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::invalid(variable, value, "true, false")),
    }
}

fn parse_cookie_name(value: &str) -> Result<String, ConfigError> {
    // RFC 6265 cookie names are HTTP tokens: visible ASCII without separators.
    let separators = "()<>@,;:\\\"/[]?={} \t";
    let valid = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !separators.contains(c));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::invalid(
            "SESSION_COOKIE",
            value,
            "letters, digits and !#$%&'*+-.^_`|~",
        ))
    }
}

/// A configuration variable with an invalid value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The environment variable, for example `SESSION_DRIVER`.
    pub variable: String,
    /// The rejected value, or `None` when it is missing or secret.
    pub value: Option<String>,
    /// The allowed values, or the fix.
    pub reason: String,
}

impl ConfigError {
    fn invalid(variable: &str, value: &str, allowed: &str) -> Self {
        Self {
            variable: variable.to_owned(),
            value: Some(value.to_owned()),
            reason: format!("allowed: {allowed}"),
        }
    }

    pub(crate) fn invalid_secret(variable: &str, reason: String) -> Self {
        Self {
            variable: variable.to_owned(),
            value: None,
            reason,
        }
    }

    fn missing_key() -> Self {
        Self {
            variable: "APP_KEY".to_owned(),
            value: None,
            reason: "APP_ENV=production requires APP_KEY; generate one with \
                     `head -c 32 /dev/urandom | base64` and set APP_KEY=base64:<output>"
                .to_owned(),
        }
    }

    pub(crate) fn io(path: &Path, error: std::io::Error) -> Self {
        Self {
            variable: "APP_KEY_FILE".to_owned(),
            value: Some(path.display().to_string()),
            reason: format!(
                "reading or writing the development key failed ({error}); \
                 check the folder's permissions or set APP_KEY"
            ),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(
                formatter,
                "invalid {}={value:?}: {}",
                self.variable, self.reason
            ),
            None => write!(formatter, "invalid {}: {}", self.variable, self.reason),
        }
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<SessionConfig, ConfigError> {
        let mut vars: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        vars.entry("APP_KEY".to_owned())
            .or_insert_with(|| "0123456789abcdef0123456789abcdef".to_owned());
        SessionConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_match_documentation() {
        let config = config_from(&[]).expect("defaults");
        assert_eq!(config.store, StoreDriver::File);
        assert_eq!(config.cache, CacheDriver::Memory);
        assert_eq!(config.files, PathBuf::from("storage/framework/sessions"));
        assert_eq!(config.lifetime, Duration::from_secs(7200));
        assert_eq!(config.cookie_name, "app_session");
        assert_eq!(config.same_site, SameSite::Lax);
        assert!(!config.secure);
    }

    #[test]
    fn unknown_driver_names_variable_value_and_allowed() {
        let error = config_from(&[("SESSION_DRIVER", "redis-cluster")]).err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("SESSION_DRIVER"), "{message}");
        assert!(message.contains("redis-cluster"), "{message}");
        assert!(message.contains("file, skip"), "{message}");
    }

    #[test]
    fn unknown_cache_driver_rejected() {
        let error = config_from(&[("SESSION_CACHE_DRIVER", "disk")]).err();
        assert_eq!(
            error.map(|e| e.variable),
            Some("SESSION_CACHE_DRIVER".to_owned())
        );
    }

    #[test]
    fn lifetime_must_be_positive_number() {
        for value in ["0", "-5", "ten", "1.5"] {
            let error = config_from(&[("SESSION_LIFETIME", value)]).err();
            assert_eq!(
                error.map(|e| e.variable),
                Some("SESSION_LIFETIME".to_owned()),
                "{value}"
            );
        }
    }

    #[test]
    fn same_site_none_requires_secure() {
        let error = config_from(&[("SESSION_SAME_SITE", "none")]).err();
        assert!(error.is_some());
        let config = config_from(&[
            ("SESSION_SAME_SITE", "none"),
            ("SESSION_SECURE_COOKIE", "true"),
        ]);
        assert_eq!(config.map(|c| c.same_site).ok(), Some(SameSite::None));
    }

    #[test]
    fn production_without_key_rejected() {
        let error =
            SessionConfig::from_lookup(|name| (name == "APP_ENV").then(|| "production".to_owned()))
                .err();
        assert_eq!(error.map(|e| e.variable), Some("APP_KEY".to_owned()));
    }

    #[test]
    fn cookie_name_with_separator_rejected() {
        let error = config_from(&[("SESSION_COOKIE", "my session")]).err();
        assert_eq!(error.map(|e| e.variable), Some("SESSION_COOKIE".to_owned()));
    }
}
