//! Rooms as a member sees them: a name, a topic, public or private, the member's role
//! in it; and conversations (private messages), rooms of their own kind.

use serde::{Deserialize, Serialize};

use crate::names::{RoomName, Topic, UserId, UserName};

/// The prefix of every conversation's name; `create_room` refuses names with it.
pub const CONVERSATION_PREFIX: &str = "dm-";

/// How many random base32 characters follow [`CONVERSATION_PREFIX`].
pub const CONVERSATION_ID_CHARS: usize = 26;

/// The most people in a conversation, its starter included.
pub const CONVERSATION_MAX_PEOPLE: usize = 9;

/// What a room is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomKind {
    /// A room made on purpose, with a name people choose.
    #[default]
    Room,
    /// A private conversation between 2 to [`CONVERSATION_MAX_PEOPLE`] accounts: its
    /// name is [`CONVERSATION_PREFIX`] and random characters nobody can guess; its
    /// people are fixed when it starts.
    Conversation,
    /// A kind a newer server knows.
    #[serde(other)]
    Unknown,
}

impl RoomKind {
    pub fn is_room(&self) -> bool {
        *self == RoomKind::Room
    }
}

/// One person of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Participant {
    pub user: UserName,
    pub user_id: UserId,
}

/// A person's role in a room. Owners hand over ownership and do what moderators do;
/// moderators delete messages, kick, ban and mute; members read and post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Moderator,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Owner => "owner",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "member" => Some(Role::Member),
            "moderator" => Some(Role::Moderator),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }
}

/// One room of a person's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomInfo {
    pub room: RoomName,
    #[serde(default)]
    pub topic: Topic,
    /// Invite only: its messages, history, presence and members are for members.
    #[serde(default)]
    pub private: bool,
    /// This person's role; none when they are not a member (yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A room, or a conversation (absent: a room).
    #[serde(default, skip_serializing_if = "RoomKind::is_room")]
    pub kind: RoomKind,
    /// A conversation's people, this person included, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Participant>,
    /// A conversation's latest message: when it was posted (RFC 3339, UTC), to order
    /// conversations by activity; absent while it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at: Option<String>,
    /// A member's read marker: the seq up to which they have read (absent: none yet,
    /// everything is unread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<crate::protocol::Seq>,
    /// Messages by others after `read`, not deleted (at most [`UNREAD_CAP`]).
    ///
    /// [`UNREAD_CAP`]: crate::protocol::UNREAD_CAP
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unread: u32,
    /// Those of them that mention this person.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mentions: u32,
    /// When this member is notified of its messages (absent: `all`).
    #[serde(default, skip_serializing_if = "crate::protocol::Notify::is_all")]
    pub notify: crate::protocol::Notify,
    /// The threads of this room this person took part in that have replies unread
    /// (the `rooms` list and `room` frames; `thread_read` frames keep them since).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<crate::protocol::ThreadUnread>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl RoomInfo {
    /// A room (not a conversation) as a member of role `role` sees it.
    pub fn room(room: RoomName, topic: Topic, private: bool, role: Option<Role>) -> Self {
        RoomInfo {
            room,
            topic,
            private,
            role,
            kind: RoomKind::Room,
            members: Vec::new(),
            last_at: None,
            read: None,
            unread: 0,
            mentions: 0,
            notify: crate::protocol::Notify::All,
            threads: Vec::new(),
        }
    }

    pub fn is_conversation(&self) -> bool {
        self.kind == RoomKind::Conversation
    }
}

impl RoomName {
    /// Whether the name is a conversation's (has [`CONVERSATION_PREFIX`]).
    pub fn is_conversation(&self) -> bool {
        self.as_str().starts_with(CONVERSATION_PREFIX)
    }
}

/// A room's topic changed (the fields of a `topic_changed` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicChange {
    /// The topic now (empty: none).
    pub topic: Topic,
    /// Who changed it.
    pub by: UserName,
    /// When, RFC 3339 in UTC.
    #[serde(default)]
    pub ts: String,
}
