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
use confab_shared::{Role, RoomInfo, RoomKind, Topic, UserId};

pub use change::{Change, Person, RoomChange, Standing};
pub use directory::{Access, Directory, PostDenied};

use crate::store::StoreError;

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub name: confab_shared::RoomName,
    pub topic: Topic,
    /// Invite only (every conversation is).
    pub private: bool,
    pub kind: RoomKind,
}

impl Room {
    /// A room made on purpose.
    pub fn new(name: confab_shared::RoomName, topic: Topic, private: bool) -> Self {
        Room {
            name,
            topic,
            private,
            kind: RoomKind::Room,
        }
    }

    /// A conversation: private, no topic.
    pub fn conversation(name: confab_shared::RoomName) -> Self {
        Room {
            name,
            topic: Topic::default(),
            private: true,
            kind: RoomKind::Conversation,
        }
    }

    pub fn is_conversation(&self) -> bool {
        self.kind == RoomKind::Conversation
    }

    /// The room as `role` sees it (a conversation's people and activity are the
    /// directory's: [`Directory::info`]).
    pub fn info(&self, role: Option<Role>) -> RoomInfo {
        RoomInfo {
            kind: self.kind,
            ..RoomInfo::room(self.name.clone(), self.topic.clone(), self.private, role)
        }
    }
}

/// Who a conversation is between, as one string: their user ids, sorted, joined by
/// spaces. The same people give the same key, which is what makes starting a
/// conversation idempotent (stores keep it unique).
pub fn people_key(people: &[Person]) -> String {
    let mut ids: Vec<&UserId> = people.iter().map(|p| &p.id).collect();
    ids.sort();
    ids.dedup();
    ids.iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(" ")
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

    /// The conversation of exactly these `people` (distinct accounts): the one they
    /// have, or a new one named `name` with all of them as members. Gives its name
    /// and whether it is new. Two starts at once, from any node, make one.
    async fn start_conversation(
        &self,
        name: &confab_shared::RoomName,
        people: &[Person],
    ) -> Result<(confab_shared::RoomName, bool), RoomError>;

    /// When `user`, a member of `room`, is notified of its messages; false if they
    /// are no member.
    async fn set_notify(
        &self,
        room: &confab_shared::RoomName,
        user: &UserId,
        notify: confab_shared::Notify,
    ) -> Result<bool, RoomError>;

    /// Keeps that `user`, a member of `room`, has written there (their first
    /// message; the directory already knows, [`Directory::posted`]).
    async fn keep_writer(
        &self,
        room: &confab_shared::RoomName,
        user: &UserId,
    ) -> Result<(), RoomError>;

    /// Every room's newest seq (messages and other events alike), as stored now:
    /// how a node learns what other nodes stored that it did not hear of.
    async fn last_seqs(
        &self,
    ) -> Result<Vec<(confab_shared::RoomName, confab_shared::Seq)>, StoreError>;

    /// Reads `room`, made on another node, into the directory; false if the store
    /// has no such room.
    async fn load_room(&self, room: &confab_shared::RoomName) -> Result<bool, StoreError>;

    /// What is known in memory of every room, its members, bans and mutes.
    fn directory(&self) -> &Directory;
}
