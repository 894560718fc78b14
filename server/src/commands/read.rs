//! `read` and `mark_unread`: a member's read marker in a room moves (forward only,
//! but for "mark unread"), and every socket of theirs hears where it is now and what
//! is unread after it (`read`), so reading in one tab clears the count in the others.
//! A stale `read` moves nothing and is answered on its own socket alone. With
//! `thread`, the marker of a thread the person took part in moves, and every socket
//! of theirs hears `thread_read`.

use confab_shared::{ErrorCode, MessageId, RoomName, Seq, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::identity::Kind;
use crate::wire;

pub(super) async fn run(session: Session<'_>, room: RoomName, seq: Seq, back: bool) -> Reply {
    let state = session.state;
    let identity = session.identity;
    if let Err(refused) = may_keep(&session, &room) {
        return refused;
    }
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, %room, "keeping read state failed");
        Reply::refusal(
            ErrorCode::Internal,
            "could not mark it read; try again",
            None,
        )
    };
    let reading = state.store.reading();
    // "Unread from `seq` on": the marker goes to just before it.
    let wanted = if back { seq.saturating_sub(1) } else { seq };
    let marker = match reading.set_read(&identity.user, &room, wanted, back).await {
        Ok(marker) => marker,
        Err(error) => return failed(&error),
    };
    let counts = match reading
        .unread(&identity.user, &identity.name, &room, marker.seq)
        .await
    {
        Ok(counts) => counts,
        Err(error) => return failed(&error),
    };
    let news = ServerMsg::Read {
        room,
        seq: marker.seq,
        unread: counts.unread,
        mentions: counts.mentions,
    };
    if marker.moved {
        let frame = wire::encode(&news);
        let _told = state.tell(&identity.user, Some(session.conn), &frame);
    }
    Reply::frame(&news)
}

/// `read` with `thread`: the marker of thread `root` of `room` moves forward to `seq`.
pub(super) async fn thread(
    session: Session<'_>,
    room: RoomName,
    root: MessageId,
    seq: Seq,
) -> Reply {
    let state = session.state;
    let identity = session.identity;
    if let Err(refused) = may_keep(&session, &room) {
        return refused;
    }
    let marker = match state
        .store
        .reading()
        .thread_read(&identity.user, &room, root, seq)
        .await
    {
        Ok(marker) => marker,
        Err(error) => {
            tracing::error!(%error, %room, root, "keeping a thread's read state failed");
            let text = "could not mark the thread read; try again";
            return Reply::refusal(ErrorCode::Internal, text, None);
        }
    };
    let news = ServerMsg::ThreadRead {
        room,
        thread: marker,
    };
    let frame = wire::encode(&news);
    let _told = state.tell(&identity.user, Some(session.conn), &frame);
    Reply::frame(&news)
}

/// Whether the session's person keeps read state in `room`: an account, a member.
fn may_keep(session: &Session<'_>, room: &RoomName) -> Result<(), Reply> {
    let identity = session.identity;
    if identity.kind == Kind::Guest {
        let text = "guests keep no read state: sign in";
        return Err(Reply::refusal(ErrorCode::Forbidden, text, None));
    }
    let access = session
        .state
        .store
        .rooms()
        .directory()
        .access(room, &identity.user);
    authz::check(identity, access.as_ref(), Action::Keep)
        .map(|_| ())
        .map_err(|denial| denied(denial, room))
}
