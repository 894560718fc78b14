//! The message list's lines: the current room's messages in a window, with the lines
//! about the room between them and the pending ones after, each a [`Row`] with what
//! its view shows (grouped, sent, collapsed, first unread, edited, being edited).

use std::ops::Bound;

use confab_shared::{
    ChatMessage, ClientId, EventKind, MessageBody, MessageId, Seq, Thread, UserId, UserName,
};

use super::reacting::{self, Chip};
use super::{Chat, Delivery, Pending, Window, moderation, window};

/// One line of the message list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Stable across the pending → stored transition of the same message.
    pub key: String,
    pub author: UserName,
    pub body: MessageBody,
    /// RFC 3339; None while pending.
    pub ts: Option<String>,
    pub delivery: Option<Delivery>,
    pub client_id: ClientId,
    /// The first of a run of lines by the same author: shows name and time.
    pub starts_group: bool,
    /// Written by the person using the page.
    pub mine: bool,
    /// The stored seq; 0 while pending.
    pub seq: Seq,
    /// The stored message's id; None while pending.
    pub id: Option<MessageId>,
    /// A line about the room, not a message ("ann kicked bob"): its text is `body`,
    /// and `author` whom it is about.
    pub note: bool,
    pub author_id: UserId,
    /// By someone this person blocked, and not asked to be shown: collapsed.
    pub collapsed: bool,
    /// The first unread message when the room was opened: the "New messages" line
    /// goes above it.
    pub first_new: bool,
    /// Mentions the person reading (by someone else).
    pub mentions_me: bool,
    /// Its text was edited by its author.
    pub edited: bool,
    /// Open for editing by this person.
    pub editing: bool,
    /// Its reactions, one chip per emoji.
    pub reactions: Vec<Chip>,
    /// The search result opened: marked.
    pub found: bool,
    /// Its thread: on a root, its replies (shown under it); on a reply also sent to
    /// the room, the thread it is in. None in the thread's own panel.
    pub thread: Option<Thread>,
    /// On a root: replies unread in its thread (one this person took part in).
    pub thread_unread: u32,
}

impl Chat {
    /// The current room's lines in `window`: stored ones in seq order, then (when the
    /// window reaches the newest) pending ones. Costs O(log n) plus the lines shown.
    pub fn rows_in(&self, window: Window) -> Vec<Row> {
        let Some(room) = self.current_room() else {
            return Vec::new();
        };
        // The line just above the window decides how its first line is grouped.
        let above = window::span(room, Bound::Unbounded, Bound::Excluded(window.lo)).next_back();
        let mut previous = above.map(|(&seq, m)| (seq, &m.author_id));
        let first_new = self.first_new();
        let opened = self.opened_in(&self.current);
        let upper = window.hi.map_or(Bound::Unbounded, Bound::Included);
        let mut rows = Vec::new();
        // Lines about the room between the messages: membership and topic notes, and
        // the places kept for deleted roots with replies; above the first message
        // loaded too (a deleted first message keeps its place there).
        let from = if window.shows_oldest(room) {
            room.run(window.lo).0
        } else {
            Bound::Included(window.lo)
        };
        let span = (from, upper);
        let mut notes: Vec<Row> = room
            .notes
            .range(span)
            .filter_map(|(&seq, kind)| note_row(seq, kind))
            .chain(
                room.tombstones
                    .range(span)
                    .filter(|(seq, _)| !room.messages.contains_key(seq))
                    .filter_map(|(_, t)| self.tombstone_row(t)),
            )
            .collect();
        notes.sort_by_key(|row| row.seq);
        let mut notes = notes.into_iter().peekable();
        for m in window::span(room, Bound::Included(window.lo), upper).map(|(_, m)| m) {
            while let Some(row) = notes.next_if(|row| row.seq < m.seq) {
                rows.push(row);
                previous = None;
            }
            let starts_group = previous.is_none_or(|(_, a)| *a != m.author_id);
            let mut row = self.message_row(m, starts_group, first_new);
            row.found = opened == Some(m.seq);
            rows.push(row);
            previous = Some((m.seq, &m.author_id));
        }
        for row in notes {
            rows.push(row);
            previous = None;
        }
        if window.hi.is_some() {
            return rows;
        }
        let mut after_mine = previous.is_some_and(|(_, a)| *a == self.me_id);
        // A reply waits in its thread's panel.
        for p in room.pending.iter().filter(|p| p.thread.is_none()) {
            rows.push(self.pending_row(p, !after_mine));
            after_mine = true;
        }
        rows
    }

    /// The line of stored message `m` (`first_new`: the seq of the first unread).
    pub(super) fn message_row(
        &self,
        m: &ChatMessage,
        starts_group: bool,
        first_new: Option<Seq>,
    ) -> Row {
        Row {
            key: format!("{}/{}", m.author_id, m.client_id),
            author: m.author.clone(),
            body: m.body.clone(),
            ts: Some(m.ts.clone()),
            delivery: None,
            client_id: m.client_id.clone(),
            starts_group,
            mine: m.author_id == self.me_id,
            seq: m.seq,
            id: Some(m.id),
            note: false,
            author_id: m.author_id.clone(),
            collapsed: self.blocked.contains(&m.author_id) && !self.revealed.contains(&m.id),
            first_new: first_new == Some(m.seq),
            mentions_me: self.mentions_me(&m.author_id, m.body.as_str()),
            edited: m.edited_at.is_some(),
            editing: self.editing == Some(m.id),
            reactions: reacting::chips(&m.reactions, &self.me_id),
            found: false,
            thread: m.thread.clone(),
            thread_unread: self
                .current_room()
                .and_then(|r| r.reading.threads.get(&m.id).copied())
                .unwrap_or(0),
        }
    }

    /// The line of this person's message `p`, not stored yet.
    pub(super) fn pending_row(&self, p: &Pending, starts_group: bool) -> Row {
        Row {
            key: format!("{}/{}", self.me_id, p.client_id),
            author: self.me.clone(),
            body: p.body.clone(),
            ts: None,
            delivery: Some(p.delivery.clone()),
            client_id: p.client_id.clone(),
            starts_group,
            mine: true,
            seq: 0,
            id: None,
            note: false,
            author_id: self.me_id.clone(),
            collapsed: false,
            first_new: false,
            mentions_me: false,
            edited: false,
            editing: false,
            reactions: Vec::new(),
            found: false,
            thread: None,
            thread_unread: 0,
        }
    }
}

/// The line for a membership or topic event at `seq`.
fn note_row(seq: Seq, kind: &EventKind) -> Option<Row> {
    let text = moderation::describe(kind)?;
    let (who, ts) = match kind {
        EventKind::TopicChanged(t) => ((&t.by, UserId::new(format!("name:{}", t.by)).ok()?), &t.ts),
        _ => {
            let change = kind.member_change()?;
            ((&change.user, change.user_id.clone()), &change.ts)
        }
    };
    room_line("note", seq, (who.0.clone(), who.1), &text, Some(ts.clone()))
}

/// A line about the room at `seq` (`kind` keys it: "note", "tombstone"), about
/// `who`, saying `text`: nothing to deliver, react to or edit.
pub(super) fn room_line(
    kind: &str,
    seq: Seq,
    who: (UserName, UserId),
    text: &str,
    ts: Option<String>,
) -> Option<Row> {
    Some(Row {
        key: format!("{kind}/{seq}"),
        author: who.0,
        body: MessageBody::new(text).ok()?,
        ts,
        delivery: None,
        client_id: ClientId::new(format!("{kind}-{seq}")).ok()?,
        starts_group: true,
        mine: false,
        seq,
        id: None,
        note: true,
        author_id: who.1,
        collapsed: false,
        first_new: false,
        mentions_me: false,
        edited: false,
        editing: false,
        reactions: Vec::new(),
        found: false,
        thread: None,
        thread_unread: 0,
    })
}
