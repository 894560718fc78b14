//! Notification levels: per person per room or conversation, kept by the server so
//! they follow the person to every device.

use serde::{Deserialize, Serialize};

use crate::names::{RoomName, Topic};

/// When a room's messages are worth a notification (and count in the tab's title).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    /// Every message by someone else.
    #[default]
    All,
    /// Only messages that mention this person.
    Mentions,
    /// Nothing: the room is quiet (its counts still show in it, not in the title).
    None,
    /// A level a newer server knows: a client treats it as `all`.
    #[serde(other)]
    Unknown,
}

impl Notify {
    pub fn is_all(&self) -> bool {
        *self == Notify::All
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Notify::All | Notify::Unknown => "all",
            Notify::Mentions => "mentions",
            Notify::None => "none",
        }
    }

    pub fn parse(text: &str) -> Self {
        match text {
            "mentions" => Notify::Mentions,
            "none" => Notify::None,
            _ => Notify::All,
        }
    }
}

/// A public room as the room browser lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRoom {
    pub room: RoomName,
    #[serde(default)]
    pub topic: Topic,
    /// How many members it has.
    pub members: u32,
}

/// The most rooms one `public_rooms` answer lists.
pub const PUBLIC_ROOMS_LIMIT: usize = 100;

/// The most members one page of `members` holds (a larger `limit` is this).
pub const MEMBERS_PAGE_LIMIT: u32 = 500;
