//! Registered users, kept in one JSON file under the storage folder.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use crate::config::StartError;
use crate::json_file;

/// A registered user.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct User {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) email: String,
    /// Argon2id hash in PHC string format.
    password_hash: String,
}

/// Error that stops a user from being created.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CreateUserError {
    /// Another user already has this e-mail address.
    #[error("e-mail address already registered")]
    EmailTaken,
    /// Writing the users file failed.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The users of the app, loaded at start and written through on every change.
#[derive(Clone, Debug)]
pub(crate) struct UserStore {
    path: Arc<PathBuf>,
    users: Arc<Mutex<Vec<User>>>,
}

impl UserStore {
    /// Loads the users from `storage/users.json`, or starts empty when the
    /// file does not exist yet.
    pub(crate) fn open(storage: &Path) -> Result<Self, StartError> {
        let path = storage.join("users.json");
        let users = json_file::read(&path, "reading the users file")?.unwrap_or_default();
        Ok(Self {
            path: Arc::new(path),
            users: Arc::new(Mutex::new(users)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<User>> {
        self.users
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the user with `id`, if it still exists.
    ///
    /// A user missing from memory is looked up again in the file, because
    /// another instance of the app that shares the storage folder may have
    /// registered them since this one started.
    pub(crate) fn find(&self, id: u64) -> Option<User> {
        let found = self.lock().iter().find(|user| user.id == id).cloned();
        found.or_else(|| {
            self.reload();
            self.lock().iter().find(|user| user.id == id).cloned()
        })
    }

    /// Replaces the users in memory with the file's, keeping the ones in
    /// memory when the file cannot be read.
    fn reload(&self) {
        match json_file::read::<Vec<User>>(&self.path, "reading the users file") {
            Ok(Some(users)) => *self.lock() = users,
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "reloading the users file failed"),
        }
    }

    /// Creates a user with an Argon2id hash of `password`. E-mail addresses
    /// are compared without regard to case.
    ///
    /// This blocks for the hash and the file write, so call it from a
    /// blocking task.
    pub(crate) fn create(
        &self,
        name: &str,
        email: &str,
        password: &str,
    ) -> Result<User, CreateUserError> {
        let salt = SaltString::generate(&mut OsRng);
        let password_hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|error| io::Error::other(format!("hashing the password failed: {error}")))?
            .to_string();

        // Another instance sharing the storage folder may have added users.
        self.reload();
        let mut users = self.lock();
        if users
            .iter()
            .any(|user| user.email.eq_ignore_ascii_case(email))
        {
            return Err(CreateUserError::EmailTaken);
        }
        let user = User {
            id: users.iter().map(|user| user.id).max().unwrap_or(0) + 1,
            name: name.to_owned(),
            email: email.to_owned(),
            password_hash,
        };
        users.push(user.clone());
        if let Err(error) = json_file::write(&self.path, &*users) {
            users.pop();
            return Err(error.into());
        }
        Ok(user)
    }

    /// Returns the user with `email`, compared without regard to case.
    pub(crate) fn find_by_email(&self, email: &str) -> Option<User> {
        let matches = |user: &&User| user.email.eq_ignore_ascii_case(email);
        let found = self.lock().iter().find(matches).cloned();
        found.or_else(|| {
            self.reload();
            self.lock().iter().find(matches).cloned()
        })
    }

    /// Returns whether `password` matches the user's stored hash. This is
    /// slow by design, so call it from a blocking task.
    pub(crate) fn verify_password(user: &User, password: &str) -> bool {
        PasswordHash::new(&user.password_hash)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}
