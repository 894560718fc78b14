//! The memory twin's rooms and blocks: here the directory is all there is.

use async_trait::async_trait;
use confab_shared::{Role, RoomName, Topic, UserId};

use crate::accounts::{Blocked, Blocks};
use crate::rooms::{Directory, Person, Room, RoomError, Rooms, people_key};

use super::super::StoreError;
use super::MemoryStore;

/// A directory with `general`, as a new database has it.
pub(super) fn general_only() -> Directory {
    let directory = Directory::default();
    if let Ok(name) = RoomName::new("general") {
        directory.put_room(Room::new(name, Topic::default(), false));
    }
    directory
}

#[async_trait]
impl Rooms for MemoryStore {
    async fn create_room(&self, room: &Room, owner: Option<&Person>) -> Result<(), RoomError> {
        // One lock for the check and the insert, so two makers cannot both win.
        let _state = self.lock();
        if self.directory.exists(&room.name) {
            return Err(RoomError::Exists);
        }
        self.directory.put_room(room.clone());
        if let Some(owner) = owner {
            self.directory
                .put_member(&room.name, &owner.id, &owner.name, Role::Owner);
        }
        Ok(())
    }

    async fn set_notify(
        &self,
        room: &RoomName,
        user: &UserId,
        notify: confab_shared::Notify,
    ) -> Result<bool, RoomError> {
        Ok(self.directory.put_notify(room, user, notify))
    }

    async fn start_conversation(
        &self,
        name: &RoomName,
        people: &[Person],
    ) -> Result<(RoomName, bool), RoomError> {
        // One lock for the look-up and the insert, so two starts make one.
        let _state = self.lock();
        if let Some(existing) = self.directory.conversation_of(&people_key(people)) {
            return Ok((existing, false));
        }
        if self.directory.exists(name) {
            return Err(RoomError::Exists);
        }
        self.directory
            .put_conversation(Room::conversation(name.clone()), people, None);
        Ok((name.clone(), true))
    }

    async fn keep_writer(&self, _room: &RoomName, _user: &UserId) -> Result<(), RoomError> {
        // The directory is all this store keeps.
        Ok(())
    }

    async fn last_seqs(&self) -> Result<Vec<(RoomName, confab_shared::Seq)>, StoreError> {
        let state = self.lock();
        Ok(state
            .rooms
            .iter()
            .map(|(name, log)| (name.clone(), log.len() as confab_shared::Seq))
            .collect())
    }

    async fn load_room(&self, room: &RoomName) -> Result<bool, StoreError> {
        // One process: the directory already has every room there is.
        Ok(self.directory.exists(room))
    }

    fn directory(&self) -> &Directory {
        &self.directory
    }
}

#[async_trait]
impl Blocks for MemoryStore {
    async fn set_blocked(
        &self,
        user: &UserId,
        other: &Blocked,
        on: bool,
    ) -> Result<bool, StoreError> {
        self.directory.put_block(user, &other.user_id, on);
        let mut state = self.lock();
        let at = state
            .blocks
            .iter()
            .position(|(who, blocked)| who == user && blocked.user_id == other.user_id);
        Ok(match (at, on) {
            (None, true) => {
                state.blocks.push((user.clone(), other.clone()));
                true
            }
            (Some(at), false) => {
                state.blocks.remove(at);
                true
            }
            _ => false,
        })
    }

    async fn blocked(&self, user: &UserId) -> Result<Vec<Blocked>, StoreError> {
        let mut blocked: Vec<Blocked> = self
            .lock()
            .blocks
            .iter()
            .filter(|(who, _)| who == user)
            .map(|(_, blocked)| blocked.clone())
            .collect();
        blocked.sort_by(|a, b| a.user.cmp(&b.user));
        Ok(blocked)
    }

    async fn has_blocked(&self, user: &UserId, other: &UserId) -> Result<bool, StoreError> {
        Ok(self.directory.has_blocked(user, other))
    }
}
