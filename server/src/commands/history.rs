//! `history`: a page of older messages of a joined room.

use confab_shared::{ErrorCode, RoomName, Seq, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};

pub(super) async fn run(
    session: Session<'_>,
    room: RoomName,
    before: Option<Seq>,
    limit: u32,
) -> Reply {
    if !session.joined.contains_key(&room) {
        let text = "join the room before reading its history";
        return Reply::refusal(ErrorCode::NotJoined, text, None);
    }
    let access = session
        .state
        .store
        .rooms()
        .directory()
        .access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied(denial, &room);
    }
    match session.state.store.history(&room, before, limit).await {
        Ok(page) => Reply::frame(&ServerMsg::History {
            room,
            messages: page.messages,
            has_more: page.has_more,
        }),
        Err(error) => {
            tracing::error!(conn = session.conn, %error, "reading history failed");
            Reply::refusal(ErrorCode::Internal, "history is unavailable", None)
        }
    }
}
