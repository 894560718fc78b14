//! `join`: subscribe this connection to a room, then replay from the store.
//!
//! Subscribing first and reading second is what makes replay and live meet with
//! neither a gap nor a duplicate: live frames that arrive meanwhile wait in the
//! connection's queue, and the connection drops those whose seq the replay covered.

use confab_shared::protocol::{DEFAULT_REPLAY, MAX_REPLAY};
use confab_shared::{ErrorCode, RoomName, Seq, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::wire;

pub(super) async fn run(session: Session<'_>, room: RoomName, after: Option<Seq>) -> Reply {
    if let Err(denial) = authz::check(session.identity, &room, Action::Join) {
        return denied(denial, None);
    }
    let state = session.state;
    let online = state.hub.join(
        &room,
        session.conn,
        &session.identity.user,
        &session.identity.name,
        session.outbox,
    );
    let limit = if after.is_some() {
        MAX_REPLAY
    } else {
        DEFAULT_REPLAY
    };
    let replay = match state.store.replay(&room, after, limit).await {
        Ok(replay) => replay,
        Err(error) => {
            tracing::error!(conn = session.conn, %error, %room, "reading replay failed");
            if !session.joined.contains_key(&room) {
                state.hub.leave(&room, session.conn);
            }
            return Reply::refusal(
                ErrorCode::Internal,
                "could not join the room; try again",
                None,
            );
        }
    };
    session.joined.insert(room.clone(), replay.last_seq);
    let mut frames = Vec::with_capacity(replay.messages.len() + 1);
    frames.push(wire::encode(&ServerMsg::Joined {
        room,
        last_seq: replay.last_seq,
        online: online.names,
        online_count: online.count,
        truncated: replay.truncated,
    }));
    frames.extend(
        replay
            .messages
            .into_iter()
            .map(|message| wire::encode(&ServerMsg::Message(message))),
    );
    Reply {
        frames,
        submitted: false,
    }
}
