//! Rooms as a member sees them: a name, a topic, public or private, and the member's
//! role in it.

use serde::{Deserialize, Serialize};

use crate::names::{RoomName, Topic};

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
}
