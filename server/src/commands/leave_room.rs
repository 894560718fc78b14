//! `leave_room`: stop being a member of a room, on every device. The room's
//! `member_left` event is the answer; like a kick, it ends the person's stream of the
//! room on every socket that had joined it. A private room needs a new invite to
//! come back; the owner must hand the room over first (`authz`).

use confab_shared::{ErrorCode, RoomName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, RoomChange};

pub(super) async fn run(session: Session<'_>, room: RoomName) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::LeaveRoom) {
        return denied(denial, &room);
    }
    let change = RoomChange {
        room: room.clone(),
        change: Change::Leave {
            who: session.identity.person(),
        },
    };
    match session.state.sequencer.record(change).await {
        Ok(events) if events.is_empty() => Reply::refusal(
            ErrorCode::BadRequest,
            "you are not a member of this room",
            None,
        ),
        Ok(_) => {
            tracing::info!(%room, who = %session.identity.name, "left the room");
            Reply::default()
        }
        Err(_) => Reply::refusal(ErrorCode::Internal, "could not leave; try again", None),
    }
}
