//! `set_topic`: a room's moderators (any of a conversation's people) give it a new
//! topic; the sequencer stores it as the room's `topic_changed` event, which is the
//! answer (none when it is the topic already). The directory, the room browser and
//! the `room` frames of those who join after carry it from then on.

use confab_shared::{ErrorCode, RoomName, Topic};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, RoomChange};

pub(super) async fn run(session: Session<'_>, room: RoomName, topic: Topic) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::SetTopic) {
        return denied(denial, &room);
    }
    let change = RoomChange {
        room: room.clone(),
        change: Change::SetTopic {
            topic,
            by: session.identity.person(),
        },
    };
    match session.state.sequencer.record(change).await {
        Ok(_) => Reply::default(),
        Err(_) => Reply::refusal(
            ErrorCode::Internal,
            "could not change the topic; try again",
            None,
        ),
    }
}
