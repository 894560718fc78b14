//! Other nodes' people in this node's rooms: what each node says it has in a room
//! (the whole set, each time it changes, so a lost note heals with the next),
//! counted into the room's presence beside this node's own connections; their
//! typists, kept as this node's are (forgotten when not heard from in time); and
//! this node's own people per room, for the others.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use confab_shared::{RoomName, UserId, UserName};

use super::{Hub, Person, Room};
use crate::identity::{Identity, Kind};

/// A person another node named, as presence counts them.
fn person(user: UserId, name: UserName) -> Person {
    let kind = if user.as_str().starts_with("guest:") {
        Kind::Guest
    } else {
        Kind::Member
    };
    Person(Arc::new(Identity {
        user,
        name,
        kind,
        credential: None,
    }))
}

impl Room {
    /// A room a connection here has just joined, with the people other nodes have
    /// in it already online.
    pub(super) fn with_remote(
        remote: &HashMap<String, HashMap<RoomName, Vec<Person>>>,
        room: &RoomName,
    ) -> Self {
        let mut state = Room::default();
        for people in remote.values().filter_map(|rooms| rooms.get(room)) {
            for person in people {
                *state.online.entry(person.clone()).or_insert(0) += 1;
            }
        }
        state.announced = state.online.len();
        state
    }
}

impl Hub {
    /// `node` has these `people` in `room` now (none: nobody).
    pub(crate) fn set_remote(&self, node: &str, room: &RoomName, people: Vec<(UserId, UserName)>) {
        let people: Vec<Person> = people
            .into_iter()
            .map(|(user, name)| person(user, name))
            .collect();
        let mut guard = self.lock();
        let state = &mut *guard;
        let rooms_of = state.remote.entry(node.to_owned()).or_default();
        let before = if people.is_empty() {
            rooms_of.remove(room)
        } else {
            rooms_of.insert(room.clone(), people.clone())
        }
        .unwrap_or_default();
        if rooms_of.is_empty() {
            state.remote.remove(node);
        }
        let Some(room_state) = state.rooms.get_mut(room) else {
            return;
        };
        let (old, new): (HashSet<&Person>, HashSet<&Person>) =
            (before.iter().collect(), people.iter().collect());
        for gone in old.difference(&new) {
            if room_state.remove_online(room, gone, &mut state.dirty) {
                state.typing.insert(room.clone());
            }
        }
        for came in new.difference(&old) {
            room_state.add_online(room, came, &mut state.dirty);
        }
    }

    /// `node` has exactly these `rooms` with people now (a snapshot): any other
    /// room it had people in here has none now.
    pub(crate) fn replace_remote(
        &self,
        node: &str,
        rooms: Vec<(RoomName, Vec<(UserId, UserName)>)>,
    ) {
        let before: Vec<RoomName> = {
            let guard = self.lock();
            guard
                .remote
                .get(node)
                .map(|rooms| rooms.keys().cloned().collect())
                .unwrap_or_default()
        };
        for room in before {
            if !rooms.iter().any(|(r, _)| *r == room) {
                self.set_remote(node, &room, Vec::new());
            }
        }
        for (room, people) in rooms {
            self.set_remote(node, &room, people);
        }
    }

    /// `node` is gone (not heard from in time): its people leave every room.
    pub(crate) fn drop_node(&self, node: &str) {
        self.replace_remote(node, Vec::new());
    }

    /// Someone on another node types in `room` (or, `stop`, no longer).
    pub(crate) fn typing_remote(&self, room: &RoomName, user: UserId, name: UserName, stop: bool) {
        let mut guard = self.lock();
        let state = &mut *guard;
        let Some(room_state) = state.rooms.get_mut(room) else {
            return;
        };
        if stop {
            let _stopped = room_state.typing.stop(&user);
        } else {
            let who = person(user, name).0;
            room_state.typing.start(&who, tokio::time::Instant::now());
        }
        state.typing.insert(room.clone());
        self.typing_rooms
            .store(state.typing.len() as u64, Ordering::Relaxed);
    }

    /// `user`'s message in `room` was stored (on any node): they type there no more.
    pub(crate) fn stop_typing(&self, room: &RoomName, user: &UserId) {
        if self.typing_rooms.load(Ordering::Relaxed) == 0 {
            return;
        }
        let mut guard = self.lock();
        let state = &mut *guard;
        if let Some(room_state) = state.rooms.get_mut(room)
            && room_state.typing.stop(user)
        {
            state.typing.insert(room.clone());
        }
    }

    /// The rooms whose people on this node changed since the last call, each with
    /// who is here now (none: nobody), for the other nodes.
    pub(crate) fn take_local_changes(
        &self,
        to_tell: bool,
    ) -> Vec<(RoomName, Vec<(UserId, UserName)>)> {
        let mut guard = self.lock();
        let state = &mut *guard;
        if !to_tell {
            // Alone: nobody to tell, nothing built.
            state.local_dirty.clear();
            return Vec::new();
        }
        let dirty: Vec<RoomName> = state.local_dirty.drain().collect();
        dirty
            .into_iter()
            .map(|room| {
                let people = state.rooms.get(&room).map(local_people).unwrap_or_default();
                (room, people)
            })
            .collect()
    }

    /// Every room with people on this node, and who (a node that has just come
    /// asks, and each node says it now and then, so a lost note heals).
    pub(crate) fn local_people(&self) -> Vec<(RoomName, Vec<(UserId, UserName)>)> {
        let guard = self.lock();
        guard
            .rooms
            .iter()
            .map(|(room, state)| (room.clone(), local_people(state)))
            .filter(|(_, people)| !people.is_empty())
            .collect()
    }
}

fn local_people(state: &Room) -> Vec<(UserId, UserName)> {
    state
        .local
        .keys()
        .map(|p| (p.0.user.clone(), p.0.name.clone()))
        .collect()
}
