//! Edits: an author changes the text of their own message (`edit_message`); the
//! room's log gets a `message_edited` event with the new text, and the message is
//! served in its current state from then on (snapshots, history, replays), with
//! when it was last edited.

use serde::{Deserialize, Serialize};

use super::MessageId;
use crate::names::{ClientId, MessageBody};

/// A message's new text (`message_edited`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The message's id.
    pub id: MessageId,
    /// Its text now. A replay gives the current text, never one edited away.
    pub body: MessageBody,
    /// When, RFC 3339 in UTC.
    pub edited_at: String,
    /// The edit's own id, as its author sent it: what a client waiting for its edit
    /// to land looks for.
    pub client_id: ClientId,
}
