//! Session id parsing and formatting.
//!
//! An id is 128 random bits written as 22 characters of URL-safe base64
//! without padding, the format of `tower_sessions_core::session::Id`.

use tower_sessions_core::session::Id;

/// Length of an id in its text form.
pub(crate) const ID_LEN: usize = 22;

/// Parses an id from untrusted text, accepting only the exact format.
///
/// Anything else (empty, too long, path separators, dots, non-ASCII) returns
/// `None`, so no caller ever builds a file name from unchecked text.
pub(crate) fn parse_id(text: &str) -> Option<Id> {
    let well_formed = text.len() == ID_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return None;
    }

    let id: Id = text.parse().ok()?;
    // Base64 allows several spellings of the last character; only the one
    // that formats back to the same text is accepted.
    (id.to_string() == text).then_some(id)
}

/// Returns the first characters of an id, enough to tell sessions apart in
/// logs without writing the whole id.
pub(crate) fn short_id(id: &Id) -> String {
    id.to_string().chars().take(6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_id_accepts_formatted_id() {
        let id = Id::default();
        assert_eq!(parse_id(&id.to_string()), Some(id));
    }

    #[test]
    fn parse_id_rejects_malformed_text() {
        let long = "a".repeat(5000);
        let cases = [
            "",
            ".",
            "..",
            "../../etc/passwd",
            "..%2F..%2Fx",
            "/tmp/x",
            "a\\..\\b",
            "abc def",
            "aaaaaaaaaa\0aaaaaaaaaaa",
            "ß",
            long.as_str(),
            "aaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaa/..",
            "aaaaaaaaaaaaaaaaaaaaa=",
        ];
        for case in cases {
            assert_eq!(parse_id(case), None, "accepted {case:?}");
        }
    }

    #[test]
    fn parse_id_rejects_non_canonical_spelling() {
        let text = Id::default().to_string();
        let last = text.chars().last().unwrap_or('A');
        let mut other = text[..ID_LEN - 1].to_string();
        // Flip the lowest bits of the last character, which encode no data.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let index = alphabet.find(last).unwrap_or(0);
        other.push(alphabet.as_bytes()[index ^ 1] as char);
        assert_eq!(parse_id(&other), None);
    }
}
