//! Who is in which room on this node, and fan-out to them.
//!
//! The hub is in memory and local. Reaching members on other nodes (Redis, later) will
//! be a broker beside it that feeds `publish`; the hub itself stays node-local.
//!
//! One std `Mutex` guards the map: every critical section is short (no I/O, no
//! `.await`), and delivery only pushes onto bounded queues without waiting.
//!
//! Presence is gathered, not sent per join: joins and leaves mark a room dirty, and
//! [`Hub::flush_presence`] (run every `presence_interval`) sends each dirty room one
//! frame with what changed. Rooms over [`PRESENCE_LIST_LIMIT`] people get the count
//! only, so 10,000 people joining one room cost 10,000 small frames per flush, not
//! 10^8 names. Typing is gathered the same way (`hub/typing.rs`) and announced by
//! [`Hub::flush_typing`], twice a second: whoever types, each member gets at most two
//! `typing` frames a second.

mod remote;
mod typing;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use confab_shared::protocol::PRESENCE_LIST_LIMIT;
use confab_shared::{RoomName, ServerMsg, UserId, UserName};

use crate::identity::Identity;
use crate::outbox::{Outbound, Outbox, RoomFrame};
use crate::rooms::Directory;
use crate::wire;

/// Identifies a connection within this process.
pub(crate) type ConnId = u64;

#[derive(Default)]
pub(crate) struct Hub {
    state: Mutex<Rooms>,
    next_conn: AtomicU64,
    /// Rooms where someone types, as `Rooms::typing` counts them: read without the
    /// lock, so a send need not take it to stop a typist when nobody types.
    typing_rooms: AtomicU64,
}

#[derive(Default)]
struct Rooms {
    rooms: HashMap<RoomName, Room>,
    /// Rooms with presence changes not yet announced.
    dirty: HashSet<RoomName>,
    /// Rooms where someone types (or just stopped): looked at by each typing flush.
    typing: HashSet<RoomName>,
    /// What other nodes said of their people in each room: node, room, people.
    remote: HashMap<String, HashMap<RoomName, Vec<Person>>>,
    /// Rooms whose people on this node changed since the other nodes were told.
    local_dirty: HashSet<RoomName>,
}

#[derive(Default)]
struct Room {
    members: HashMap<ConnId, Member>,
    /// Distinct people here on this node, and how many of their connections.
    local: HashMap<Person, usize>,
    /// Distinct people online on any node, and in how many places: each connection
    /// here, and each other node that has them.
    online: HashMap<Person, usize>,
    /// Unannounced changes: each person's latest state (true = came online).
    changes: HashMap<Person, bool>,
    /// How many were online at the last announcement.
    announced: usize,
    /// Who is typing.
    typing: typing::Typing,
}

struct Member {
    person: Person,
    outbox: Outbox,
}

/// One person, as presence counts them: the identity their connection holds (shared,
/// not copied per room), equal to another by user id alone.
#[derive(Clone)]
struct Person(Arc<Identity>);

impl PartialEq for Person {
    fn eq(&self, other: &Self) -> bool {
        self.0.user == other.0.user
    }
}

impl Eq for Person {}

impl std::hash::Hash for Person {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.user.hash(state);
    }
}

/// A presence frame without the people named in `hidden`.
fn without(msg: &ServerMsg, hidden: &[&UserName]) -> ServerMsg {
    let keep = |names: &Vec<UserName>| -> Vec<UserName> {
        names
            .iter()
            .filter(|name| !hidden.contains(name))
            .cloned()
            .collect()
    };
    match msg {
        ServerMsg::Presence {
            room,
            online_count,
            joined,
            left,
            online,
        } => ServerMsg::Presence {
            room: room.clone(),
            online_count: *online_count,
            joined: keep(joined),
            left: keep(left),
            online: online.as_ref().map(keep),
        },
        other => other.clone(),
    }
}

/// Who is online in a room, as a joining client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Online {
    /// Everyone, sorted, when at most [`PRESENCE_LIST_LIMIT`]; else empty.
    pub(crate) names: Vec<UserName>,
    pub(crate) count: u32,
}

impl Room {
    fn online(&self) -> Online {
        let count = self.online.len();
        let names = if count <= PRESENCE_LIST_LIMIT {
            self.names()
        } else {
            Vec::new()
        };
        Online {
            names,
            count: u32::try_from(count).unwrap_or(u32::MAX),
        }
    }

    /// Everyone's name, sorted.
    fn names(&self) -> Vec<UserName> {
        let mut names: Vec<UserName> = self.online.keys().map(|p| p.0.name.clone()).collect();
        names.sort();
        names
    }

    fn deliver(&self, frame: &Arc<RoomFrame>) {
        for member in self.members.values() {
            member.outbox.deliver(Outbound::Room(Arc::clone(frame)));
        }
    }

    /// Delivers `msg` (not of the log: no seq) to every member, but a member whom
    /// one of `named` blocked gets `without(member)` instead, encoded for them alone.
    /// Blocks are looked up per member only when someone named blocked anyone.
    fn deliver_hiding(
        &self,
        room: &RoomName,
        msg: &ServerMsg,
        named: &[&UserId],
        blocking: &Directory,
        without: impl Fn(&UserId) -> ServerMsg,
    ) {
        let frame = |msg: &ServerMsg| {
            Arc::new(RoomFrame {
                room: room.clone(),
                seq: None,
                frame: wire::encode(msg),
                removes: None,
            })
        };
        let shared = frame(msg);
        let blockers: Vec<&UserId> = named
            .iter()
            .copied()
            .filter(|user| blocking.blocks_anyone(user))
            .collect();
        if blockers.is_empty() {
            return self.deliver(&shared);
        }
        for member in self.members.values() {
            let viewer = &member.person.0.user;
            let own = if blockers.iter().any(|b| blocking.has_blocked(b, viewer)) {
                frame(&without(viewer))
            } else {
                Arc::clone(&shared)
            };
            member.outbox.deliver(Outbound::Room(own));
        }
    }

    /// One more place has `person`: at the first, they came online.
    fn add_online(&mut self, room: &RoomName, person: &Person, dirty: &mut HashSet<RoomName>) {
        let count = self.online.entry(person.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            self.changes.insert(person.clone(), true);
            dirty.insert(room.clone());
        }
    }

    /// One place fewer has `person`: at the last, they went offline (and type here
    /// no more); gives whether they stopped typing.
    fn remove_online(
        &mut self,
        room: &RoomName,
        person: &Person,
        dirty: &mut HashSet<RoomName>,
    ) -> bool {
        let Some(count) = self.online.get_mut(person) else {
            return false;
        };
        *count -= 1;
        if *count > 0 {
            return false;
        }
        self.online.remove(person);
        self.changes.insert(person.clone(), false);
        dirty.insert(room.clone());
        self.typing.stop(&person.0.user)
    }

    /// The presence frame for what changed since the last one, and the people it
    /// names; clears the changes.
    fn announcement(&mut self, room: &RoomName) -> (ServerMsg, Vec<Person>) {
        let count = self.online.len();
        let changes = std::mem::take(&mut self.changes);
        let was = std::mem::replace(&mut self.announced, count);
        let online_count = u32::try_from(count).unwrap_or(u32::MAX);
        let (mut joined, mut left, mut online) = (Vec::new(), Vec::new(), None);
        let mut named = Vec::new();
        if count > PRESENCE_LIST_LIMIT {
            // Count only.
        } else if was > PRESENCE_LIST_LIMIT {
            // Members had no names: send them all.
            online = Some(self.names());
            named.extend(self.online.keys().cloned());
        } else {
            for (person, came) in changes {
                let name = person.0.name.clone();
                if came {
                    joined.push(name)
                } else {
                    left.push(name)
                }
                named.push(person);
            }
            joined.sort();
            left.sort();
        }
        let msg = ServerMsg::Presence {
            room: room.clone(),
            online_count,
            joined,
            left,
            online,
        };
        (msg, named)
    }
}

impl Hub {
    pub(crate) fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Rooms> {
        // A panic while holding this lock cannot leave the map half-updated in a way
        // that matters more than stopping every room would, so poison is ignored.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection to `room` (again, if it was there) and returns who is online.
    /// The other members hear of it at the next presence flush, if the set of people
    /// changed.
    pub(crate) fn join(
        &self,
        room: &RoomName,
        conn: ConnId,
        identity: &Arc<Identity>,
        outbox: &Outbox,
        blocking: &Directory,
    ) -> Online {
        let mut guard = self.lock();
        let Rooms {
            rooms,
            dirty,
            remote,
            local_dirty,
            ..
        } = &mut *guard;
        let state = rooms
            .entry(room.clone())
            .or_insert_with(|| Room::with_remote(remote, room));
        let person = Person(Arc::clone(identity));
        let member = Member {
            person: person.clone(),
            outbox: outbox.clone(),
        };
        if state.members.insert(conn, member).is_none() {
            let here = state.local.entry(person.clone()).or_insert(0);
            *here += 1;
            if *here == 1 {
                local_dirty.insert(room.clone());
                state.add_online(room, &person, dirty);
            }
        }
        let mut online = state.online();
        // Nobody is named to someone they blocked (names come only for rooms of at
        // most PRESENCE_LIST_LIMIT people online, so this looks at 100 at most).
        if !online.names.is_empty() {
            let hidden: Vec<&UserName> = state
                .online
                .keys()
                .filter(|p| blocking.has_blocked(&p.0.user, &identity.user))
                .map(|p| &p.0.name)
                .collect();
            online.names.retain(|name| !hidden.contains(&name));
        }
        online
    }

    /// Removes a connection from `room`; returns whether it was there.
    pub(crate) fn leave(&self, room: &RoomName, conn: ConnId) -> bool {
        self.remove(room, conn).is_some()
    }

    /// Removes a connection from `room`; gives its outbox if it was there.
    fn remove(&self, room: &RoomName, conn: ConnId) -> Option<Outbox> {
        let mut guard = self.lock();
        let Rooms {
            rooms,
            dirty,
            typing,
            local_dirty,
            ..
        } = &mut *guard;
        let state = rooms.get_mut(room)?;
        let member = state.members.remove(&conn)?;
        if state.members.is_empty() {
            rooms.remove(room);
            dirty.remove(room);
            typing.remove(room);
            local_dirty.insert(room.clone());
            self.typing_rooms
                .store(typing.len() as u64, Ordering::Relaxed);
            return Some(member.outbox);
        }
        if let Some(here) = state.local.get_mut(&member.person) {
            *here -= 1;
            if *here == 0 {
                state.local.remove(&member.person);
                local_dirty.insert(room.clone());
                // Their last connection here: they type here no more.
                if state.remove_online(room, &member.person, dirty) {
                    typing.insert(room.clone());
                }
            }
        }
        Some(member.outbox)
    }

    /// Queues `frame` for every member of its room on this node. A frame that
    /// removes someone takes their connections out of the room first, and reaches
    /// them as their last frame of it.
    pub(crate) fn publish(&self, frame: Arc<RoomFrame>) {
        if let Some(user) = &frame.removes {
            let removed: Vec<ConnId> = {
                let guard = self.lock();
                let Some(state) = guard.rooms.get(&frame.room) else {
                    return;
                };
                state
                    .members
                    .iter()
                    .filter(|(_, member)| member.person.0.user == *user)
                    .map(|(conn, _)| *conn)
                    .collect()
            };
            for conn in removed {
                if let Some(outbox) = self.remove(&frame.room, conn) {
                    outbox.deliver(Outbound::Removed(Arc::clone(&frame)));
                }
            }
        }
        let guard = self.lock();
        if let Some(state) = guard.rooms.get(&frame.room) {
            state.deliver(&frame);
        }
    }

    /// `conn`'s person is typing in `room` (or, `stop`, no longer): announced with
    /// the next typing flush. Ignored unless `conn` joined the room.
    pub(crate) fn typing(&self, room: &RoomName, conn: ConnId, stop: bool) {
        let mut guard = self.lock();
        let Rooms { rooms, typing, .. } = &mut *guard;
        let Some(state) = rooms.get_mut(room) else {
            return;
        };
        let Some(member) = state.members.get(&conn) else {
            return;
        };
        let who = Arc::clone(&member.person.0);
        if stop {
            let _stopped = state.typing.stop(&who.user);
        } else {
            state.typing.start(&who, tokio::time::Instant::now());
        }
        typing.insert(room.clone());
        self.typing_rooms
            .store(typing.len() as u64, Ordering::Relaxed);
    }

    /// `conn`'s person sent a message in `room`: they type there no more. Costs no
    /// lock while nobody types anywhere (every send asks).
    pub(crate) fn sent(&self, room: &RoomName, conn: ConnId) {
        if self.typing_rooms.load(Ordering::Relaxed) > 0 {
            self.typing(room, conn, true);
        }
    }

    /// Sends each room whose typists changed (someone began, stopped, or was not
    /// heard from in time) one `typing` frame; returns how many. Nobody sees the
    /// typing of someone who blocked them (`blocking`).
    pub(crate) fn flush_typing(&self, blocking: &Directory) -> usize {
        let now = tokio::time::Instant::now();
        let mut guard = self.lock();
        let Rooms { rooms, typing, .. } = &mut *guard;
        let mut sent = 0;
        typing.retain(|room| {
            let Some(state) = rooms.get_mut(room) else {
                return false;
            };
            let still = state.typing.expire(now);
            if let Some(msg) = state.typing.announcement(room) {
                let state = &*state;
                let typists: Vec<&UserId> = state.typing.typists().collect();
                state.deliver_hiding(room, &msg, &typists, blocking, |viewer| {
                    state
                        .typing
                        .frame(room, |t| blocking.has_blocked(t, viewer))
                });
                sent += 1;
            }
            still
        });
        self.typing_rooms
            .store(typing.len() as u64, Ordering::Relaxed);
        sent
    }

    /// Sends each room whose people changed one presence frame; returns how many.
    /// Nobody is named to someone they blocked (`blocking`): those members get a
    /// frame of their own without them.
    pub(crate) fn flush_presence(&self, blocking: &Directory) -> usize {
        let mut guard = self.lock();
        let Rooms { rooms, dirty, .. } = &mut *guard;
        let mut sent = 0;
        for room in dirty.drain() {
            let Some(state) = rooms.get_mut(&room) else {
                continue;
            };
            let (msg, named) = state.announcement(&room);
            let ids: Vec<&UserId> = named.iter().map(|p| &p.0.user).collect();
            state.deliver_hiding(&room, &msg, &ids, blocking, |viewer| {
                let hidden: Vec<&UserName> = named
                    .iter()
                    .filter(|p| blocking.has_blocked(&p.0.user, viewer))
                    .map(|p| &p.0.name)
                    .collect();
                without(&msg, &hidden)
            });
            sent += 1;
        }
        sent
    }

    /// Who is online in `room` on this node (tests).
    #[cfg(test)]
    pub(crate) fn online(&self, room: &RoomName) -> Online {
        self.lock()
            .rooms
            .get(room)
            .map(Room::online)
            .unwrap_or(Online {
                names: Vec::new(),
                count: 0,
            })
    }
}

#[cfg(test)]
mod tests;
