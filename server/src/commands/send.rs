//! `send`: hand a message to the sequencer, which stores, broadcasts and then acks
//! it through this connection's outbox; unless the sender is over its rate
//! (`limits/pace.rs`): then the send waits, or is refused. A reply goes into the
//! thread of the message it names (the root's, if that is a reply itself), which
//! must be there and not deleted.

use confab_shared::{ClientId, ErrorCode, MessageBody, MessageId, RoomName};

use super::{Reply, Session};

use crate::sequencer::AppendRequest;
use crate::store::NewMessage;

/// What a `send` asks to post.
pub(super) struct Post {
    pub(super) room: RoomName,
    pub(super) client_id: ClientId,
    pub(super) body: MessageBody,
    pub(super) thread: Option<MessageId>,
    pub(super) in_room: bool,
}

pub(super) async fn run(mut session: Session<'_>, post: Post) -> Reply {
    let Post {
        room,
        client_id,
        body,
        thread,
        in_room,
    } = post;
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
    let thread = match thread {
        None => None,
        Some(id) => match session.state.store.replied_to(&room, id).await {
            Ok(Some(root)) => Some(root),
            Ok(None) => {
                let text = "no such message to reply to (it may have been deleted)";
                return Reply::refusal(ErrorCode::NotFound, text, Some(client_id));
            }
            Err(error) => {
                tracing::error!(conn = session.conn, %error, "finding a thread failed");
                let text = "the server could not store this message; send it again";
                return Reply::refusal(ErrorCode::Internal, text, Some(client_id));
            }
        },
    };
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
            thread,
            in_room,
            refused: None,
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
