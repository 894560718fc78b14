//! `send`: hand a message to the sequencer, which stores, broadcasts and then acks
//! it through this connection's outbox; unless the sender is over its rate
//! (`limits/pace.rs`): then the send waits, or is refused.

use confab_shared::{ClientId, ErrorCode, MessageBody, RoomName, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
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
    if let Err(denial) = authz::check(session.identity, &room, Action::Post) {
        return denied(denial, Some(client_id));
    }
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
        Admit::Refuse(wait) => {
            let retry_after_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
            return Reply::frame(&ServerMsg::Error {
                code: ErrorCode::RateLimited,
                message: "you are sending too fast: wait a moment".to_owned(),
                client_id: Some(client_id),
                retry_after_ms: Some(retry_after_ms),
            });
        }
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
