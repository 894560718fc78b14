//! `members`: who belongs to a room, with their roles; for anyone who may read it.

use confab_shared::{RoomName, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};

pub(super) fn run(session: Session<'_>, room: RoomName) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied(denial, &room);
    }
    let members = directory.members(&room);
    Reply::frame(&ServerMsg::Members { room, members })
}
