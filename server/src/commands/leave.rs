//! `leave`: stop a room's messages and presence on this connection.

use confab_shared::{ErrorCode, RoomName};

use super::{Reply, Session};

pub(super) fn run(session: Session<'_>, room: &RoomName) -> Reply {
    if session.joined.remove(room).is_some() {
        session.state.hub.leave(room, session.conn);
        Reply::default()
    } else {
        Reply::refusal(ErrorCode::NotJoined, "not in that room", None)
    }
}
