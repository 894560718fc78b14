//! `public_rooms`: the room browser: public rooms (never private ones, never
//! conversations) whose name or topic holds the query, most members first.

use confab_shared::ServerMsg;

use super::{Reply, Session};

pub(super) fn run(session: Session<'_>, query: &str) -> Reply {
    let rooms = session.state.store.rooms().directory().public_rooms(query);
    Reply::frame(&ServerMsg::PublicRooms { rooms })
}
