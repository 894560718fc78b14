//! `delete_message`: anyone deletes their own messages; moderators anyone's. The
//! room's `message_deleted` event is the answer, and from then on the message's
//! text is never served again (snapshots and history skip it; a replay gives its seq
//! as the deletion).

use confab_shared::{ErrorCode, MessageId, RoomName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, RoomChange};

pub(super) async fn run(session: Session<'_>, room: RoomName, id: MessageId) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied(denial, &room);
    }
    // A moderator's deletion is of any message; anyone else's only of their own,
    // which the store checks as it deletes.
    let moderator = authz::check(session.identity, access.as_ref(), Action::Oversee).is_ok();
    let change = RoomChange {
        room,
        change: Change::Delete {
            id,
            by: session.identity.person(),
            author: (!moderator).then(|| session.identity.user.clone()),
        },
    };
    match session.state.sequencer.record(change).await {
        Ok(events) if events.is_empty() => Reply::refusal(
            ErrorCode::NotFound,
            "no such message of yours in this room",
            None,
        ),
        Ok(_) => Reply::default(),
        Err(_) => Reply::refusal(ErrorCode::Internal, "could not delete; try again", None),
    }
}
