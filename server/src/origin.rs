//! Which pages may open a socket. A browser sends the origin of the page that opens a
//! WebSocket, and lets any page open one to any server, with the user's cookies: so
//! the server itself refuses pages of other origins (cross-site WebSocket hijacking).
//! A request without an `Origin` is not from a browser (a bot, the benchmark): it may
//! upgrade, and must still prove who it is.

use axum::http::HeaderValue;

/// The origins whose pages may open a socket here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// This server's own origin as the browser sees it, when it sits behind a proxy
    /// (`--public-url`); without it, a page of the host the request was sent to.
    public: Option<String>,
    /// Other origins allowed (`--allowed-origin`), e.g. `trunk serve` on :8080.
    allowed: Vec<String>,
}

/// Why an origin was refused (the body of the 403).
pub(crate) const REFUSED: &str = "this page's origin may not open a socket here";

impl OriginPolicy {
    /// `public_url`: the address browsers use for this server, if it differs from the
    /// host they send (a proxy); `allowed`: more origins to take. Each is an origin
    /// (`https://chat.example.com`) or a URL, whose path is ignored.
    pub fn new(public_url: Option<&str>, allowed: &[String]) -> Result<Self, String> {
        Ok(Self {
            public: public_url.map(normalize).transpose()?,
            allowed: allowed
                .iter()
                .map(|o| normalize(o))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether a request with these `Origin` and `Host` headers may upgrade.
    pub(crate) fn allows(&self, origin: Option<&HeaderValue>, host: Option<&HeaderValue>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        let Some(origin) = origin.to_str().ok().and_then(|o| normalize(o).ok()) else {
            // `null` (a sandboxed frame, a file) and anything unreadable.
            return false;
        };
        if self.allowed.contains(&origin) {
            return true;
        }
        match &self.public {
            Some(public) => *public == origin,
            None => {
                let host = host
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_ascii_lowercase);
                authority(&origin).is_some_and(|a| Some(a) == host.as_deref())
            }
        }
    }
}

/// `scheme://host[:port]` in lower case, without a default port or any path.
fn normalize(url: &str) -> Result<String, String> {
    let bad = || format!("{url:?} is not an origin like https://chat.example.com");
    let (scheme, rest) = url.trim().split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(bad());
    }
    let host = host.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    Ok(format!("{scheme}://{host}"))
}

/// The `host[:port]` of a normalized origin.
fn authority(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(policy: &OriginPolicy, origin: Option<&str>, host: &str) -> bool {
        let origin = origin.map(|o| HeaderValue::from_str(o).unwrap());
        policy.allows(origin.as_ref(), Some(&HeaderValue::from_str(host).unwrap()))
    }

    #[test]
    fn the_page_of_the_host_asked_and_no_browser_at_all_may_connect() {
        let policy = OriginPolicy::default();
        assert!(allows(&policy, None, "chat.example.com"));
        assert!(allows(
            &policy,
            Some("https://chat.example.com"),
            "chat.example.com"
        ));
        assert!(allows(
            &policy,
            Some("http://127.0.0.1:3000"),
            "127.0.0.1:3000"
        ));
        assert!(!allows(
            &policy,
            Some("https://evil.example"),
            "chat.example.com"
        ));
        assert!(!allows(
            &policy,
            Some("http://127.0.0.1:8080"),
            "127.0.0.1:3000"
        ));
        assert!(!allows(&policy, Some("null"), "chat.example.com"));
    }

    #[test]
    fn behind_a_proxy_the_public_url_and_the_allow_list_decide() {
        let allowed = vec!["http://127.0.0.1:8080/".to_owned()];
        let policy = OriginPolicy::new(Some("https://Chat.Example.com:443/app"), &allowed).unwrap();
        assert!(allows(
            &policy,
            Some("https://chat.example.com"),
            "10.0.0.5:3000"
        ));
        assert!(allows(
            &policy,
            Some("http://127.0.0.1:8080"),
            "10.0.0.5:3000"
        ));
        assert!(!allows(
            &policy,
            Some("http://10.0.0.5:3000"),
            "10.0.0.5:3000"
        ));
        assert!(!allows(
            &policy,
            Some("http://chat.example.com"),
            "10.0.0.5:3000"
        ));
        assert!(OriginPolicy::new(Some("chat.example.com"), &[]).is_err());
        assert!(OriginPolicy::new(None, &["ftp://x".to_owned()]).is_err());
    }
}
