//! CSRF tokens kept in the session.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::Session;

/// Reserved key of the CSRF token.
pub const TOKEN_KEY: &str = "_token";

impl Session {
    /// Returns the session's CSRF token, creating it on first use from the
    /// operating system's random source (32 bytes, URL-safe base64).
    pub fn token(&self) -> String {
        let mut state = self.lock();
        // A stored token of the wrong shape, or an empty one, could never
        // pass `verify_token`, so it is replaced.
        if let Some(Value::String(token)) = state.data.get(TOKEN_KEY) {
            if !token.is_empty() {
                return token.clone();
            }
        }
        let token = new_token();
        state
            .data
            .to_mut()
            .insert(TOKEN_KEY.to_owned(), Value::String(token.clone()));
        state.changed = true;
        token
    }

    /// Returns the CSRF token when the session has one, without creating it.
    /// Pages that show no form can use it, so that viewing them does not
    /// start a session.
    pub fn current_token(&self) -> Option<String> {
        match self.lock().data.get(TOKEN_KEY) {
            Some(Value::String(token)) if !token.is_empty() => Some(token.clone()),
            _ => None,
        }
    }

    /// Replaces the CSRF token with a new one and returns it. Call it on log
    /// in and log out so that a token seen before does not stay valid.
    pub fn regenerate_token(&self) -> String {
        let token = new_token();
        let mut state = self.lock();
        state
            .data
            .to_mut()
            .insert(TOKEN_KEY.to_owned(), Value::String(token.clone()));
        state.changed = true;
        token
    }

    /// Returns whether `candidate` equals the session's CSRF token, compared
    /// in constant time. A session without a token matches nothing.
    pub fn verify_token(&self, candidate: &str) -> bool {
        let state = self.lock();
        match state.data.get(TOKEN_KEY) {
            Some(Value::String(token)) if !token.is_empty() => {
                bool::from(token.as_bytes().ct_eq(candidate.as_bytes()))
            }
            _ => false,
        }
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_stable_within_session() {
        let session = Session::default();
        assert_eq!(session.token(), session.token());
    }

    #[test]
    fn current_token_does_not_create() {
        let session = Session::default();
        assert_eq!(session.current_token(), None);
        assert!(session.is_empty());
        let token = session.token();
        assert_eq!(session.current_token(), Some(token));
    }

    #[test]
    fn token_has_256_bits() {
        let token = Session::default().token();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(token).map(|bytes| bytes.len()).ok(),
            Some(32)
        );
    }

    #[test]
    fn verify_token_accepts_only_match() {
        let session = Session::default();
        let token = session.token();
        assert!(session.verify_token(&token));
        assert!(!session.verify_token(""));
        assert!(!session.verify_token(&token[1..]));
        assert!(!session.verify_token("wrong"));
    }

    #[test]
    fn empty_stored_token_replaced() {
        let session = Session::default();
        session.put(TOKEN_KEY, "").expect("put");
        let token = session.token();
        assert!(!token.is_empty());
        assert!(session.verify_token(&token));
    }

    #[test]
    fn verify_token_without_token_fails() {
        let session = Session::default();
        assert!(!session.verify_token(""));
    }

    #[test]
    fn regenerate_token_replaces_old() {
        let session = Session::default();
        let old = session.token();
        let new = session.regenerate_token();
        assert_ne!(old, new);
        assert!(!session.verify_token(&old));
    }
}
