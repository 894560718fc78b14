//! Who is in which room on this node, and fan-out to them.
//!
//! The hub is in memory and local. Reaching members on other nodes (Redis, later) will
//! be a broker beside it that feeds `publish`; the hub itself stays node-local.
//!
//! One std `Mutex` guards the map: every critical section is short (no I/O, no
//! `.await`), and delivery only pushes onto bounded queues without waiting.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use confab_shared::{RoomName, ServerMsg, UserName};

use crate::outbox::{Outbound, Outbox, RoomFrame};
use crate::wire;

/// Identifies a connection within this process.
pub type ConnId = u64;

#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<RoomName, Room>>,
    next_conn: AtomicU64,
}

#[derive(Default)]
struct Room {
    members: HashMap<ConnId, Member>,
    /// Distinct people online, with how many of their connections are in the room.
    online: BTreeMap<UserName, usize>,
}

struct Member {
    user: UserName,
    outbox: Outbox,
}

impl Room {
    fn online(&self) -> Vec<UserName> {
        self.online.keys().cloned().collect()
    }

    fn deliver(&self, frame: &Arc<RoomFrame>, skip: Option<ConnId>) {
        for (id, member) in &self.members {
            if Some(*id) != skip {
                member.outbox.deliver(Outbound::Room(Arc::clone(frame)));
            }
        }
    }

    fn announce_presence(&self, room: &RoomName, skip: Option<ConnId>) {
        let msg = ServerMsg::Presence {
            room: room.clone(),
            online: self.online(),
        };
        let frame = Arc::new(RoomFrame {
            room: room.clone(),
            seq: None,
            frame: wire::encode(&msg),
        });
        self.deliver(&frame, skip);
    }
}

impl Hub {
    pub fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomName, Room>> {
        // A panic while holding this lock cannot leave the map half-updated in a way
        // that matters more than stopping every room would, so poison is ignored.
        self.rooms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a connection to `room` (again, if it was there) and returns who is online.
    /// The other members hear of it if the set of people changed.
    pub fn join(
        &self,
        room: &RoomName,
        conn: ConnId,
        user: &UserName,
        outbox: &Outbox,
    ) -> Vec<UserName> {
        let mut rooms = self.rooms();
        let state = rooms.entry(room.clone()).or_default();
        let member = Member {
            user: user.clone(),
            outbox: outbox.clone(),
        };
        if state.members.insert(conn, member).is_none() {
            let count = state.online.entry(user.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                state.announce_presence(room, Some(conn));
            }
        }
        state.online()
    }

    /// Removes a connection from `room`; returns whether it was there.
    pub fn leave(&self, room: &RoomName, conn: ConnId) -> bool {
        let mut rooms = self.rooms();
        let Some(state) = rooms.get_mut(room) else {
            return false;
        };
        let Some(member) = state.members.remove(&conn) else {
            return false;
        };
        if state.members.is_empty() {
            rooms.remove(room);
            return true;
        }
        if let Some(count) = state.online.get_mut(&member.user) {
            *count -= 1;
            if *count == 0 {
                state.online.remove(&member.user);
                state.announce_presence(room, None);
            }
        }
        true
    }

    /// Queues `frame` for every member of its room on this node.
    pub fn publish(&self, frame: Arc<RoomFrame>) {
        let rooms = self.rooms();
        if let Some(state) = rooms.get(&frame.room) {
            state.deliver(&frame, None);
        }
    }

    /// People online in `room` on this node.
    pub fn online(&self, room: &RoomName) -> Vec<UserName> {
        self.rooms().get(room).map(Room::online).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::Receiver;

    fn name(s: &str) -> UserName {
        UserName::new(s).unwrap()
    }

    fn frames(rx: &mut Receiver<Outbound>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(item) = rx.try_recv() {
            match item {
                Outbound::Room(f) => out.push(f.frame.to_string()),
                Outbound::Direct(f) => out.push(f.to_string()),
            }
        }
        out
    }

    #[test]
    fn presence_counts_people_not_connections() {
        let hub = Hub::default();
        let room = RoomName::new("general").unwrap();
        let (a, mut a_rx) = Outbox::channel(16);
        let (b1, mut b1_rx) = Outbox::channel(16);
        let (b2, _b2_rx) = Outbox::channel(16);

        assert_eq!(hub.join(&room, 1, &name("ann"), &a), [name("ann")]);
        assert_eq!(
            hub.join(&room, 2, &name("bob"), &b1),
            [name("ann"), name("bob")]
        );
        assert_eq!(frames(&mut a_rx).len(), 1, "ann hears that bob came");
        assert!(
            frames(&mut b1_rx).is_empty(),
            "bob learns it from the join reply"
        );

        // Bob's second tab changes nothing anyone needs to hear.
        hub.join(&room, 3, &name("bob"), &b2);
        assert!(frames(&mut a_rx).is_empty());
        assert!(hub.leave(&room, 3));
        assert!(frames(&mut a_rx).is_empty());

        assert!(hub.leave(&room, 2));
        let seen = frames(&mut a_rx);
        assert_eq!(seen.len(), 1);
        assert!(seen[0].contains(r#""online":["ann"]"#), "{}", seen[0]);
        assert!(!hub.leave(&room, 2), "already gone");

        assert!(hub.leave(&room, 1));
        assert!(hub.online(&room).is_empty());
        assert!(hub.rooms().is_empty(), "empty rooms are dropped");
    }
}
