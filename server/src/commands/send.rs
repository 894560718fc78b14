//! `send`: hand a message to the sequencer, which stores, broadcasts and then acks
//! it through this connection's outbox; unless the sender is over its rate
//! (`limits/pace.rs`): then the send waits, or is refused.

use confab_shared::{ClientId, ErrorCode, MessageBody, RoomName};

use super::{Reply, Session};
use crate::limits::Admit;
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
    // Posting needs only a joined room: joining it was authorised (`authz`).
    let limiter = &session.state.guards.messages;
    match session
        .pace
        .admit(limiter, &session.identity.user, session.held)
    {
        Admit::Go => {}
        Admit::Wait(wait) => {
            return Reply {
                hold: Some(wait),
                ..Reply::default()
            };
        }
        Admit::Refuse(wait) => return Reply::rate_limited(wait, Some(client_id)),
        Admit::Abuse => {
            return Reply {
                abuse: true,
                ..Reply::default()
            };
        }
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
        submitted: true,
        ..Reply::default()
    }
}
