//! Which address a request comes from, for the per-address limits: the TCP peer, or,
//! when the peer is a `--trusted-proxy`, the nearest address in `X-Forwarded-For`
//! that is not one of the trusted proxies. A client cannot choose its address by
//! sending the header itself: only what a trusted proxy appended counts.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::state::AppState;

/// The client's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientIp(pub(crate) IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        // The accept loop (accept.rs) puts the peer's address on every request.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
        Ok(Self(resolve(
            peer,
            &parts.headers,
            &state.guards.trusted_proxies,
        )))
    }
}

/// The client behind `peer`, per the rule in the module comment.
fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(&peer) {
        return peer;
    }
    // Every X-Forwarded-For line, in order; the nearest hop is the last.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.into_iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // Something the proxy did not write: trust nothing further out.
            return peer;
        };
        if !trusted.contains(&ip) {
            return ip;
        }
    }
    peer
}

/// An address as proxies write it: bare, or with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).expect("value"));
        }
        headers
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxy = ip("10.0.0.2");
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(
            resolve(ip("198.51.100.1"), &headers, &[proxy]),
            ip("198.51.100.1")
        );
        assert_eq!(resolve(proxy, &headers, &[proxy]), ip("203.0.113.7"));
        assert_eq!(resolve(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn what_the_client_wrote_itself_is_ignored() {
        // The client sent "1.1.1.1"; the proxy appended the address it saw.
        let proxy = ip("10.0.0.2");
        let headers = forwarded(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(resolve(proxy, &headers, &[proxy]), ip("203.0.113.7"));
        // Two proxies in a row, on two lines.
        let inner = ip("10.0.0.3");
        let headers = forwarded(&["1.1.1.1, 203.0.113.7", "10.0.0.2"]);
        assert_eq!(resolve(inner, &headers, &[proxy, inner]), ip("203.0.113.7"));
        let headers = forwarded(&["203.0.113.7, junk"]);
        assert_eq!(resolve(proxy, &headers, &[proxy]), proxy);
        let headers = forwarded(&["[2001:db8::1]:4711"]);
        assert_eq!(resolve(proxy, &headers, &[proxy]), ip("2001:db8::1"));
    }
}
