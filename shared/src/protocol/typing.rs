//! Typing: who is writing in a room right now. Never stored, never in the log:
//! state, not history, gathered by the server and sent at a bounded rate.

use serde::{Deserialize, Serialize};

use crate::names::{UserId, UserName};

/// A client says a person is typing at most this often (ms) while they type.
pub const TYPING_EVERY_MS: u64 = 3000;
/// The server forgets a typist this long (ms) after their last `typing`.
pub const TYPING_EXPIRES_MS: u64 = 6000;
/// A `typing` frame names at most this many people (and counts them all).
pub const TYPING_NAMES: usize = 3;

/// One person typing, as a `typing` frame names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typist {
    pub user: UserName,
    pub user_id: UserId,
}
