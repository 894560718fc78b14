//! The room browser in the page's state: the public rooms the server listed for the
//! last query (`public_rooms`: name or topic, most members first), each marked when
//! this page has it open already; joining one is opening it.

use confab_shared::protocol::PublicRoom;
use confab_shared::{ClientMsg, RoomName, Topic};

use super::Chat;

/// What the browser shows.
#[derive(Debug, Clone, Default)]
pub struct Browsing {
    /// The server's answer to the last query (None: not yet).
    found: Option<Vec<PublicRoom>>,
}

/// One line of the room browser.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Found {
    pub room: RoomName,
    pub topic: Topic,
    pub members: u32,
    /// Open on this page already.
    pub open: bool,
}

impl Chat {
    /// Asks for the public rooms matching `query` (name or topic; empty: all).
    pub fn browse(&self, query: &str) -> ClientMsg {
        ClientMsg::PublicRooms {
            query: query.trim().to_owned(),
        }
    }

    /// The server's `public_rooms` answer.
    pub(super) fn public_rooms(&mut self, rooms: Vec<PublicRoom>) {
        self.browsing.found = Some(rooms);
        self.changed.browsing = true;
    }

    /// The rooms found for the last query (None: no answer yet).
    pub fn found_rooms(&self) -> Option<Vec<Found>> {
        let found = self.browsing.found.as_ref()?;
        Some(
            found
                .iter()
                .map(|r| Found {
                    room: r.room.clone(),
                    topic: r.topic.clone(),
                    members: r.members,
                    open: self.rooms.contains_key(&r.room),
                })
                .collect(),
        )
    }
}
