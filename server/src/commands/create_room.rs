//! `create_room`: make a room on purpose. Its maker (an account) is its owner; guests
//! may make public rooms only, and own none. Counted against the message rate, and
//! held or refused over it as a `send` is, so a client cannot make rooms faster than
//! it may post.

use confab_shared::{ErrorCode, Role, RoomName, ServerMsg, Topic};

use super::{Reply, Session, authz};
use crate::identity::Kind;
use crate::rooms::{Room, RoomError};

pub(super) async fn run(
    mut session: Session<'_>,
    room: RoomName,
    topic: Topic,
    private: bool,
) -> Reply {
    if let Err(denial) = authz::may_create(session.identity, &room, private) {
        return Reply::refusal(denial.code(), denial.text(), None);
    }
    if let Some(not_now) = super::paced(&mut session, None) {
        return not_now;
    }
    let identity = session.identity;
    let state = session.state;
    let owner = (identity.kind == Kind::Member).then(|| identity.person());
    let new = Room::new(room, topic, private);
    match state.store.rooms().create_room(&new, owner.as_ref()).await {
        Ok(()) => {
            tracing::info!(room = %new.name, private, by = %identity.name, "room created");
            Reply::frame(&ServerMsg::Room(new.info(owner.map(|_| Role::Owner))))
        }
        Err(RoomError::Exists) => {
            Reply::refusal(ErrorCode::RoomExists, "a room of that name exists", None)
        }
        Err(RoomError::Store(error)) => {
            tracing::error!(%error, room = %new.name, "creating a room failed");
            Reply::refusal(
                ErrorCode::Internal,
                "could not create the room; try again",
                None,
            )
        }
    }
}
