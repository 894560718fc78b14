//! Session tokens: 32 random bytes, sent to the browser once (in the cookie) and
//! stored only as their SHA-256, and the cookie that carries them.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The cookie's name.
pub(crate) const COOKIE: &str = "confab_session";

/// A new token: what goes in the cookie.
pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new personal API token: recognisable by its prefix, as random as a session's.
pub(crate) fn new_api_token() -> String {
    format!("cfb_{}", new_token())
}

/// The token in an `Authorization: Bearer TOKEN` header value, if it is one.
pub(crate) fn from_bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// What is stored for `token`.
pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The session token among a request's `Cookie` headers, if any.
pub(crate) fn from_headers(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .find_map(from_cookie_header)
}

/// The session token in a `Cookie` header, if any.
pub(crate) fn from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that keeps `token` for `max_age` seconds: not readable by
/// scripts, sent on this site's own requests (and top-level visits) only, `Secure`
/// when the server is reached over TLS.
pub(crate) fn set_cookie(token: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value that removes the cookie.
pub(crate) fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn the_cookie_is_found_among_others_and_set_safely() {
        assert_eq!(
            from_cookie_header("a=1; confab_session=xyz; b=2"),
            Some("xyz")
        );
        assert_eq!(from_cookie_header("a=1"), None);
        assert_eq!(from_cookie_header("confab_session="), None);
        let set = set_cookie("xyz", 60, true);
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=60"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set_cookie("xyz", 60, false).contains("Secure"));
    }
}
