//! The wire protocol (version 2): JSON text frames, each an object with a `"type"`.
//! docs/protocol.md is the contract people read; the tests at the bottom pin the exact
//! JSON so the two cannot drift apart unnoticed.
//!
//! Both sides ignore what they do not know: unknown fields (serde's default), frame
//! types ([`ServerMsg::Unknown`]), event kinds ([`EventKind::Unknown`]) and error
//! codes ([`ErrorCode::Unknown`]). So adding any of those never needs a new version.

use serde::{Deserialize, Serialize};

use crate::names::{ClientId, Emoji, MessageBody, RequestId, RoomName, Topic, UserId, UserName};

mod decode;
mod editing;
mod moderation;
mod notify;
mod people;
mod reactions;
mod reading;
mod rooms;
mod search;
mod threads;
mod typing;
pub use decode::DecodeError;
pub use editing::Edit;
pub use moderation::{Deletion, MemberChange, MemberInfo, ModAction};
pub use notify::{MEMBERS_PAGE_LIMIT, Notify, PUBLIC_ROOMS_LIMIT, PublicRoom};
pub use people::{AWAY_AFTER_MS, PEOPLE_WATCH_LIMIT, PersonStatus, Status};
pub use reactions::{REACTIONS_PER_MESSAGE, Reaction, Reactions, Reactor, fold_reaction};
pub use reading::{UNREAD_CAP, mentioned, mentions};
pub use rooms::{
    CONVERSATION_ID_CHARS, CONVERSATION_MAX_PEOPLE, CONVERSATION_PREFIX, Participant, Role,
    RoomInfo, RoomKind, TopicChange,
};
pub use search::{
    SEARCH_LIMIT, SEARCH_TERMS, SearchHit, TermKind, find_terms, folded, is_cjk, search_terms,
    term_kind,
};
pub use threads::{Thread, ThreadUnread, Tombstone, fold_thread};
pub use typing::{TYPING_EVERY_MS, TYPING_EXPIRES_MS, TYPING_NAMES, Typist};

/// The protocol version this crate speaks. A client names the version it speaks
/// when it connects (`/ws?v=2`); `welcome` names the server's.
pub const PROTOCOL_VERSION: u32 = 2;

/// Per-room event number: starts at 1, no gaps, assigned when the event is stored.
/// Every event that changes what a reader sees takes the room's next seq.
pub type Seq = u64;

/// A stored message's id, unique across rooms.
pub type MessageId = i64;

/// The most events a resuming `join` (one with `after`) replays; a client further
/// behind gets a fresh snapshot instead.
pub const MAX_REPLAY: u32 = 1000;

/// Rooms with more people online than this get presence as a count, without names.
pub const PRESENCE_LIST_LIMIT: usize = 100;

/// How many messages the snapshot of a `join` without `after` holds.
pub const DEFAULT_REPLAY: u32 = 50;

/// The most messages one `history` request may ask for.
pub const MAX_HISTORY_LIMIT: u32 = 100;

/// What a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// Subscribe to a room. With `after`, replays the room's events with `seq > after`
    /// (a resume); without it, `joined` carries a snapshot of the newest
    /// [`DEFAULT_REPLAY`] messages. Then streams live events.
    Join {
        room: RoomName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Seq>,
    },
    /// Unsubscribe from a room on this connection (its membership stays).
    Leave { room: RoomName },
    /// Stop being a member of a room, on every device: a `member_left` event, and the
    /// stream of the room ends on every socket of the person. A private room needs a
    /// new invite to come back. The owner must hand the room over first.
    LeaveRoom { room: RoomName },
    /// Create a room: the creator is its owner and first member. Public rooms anyone
    /// signed in may join; private ones only people invited.
    CreateRoom {
        room: RoomName,
        #[serde(default)]
        topic: Topic,
        #[serde(default, skip_serializing_if = "is_false")]
        private: bool,
    },
    /// Start a private conversation with these accounts (by username; at most
    /// [`CONVERSATION_MAX_PEOPLE`] people with the starter), or open the one these
    /// people already have: answered by `room` (kind `conversation`). Every socket of
    /// each of them hears of it (a `room` frame). A name nobody has, or someone who
    /// blocked the starter: `not_found`, the same answer for both.
    StartConversation { with: Vec<UserName> },
    /// Make an account (by username) a member of a room this connection's person is
    /// a member of.
    Invite { room: RoomName, user: UserName },
    /// Delete a message: one's own, or (a moderator) anyone's. Answered by the
    /// room's `message_deleted` event.
    DeleteMessage { room: RoomName, id: MessageId },
    /// Change the text of one's own message. `client_id` is the edit's own (time
    /// first, as a send's): a resend of it changes nothing, nor does one older than
    /// the edit the message last had. Answered by the room's `message_edited` event.
    EditMessage {
        room: RoomName,
        id: MessageId,
        client_id: ClientId,
        body: MessageBody,
    },
    /// React to a message with an emoji, if one may post in the room. `client_id`
    /// is the command's own (time first): a resend, or one older than this person's
    /// last reaction command for the same emoji on the message, changes nothing, so a
    /// resend after a reconnect never flips a reaction back. Answered by the room's
    /// `reaction_added` event (none if it was there already).
    AddReaction {
        room: RoomName,
        id: MessageId,
        emoji: Emoji,
        client_id: ClientId,
    },
    /// Take one's reaction away, as `add_reaction` adds it: answered by
    /// `reaction_removed` (none if it was not there).
    RemoveReaction {
        room: RoomName,
        id: MessageId,
        emoji: Emoji,
        client_id: ClientId,
    },
    /// A moderator kicks, bans, unbans, mutes or unmutes a person (by username; a
    /// guest by the name they use). Answered by the room's event about it.
    Moderate {
        room: RoomName,
        user: UserName,
        action: ModAction,
    },
    /// The owner makes a member a moderator (or a moderator a member again), or hands
    /// the room over (`owner`: the owner becomes a moderator). Answered by the room's
    /// `role_changed` event(s).
    SetRole {
        room: RoomName,
        user: UserName,
        role: Role,
    },
    /// Change a room's topic (its moderators and owner; any of a conversation's
    /// people). Answered by the room's `topic_changed` event (none if it is the
    /// topic already).
    SetTopic { room: RoomName, topic: Topic },
    /// Ask who the room's members are: answered by `members`. With `limit`, one page
    /// of at most that many (see [`MEMBERS_PAGE_LIMIT`]) after the member named
    /// `after`, among those whose names begin with `query` (without case).
    Members {
        room: RoomName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<UserName>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        query: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
    },
    /// When this person is notified of `room`'s messages, on every device: answered
    /// (on every socket of theirs) by `room` with the new `notify`.
    Notify { room: RoomName, notify: Notify },
    /// The room browser: public rooms whose name or topic holds `query` (without
    /// case; empty: all), most members first, at most [`PUBLIC_ROOMS_LIMIT`].
    PublicRooms {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        query: String,
    },
    /// Post a message to a joined room; with `thread`, a reply in the thread of that
    /// message (a reply's id names the thread it is in).
    Send {
        room: RoomName,
        client_id: ClientId,
        body: MessageBody,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<MessageId>,
        /// With `thread`: also show the reply in the room's list.
        #[serde(default, skip_serializing_if = "is_false")]
        in_room: bool,
    },
    /// Asks for a `pong`: lets a client that cannot see WebSocket pings (a browser)
    /// tell a live connection from a dead one.
    Ping,
    /// This person is typing in a joined room (sent at most every
    /// [`TYPING_EVERY_MS`] while they type), or, with `stop`, no longer is (they
    /// cleared the box). Sending a message stops it too; the server forgets it after
    /// [`TYPING_EXPIRES_MS`] without another.
    Typing {
        room: RoomName,
        #[serde(default, skip_serializing_if = "is_false")]
        stop: bool,
    },
    /// This person has read `room` up to `seq` (the page saw it on screen). Moves
    /// the marker forward only: a `seq` at or below it is ignored. Every socket of
    /// the person gets the `read` that follows. With `thread`, the marker of that
    /// thread instead (by its root's id), answered by `thread_read`.
    Read {
        room: RoomName,
        seq: Seq,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<MessageId>,
    },
    /// Mark `room` unread from `seq` on: the marker moves back to just before it.
    MarkUnread { room: RoomName, seq: Seq },
    /// Follow the presence of these people (at most [`PEOPLE_WATCH_LIMIT`]),
    /// replacing whom this connection followed: answered by `people` with each
    /// one's status, then a `people` frame whenever some of them change.
    WatchPeople { users: Vec<UserId> },
    /// This connection's person is away (no input for [`AWAY_AFTER_MS`], or the tab
    /// is hidden), or back. A person is away when every socket of theirs says so.
    Status { away: bool },
    /// Ask for up to `limit` stored messages with `seq < before` (without `before`: the
    /// newest ones), or, with `around`, those around that seq (half before it, it and
    /// the rest after).
    History {
        room: RoomName,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Seq>,
        limit: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        around: Option<Seq>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
        /// The replies of this thread (by its root's id) instead of the room's list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<MessageId>,
    },
    /// Search the messages of the rooms and conversations this person belongs to (and
    /// the public rooms, with `public`): every term of `query` (see
    /// `protocol/search.rs`), newest first, at most `limit` (default and most
    /// [`SEARCH_LIMIT`]), older than message `older_than` (from the results before)
    /// for the next page; in one
    /// `room`, `from` one author (their name), `after` and `before` a time (RFC 3339
    /// or a date). Answered by `search_results`.
    Search {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
        query: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<UserName>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        public: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        older_than: Option<MessageId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
}

/// A stored message as every client sees it, in its current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub room: RoomName,
    /// The seq of the event that posted it.
    pub seq: Seq,
    pub id: MessageId,
    pub client_id: ClientId,
    /// The author's display name, as it was when the message was sent.
    pub author: UserName,
    /// The author's stable id: what "sent by me" and "same author" compare.
    pub author_id: UserId,
    pub body: MessageBody,
    /// When the server stored it, RFC 3339 in UTC.
    pub ts: String,
    /// When its text was last edited (RFC 3339 in UTC), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// Its reactions, each emoji in the order it was first given. Carried by
    /// snapshots and history pages; a `message` event has none (reactions to it come
    /// as events of their own, after it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reactions>,
    /// Its place in a thread: a reply's thread, or, on a root, its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Thread>,
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// The first frame on every connection: who the server takes you for, and which
    /// history this is. `epoch` changes when the history is replaced (a restore, a
    /// wipe); seqs from another epoch mean nothing here, so a client that sees a new
    /// epoch drops what it has and joins afresh.
    Welcome {
        user: UserName,
        /// The connection's own id, as messages carry it in `author_id`.
        user_id: UserId,
        epoch: String,
        /// The protocol version the server speaks on this connection.
        protocol: u32,
    },
    /// The reply to `ping`.
    Pong,
    /// Right after `welcome`: the rooms this person is a member of (on any device),
    /// sorted by name.
    Rooms { rooms: Vec<RoomInfo> },
    /// A room this person has just become a member of (created it, joined it, was
    /// invited), or whose details changed.
    Room(RoomInfo),
    /// The reply to `invite`: `user` is a member of `room` now.
    Invited { room: RoomName, user: UserName },
    /// The reply to `members`: the room's members, owner first, then moderators,
    /// then members, each group by name.
    Members {
        room: RoomName,
        members: Vec<MemberInfo>,
        /// A page (`members` with `limit`) that more members follow.
        #[serde(default, skip_serializing_if = "is_false")]
        has_more: bool,
        /// The request's, if it had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
    },
    /// The reply to `public_rooms`.
    PublicRooms { rooms: Vec<PublicRoom> },
    /// The reply to `join`: before the replayed events of a resume, or with a
    /// snapshot (`messages`) otherwise.
    Joined {
        room: RoomName,
        last_seq: Seq,
        /// Everyone online, sorted, when at most [`PRESENCE_LIST_LIMIT`]; else empty.
        online: Vec<UserName>,
        online_count: u32,
        /// Set when a resume (`join` with `after`) was further behind than the server
        /// replays ([`MAX_REPLAY`] events): `messages` is a snapshot instead.
        #[serde(default, skip_serializing_if = "is_false")]
        truncated: bool,
        /// A snapshot: the room's newest messages in their current state as of
        /// `last_seq`, oldest first. Present for a `join` without `after` and for a
        /// truncated resume; the client replaces what it showed of the room with it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        messages: Option<Vec<ChatMessage>>,
        /// With `messages`: older messages exist before the first one.
        #[serde(default, skip_serializing_if = "is_false")]
        has_more: bool,
        /// With `messages`: the deleted roots among them (from the first on, or from
        /// the room's start without `has_more`) whose threads still have replies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tombstones: Vec<Tombstone>,
    },
    /// An event of a room's log, replayed or live. Within a room, events arrive in
    /// seq order with no gaps.
    Event(RoomEvent),
    /// To the sender, once its message is durably stored.
    Ack {
        room: RoomName,
        client_id: ClientId,
        seq: Seq,
        id: MessageId,
    },
    /// The reply to `history`, oldest first.
    History {
        room: RoomName,
        messages: Vec<ChatMessage>,
        has_more: bool,
        /// The request's, if it had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
        /// An `around` page: newer messages exist after the last one here.
        #[serde(default, skip_serializing_if = "is_false")]
        has_newer: bool,
        /// A thread's page (`history` with `thread`): its root's id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<MessageId>,
        /// With `thread`: the root as it is now (none once it is deleted).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        root: Option<Box<ChatMessage>>,
        /// A page of the room's list: the deleted roots in its span whose threads
        /// still have replies (as `joined` gives them).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tombstones: Vec<Tombstone>,
    },
    /// The reply to `search`: newest first; with `older_than` when older results may
    /// exist (ask again with it).
    SearchResults {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
        results: Vec<SearchHit>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        older_than: Option<MessageId>,
    },
    /// Who came and went, sent to a room's members a moment after it changed
    /// (changes are gathered for a fraction of a second and sent together). Rooms with
    /// at most [`PRESENCE_LIST_LIMIT`] people online get names; larger rooms only the
    /// count, so a crowd joining never costs a list per member per join.
    Presence {
        room: RoomName,
        online_count: u32,
        /// People who came online since the last presence frame.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        joined: Vec<UserName>,
        /// People who went offline since the last presence frame.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        left: Vec<UserName>,
        /// Everyone online, replacing what the client knows: sent instead of a diff
        /// when a room comes back under the limit (its members had no names).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        online: Option<Vec<UserName>>,
    },
    /// This person's read marker in `room` moved (from any of their sockets), with
    /// what is unread after it now; to every socket of theirs.
    Read {
        room: RoomName,
        seq: Seq,
        unread: u32,
        mentions: u32,
    },
    /// This person's read marker in a thread they took part in, and the replies
    /// unread after it: to every socket of theirs when someone replies there, a
    /// reply is deleted, or they read it (`read` with `thread`).
    ThreadRead {
        room: RoomName,
        #[serde(flatten)]
        thread: ThreadUnread,
    },
    /// The status of people this connection watches (`watch_people`): all of them
    /// in the answer, then those that changed, at most ten times a second.
    People { people: Vec<PersonStatus> },
    /// Who is typing in a room: up to [`TYPING_NAMES`] people, the longest typing
    /// first, and how many in all (an empty list and 0: nobody). Sent when it
    /// changes, at most twice a second; never stored.
    Typing {
        room: RoomName,
        people: Vec<Typist>,
        count: u32,
    },
    /// A request was refused; the connection stays open.
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientId>,
        /// For `rate_limited`: how long to wait before trying again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
        /// The room a refused `join`, `history` or `invite` named (`not_found`,
        /// `forbidden`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomName>,
        /// The `request_id` of the refused request, if it had one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<RequestId>,
    },
    /// A frame type this side does not know (a newer server's): ignored.
    #[serde(other)]
    Unknown,
}

/// One entry of a room's log: everything that changes what a reader of the room sees
/// takes the room's next seq. A reader's view is a fold over the events, so a client
/// that resumes converges on what one that stayed online shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomEvent {
    pub room: RoomName,
    pub seq: Seq,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened; its fields stand beside `kind` in the frame. Clients skip kinds
/// they do not know, but still count their seq as seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A message was posted (the event's seq is the message's).
    Message(Posted),
    /// A message was deleted. A replay gives a deleted message's own seq as this kind
    /// too (every seq in its current state), so its text is never sent again.
    MessageDeleted(Deletion),
    /// A message's text was edited by its author. A replay gives this event with the
    /// message's current text (or, once it is deleted, as its deletion).
    MessageEdited(Edit),
    /// Someone reacted to a message.
    ReactionAdded(Reaction),
    /// Someone took their reaction away.
    ReactionRemoved(Reaction),
    /// Someone became a member: joined a public room, or was invited (`by`).
    MemberJoined(MemberChange),
    /// Someone stopped being a member (`leave_room`); their stream of the room ended
    /// with this event.
    MemberLeft(MemberChange),
    /// A moderator removed someone; their stream of the room ended with this event.
    MemberKicked(MemberChange),
    /// A moderator removed someone and keeps them out.
    MemberBanned(MemberChange),
    MemberUnbanned(MemberChange),
    /// Someone may read but no longer post.
    MemberMuted(MemberChange),
    MemberUnmuted(MemberChange),
    /// Someone's role changed (`role`: the new one).
    RoleChanged(MemberChange),
    /// The room's topic changed.
    TopicChanged(TopicChange),
    /// A kind this side does not know.
    #[serde(other)]
    Unknown,
}

/// A posted message's own fields: its room and seq are the event's. (A frame per
/// delivery is the server's hottest path, so nothing in it is said twice.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub id: MessageId,
    pub client_id: ClientId,
    pub author: UserName,
    pub author_id: UserId,
    pub body: MessageBody,
    pub ts: String,
    /// When its text was last edited, if it was (a replay of an edited message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<String>,
    /// A reply's thread as of this event; a root's own (a replay of a root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<Thread>,
}

impl EventKind {
    /// The membership change this event is, if it is one (whom it is about, who did
    /// it, the role): the one place that knows which kinds are about a member.
    pub fn member_change(&self) -> Option<&MemberChange> {
        match self {
            EventKind::MemberJoined(c)
            | EventKind::MemberLeft(c)
            | EventKind::MemberKicked(c)
            | EventKind::MemberBanned(c)
            | EventKind::MemberUnbanned(c)
            | EventKind::MemberMuted(c)
            | EventKind::MemberUnmuted(c)
            | EventKind::RoleChanged(c) => Some(c),
            EventKind::Message(_)
            | EventKind::MessageDeleted(_)
            | EventKind::MessageEdited(_)
            | EventKind::ReactionAdded(_)
            | EventKind::ReactionRemoved(_)
            | EventKind::TopicChanged(_)
            | EventKind::Unknown => None,
        }
    }

    /// Whom this event takes out of the room (they left, or were kicked or banned):
    /// their stream of the room ends with it, on every socket of theirs.
    pub fn removes(&self) -> Option<&UserId> {
        match self {
            EventKind::MemberLeft(c) | EventKind::MemberKicked(c) | EventKind::MemberBanned(c) => {
                Some(&c.user_id)
            }
            _ => None,
        }
    }
}

impl RoomEvent {
    /// The event that posted `message`.
    pub fn message(message: ChatMessage) -> Self {
        let ChatMessage {
            room,
            seq,
            id,
            client_id,
            author,
            author_id,
            body,
            ts,
            edited_at,
            reactions: _,
            thread,
        } = message;
        Self {
            room,
            seq,
            kind: EventKind::Message(Posted {
                id,
                client_id,
                author,
                author_id,
                body,
                ts,
                edited_at,
                thread,
            }),
        }
    }

    /// The message this event posted, if it posted one.
    pub fn into_message(self) -> Option<ChatMessage> {
        match self.kind {
            EventKind::Message(posted) => Some(ChatMessage {
                room: self.room,
                seq: self.seq,
                id: posted.id,
                client_id: posted.client_id,
                author: posted.author,
                author_id: posted.author_id,
                body: posted.body,
                ts: posted.ts,
                edited_at: posted.edited_at,
                reactions: Vec::new(),
                thread: posted.thread,
            }),
            _ => None,
        }
    }
}

/// Machine-readable reason in an `error` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, not an object, a missing or mistyped field.
    BadRequest,
    /// A frame `type` the server does not know (one a newer server would).
    UnknownType,
    InvalidRoom,
    InvalidBody,
    InvalidClientId,
    /// `send` or `history` for a room the connection has not joined.
    NotJoined,
    /// The server could not do it (e.g. storage failed); safe to retry.
    Internal,
    /// Sending faster than the server allows: try again after `retry_after_ms`.
    RateLimited,
    /// No such room, or one this person may not see (the two look the same), or no
    /// such account to invite.
    NotFound,
    /// `create_room` for a name that is taken.
    RoomExists,
    /// Not allowed (a guest making a private room or inviting; moderating without
    /// the role for it; posting in a room one is banned from).
    Forbidden,
    /// `send` in a room where a moderator muted this person.
    Muted,
    /// `add_reaction` of a new emoji to a message that has
    /// [`REACTIONS_PER_MESSAGE`] already.
    TooManyReactions,
    /// A code this side does not know (a newer server's): the frame's `message`
    /// still says what happened.
    #[serde(other)]
    Unknown,
}

pub(crate) fn is_false(value: &bool) -> bool {
    !value
}

#[cfg(test)]
mod tests;
