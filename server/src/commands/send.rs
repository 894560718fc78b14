//! `send`: hand a message to the sequencer, which stores, broadcasts and then acks
//! it through this connection's outbox; unless the sender is over its rate
//! (`limits/pace.rs`): then the send waits, or is refused.

use confab_shared::{ClientId, ErrorCode, MessageBody, RoomName};

use super::{Reply, Session};

use crate::sequencer::AppendRequest;
use crate::store::NewMessage;

pub(super) async fn run(
    mut session: Session<'_>,
    room: RoomName,
    client_id: ClientId,
    body: MessageBody,
) -> Reply {
    if !session.joined.contains_key(&room) {
        let text = "join the room before sending to it";
        return Reply::refusal(ErrorCode::NotJoined, text, Some(client_id));
    }
    // Joining was authorised (`authz`); since then a moderator may have muted or
    // banned the sender, or taken them out of a private room.
    let posting = session
        .state
        .store
        .rooms()
        .directory()
        .may_post(&room, &session.identity.user);
    if let Err(denied) = posting {
        return super::may_not_post(denied, room, client_id);
    }
    if let Some(not_now) = super::paced(&mut session, Some(&client_id)) {
        return not_now;
    }
    // Sent: no longer typing.
    session.state.hub.sent(&room, session.conn);
    let request = AppendRequest {
        message: NewMessage {
            room,
            author: session.identity.name.clone(),
            author_id: session.identity.user.clone(),
            client_id: client_id.clone(),
            body,
        },
        reply: session.outbox.clone(),
    };
    if session.state.sequencer.submit(request).await.is_err() {
        let text = "the server is shutting down; send it again after reconnecting";
        return Reply::refusal(ErrorCode::Internal, text, Some(client_id));
    }
    Reply {
        submitted: true,
        ..Reply::default()
    }
}
