//! Rooms made on purpose, and who belongs to them. [`Rooms`] is the storage interface
//! (SQLite, and the in-memory twin); both keep a [`Directory`] in memory, so the
//! questions every join and history request asks (does the room exist, is this person
//! a member) never wait for the database.
//!
//! Membership lasts: it is kept for accounts, on every device, apart from which rooms
//! a connection is subscribed to. Guests may read and post in public rooms, but
//! belong to none (they have no account to remember it by).

mod change;
mod directory;

use async_trait::async_trait;
use confab_shared::{Role, RoomInfo, Topic};

pub use change::{Change, Person, RoomChange, Standing};
pub use directory::{Access, Directory, PostDenied};

use crate::store::StoreError;

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub name: confab_shared::RoomName,
    pub topic: Topic,
    /// Invite only.
    pub private: bool,
}

impl Room {
    /// The room as `role` sees it.
    pub fn info(&self, role: Option<Role>) -> RoomInfo {
        RoomInfo {
            room: self.name.clone(),
            topic: self.topic.clone(),
            private: self.private,
            role,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    #[error("a room of that name exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait Rooms: Send + Sync + 'static {
    /// Makes `room`, with `owner` (if any) as its owner; `Exists` if the name is
    /// taken.
    async fn create_room(&self, room: &Room, owner: Option<&Person>) -> Result<(), RoomError>;

    /// What is known in memory of every room, its members, bans and mutes.
    fn directory(&self) -> &Directory;
}
