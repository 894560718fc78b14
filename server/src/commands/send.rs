//! `send`: hand a message to the sequencer, which stores, broadcasts and then acks
//! it through this connection's outbox.

use confab_shared::{ClientId, ErrorCode, MessageBody, RoomName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::sequencer::AppendRequest;
use crate::store::NewMessage;

pub(super) async fn run(
    session: Session<'_>,
    room: RoomName,
    client_id: ClientId,
    body: MessageBody,
) -> Reply {
    if !session.joined.contains_key(&room) {
        let text = "join the room before sending to it";
        return Reply::refusal(ErrorCode::NotJoined, text, Some(client_id));
    }
    if let Err(denial) = authz::check(session.identity, &room, Action::Post) {
        return denied(denial, Some(client_id));
    }
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
        frames: Vec::new(),
        submitted: true,
    }
}
