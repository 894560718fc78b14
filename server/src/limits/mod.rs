//! Abuse protection: how fast a person may send, how often an address may try a
//! password, how many sockets a person and an address may hold, and which address a
//! request comes from. [`Limits`] is what the operator sets; [`Guards`] is the state
//! the server keeps to enforce it. Every limit is documented in docs/api.md and
//! docs/protocol.md, with its default.

mod client_ip;
mod logins;
mod pace;
mod sockets;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub(crate) use client_ip::ClientIp;
pub(crate) use logins::{LoginRefusal, Logins};
pub(crate) use pace::{Admit, MessageLimiter, Pace};
pub(crate) use sockets::Sockets;

/// The operator's limits. `0` turns a count or a rate off.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Messages a person may send at once before being slowed (`--message-burst`).
    pub message_burst: u32,
    /// Messages a person may send per second, steadily, across all their sockets
    /// (`--message-rate`; 0: no limit).
    pub message_rate: u32,
    /// Password attempts (sign-ins and sign-ups) an address may make at once
    /// (`--login-burst`).
    pub login_burst: u32,
    /// Further attempts an address may make per minute (`--login-per-minute`; 0: no
    /// limit).
    pub login_per_minute: u32,
    /// Sockets one person may hold open (`--max-sockets-per-user`; 0: no limit).
    pub sockets_per_user: u32,
    /// Sockets one client address may hold open (`--max-sockets-per-ip`; 0: no
    /// limit).
    pub sockets_per_ip: u32,
    /// A connection that has not sent its whole request head within this long is
    /// closed (`--handshake-timeout`).
    pub handshake_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            message_burst: 20,
            message_rate: 2,
            login_burst: 10,
            login_per_minute: 10,
            sockets_per_user: 20,
            sockets_per_ip: 200,
            handshake_timeout: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Limits {
    /// No rate or count limits (the handshake timeout stays): for load tests and
    /// benchmarks that measure the server's own work.
    pub fn off() -> Self {
        Self {
            message_rate: 0,
            login_per_minute: 0,
            sockets_per_user: 0,
            sockets_per_ip: 0,
            ..Self::default()
        }
    }
}

/// What the server keeps to enforce [`Limits`].
pub(crate) struct Guards {
    pub(crate) messages: MessageLimiter,
    pub(crate) logins: Logins,
    pub(crate) sockets: Sockets,
    pub(crate) trusted_proxies: Vec<IpAddr>,
}

impl Guards {
    pub(crate) fn new(limits: &Limits) -> Self {
        Self {
            messages: MessageLimiter::new(limits.message_rate, limits.message_burst),
            logins: Logins::new(limits.login_per_minute, limits.login_burst),
            sockets: Sockets::new(limits.sockets_per_user, limits.sockets_per_ip),
            trusted_proxies: limits.trusted_proxies.clone(),
        }
    }

    /// Forgets what no longer limits anyone (idle senders, old failures); called now
    /// and then so that the tables stay as small as the active set.
    pub(crate) fn prune(&self) {
        self.messages.prune();
        self.logins.prune();
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}
