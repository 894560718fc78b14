//! What one step of the reducer changed, so the page re-renders that and nothing
//! else: a presence frame touches no message list, a deletion one room's list and
//! one message.

use std::collections::BTreeSet;

use confab_shared::{MessageId, RoomName};

/// The parts of [`super::Chat`] a frame or an action changed. Each part has a
/// signal of its own in the page (`crate::state`); an empty report notifies nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// Which rooms are open, the current one, and each room's standing (private,
    /// role, muted).
    pub rooms: bool,
    /// Rooms whose lines changed: a message, a membership line or an unsent message
    /// came, went or changed, or whether earlier ones exist or are loading.
    pub lines: BTreeSet<RoomName>,
    /// Stored messages that changed or went (deleted, revealed): of a room's lines,
    /// only theirs are drawn again.
    pub messages: BTreeSet<MessageId>,
    /// Rooms whose live state changed: who is online now. Ephemeral state (typing
    /// next) goes here: it never touches the lines.
    pub live: BTreeSet<RoomName>,
    /// Rooms whose members list changed.
    pub members: BTreeSet<RoomName>,
    /// The conversations' people or latest activity (the sidebar's order).
    pub conversations: bool,
    /// Unread counts.
    pub counts: bool,
    /// People's presence (online, away, offline).
    pub people: bool,
    /// Messages worth a notification came (`Chat::take_alerts`).
    pub alerts: bool,
    /// The room browser's list.
    pub browsing: bool,
    /// The notice, about no message in particular.
    pub notice: bool,
    /// The connection, or the session's end.
    pub link: bool,
    /// The unsent messages (kept across reloads).
    pub outbox: bool,
    /// Whom this person blocked.
    pub blocked: bool,
    /// The thread open beside the list: which, its lines.
    pub thread: bool,
}

impl Changed {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Everything about `room` may have changed (it came, went, or started over).
    pub(super) fn whole_room(&mut self, room: &RoomName) {
        self.rooms = true;
        self.counts = true;
        self.outbox = true;
        self.lines.insert(room.clone());
        self.live.insert(room.clone());
        self.members.insert(room.clone());
    }
}
