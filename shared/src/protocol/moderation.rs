//! Membership and moderation: what the log records when people join, are removed,
//! muted or given a role, or a message is deleted, and what moderators ask for.

use serde::{Deserialize, Serialize};

use super::{MessageId, Role};
use crate::names::{UserId, UserName};

/// A change to one person's standing in a room (the fields of `member_joined`,
/// `member_left`, `member_kicked`, `member_banned`, `member_unbanned`, `member_muted`,
/// `member_unmuted` and `role_changed` events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    /// Whom it is about.
    pub user: UserName,
    pub user_id: UserId,
    /// Who did it; none when the person did it themselves (joined a public room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<UserName>,
    /// Their role now (`member_joined`, `role_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// When, RFC 3339 in UTC.
    #[serde(default)]
    pub ts: String,
}

/// A deleted message (the fields of a `message_deleted` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    /// The message's id.
    pub id: MessageId,
    /// Who deleted it: its author, or a moderator.
    pub by: UserName,
    /// When, RFC 3339 in UTC.
    #[serde(default)]
    pub ts: String,
    /// A deleted reply's thread after it went (one reply fewer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<super::Thread>,
    /// A deleted root whose thread still has replies: the place the room's list
    /// keeps for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tombstone: Option<super::Tombstone>,
}

/// What a moderator does to a person in a room (`moderate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModAction {
    /// Remove from the room: their stream ends; a public room they may join again.
    Kick,
    /// Remove, and keep out until unbanned.
    Ban,
    Unban,
    /// They may read but not post.
    Mute,
    Unmute,
}

impl ModAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Kick => "kick",
            ModAction::Ban => "ban",
            ModAction::Unban => "unban",
            ModAction::Mute => "mute",
            ModAction::Unmute => "unmute",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            ModAction::Kick,
            ModAction::Ban,
            ModAction::Unban,
            ModAction::Mute,
            ModAction::Unmute,
        ]
        .into_iter()
        .find(|action| action.as_str() == text)
    }
}

/// One member of a room, as the `members` frame lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub user: UserName,
    pub user_id: UserId,
    pub role: Role,
    /// May read but not post.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub muted: bool,
}
