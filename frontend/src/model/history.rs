//! A room's history as the page loads it: pages of earlier messages as the reader
//! scrolls up, and a page around one message when a search result far back is
//! opened. That page is an island: between it and the newer messages already loaded
//! lies a [`Gap`], loaded from either side as the reader scrolls to it, so a result
//! ten thousand messages back costs one request, not a hundred.

use std::ops::Bound::{self, Included, Unbounded};

use confab_shared::protocol::MAX_HISTORY_LIMIT;
use confab_shared::{ChatMessage, ClientMsg, RequestId, RoomName, Seq};

use super::{Chat, Room};

/// Messages not loaded between two loaded runs of a room's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// The newest seq loaded below it (the island's last line).
    pub after: Seq,
    /// The oldest seq loaded above it.
    pub before: Seq,
}

/// What a page was asked for, said by its request id and echoed by the answer.
const EARLIER: &str = "earlier";
const AROUND: &str = "around";
const NEWER: &str = "newer";

impl Room {
    /// The loaded run holding `seq`: the whole room, or one side of its gap.
    pub fn run(&self, seq: Seq) -> (Bound<Seq>, Bound<Seq>) {
        match self.gap {
            Some(gap) if seq <= gap.after => (Unbounded, Included(gap.after)),
            Some(gap) => (Included(gap.before), Unbounded),
            None => (Unbounded, Unbounded),
        }
    }

    /// `seq` is loaded, or known to be gone (nothing older is left to load).
    pub(super) fn holds(&self, seq: Seq) -> bool {
        let in_gap = self
            .gap
            .is_some_and(|gap| gap.after < seq && seq < gap.before);
        !in_gap && (self.oldest_seq().is_some_and(|oldest| oldest <= seq) || !self.has_earlier())
    }

    /// Forgets the island and its gap: the loaded history is one run again.
    fn drop_island(&mut self) {
        if let Some(gap) = self.gap.take() {
            self.messages = self.messages.split_off(&gap.before);
            self.tombstones = self.tombstones.split_off(&gap.before);
            self.has_more = true;
        }
    }

    /// A snapshot replaced the history: nothing asked before it is awaited.
    pub(super) fn history_reset(&mut self) {
        self.gap = None;
        self.loading_earlier = false;
        self.loading_newer = false;
        self.around = None;
    }
}

impl Chat {
    /// Asks for the page of messages before the loaded run whose oldest line shown
    /// is `lo`: above the gap, the newest ones in it; otherwise the room's earlier
    /// history.
    pub fn load_earlier(&mut self, lo: Seq) -> Option<ClientMsg> {
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        let before = match state.gap {
            Some(gap) if lo >= gap.before => gap.before,
            _ if state.has_earlier() => state.oldest_seq()?,
            _ => return None,
        };
        if state.loading_earlier {
            return None;
        }
        state.loading_earlier = true;
        self.changed.lines.insert(room.clone());
        Some(page(room, EARLIER, Some(before), None))
    }

    /// Asks for the messages after the island, the reader being at its end.
    pub fn load_newer(&mut self) -> Option<ClientMsg> {
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        let gap = state.gap?;
        if state.loading_newer {
            return None;
        }
        state.loading_newer = true;
        self.changed.lines.insert(room.clone());
        Some(page(room, NEWER, None, Some(gap.after)))
    }

    /// Asks for the messages around `seq` of the current room, unless they are
    /// loaded or asked for already.
    pub(super) fn load_around(&mut self, seq: Seq) -> Option<ClientMsg> {
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        if state.holds(seq) || state.around == Some(seq) {
            return None;
        }
        state.around = Some(seq);
        Some(page(room, AROUND, None, Some(seq)))
    }

    /// A page of `room`'s history (not a thread's), as the server sent it.
    pub(super) fn history_page(
        &mut self,
        room: &RoomName,
        messages: Vec<ChatMessage>,
        has_more: bool,
        has_newer: bool,
        request_id: Option<RequestId>,
    ) {
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let first = messages.first().map(|m| m.seq);
        let last = messages.last().map(|m| m.seq);
        match request_id.as_ref().map(|r| r.as_str()) {
            Some(AROUND) => {
                state.around = None;
                // The latest result opened wins: an earlier island goes.
                state.drop_island();
                let above = state.oldest_seq();
                if first.is_none_or(|first| above.is_none_or(|above| first < above)) {
                    state.has_more = has_more;
                }
                state.gap = match (last, above) {
                    (Some(after), Some(before)) if has_newer && after < before => {
                        Some(Gap { after, before })
                    }
                    _ => None,
                };
            }
            Some(NEWER) => {
                state.loading_newer = false;
                if let Some(gap) = state.gap {
                    let after = last.map_or(gap.after, |last| last.max(gap.after));
                    state.gap = (has_newer && after < gap.before).then_some(Gap { after, ..gap });
                }
            }
            _ => {
                state.loading_earlier = false;
                match state.gap {
                    // From above the gap: its newest messages.
                    Some(gap) if last.is_some_and(|last| last > gap.after) => {
                        let before = first.map_or(gap.before, |first| first.min(gap.before));
                        state.gap =
                            (has_more && before > gap.after).then_some(Gap { before, ..gap });
                    }
                    _ => {
                        // A page before the oldest held: it says whether more are older.
                        if first.is_none_or(|first| state.oldest_seq().is_none_or(|o| first < o)) {
                            state.has_more = has_more;
                        }
                    }
                }
            }
        }
        let unsent = state.pending.len();
        for message in messages {
            state.insert(message, &self.me_id);
        }
        self.changed.outbox |= state.pending.len() != unsent;
        self.changed.lines.insert(room.clone());
        // Opening a search result here: its page, if still missing.
        let next = self.reach_opened();
        self.outgoing.extend(next);
    }
}

/// A `history` request for `room`: before a seq, or around one.
fn page(room: RoomName, asked: &str, before: Option<Seq>, around: Option<Seq>) -> ClientMsg {
    ClientMsg::History {
        room,
        before,
        limit: MAX_HISTORY_LIMIT,
        around,
        request_id: RequestId::new(asked).ok(),
        thread: None,
    }
}
