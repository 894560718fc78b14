//! `delete_message`: anyone deletes their own messages; moderators anyone's. The
//! room's `message_deleted` event is the answer, and from then on the message's
//! text is never served again (snapshots and history skip it; a replay gives its seq
//! as the deletion).

use confab_shared::{ErrorCode, MessageId, RoomName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, RoomChange};

pub(super) async fn run(session: Session<'_>, room: RoomName, id: MessageId) -> Reply {
    let state = session.state;
    let directory = state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied(denial, &room);
    }
    let gone = || {
        Reply::refusal(
            ErrorCode::NotFound,
            "no such message of yours in this room",
            None,
        )
    };
    let author = match state.store.message_author(&room, id).await {
        Ok(Some(author)) => author,
        Ok(None) => return gone(),
        Err(error) => {
            tracing::error!(%error, %room, "reading a message's author failed");
            return Reply::refusal(ErrorCode::Internal, "could not delete; try again", None);
        }
    };
    let own = author == session.identity.user;
    if let Err(denial) = authz::check(
        session.identity,
        access.as_ref(),
        Action::DeleteMessage { own },
    ) {
        return denied(denial, &room);
    }
    let change = RoomChange {
        room,
        change: Change::Delete {
            id,
            by: session.identity.person(),
        },
    };
    match state.sequencer.record(change).await {
        // Deleted meanwhile.
        Ok(events) if events.is_empty() => gone(),
        Ok(_) => Reply::default(),
        Err(_) => Reply::refusal(ErrorCode::Internal, "could not delete; try again", None),
    }
}
