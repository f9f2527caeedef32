//! Reading and writing the signed session cookie.

use std::time::Duration;

use cookie::{Cookie, CookieJar};
use http::header::COOKIE;
use http::HeaderMap;
use tower_sessions_core::session::Id;

use crate::config::{SameSite, SessionConfig};
use crate::id::parse_id;

/// Returns the session id from the request's cookies when a cookie with the
/// configured name carries a valid signature and a well-formed id.
///
/// Anything else (no cookie, bad signature, malformed id, header bytes that
/// are not text) returns `None`, which means "no session".
pub(crate) fn read_id(headers: &HeaderMap, config: &SessionConfig) -> Option<Id> {
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for cookie in Cookie::split_parse(text).flatten() {
            if cookie.name() != config.cookie_name {
                continue;
            }
            let mut jar = CookieJar::new();
            jar.add_original(cookie.into_owned());
            let verified = jar.signed(config.key.cookie_key()).get(&config.cookie_name);
            if let Some(id) = verified.and_then(|cookie| parse_id(cookie.value())) {
                return Some(id);
            }
        }
    }
    None
}

/// Builds the `Set-Cookie` value that carries `id`, signed with the app key.
///
/// `lifetime` is the session's own lifetime, if set: the cookie then lasts
/// that long even when sessions are configured to end with the browser.
pub(crate) fn session_cookie(
    id: &Id,
    config: &SessionConfig,
    lifetime: Option<Duration>,
) -> String {
    let mut cookie = base_cookie(config, id.to_string());
    let max_age = match lifetime {
        Some(lifetime) => Some(lifetime),
        None if config.expire_on_close => None,
        None => Some(config.lifetime),
    };
    if let Some(max_age) = max_age {
        let seconds = i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX);
        cookie.set_max_age(time::Duration::seconds(seconds));
    }

    let mut jar = CookieJar::new();
    jar.signed_mut(config.key.cookie_key()).add(cookie);
    jar.delta()
        .next()
        .map(|signed| signed.to_string())
        .unwrap_or_default()
}

/// Builds the `Set-Cookie` value that removes the session cookie, with the
/// same path and domain as the cookie it replaces.
pub(crate) fn removal_cookie(config: &SessionConfig) -> String {
    let mut cookie = base_cookie(config, String::new());
    cookie.set_max_age(time::Duration::ZERO);
    cookie.to_string()
}

fn base_cookie(config: &SessionConfig, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(config.cookie_name.clone(), value);
    cookie.set_path(config.cookie_path.clone());
    if let Some(domain) = &config.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_http_only(true);
    cookie.set_secure(config.secure);
    cookie.set_same_site(match config.same_site {
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::None => cookie::SameSite::None,
    });
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::AppKey;
    use http::HeaderValue;

    fn config() -> SessionConfig {
        SessionConfig::new(AppKey::generate())
    }

    fn headers_with(cookie: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.insert(COOKIE, value);
        }
        headers
    }

    fn pair(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap_or_default().to_owned()
    }

    #[test]
    fn signed_cookie_round_trips() {
        let config = config();
        let id = Id::default();
        let header = format!("other=1; {}", pair(&session_cookie(&id, &config, None)));
        assert_eq!(read_id(&headers_with(&header), &config), Some(id));
    }

    #[test]
    fn unsigned_id_rejected() {
        let config = config();
        let header = format!("app_session={}", Id::default());
        assert_eq!(read_id(&headers_with(&header), &config), None);
    }

    #[test]
    fn cookie_signed_with_other_key_rejected() {
        let id = Id::default();
        let header = pair(&session_cookie(&id, &config(), None));
        assert_eq!(read_id(&headers_with(&header), &config()), None);
    }

    #[test]
    fn attributes_follow_config() {
        let mut config = config();
        config.secure = true;
        let header = session_cookie(&Id::default(), &config, None);
        for attribute in [
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
            "Secure",
            "Max-Age=7200",
        ] {
            assert!(
                header.contains(attribute),
                "{attribute} missing from {header}"
            );
        }
    }

    #[test]
    fn expire_on_close_has_no_max_age() {
        let mut config = config();
        config.expire_on_close = true;
        let header = session_cookie(&Id::default(), &config, None);
        assert!(!header.contains("Max-Age"), "{header}");
        assert!(!header.contains("Expires"), "{header}");
    }

    #[test]
    fn session_lifetime_overrides_expire_on_close() {
        let mut config = config();
        config.expire_on_close = true;
        let header = session_cookie(&Id::default(), &config, Some(Duration::from_secs(86_400)));
        assert!(header.contains("Max-Age=86400"), "{header}");
    }

    #[test]
    fn removal_cookie_keeps_path_and_domain() {
        let mut config = config();
        config.cookie_path = "/app".to_owned();
        config.cookie_domain = Some("example.test".to_owned());
        let header = removal_cookie(&config);
        for attribute in ["Max-Age=0", "Path=/app", "Domain=example.test"] {
            assert!(
                header.contains(attribute),
                "{attribute} missing from {header}"
            );
        }
    }
}
