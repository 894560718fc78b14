//! Every room and its members, in memory: what authorisation asks on each join and
//! history request, answered without the database. The stores write through it after
//! each change commits.

use std::collections::{BTreeSet, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use confab_shared::{Role, RoomInfo, RoomName, UserId};

use super::Room;

#[derive(Default)]
pub struct Directory {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    rooms: HashMap<RoomName, Entry>,
    /// Each person's rooms, for the list they get on connecting.
    by_user: HashMap<UserId, BTreeSet<RoomName>>,
}

struct Entry {
    room: Room,
    members: HashMap<UserId, Role>,
}

impl Directory {
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a room (after it was stored).
    pub fn put_room(&self, room: Room) {
        let mut state = self.write();
        match state.rooms.get_mut(&room.name) {
            Some(entry) => entry.room = room,
            None => {
                let name = room.name.clone();
                let entry = Entry {
                    room,
                    members: HashMap::new(),
                };
                state.rooms.insert(name, entry);
            }
        }
    }

    /// Records a membership (after it was stored); false if the room is unknown.
    pub fn put_member(&self, room: &RoomName, user: &UserId, role: Role) -> bool {
        let mut state = self.write();
        let Some(entry) = state.rooms.get_mut(room) else {
            return false;
        };
        entry.members.insert(user.clone(), role);
        state
            .by_user
            .entry(user.clone())
            .or_default()
            .insert(room.clone());
        true
    }

    pub fn exists(&self, room: &RoomName) -> bool {
        self.read().rooms.contains_key(room)
    }

    /// The room, and `user`'s role in it; None if there is no such room.
    pub fn access(&self, room: &RoomName, user: &UserId) -> Option<(Room, Option<Role>)> {
        let state = self.read();
        let entry = state.rooms.get(room)?;
        Some((entry.room.clone(), entry.members.get(user).copied()))
    }

    /// The rooms `user` is a member of, sorted by name.
    pub fn rooms_of(&self, user: &UserId) -> Vec<RoomInfo> {
        let state = self.read();
        let Some(names) = state.by_user.get(user) else {
            return Vec::new();
        };
        names
            .iter()
            .filter_map(|name| {
                let entry = state.rooms.get(name)?;
                Some(entry.room.info(entry.members.get(user).copied()))
            })
            .collect()
    }
}
