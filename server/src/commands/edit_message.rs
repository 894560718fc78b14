//! `edit_message`: an author gives their own message new text, if they may still post
//! in the room (not muted). Counted against the message rate, held or refused over it
//! as a `send` is. The room's `message_edited` event is the answer; a resend of the
//! same edit, or an older one arriving late, changes nothing and is answered by
//! nothing (the event the first one made is in the log).

use confab_shared::{ClientId, ErrorCode, MessageBody, MessageId, RoomName};

use super::authz::{self, Action};
use super::{Reply, Session};
use crate::rooms::{Change, RoomChange};

pub(super) async fn run(
    mut session: Session<'_>,
    room: RoomName,
    id: MessageId,
    client_id: ClientId,
    body: MessageBody,
) -> Reply {
    if let Some(refused) = super::may_change(&mut session, &room, &client_id) {
        return refused;
    }
    let state = session.state;
    let user = &session.identity.user;
    let access = state.store.rooms().directory().access(&room, user);
    let refused = |code, text: &str| Reply::refusal(code, text, Some(client_id.clone()));
    let gone = || refused(ErrorCode::NotFound, "no such message of yours in this room");
    let author = match state.store.message_author(&room, id).await {
        Ok(Some(author)) => author,
        Ok(None) => return gone(),
        Err(error) => {
            tracing::error!(%error, %room, "reading a message's author failed");
            return refused(ErrorCode::Internal, "could not edit; try again");
        }
    };
    // Someone else's message: as if there were none of theirs.
    let own = author == *user;
    let may = authz::check(
        session.identity,
        access.as_ref(),
        Action::EditMessage { own },
    );
    if may.is_err() {
        return gone();
    }
    let change = RoomChange {
        room,
        change: Change::Edit {
            id,
            client_id: client_id.clone(),
            body,
        },
    };
    match state.sequencer.record(change).await {
        // The event goes to everyone in the room, this connection too; a resend or an
        // older edit made none.
        Ok(_) => Reply::default(),
        Err(_) => refused(ErrorCode::Internal, "could not edit; try again"),
    }
}
