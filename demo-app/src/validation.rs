//! Server-side validation of the register form.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Validation messages per field.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

/// Longest accepted name, in characters.
const MAX_NAME_CHARS: usize = 100;
/// Longest accepted e-mail address, in bytes, as RFC 5321 allows.
const MAX_EMAIL_BYTES: usize = 254;
/// Shortest accepted password, in characters.
const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in characters.
const MAX_PASSWORD_CHARS: usize = 128;

/// The fields of the register form. Missing fields read as empty, so a
/// partial submission gets validation messages instead of a rejection.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RegisterForm {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) password: String,
    pub(crate) password_confirmation: String,
    pub(crate) terms: Option<String>,
}

impl RegisterForm {
    /// Returns the fields to flash as old input. The session drops the
    /// password fields itself; they are left out here as well.
    pub(crate) fn old_input(&self) -> Vec<(&'static str, &str)> {
        let mut fields = vec![("name", self.name.as_str()), ("email", self.email.as_str())];
        if let Some(terms) = &self.terms {
            fields.push(("terms", terms.as_str()));
        }
        fields
    }

    /// Checks every field and returns the messages of those that fail.
    pub(crate) fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut add = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(message.to_owned());
        };

        let name = self.name.trim();
        if name.is_empty() {
            add("name", "Enter your name.");
        } else if name.chars().count() > MAX_NAME_CHARS {
            add("name", "Use at most 100 characters for your name.");
        }

        let email = self.email.trim();
        if email.is_empty() {
            add("email", "Enter your e-mail address.");
        } else if email.len() > MAX_EMAIL_BYTES || !looks_like_email(email) {
            add(
                "email",
                "Enter a valid e-mail address, like ada@example.com.",
            );
        }

        let password_chars = self.password.chars().count();
        if self.password.is_empty() {
            add("password", "Choose a password.");
        } else if password_chars < MIN_PASSWORD_CHARS {
            add("password", "Use at least 8 characters for your password.");
        } else if password_chars > MAX_PASSWORD_CHARS {
            add("password", "Use at most 128 characters for your password.");
        }
        if self.password_confirmation != self.password {
            add("password_confirmation", "The two passwords do not match.");
        }

        if self.terms.as_deref() != Some("on") {
            add("terms", "Accept the terms to create an account.");
        }
        errors
    }
}

/// Accepts `local@domain.tld` with no spaces: one `@`, a non-empty local
/// part and a domain with a dot that neither starts nor ends it.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_form() -> RegisterForm {
        RegisterForm {
            name: "Ada Lovelace".to_owned(),
            email: "ada@example.com".to_owned(),
            password: "analytical".to_owned(),
            password_confirmation: "analytical".to_owned(),
            terms: Some("on".to_owned()),
        }
    }

    #[test]
    fn valid_form_has_no_errors() {
        assert!(valid_form().validate().is_empty());
    }

    #[test]
    fn empty_form_flags_every_field() {
        let errors = RegisterForm::default().validate();
        for field in ["name", "email", "password", "terms"] {
            assert!(
                errors.contains_key(field),
                "{field} not flagged: {errors:?}"
            );
        }
    }

    #[test]
    fn malformed_emails_rejected() {
        for email in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.com",
            "ada@.com",
        ] {
            let form = RegisterForm {
                email: email.to_owned(),
                ..valid_form()
            };
            assert!(form.validate().contains_key("email"), "accepted {email}");
        }
    }

    #[test]
    fn mismatched_confirmation_flagged() {
        let form = RegisterForm {
            password_confirmation: "different".to_owned(),
            ..valid_form()
        };
        assert!(form.validate().contains_key("password_confirmation"));
    }

    #[test]
    fn old_input_has_no_password() {
        let form = valid_form();
        let fields = form.old_input();
        assert!(fields.iter().all(|(name, _)| !name.contains("password")));
    }
}
