//! The page's state as a pure function of what happened: server frames and the
//! person's actions. No browser APIs here, so it is unit-tested natively.

use std::collections::{BTreeMap, BTreeSet};

use confab_shared::protocol::PRESENCE_LIST_LIMIT;
use confab_shared::{
    ChatMessage, ClientId, ClientMsg, ErrorCode, EventKind, MemberInfo, MessageBody, MessageId,
    Role, RoomInfo, RoomName, Seq, ServerMsg, Tombstone, Topic, UserId, UserName,
};

/// The state of the socket, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Online,
    /// Closed; the next attempt comes after a pause.
    Offline,
    /// Closed for good: the server said not to reconnect (the notice says why).
    Stopped,
}

/// Where a message the person sent stands before the server has stored it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Queued or on the wire; resent with the same client id after a reconnect.
    Sending,
    /// Refused; the reason is shown with a retry button.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub client_id: ClientId,
    pub body: MessageBody,
    pub delivery: Delivery,
    /// A reply: the root of its thread.
    pub thread: Option<MessageId>,
    /// A reply also sent to the room.
    pub in_room: bool,
}

/// A message not confirmed yet, as kept across reloads (`Chat::outbox`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Unsent {
    pub room: RoomName,
    pub client_id: ClientId,
    pub body: MessageBody,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<MessageId>,
    #[serde(default)]
    pub in_room: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Room {
    /// Stored messages by seq: a message seen twice is kept once.
    pub messages: BTreeMap<Seq, ChatMessage>,
    /// Sent by this person, not yet seen back from the server; oldest first.
    pub pending: Vec<Pending>,
    /// People online, by name: everyone in rooms of at most
    /// `PRESENCE_LIST_LIMIT` people, nobody in bigger ones (only the count).
    pub online: BTreeSet<UserName>,
    pub online_count: u32,
    /// Newest event seq the view reflects: what a reconnect resumes after. None
    /// before the first join.
    pub last_seq: Option<Seq>,
    /// The server holds messages older than the oldest one here.
    pub has_more: bool,
    /// This person's read marker and what is unread here (`model/reading.rs`).
    pub reading: Reading,
    pub loading_earlier: bool,
    /// Messages not loaded between a page opened far back and the newer ones
    /// (`model/history.rs`).
    pub gap: Option<history::Gap>,
    /// A page after the gap's lower side was asked for.
    pub loading_newer: bool,
    /// The page around this seq was asked for (a search result opened).
    pub around: Option<Seq>,
    /// Invite only (the server says so in `rooms` and `room` frames).
    pub private: bool,
    /// What the room is about (empty: nothing said), as `rooms`, `room` frames and
    /// `topic_changed` events say.
    pub topic: Topic,
    /// This person's role, when a member.
    pub role: Option<Role>,
    /// A moderator muted this person here: they read but cannot post.
    pub muted: bool,
    /// The members, once asked for (`members`), kept current by the room's events:
    /// the pages shown so far (`model/members.rs`).
    pub members: Option<Vec<MemberInfo>>,
    /// Which pages of the members the list shows.
    pub paging: members::Paging,
    /// Membership and moderation events seen live or replayed, by seq: shown as
    /// lines between the messages ("ann kicked bob"). The newest [`MAX_NOTES`].
    pub notes: BTreeMap<Seq, EventKind>,
    /// Who is typing here, as the server last said (`model/typing.rs`).
    pub typing: typing::Typing,
    /// Replies the page has seen, of every thread (`model/threads.rs`).
    pub replies: threads::Replies,
    /// Deleted roots whose threads still have replies, by seq: lines that open
    /// their threads (`model/tombstones.rs`).
    pub tombstones: BTreeMap<Seq, Tombstone>,
}

/// The most membership lines a room keeps.
pub const MAX_NOTES: usize = 200;

impl Room {
    /// Older messages exist on the server (as the last snapshot or page said).
    pub fn has_earlier(&self) -> bool {
        self.has_more
    }

    pub fn oldest_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    /// Keeps `message`; whether it is new to the page.
    fn insert(&mut self, message: ChatMessage, me: &UserId) -> bool {
        if message.author_id == *me {
            self.pending.retain(|p| p.client_id != message.client_id);
        }
        self.messages.insert(message.seq, message).is_none()
    }

    /// The view now reflects every event up to `seq`.
    fn seen_up_to(&mut self, seq: Seq) {
        self.last_seq = Some(self.last_seq.map_or(seq, |last| last.max(seq)));
    }

    /// Replaces what the room showed with a snapshot of its newest messages.
    fn replace(
        &mut self,
        messages: Vec<ChatMessage>,
        tombstones: Vec<Tombstone>,
        has_more: bool,
        last_seq: Seq,
        me: &UserId,
    ) {
        self.messages.clear();
        self.tombstones.clear();
        self.keep_tombstones(tombstones);
        self.history_reset();
        // Replies since may be missing: an open thread asks again.
        self.replies.clear();
        for message in messages {
            self.insert(message, me);
        }
        self.has_more = has_more;
        self.last_seq = Some(last_seq);
        // History, not news.
        self.reading.counted_to(last_seq);
    }
}

#[derive(Debug, Clone)]
pub struct Chat {
    /// The name this person shows.
    pub me: UserName,
    /// Who this person is: messages with this `author_id` are theirs.
    pub me_id: UserId,
    pub rooms: BTreeMap<RoomName, Room>,
    pub current: RoomName,
    pub link: Link,
    /// A message for the person that is about no message in particular.
    pub notice: Option<String>,
    /// The server's history id, from the last welcome.
    pub epoch: Option<String>,
    /// The server ended this session (signed out elsewhere, expired): the page goes
    /// back to the first screen.
    pub session_ended: bool,
    /// Messages the server refused for now (`rate_limited`), to send again...
    resend_later: Vec<ClientId>,
    /// ...after this many milliseconds; taken by the socket, which waits it out.
    resend_after_ms: Option<u64>,
    /// Frames to send now that a server frame asked for (joining a room the person
    /// was just added to); taken by the socket after each frame.
    outgoing: Vec<ClientMsg>,
    /// People this person blocked: their messages are collapsed.
    pub blocked: BTreeSet<UserId>,
    /// Messages by blocked people that the person asked to see anyway.
    pub revealed: BTreeSet<MessageId>,
    /// The room this person asked to make, until the server answers: it opens then.
    pub creating: Option<RoomName>,
    /// What changed since the last [`Chat::take_changed`].
    changed: Changed,
    /// The room where the server was last told this person types, and when (ms).
    told_typing: Option<(RoomName, u64)>,
    /// Private conversations: their people and activity, and the one asked for.
    conversations: Conversations,
    /// People's presence, and whom this page watches.
    people: People,
    /// Messages worth a notification, until the page takes them.
    alerts: Vec<Alert>,
    /// The room browser's last query and answer.
    browsing: Browsing,
    /// The message of the open room being edited (`editing.rs`).
    editing: Option<MessageId>,
    /// Edits sent and not yet confirmed, sent again after a reconnect.
    pending_edits: Vec<editing::PendingEdit>,
    /// Reaction commands sent and not yet confirmed, sent again after a reconnect.
    pending_reactions: Vec<reacting::PendingReaction>,
    /// The search asked, its results, and the result opened (`searching.rs`).
    searching: searching::Searching,
    /// The thread open beside the list (`threads.rs`).
    pub thread: Option<OpenThread>,
}

impl Chat {
    /// A chat with these rooms open (the current one is opened if missing).
    pub fn new(me: UserName, rooms: impl IntoIterator<Item = RoomName>, current: RoomName) -> Self {
        let mut all: BTreeMap<RoomName, Room> = rooms
            .into_iter()
            .map(|name| (name, Room::default()))
            .collect();
        all.entry(current.clone()).or_default();
        Self {
            me_id: UserId::guest(&me),
            me,
            rooms: all,
            current,
            link: Link::Connecting,
            notice: None,
            epoch: None,
            session_ended: false,
            resend_later: Vec::new(),
            resend_after_ms: None,
            outgoing: Vec::new(),
            blocked: BTreeSet::new(),
            revealed: BTreeSet::new(),
            creating: None,
            changed: Changed::default(),
            told_typing: None,
            conversations: Conversations::default(),
            people: People::default(),
            alerts: Vec::new(),
            browsing: Browsing::default(),
            editing: None,
            pending_edits: Vec::new(),
            pending_reactions: Vec::new(),
            searching: searching::Searching::default(),
            thread: None,
        }
    }

    /// What changed since the last call: the page notifies those parts alone.
    pub fn take_changed(&mut self) -> Changed {
        std::mem::take(&mut self.changed)
    }

    /// Tells the person `text` (about no message in particular).
    pub fn tell(&mut self, text: String) {
        self.notice = Some(text);
        self.changed.notice = true;
    }

    pub fn dismiss_notice(&mut self) {
        self.notice = None;
        self.changed.notice = true;
    }

    /// The server ended this session: the page goes back to the first screen.
    pub fn end_session(&mut self) {
        self.session_ended = true;
        self.changed.link = true;
    }

    /// What to send now, asked for by the frames applied since the last call.
    pub fn take_outgoing(&mut self) -> Vec<ClientMsg> {
        std::mem::take(&mut self.outgoing)
    }

    /// A room the person belongs to: shown (and joined, if new to this page). The
    /// room this person just made (or conversation just started) becomes current.
    /// `whole`: an entry of `rooms`, where absent read state means none.
    fn belong(&mut self, info: RoomInfo, whole: bool) {
        let is_new = !self.rooms.contains_key(&info.room);
        let asked = self.know_conversation(&info);
        self.room_appeared(&info.room);
        let state = self.rooms.entry(info.room.clone()).or_default();
        if (state.private, state.role, &state.topic) != (info.private, info.role, &info.topic) {
            self.changed.rooms = true;
        }
        state.private = info.private;
        state.role = info.role;
        state.topic = info.topic.clone();
        let opens = asked || self.creating.as_ref() == Some(&info.room);
        if opens {
            self.creating = self.creating.take().filter(|room| *room != info.room);
            let left = std::mem::replace(&mut self.current, info.room.clone());
            self.opened(&left);
            self.changed.whole_room(&info.room);
        }
        if is_new {
            self.changed.whole_room(&info.room);
            self.outgoing.push(ClientMsg::Join {
                room: info.room.clone(),
                after: None,
            });
        }
        self.read_info(&info, whole);
    }

    /// `room` exists for this person after all (invited, made, joined): a notice
    /// that said there was no such room is out of date.
    fn room_appeared(&mut self, room: &RoomName) {
        if self.notice.as_deref() == Some(no_such_room(room).as_str()) {
            self.dismiss_notice();
        }
    }

    /// How long to wait before sending again what the server refused for now (the
    /// socket asks after each frame, and then calls [`Chat::resends`]).
    pub fn take_resend_delay(&mut self) -> Option<u64> {
        self.resend_after_ms.take()
    }

    /// The sends refused for now, to send again (those still unconfirmed).
    pub fn resends(&mut self) -> Vec<ClientMsg> {
        let ids = std::mem::take(&mut self.resend_later);
        self.rooms
            .iter()
            .flat_map(|(name, room)| {
                room.pending
                    .iter()
                    .filter(|p| p.delivery == Delivery::Sending && ids.contains(&p.client_id))
                    .map(|p| send_frame(name, p))
            })
            .collect()
    }

    pub fn current_room(&self) -> Option<&Room> {
        self.rooms.get(&self.current)
    }

    /// Applies one frame from the server; says what it changed (and what other
    /// steps changed since the last [`Chat::take_changed`]).
    pub fn apply(&mut self, msg: ServerMsg) -> Changed {
        self.fold(msg);
        self.take_changed()
    }

    fn fold(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { epoch, user_id, .. } => {
                self.me_id = user_id;
                if self.epoch.as_ref().is_some_and(|known| *known != epoch) {
                    // Another history: our seqs mean nothing there. Start over,
                    // keeping only what the person has not seen stored yet.
                    for (name, room) in &mut self.rooms {
                        *room = Room {
                            pending: std::mem::take(&mut room.pending),
                            ..Room::default()
                        };
                        self.changed.whole_room(name);
                    }
                }
                self.epoch = Some(epoch);
                self.set_link(Link::Online);
                self.people_reconnected();
            }
            ServerMsg::Pong | ServerMsg::Unknown => {}
            ServerMsg::SearchResults {
                request_id,
                results,
                older_than,
            } => self.search_results(request_id, results, older_than),
            ServerMsg::People { people } => self.people_frame(people),
            ServerMsg::ThreadRead { room, thread } => self.thread_read_frame(room, thread),
            ServerMsg::Read {
                room,
                seq,
                unread,
                mentions,
            } => self.read_frame(room, seq, unread, mentions),
            ServerMsg::PublicRooms { rooms } => self.public_rooms(rooms),
            ServerMsg::Typing {
                room,
                people,
                count,
            } => self.typing_in(room, people, count),
            ServerMsg::Rooms { rooms } => {
                for info in rooms {
                    self.belong(info, true);
                }
            }
            ServerMsg::Room(info) => self.belong(info, false),
            ServerMsg::Invited { room, user } => {
                self.tell(format!("{user} is a member of #{room} now"));
            }
            ServerMsg::Members {
                room,
                members,
                has_more,
                ..
            } => self.members_frame(room, members, has_more),
            // Making a room whose name is taken: said, and nothing opens (joining
            // someone else's room by a typo is what a separate "make" avoids).
            ServerMsg::Error {
                code: ErrorCode::RoomExists,
                ..
            } => {
                if let Some(room) = self.creating.take() {
                    self.tell(format!(
                        "There is already a room #{room}: pick another name, or join it by its name"
                    ));
                }
            }
            ServerMsg::Error {
                code: ErrorCode::NotFound,
                room: Some(room),
                ..
            } if self.rooms.get(&room).is_some_and(|r| r.last_seq.is_none()) => {
                // Opened by name, but there is no such room (or it is private).
                self.drop_room(&room);
                self.tell(no_such_room(&room));
            }
            // Out of a room this page held (removed while away, or banned).
            ServerMsg::Error {
                code: code @ (ErrorCode::NotFound | ErrorCode::Forbidden),
                room: Some(room),
                message,
                client_id: None,
                ..
            } if self.rooms.contains_key(&room) && !self.is_member_of(&room) => {
                self.drop_room(&room);
                self.tell(match code {
                    ErrorCode::NotFound => format!("You are no longer in #{room}"),
                    _ => capitalised(&message),
                });
            }
            ServerMsg::Joined {
                room,
                last_seq,
                online,
                online_count,
                messages,
                has_more,
                tombstones,
                // A truncated resume comes with a snapshot, which replaces the view.
                truncated: _,
            } => {
                self.room_appeared(&room);
                let guest = self.is_guest();
                let Some(state) = self.rooms.get_mut(&room) else {
                    return;
                };
                // An account's counts came from the server (`rooms`, `read`): what
                // the join replays is in them. A guest's page counts what it missed.
                if !guest {
                    state.reading.counted_to(last_seq);
                }
                let newest = messages.as_ref().and_then(|m| Some(m.last()?.ts.clone()));
                let snapshot = messages.is_some();
                if let Some(messages) = messages {
                    let unsent = state.pending.len();
                    state.replace(messages, tombstones, has_more, last_seq, &self.me_id);
                    self.changed.outbox |= state.pending.len() != unsent;
                    self.changed.lines.insert(room.clone());
                }
                state.online = online.into_iter().collect();
                state.online_count = online_count;
                if snapshot {
                    // The snapshot dropped the replies: the open thread's again.
                    let again = self.thread_again(&room);
                    self.outgoing.extend(again);
                }
                if let Some(ts) = newest {
                    self.conversation_activity(&room, &ts);
                }
                self.changed.live.insert(room);
                // Opening a search result here: earlier pages until it is loaded.
                let next = self.reach_opened();
                self.outgoing.extend(next);
            }
            ServerMsg::Event(event) => {
                let Some(state) = self.rooms.get_mut(&event.room) else {
                    return;
                };
                let seq = event.seq;
                state.seen_up_to(seq);
                match event.kind {
                    EventKind::Message(_) => {
                        let room = event.room.clone();
                        if let Some(message) = event.into_message()
                            && (threads::reply_root(&message).is_none()
                                || self.reply_arrived(&room, &message))
                        {
                            let Some(state) = self.rooms.get_mut(&room) else {
                                return;
                            };
                            let unsent = state.pending.len();
                            let ts = message.ts.clone();
                            if state.insert(message.clone(), &self.me_id) {
                                self.count_arrival(&room, &message);
                                self.maybe_alert(&room, &message);
                            }
                            let state = self.rooms.get(&room);
                            self.changed.outbox |= state.is_some_and(|s| s.pending.len() != unsent);
                            self.conversation_activity(&room, &ts);
                            self.changed.lines.insert(room);
                        }
                    }
                    EventKind::MessageDeleted(deletion) => {
                        self.reply_deleted(&event.room, &deletion);
                        let Some(state) = self.rooms.get_mut(&event.room) else {
                            return;
                        };
                        let gone = state
                            .messages
                            .iter()
                            .find(|(_, m)| m.id == deletion.id)
                            .map(|(&at, _)| at)
                            .and_then(|at| state.messages.remove(&at));
                        // A root whose thread has replies: its place stays.
                        let kept = deletion.tombstone.is_some();
                        state.keep_tombstones(deletion.tombstone.into_iter().collect());
                        if let Some(message) = gone {
                            self.count_deletion(&event.room, seq, &message);
                            self.changed.lines.insert(event.room.clone());
                            self.changed.messages.insert(deletion.id);
                        }
                        if kept {
                            self.changed.lines.insert(event.room);
                        }
                    }
                    EventKind::MessageEdited(edit) => {
                        let found = state.messages.values_mut().find(|m| m.id == edit.id);
                        if let Some(message) = found {
                            message.body = edit.body.clone();
                            message.edited_at = Some(edit.edited_at.clone());
                            self.changed.lines.insert(event.room.clone());
                            self.changed.messages.insert(edit.id);
                        }
                        // A reply (in its thread, and maybe in the list too).
                        if let Some(message) = self.thread_message_mut(&event.room, edit.id) {
                            message.body = edit.body;
                            message.edited_at = Some(edit.edited_at);
                        }
                        self.edit_landed(&edit.client_id);
                    }
                    EventKind::ReactionAdded(reaction) => {
                        self.reaction_event(&event.room, &reaction, true);
                    }
                    EventKind::ReactionRemoved(reaction) => {
                        self.reaction_event(&event.room, &reaction, false);
                    }
                    // A kind this page does not know changes nothing it shows.
                    EventKind::Unknown => {}
                    change => self.member_event(&event.room, seq, change),
                }
            }
            ServerMsg::Ack {
                room, client_id, ..
            } => {
                // The message frame came first; this only settles a resend whose
                // original the server already had.
                if let Some(state) = self.rooms.get_mut(&room) {
                    let unsent = state.pending.len();
                    state.pending.retain(|p| p.client_id != client_id);
                    if state.pending.len() != unsent {
                        self.changed.outbox = true;
                        self.changed.lines.insert(room);
                    }
                }
            }
            ServerMsg::History {
                room,
                messages,
                has_more,
                thread: Some(root),
                root: root_message,
                ..
            } => self.thread_page(&room, root, messages, has_more, root_message.map(|m| *m)),
            ServerMsg::History {
                room,
                messages,
                has_more,
                has_newer,
                request_id,
                tombstones,
                ..
            } => {
                if let Some(state) = self.rooms.get_mut(&room) {
                    state.keep_tombstones(tombstones);
                }
                self.history_page(&room, messages, has_more, has_newer, request_id);
            }
            ServerMsg::Presence {
                room,
                online_count,
                joined,
                left,
                online,
            } => {
                if let Some(state) = self.rooms.get_mut(&room) {
                    if let Some(everyone) = online {
                        state.online = everyone.into_iter().collect();
                    }
                    state.online.extend(joined);
                    for gone in &left {
                        state.online.remove(gone);
                    }
                    if online_count as usize > PRESENCE_LIST_LIMIT {
                        state.online.clear();
                    }
                    state.online_count = online_count;
                    self.changed.live.insert(room);
                }
            }
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                client_id: Some(id),
                retry_after_ms,
                ..
            } if self.is_pending(&id) => {
                // Not a failure: the message goes again once the server allows.
                let wait = retry_after_ms.unwrap_or(1000).clamp(1, 60_000);
                self.resend_after_ms = Some(self.resend_after_ms.map_or(wait, |w| w.max(wait)));
                self.resend_later.push(id);
            }
            ServerMsg::Error {
                message,
                client_id,
                request_id,
                ..
            } => {
                if let Some(id) = &client_id
                    && self.edit_refused(id)
                {
                    return self.tell(format!("Your edit was not saved: {message}"));
                }
                if let Some(id) = &request_id
                    && self.search_refused(id, &message)
                {
                    return;
                }
                if let Some(id) = &client_id
                    && self.reaction_refused(id)
                {
                    return self.tell(format!("Your reaction was not added: {message}"));
                }
                let failed = client_id.and_then(|id| {
                    self.rooms.iter_mut().find_map(|(name, r)| {
                        let pending = r.pending.iter_mut().find(|p| p.client_id == id)?;
                        Some((name, pending))
                    })
                });
                match failed {
                    Some((room, pending)) => {
                        pending.delivery = Delivery::Failed(message);
                        self.changed.lines.insert(room.clone());
                    }
                    None => self.refused(message),
                }
            }
        }
    }

    fn is_pending(&self, id: &ClientId) -> bool {
        self.rooms
            .values()
            .any(|r| r.pending.iter().any(|p| p.client_id == *id))
    }

    /// The socket went down or came back (before its welcome).
    pub fn set_link(&mut self, link: Link) {
        if self.link != link {
            self.link = link;
            self.changed.link = true;
        }
    }

    /// What to send once a (re)connected socket is welcomed: rejoin every room where
    /// it left off, then resend what was never confirmed, with the same client ids.
    pub fn resume(&self) -> Vec<ClientMsg> {
        let joins = self.rooms.iter().map(|(name, room)| ClientMsg::Join {
            room: name.clone(),
            after: room.last_seq,
        });
        let resends = self.rooms.iter().flat_map(|(name, room)| {
            room.pending
                .iter()
                .filter(|p| p.delivery == Delivery::Sending)
                .map(|p| send_frame(name, p))
        });
        joins
            .chain(resends)
            .chain(self.edit_resends())
            .chain(self.reaction_resends())
            .chain(self.resume_status())
            .collect()
    }

    /// Makes `room` current, opening it if new: then it joins it (a name that is no
    /// room, or no room for this person, is dropped again with a notice). Returns
    /// what to send.
    pub fn open_room(&mut self, room: RoomName) -> Option<ClientMsg> {
        let is_new = !self.rooms.contains_key(&room);
        self.rooms.entry(room.clone()).or_default();
        if is_new {
            self.changed.whole_room(&room);
        }
        if self.current != room {
            // An edit or a thread left open belongs to the room being left.
            self.stop_editing();
            self.close_thread();
            self.changed.rooms = true;
            let left = std::mem::replace(&mut self.current, room.clone());
            self.opened(&left);
        }
        is_new.then_some(ClientMsg::Join { room, after: None })
    }

    /// Asks the server to make `room` (`private` or public, about `topic`). It opens
    /// once the server says it is made; a taken name is said instead. A room already
    /// open here is only made current. Returns what to send.
    pub fn create_room(
        &mut self,
        room: RoomName,
        topic: Topic,
        private: bool,
    ) -> Option<ClientMsg> {
        if self.rooms.contains_key(&room) {
            self.open_room(room);
            return None;
        }
        self.creating = Some(room.clone());
        Some(ClientMsg::CreateRoom {
            room,
            topic,
            private,
        })
    }

    /// Closes `room`; returns the leave to send, if it was open. The last open room
    /// stays open: there is always a current room.
    pub fn close_room(&mut self, room: &RoomName) -> Option<ClientMsg> {
        self.drop_room(room)
            .then(|| ClientMsg::Leave { room: room.clone() })
    }

    /// Forgets `room` (unless it is the last); whether it did.
    fn drop_room(&mut self, room: &RoomName) -> bool {
        if self.rooms.len() < 2 || self.rooms.remove(room).is_none() {
            return false;
        }
        self.changed.whole_room(room);
        if self.thread.as_ref().is_some_and(|t| t.room == *room) {
            self.close_thread();
        }
        if self.current == *room
            && let Some(next) = self.rooms.keys().next()
        {
            self.current = next.clone();
        }
        true
    }

    /// Invites `user` to the current room.
    pub fn invite(&self, user: UserName) -> ClientMsg {
        ClientMsg::Invite {
            room: self.current.clone(),
            user,
        }
    }

    /// Queues a message for the current room; returns the frame to send.
    pub fn queue_send(&mut self, client_id: ClientId, body: MessageBody) -> Option<ClientMsg> {
        // Sending ends typing: the server says so to the others itself.
        self.told_typing = None;
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        let pending = Pending {
            client_id,
            body,
            delivery: Delivery::Sending,
            thread: None,
            in_room: false,
        };
        let frame = send_frame(&room, &pending);
        state.pending.push(pending);
        self.changed.outbox = true;
        self.changed.lines.insert(room);
        Some(frame)
    }

    /// Tries a failed message again; returns the frame to send.
    pub fn retry(&mut self, client_id: &ClientId) -> Option<ClientMsg> {
        let (room, frame) = self.rooms.iter_mut().find_map(|(name, room)| {
            let pending = room
                .pending
                .iter_mut()
                .find(|p| p.client_id == *client_id)?;
            pending.delivery = Delivery::Sending;
            Some((name.clone(), send_frame(name, pending)))
        })?;
        self.changed.lines.insert(room);
        Some(frame)
    }

    /// Unconfirmed messages, to keep across reloads.
    pub fn outbox(&self) -> Vec<Unsent> {
        self.rooms
            .iter()
            .flat_map(|(name, room)| {
                room.pending.iter().map(|p| Unsent {
                    room: name.clone(),
                    client_id: p.client_id.clone(),
                    body: p.body.clone(),
                    thread: p.thread,
                    in_room: p.in_room,
                })
            })
            .collect()
    }

    /// Puts back messages saved by [`Chat::outbox`] before a reload; they are sent on
    /// the next welcome, with their original client ids.
    pub fn restore_outbox(&mut self, saved: Vec<Unsent>) {
        for unsent in saved {
            self.changed.whole_room(&unsent.room);
            let state = self.rooms.entry(unsent.room).or_default();
            if !state
                .pending
                .iter()
                .any(|p| p.client_id == unsent.client_id)
            {
                state.pending.push(Pending {
                    client_id: unsent.client_id,
                    body: unsent.body,
                    delivery: Delivery::Sending,
                    thread: unsent.thread,
                    in_room: unsent.in_room,
                });
            }
        }
    }
}

/// What the person is told when `room` is no room they can join.
fn no_such_room(room: &RoomName) -> String {
    format!("There is no room #{room} you can join")
}

fn send_frame(room: &RoomName, pending: &Pending) -> ClientMsg {
    ClientMsg::Send {
        room: room.clone(),
        client_id: pending.client_id.clone(),
        body: pending.body.clone(),
        thread: pending.thread,
        in_room: pending.in_room,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

mod alerts;
mod browsing;
mod changed;
mod conversations;
mod editing;
mod history;
mod members;
mod mentions;
mod moderation;
mod people;
mod reacting;
mod reading;
mod rows;
mod searching;
mod threads;
mod tombstones;
mod typing;
mod window;
pub use alerts::Alert;
use browsing::Browsing;
pub use browsing::Found;
pub use changed::Changed;
use conversations::Conversations;
pub use conversations::{MAX_OTHERS, parse_people, suggestions};
pub use history::Gap;
pub use mentions::{Piece, complete, pieces, typing_mention};
pub use moderation::describe;
use people::People;
pub use reacting::Chip;
use reading::Reading;
pub use reading::shown;
pub use rows::Row;
pub use searching::ResultLine;
pub use threads::OpenThread;
pub use tombstones::is_tombstone;
pub use window::Window;

#[cfg(test)]
mod alerts_tests;
#[cfg(test)]
mod browsing_tests;
#[cfg(test)]
mod changed_tests;
#[cfg(test)]
mod conversations_tests;
#[cfg(test)]
mod editing_tests;
#[cfg(test)]
mod history_tests;
#[cfg(test)]
mod members_tests;
#[cfg(test)]
mod mentions_tests;
#[cfg(test)]
mod moderation_tests;
#[cfg(test)]
mod people_tests;
#[cfg(test)]
mod reacting_tests;
#[cfg(test)]
mod reading_tests;
#[cfg(test)]
mod rooms_tests;
#[cfg(test)]
mod searching_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod threads_tests;
#[cfg(test)]
mod tombstones_tests;
#[cfg(test)]
mod typing_tests;
