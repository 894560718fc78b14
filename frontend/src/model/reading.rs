//! Read state in the page: per room, this person's read marker (the seq up to which
//! they have read, kept by the server), what is unread after it and how much of that
//! mentions them, and the room's notification level. The server's `rooms`, `room`
//! and `read` frames set them; between those the page keeps the counts by the
//! server's rule (a message by someone else after the marker adds one, its deletion
//! takes it away). The page tells the server what the person has seen on screen
//! (`read`); a guest keeps no read state on the server, so its page keeps it alone.

use confab_shared::protocol::{UNREAD_CAP, mentions};
use std::collections::BTreeMap;

use confab_shared::{ChatMessage, ClientMsg, MessageId, Notify, RoomInfo, RoomName, Seq};

use super::Chat;

/// One room's read state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// The seq up to which this person has read (None: nothing yet).
    pub marker: Option<Seq>,
    /// Messages by others after the marker (at most [`UNREAD_CAP`]: "99+").
    pub unread: u32,
    /// Those of them that mention this person.
    pub mentions: u32,
    /// When this person is notified of the room's messages.
    pub notify: Notify,
    /// Replies unread in the threads this person took part in, by root, as the
    /// server last said (`model/threads.rs`); only those with some.
    pub threads: BTreeMap<MessageId, u32>,
    /// Events up to this seq are in the counts already (the server counted them, or
    /// they came as history, which is no news): arriving again, they add nothing.
    counted_until: Seq,
    /// The newest seq this person saw on screen here, and the newest told the server.
    seen: Seq,
    told: Seq,
    /// Where the marker stood when the room was opened with something unread: the
    /// "New messages" line goes above the first message by someone else after it.
    line_after: Option<Seq>,
    /// The server said where the marker is (`rooms`, `read`, or a `room` with it).
    known: bool,
    /// The person marked the room unread while in it: what is on screen does not
    /// count as read again until they open it anew.
    held: bool,
}

impl Reading {
    /// Whether a message at `seq` (`mine` or not) that just arrived is unread.
    fn counts(&self, seq: Seq, mine: bool) -> bool {
        !mine && seq > self.counted_until && self.marker.is_none_or(|m| seq > m)
    }

    fn set(&mut self, marker: Option<Seq>, unread: u32, mentions: u32) -> bool {
        let before = (self.marker, self.unread, self.mentions);
        self.marker = marker;
        // The server knows where it is: nothing to tell it up to there.
        self.told = marker.unwrap_or(0);
        self.unread = unread.min(UNREAD_CAP);
        self.mentions = mentions.min(UNREAD_CAP);
        self.known = true;
        before != (self.marker, self.unread, self.mentions)
    }

    /// Whether an event at `seq` is news: not in the counts already (a join's
    /// replay, a snapshot).
    pub(super) fn is_news(&self, seq: Seq) -> bool {
        seq > self.counted_until
    }

    /// Events up to `seq` are counted (or no news).
    pub(super) fn counted_to(&mut self, seq: Seq) {
        self.counted_until = self.counted_until.max(seq);
    }

    /// Anything unread here, in the room or its threads.
    pub fn has_unread(&self) -> bool {
        self.total() > 0
    }

    /// What is unread here: the room's messages and its threads' replies.
    pub fn total(&self) -> u32 {
        let replies: u32 = self.threads.values().sum();
        (self.unread + replies).min(UNREAD_CAP)
    }

    /// Whether the room's count goes into the tab's title.
    pub fn loud(&self) -> bool {
        self.notify != Notify::None
    }
}

/// How a count is shown: "99+" at the cap.
pub fn shown(count: u32) -> String {
    if count >= UNREAD_CAP {
        format!("{}+", UNREAD_CAP - 1)
    } else {
        count.to_string()
    }
}

impl Chat {
    /// Read state from a `rooms` entry (`whole`: absent fields mean none) or a `room`
    /// frame, which says where the marker is only when it carries `read` (a room
    /// just joined, made or started comes without: the page asks, with a `read` of
    /// seq 0, which moves nothing and is answered with the marker and the counts).
    pub(super) fn read_info(&mut self, info: &RoomInfo, whole: bool) {
        let guest = self.is_guest();
        let current = self.current == info.room;
        let Some(state) = self.rooms.get_mut(&info.room) else {
            return;
        };
        let reading = &mut state.reading;
        let threads: BTreeMap<MessageId, u32> = info
            .threads
            .iter()
            .filter(|t| t.unread > 0)
            .map(|t| (t.root, t.unread))
            .collect();
        if reading.threads != threads {
            reading.threads = threads;
            self.changed.counts = true;
            self.changed.lines.insert(info.room.clone());
            self.changed
                .messages
                .extend(reading.threads.keys().copied());
        }
        if !whole && info.read.is_none() {
            if !reading.known && !guest {
                self.outgoing.push(ClientMsg::Read {
                    room: info.room.clone(),
                    seq: 0,
                    thread: None,
                });
            }
            return;
        }
        let first = !reading.known;
        let mut changed = reading.set(info.read, info.unread, info.mentions);
        if reading.notify != info.notify {
            reading.notify = info.notify;
            changed = true;
        }
        self.changed.counts |= changed;
        // The room open as the page loads: its line goes where the marker is.
        if first && current {
            self.open_line(&info.room.clone());
        }
    }

    /// The server's `read` frame: the marker moved (here or on another device).
    pub(super) fn read_frame(&mut self, room: RoomName, seq: Seq, unread: u32, mentions: u32) {
        let current = self.current == room;
        let Some(state) = self.rooms.get_mut(&room) else {
            return;
        };
        let first = !state.reading.known;
        self.changed.counts |= state.reading.set(Some(seq), unread, mentions);
        if first && current {
            self.open_line(&room);
        }
    }

    /// A message new to the page arrived live in `room`: unread, if by someone else
    /// after the marker.
    pub(super) fn count_arrival(&mut self, room: &RoomName, message: &ChatMessage) {
        let mine = message.author_id == self.me_id;
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let reading = &mut state.reading;
        if !reading.counts(message.seq, mine) {
            return;
        }
        reading.unread = (reading.unread + 1).min(UNREAD_CAP);
        if mentions(message.body.as_str(), &self.me) {
            reading.mentions = (reading.mentions + 1).min(UNREAD_CAP);
        }
        self.changed.counts = true;
    }

    /// `message` in `room` was deleted by the event at `seq`: if it was counted
    /// unread, it is no longer.
    pub(super) fn count_deletion(&mut self, room: &RoomName, seq: Seq, message: &ChatMessage) {
        let mine = message.author_id == self.me_id;
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let reading = &mut state.reading;
        // A deletion already counted by the server (replayed) is in its counts.
        if seq <= reading.counted_until || !reading.counts(message.seq, mine) {
            return;
        }
        reading.unread = reading.unread.saturating_sub(1);
        if mentions(message.body.as_str(), &self.me) {
            reading.mentions = reading.mentions.saturating_sub(1);
        }
        self.changed.counts = true;
    }

    /// The person saw the current room's lines up to `seq` on screen (the tab shown):
    /// the marker moves there, and the counts clear once the newest message is seen.
    /// The server hears of it with the next [`Chat::take_reads`].
    pub fn seen(&mut self, seq: Seq) {
        let room = self.current.clone();
        self.seen_in(&room, seq);
    }

    fn seen_in(&mut self, room: &RoomName, seq: Seq) {
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let reading = &mut state.reading;
        if reading.held {
            return;
        }
        reading.seen = reading.seen.max(seq);
        if reading.marker.is_some_and(|m| m >= seq) {
            return;
        }
        reading.marker = Some(seq);
        let newest = state.messages.keys().next_back().copied().unwrap_or(0);
        if seq >= newest && (reading.unread, reading.mentions) != (0, 0) {
            reading.unread = 0;
            reading.mentions = 0;
            self.changed.counts = true;
        }
    }

    /// What to tell the server of what was seen since the last call (the page asks
    /// every second): a `read` for each room whose marker moved here. A guest's
    /// page keeps its read state alone.
    pub fn take_reads(&mut self) -> Vec<ClientMsg> {
        if self.is_guest() {
            return Vec::new();
        }
        self.rooms
            .iter_mut()
            .filter_map(|(room, state)| {
                let reading = &mut state.reading;
                let seq = reading.marker.filter(|m| *m > reading.told)?;
                reading.told = seq;
                Some(ClientMsg::Read {
                    room: room.clone(),
                    seq,
                    thread: None,
                })
            })
            .collect()
    }

    /// "Mark as read": the current room, up to the newest event the page has; the
    /// frames to send.
    pub fn mark_read(&mut self) -> Vec<ClientMsg> {
        if let Some(newest) = self.current_room().and_then(|r| r.last_seq) {
            self.seen(newest);
        }
        self.take_reads()
    }

    /// "Mark unread" on the message at `seq` of the current room: the marker moves back
    /// to just before it (the server counts what is unread after it and says so with
    /// `read`), the "New messages" line goes above it, and what stays on screen is
    /// not read again until the room is opened anew. The frame to send; none for a
    /// guest, whose page keeps no read state with the server.
    pub fn mark_unread_from(&mut self, seq: Seq) -> Option<ClientMsg> {
        if self.is_guest() {
            return None;
        }
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        let reading = &mut state.reading;
        let before = seq.saturating_sub(1);
        reading.held = true;
        reading.marker = Some(before);
        reading.told = before;
        reading.line_after = Some(before);
        self.changed.lines.insert(room.clone());
        Some(ClientMsg::MarkUnread { room, seq })
    }

    /// "Mark all as read": every room with something unread, each up to the newest
    /// event the page has of it; the frames to send.
    pub fn mark_all_read(&mut self) -> Vec<ClientMsg> {
        let unread: Vec<(RoomName, Seq)> = self
            .rooms
            .iter()
            .filter(|(_, r)| r.reading.has_unread())
            .filter_map(|(name, r)| Some((name.clone(), r.last_seq?)))
            .collect();
        for (room, seq) in unread {
            self.seen_in(&room, seq);
        }
        self.take_reads()
    }

    /// The tab's title: unread messages of the rooms not set to "nothing".
    pub fn title_count(&self) -> u32 {
        self.rooms
            .values()
            .filter(|r| r.reading.loud())
            .map(|r| r.reading.total())
            .sum()
    }

    /// `room` was opened (made current): the "New messages" line goes where its
    /// marker is, if anything is unread; the room left loses its line.
    pub(super) fn opened(&mut self, left: &RoomName) {
        if let Some(state) = self.rooms.get_mut(left) {
            state.reading.held = false;
            if state.reading.line_after.take().is_some() {
                self.changed.lines.insert(left.clone());
            }
        }
        let room = self.current.clone();
        self.open_line(&room);
    }

    fn open_line(&mut self, room: &RoomName) {
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let reading = &mut state.reading;
        let line = reading.has_unread().then(|| reading.marker.unwrap_or(0));
        if reading.line_after != line {
            reading.line_after = line;
            self.changed.lines.insert(room.clone());
        }
    }

    /// The first message of the current room below the "New messages" line.
    pub fn first_new(&self) -> Option<Seq> {
        let room = self.current_room()?;
        let after = room.reading.line_after?;
        room.messages
            .range(after + 1..)
            .find(|(_, m)| m.author_id != self.me_id)
            .map(|(&seq, _)| seq)
    }
}
