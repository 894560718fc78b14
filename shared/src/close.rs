//! WebSocket close codes: what each means, and what a client does about it. The
//! table in docs/protocol.md is this module; the page obeys [`action`].

/// The client closed, or the server ended a connection it will not take back as it
/// is. Do not reconnect by yourself.
pub const NORMAL: u16 = 1000;
/// The server is shutting down (a restart, a deploy).
pub const GOING_AWAY: u16 = 1001;
/// The connection dropped without a close frame (a network failure; browsers report
/// it, no server sends it).
pub const ABNORMAL: u16 = 1006;
/// Sustained abuse (reserved for rate limits).
pub const POLICY: u16 = 1008;
/// A frame was larger than 16 KiB.
pub const TOO_BIG: u16 = 1009;
/// The server failed.
pub const SERVER_ERROR: u16 = 1011;
/// The session ended: signed out elsewhere, expired, or its token was revoked
/// (reserved for accounts).
pub const SIGN_IN_AGAIN: u16 = 4401;
/// The account was banned from the server by a site admin.
pub const FORBIDDEN: u16 = 4403;
/// The client is not keeping up (queue full, a write stalled, no pong).
pub const TOO_SLOW: u16 = 4008;
/// The client speaks a protocol version the server no longer serves: load a newer
/// client (a page reloads itself).
pub const TOO_OLD: u16 = 4426;

/// What a client does when its connection closes with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Connect again after a pause that grows with each failure, then resume each room
    /// with `after` and resend what was not acknowledged.
    Reconnect,
    /// Stay disconnected and tell the person why.
    Stop,
    /// Ask the person to sign in again, then connect.
    SignIn,
    /// Load a newer client (reload the page).
    Reload,
}

/// What to do after a close with `code`. Codes this table does not know are taken
/// as passing trouble: reconnect, with backoff.
pub fn action(code: u16) -> Action {
    match code {
        NORMAL | POLICY | FORBIDDEN => Action::Stop,
        SIGN_IN_AGAIN => Action::SignIn,
        TOO_OLD => Action::Reload,
        _ => Action::Reconnect,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_table() {
        // docs/protocol.md, "Close codes", as numbers.
        for (code, expected) in [
            (1000, Action::Stop),
            (1001, Action::Reconnect),
            (1006, Action::Reconnect),
            (1008, Action::Stop),
            (1009, Action::Reconnect),
            (1011, Action::Reconnect),
            (4008, Action::Reconnect),
            (4401, Action::SignIn),
            (4403, Action::Stop),
            (4426, Action::Reload),
            (4999, Action::Reconnect),
        ] {
            assert_eq!(action(code), expected, "close code {code}");
        }
    }
}
