//! The presence of people: whether a person is online anywhere (any socket open),
//! away, or offline. Asked for by user id ([`PEOPLE_WATCH_LIMIT`] at most), then kept
//! up to date; shown only to people who share a room or conversation with them.

use serde::{Deserialize, Serialize};

use crate::names::UserId;

/// The most people one connection may watch at once.
pub const PEOPLE_WATCH_LIMIT: usize = 200;

/// A client tells the server its person is away after this long (ms) without input,
/// or at once when every tab of it is hidden.
pub const AWAY_AFTER_MS: u64 = 600_000;

/// Where a person is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A socket open and in use.
    Online,
    /// Sockets open, but every one says its person is away.
    Away,
    /// No socket open (or someone this client may not see).
    Offline,
    /// A status a newer server knows.
    #[serde(other)]
    Unknown,
}

/// One person's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonStatus {
    pub user_id: UserId,
    pub status: Status,
}
