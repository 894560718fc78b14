//! Threads on the page: replies kept per room apart from its list (the list shows a
//! root with its thread's count and latest reply, and replies also sent to the room),
//! the one thread open beside the list (its root, its replies as the server's page
//! and the room's events give them, this person's unsent replies), and what a reply
//! or a deleted one tells of its thread, folded into the root with the shared
//! `fold_thread`.

use std::collections::BTreeMap;

use confab_shared::protocol::{MAX_HISTORY_LIMIT, fold_thread};
use confab_shared::{
    ChatMessage, ClientId, ClientMsg, Deletion, MessageBody, MessageId, RoomName, Seq, Thread,
    ThreadUnread,
};

use super::{Chat, Delivery, Pending, Row, send_frame};

/// The thread open beside the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenThread {
    pub room: RoomName,
    pub root: MessageId,
    /// The root as the thread's page gave it, for a root the room's list does not
    /// hold (older than what is loaded); kept current like the list's messages.
    pub root_copy: Option<ChatMessage>,
    /// The server holds replies older than the oldest one here.
    pub has_more: bool,
    /// A page of the thread was asked for and has not come.
    pub loading: bool,
    /// The root is gone (deleted, or never there).
    pub gone: bool,
}

/// A room's replies, by seq, of every thread the page has seen.
pub type Replies = BTreeMap<Seq, ChatMessage>;

/// The root of the thread `message` is a reply in, if it is one.
pub(super) fn reply_root(message: &ChatMessage) -> Option<MessageId> {
    message
        .thread
        .as_ref()
        .filter(|thread| thread.is_reply(message.id))
        .map(|thread| thread.root)
}

impl Chat {
    /// Opens the thread of message `id` of the current room (the root's, if `id` is a
    /// reply) beside the list; returns the request for its replies.
    pub fn open_thread(&mut self, id: MessageId) -> Option<ClientMsg> {
        let room = self.current.clone();
        let state = self.rooms.get(&room)?;
        let root = state
            .messages
            .values()
            .chain(state.replies.values())
            .find(|m| m.id == id)
            .and_then(reply_root)
            .unwrap_or(id);
        self.thread = Some(OpenThread {
            room: room.clone(),
            root,
            root_copy: None,
            has_more: false,
            loading: true,
            gone: false,
        });
        self.changed.thread = true;
        Some(thread_page(room, root, None))
    }

    /// Closes the thread beside the list.
    pub fn close_thread(&mut self) {
        if self.thread.take().is_some() {
            self.changed.thread = true;
        }
    }

    /// The request for the open thread's newest replies again, if it is in `room`
    /// (whose replies a snapshot just dropped).
    pub(super) fn thread_again(&mut self, room: &RoomName) -> Option<ClientMsg> {
        let open = self.thread.as_mut().filter(|open| open.room == *room)?;
        open.loading = true;
        self.changed.thread = true;
        Some(thread_page(room.clone(), open.root, None))
    }

    /// Asks for the open thread's replies before the oldest one shown.
    pub fn earlier_replies(&mut self) -> Option<ClientMsg> {
        let open = self.thread.as_mut()?;
        if open.loading || !open.has_more {
            return None;
        }
        let oldest = self
            .rooms
            .get(&open.room)?
            .replies
            .values()
            .find(|m| reply_root(m) == Some(open.root))
            .map(|m| m.seq);
        open.loading = true;
        self.changed.thread = true;
        Some(thread_page(open.room.clone(), open.root, oldest))
    }

    /// Queues a reply in the open thread (also shown in the room with `in_room`);
    /// returns the frame to send.
    pub fn queue_reply(
        &mut self,
        client_id: ClientId,
        body: MessageBody,
        in_room: bool,
    ) -> Option<ClientMsg> {
        let open = self.thread.as_ref().filter(|open| !open.gone)?;
        let room = open.room.clone();
        let pending = Pending {
            client_id,
            body,
            delivery: Delivery::Sending,
            thread: Some(open.root),
            in_room,
        };
        let frame = send_frame(&room, &pending);
        self.rooms.get_mut(&room)?.pending.push(pending);
        self.changed.outbox = true;
        self.changed.thread = true;
        Some(frame)
    }

    /// The open thread's lines: its root, its replies oldest first, then this
    /// person's unsent ones.
    pub fn thread_rows(&self) -> Vec<Row> {
        let Some(open) = &self.thread else {
            return Vec::new();
        };
        let Some(state) = self.rooms.get(&open.room) else {
            return Vec::new();
        };
        let root = state
            .messages
            .values()
            .find(|m| m.id == open.root)
            .or(open.root_copy.as_ref());
        let mut rows = Vec::new();
        let mut previous = None;
        if let Some(root) = root {
            let mut row = self.message_row(root, true, None);
            row.thread = None;
            rows.push(row);
        }
        for reply in state
            .replies
            .values()
            .filter(|m| reply_root(m) == Some(open.root))
        {
            let starts = previous.is_none_or(|author| author != &reply.author_id);
            let mut row = self.message_row(reply, starts, None);
            row.thread = None;
            rows.push(row);
            previous = Some(&reply.author_id);
        }
        let mut after_mine = previous == Some(&self.me_id);
        for pending in state.pending.iter().filter(|p| p.thread == Some(open.root)) {
            rows.push(self.pending_row(pending, !after_mine));
            after_mine = true;
        }
        rows
    }

    /// A reply came (live or replayed): kept with its thread, and what it says of
    /// the thread folded into the root. Whether the room's list shows it too.
    pub(super) fn reply_arrived(&mut self, room: &RoomName, reply: &ChatMessage) -> bool {
        let Some(thread) = reply.thread.clone() else {
            return true;
        };
        self.fold_into_root(room, &thread);
        let me = self.me_id.clone();
        let Some(state) = self.rooms.get_mut(room) else {
            return false;
        };
        if reply.author_id == me {
            let unsent = state.pending.len();
            state.pending.retain(|p| p.client_id != reply.client_id);
            self.changed.outbox |= state.pending.len() != unsent;
        }
        state.replies.insert(reply.seq, reply.clone());
        if self.is_open(room, thread.root) {
            self.changed.thread = true;
            let read = self.read_thread(room, thread.root);
            self.outgoing.extend(read);
        }
        thread.in_room
    }

    /// A message was deleted: gone from its thread, whose summary its deletion says.
    pub(super) fn reply_deleted(&mut self, room: &RoomName, deletion: &Deletion) {
        if let Some(thread) = &deletion.thread {
            self.fold_into_root(room, thread);
        }
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        let at = state
            .replies
            .iter()
            .find(|(_, m)| m.id == deletion.id)
            .map(|(&seq, _)| seq);
        if let Some(gone) = at.and_then(|seq| state.replies.remove(&seq))
            && let Some(root) = reply_root(&gone)
            && self.is_open(room, root)
        {
            self.changed.thread = true;
        }
        if let Some(open) = self.thread.as_mut()
            && open.room == *room
            && open.root == deletion.id
        {
            open.gone = true;
            open.root_copy = None;
            self.changed.thread = true;
        }
    }

    /// A page of a thread came (`history` with `thread`).
    pub(super) fn thread_page(
        &mut self,
        room: &RoomName,
        root: MessageId,
        replies: Vec<ChatMessage>,
        has_more: bool,
        root_message: Option<ChatMessage>,
    ) {
        if let Some(state) = self.rooms.get_mut(room) {
            for reply in replies {
                state.replies.insert(reply.seq, reply);
            }
        }
        let Some(open) = self
            .thread
            .as_mut()
            .filter(|open| open.room == *room && open.root == root)
        else {
            return;
        };
        open.loading = false;
        open.has_more = has_more;
        open.gone = root_message.is_none();
        open.root_copy = root_message;
        self.changed.thread = true;
        let read = self.read_thread(room, root);
        self.outgoing.extend(read);
    }

    /// The stored reply `id` of `room`, or the open thread's copy of its root: what an
    /// edit or a reaction changes when the room's list does not hold the message.
    pub(super) fn thread_message_mut(
        &mut self,
        room: &RoomName,
        id: MessageId,
    ) -> Option<&mut ChatMessage> {
        let open = self.thread.as_ref().is_some_and(|open| open.room == *room);
        let in_replies = self
            .rooms
            .get(room)
            .is_some_and(|r| r.replies.values().any(|m| m.id == id));
        if in_replies {
            if open {
                self.changed.thread = true;
            }
            return self
                .rooms
                .get_mut(room)?
                .replies
                .values_mut()
                .find(|m| m.id == id);
        }
        let copy = self
            .thread
            .as_mut()
            .filter(|open| open.room == *room)?
            .root_copy
            .as_mut()
            .filter(|m| m.id == id)?;
        self.changed.thread = true;
        Some(copy)
    }

    /// The server's `thread_read`: what is unread in a thread this person took part
    /// in. Open here, it is read at once.
    pub(super) fn thread_read_frame(&mut self, room: RoomName, thread: ThreadUnread) {
        let Some(state) = self.rooms.get_mut(&room) else {
            return;
        };
        let before = state
            .reading
            .threads
            .get(&thread.root)
            .copied()
            .unwrap_or(0);
        if thread.unread > 0 {
            state.reading.threads.insert(thread.root, thread.unread);
        } else {
            state.reading.threads.remove(&thread.root);
        }
        if before != thread.unread {
            self.changed.counts = true;
            self.changed.lines.insert(room.clone());
            self.changed.messages.insert(thread.root);
        }
        // More unread: the newest reply (by someone else, come live) is news.
        if thread.unread > before {
            let newest = self.rooms.get(&room).and_then(|state| {
                state
                    .replies
                    .values()
                    .rev()
                    .find(|m| reply_root(m) == Some(thread.root) && m.author_id != self.me_id)
                    .cloned()
            });
            if let Some(reply) = newest {
                self.maybe_alert_reply(&room, &reply, thread.root);
            }
        }
        if thread.unread > 0 && self.is_open(&room, thread.root) {
            let read = self.read_thread(&room, thread.root);
            self.outgoing.extend(read);
        }
    }

    /// The `read` of the open thread `root` of `room` up to its newest reply held,
    /// if the server counts something unread there (an account's page alone).
    fn read_thread(&self, room: &RoomName, root: MessageId) -> Option<ClientMsg> {
        let state = self.rooms.get(room)?;
        if self.is_guest() || !state.reading.threads.contains_key(&root) {
            return None;
        }
        let newest = state
            .replies
            .values()
            .rev()
            .find(|m| reply_root(m) == Some(root))?
            .seq;
        Some(ClientMsg::Read {
            room: room.clone(),
            seq: newest,
            thread: Some(root),
        })
    }

    /// Whether thread `root` of `room` is the one open.
    fn is_open(&self, room: &RoomName, root: MessageId) -> bool {
        self.thread
            .as_ref()
            .is_some_and(|open| open.room == *room && open.root == root)
    }

    /// What an event says of `thread`, into its root wherever the page holds it.
    fn fold_into_root(&mut self, room: &RoomName, thread: &Thread) {
        if let Some(state) = self.rooms.get_mut(room)
            && let Some(root) = state.messages.values_mut().find(|m| m.id == thread.root)
            && fold_thread(root, thread)
        {
            self.changed.lines.insert(room.clone());
            self.changed.messages.insert(thread.root);
        }
        // A deleted root's place in the list.
        if let Some(state) = self.rooms.get_mut(room)
            && state.fold_tombstone(thread)
        {
            self.changed.lines.insert(room.clone());
        }
        let open = self.is_open(room, thread.root);
        if let Some(copy) = self
            .thread
            .as_mut()
            .and_then(|open| open.root_copy.as_mut())
            && open
            && fold_thread(copy, thread)
        {
            self.changed.thread = true;
        }
        if open {
            self.changed.thread = true;
        }
    }
}

/// The request for a page of thread `root`'s replies before `before`.
fn thread_page(room: RoomName, root: MessageId, before: Option<Seq>) -> ClientMsg {
    ClientMsg::History {
        room,
        before,
        limit: MAX_HISTORY_LIMIT,
        around: None,
        request_id: None,
        thread: Some(root),
    }
}
