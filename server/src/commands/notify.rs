//! `notify`: when this person is notified of a room's messages (all, mentions, none),
//! kept by the server; every socket of theirs gets the room again with it (and its
//! read state), so it follows them to every device. Members only.

use confab_shared::{ErrorCode, Notify, RoomName, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::RoomError;
use crate::wire;

pub(super) async fn run(session: Session<'_>, room: RoomName, notify: Notify) -> Reply {
    let state = session.state;
    let identity = session.identity;
    let rooms = state.store.rooms();
    let access = rooms.directory().access(&room, &identity.user);
    if let Err(denial) = authz::check(identity, access.as_ref(), Action::Keep) {
        return denied(denial, &room);
    }
    let failed = |error: &RoomError| {
        tracing::error!(%error, %room, "keeping a notification level failed");
        Reply::refusal(ErrorCode::Internal, "could not change it; try again", None)
    };
    let notify = if notify == Notify::Unknown {
        Notify::All
    } else {
        notify
    };
    if let Err(error) = rooms.set_notify(&room, &identity.user, notify).await {
        return failed(&error);
    }
    let Some(mut info) = rooms.directory().info(&room, &identity.user) else {
        return denied(authz::Denied::NotFound, &room);
    };
    let reading = state.store.reading();
    if let Err(error) =
        crate::reading::fill_counts_of(reading, &identity.user, &identity.name, &mut info).await
    {
        return failed(&RoomError::Store(error));
    }
    let news = ServerMsg::Room(info);
    let frame = wire::encode(&news);
    let _told = state.tell(&identity.user, Some(session.conn), &frame);
    Reply::frame(&news)
}
