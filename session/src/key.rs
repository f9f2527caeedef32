//! The application key that signs session cookies.

use std::fmt;
use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::config::ConfigError;

/// Minimum length of the key material in bytes.
const MIN_KEY_BYTES: usize = 32;

/// Secret key that signs session cookies, read from `APP_KEY`.
///
/// Its `Debug` output never shows the key.
#[derive(Clone)]
pub struct AppKey(cookie::Key);

impl AppKey {
    /// Parses the value of `APP_KEY`: `base64:` followed by standard base64,
    /// or plain text, in both cases at least 32 bytes of key material.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming `APP_KEY` when the base64 is invalid
    /// or the key is shorter than 32 bytes. The message never repeats the key.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let material = match value.strip_prefix("base64:") {
            Some(encoded) => STANDARD.decode(encoded.trim()).map_err(|error| {
                ConfigError::invalid_secret(
                    "APP_KEY",
                    format!("the text after `base64:` is not valid base64 ({error})"),
                )
            })?,
            None => value.as_bytes().to_vec(),
        };
        Self::from_bytes(&material).ok_or_else(|| {
            ConfigError::invalid_secret(
                "APP_KEY",
                format!(
                    "the key has {} bytes but needs at least {MIN_KEY_BYTES}; generate one with \
                     `head -c 32 /dev/urandom | base64` and set APP_KEY=base64:<output>",
                    material.len()
                ),
            )
        })
    }

    /// Builds a key from raw key material of at least 32 bytes, or `None` when
    /// it is shorter.
    pub fn from_bytes(material: &[u8]) -> Option<Self> {
        (material.len() >= MIN_KEY_BYTES).then(|| Self(cookie::Key::derive_from(material)))
    }

    /// Generates a new random key.
    pub fn generate() -> Self {
        Self(cookie::Key::derive_from(&random_material()))
    }

    /// Loads the development key kept in `path`, or generates one and writes
    /// it there (mode `0600`) when the file does not exist yet.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] when the file cannot be read or written, or
    /// holds an invalid key.
    pub fn load_or_generate(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::parse(text.trim()),
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(ConfigError::io(path, error));
            }
            Err(_) => {}
        }

        let material = random_material();
        let encoded = format!("base64:{}\n", STANDARD.encode(material));
        write_private_file(path, encoded.as_bytes())
            .map_err(|error| ConfigError::io(path, error))?;
        tracing::info!(
            path = %path.display(),
            "generated a development APP_KEY; set APP_KEY before running in production"
        );
        Ok(Self(cookie::Key::derive_from(&material)))
    }

    pub(crate) fn cookie_key(&self) -> &cookie::Key {
        &self.0
    }
}

impl fmt::Debug for AppKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("AppKey(..)")
    }
}

fn random_material() -> [u8; 32] {
    let mut material = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut material);
    material
}

fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_base64_prefix() {
        let value = format!("base64:{}", STANDARD.encode([7u8; 32]));
        assert!(AppKey::parse(&value).is_ok());
    }

    #[test]
    fn parse_rejects_short_key() {
        let error = AppKey::parse("short").err().map(|e| e.to_string());
        let message = error.unwrap_or_default();
        assert!(message.contains("APP_KEY"), "{message}");
        assert!(message.contains("5 bytes"), "{message}");
        assert!(
            !message.contains("short"),
            "message repeats the key: {message}"
        );
    }

    #[test]
    fn parse_rejects_invalid_base64() {
        assert!(AppKey::parse("base64:@@@").is_err());
    }

    #[test]
    fn load_or_generate_reuses_written_key() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let path = folder.path().join("storage/app.key");
        AppKey::load_or_generate(&path).expect("first start");
        let first = std::fs::read_to_string(&path).expect("key file");
        AppKey::load_or_generate(&path).expect("second start");
        let second = std::fs::read_to_string(&path).expect("key file");
        assert_eq!(first, second);
    }
}
