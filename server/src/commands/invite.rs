//! `invite`: a member makes an account a member too (a `member_joined` event with
//! `by`). The account's open sockets hear of their new room at once (a `room` frame).
//! Someone who blocked the inviter cannot be invited by them: the inviter is told no
//! such account exists, as for a name nobody has.

use confab_shared::{ErrorCode, Role, RoomName, ServerMsg, UserName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, Person, RoomChange};
use crate::wire;

pub(super) async fn run(session: Session<'_>, room: RoomName, user: UserName) -> Reply {
    let state = session.state;
    let identity = session.identity;
    let access = state
        .store
        .rooms()
        .directory()
        .access(&room, &identity.user);
    if let Err(denial) = authz::check(identity, access.as_ref(), Action::Invite) {
        return denied(denial, &room);
    }
    let Some(found) = access else {
        return denied(authz::Denied::NotFound, &room);
    };
    let no_account = || Reply::refusal(ErrorCode::NotFound, "no account has that name", None);
    let failed = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "inviting failed");
        Reply::refusal(ErrorCode::Internal, "could not invite; try again", None)
    };
    let invitee = match state.store.accounts().credentials(&user).await {
        Ok(Some(credentials)) if !credentials.banned => credentials.account,
        Ok(_) => return no_account(),
        Err(error) => return failed(&error),
    };
    let invitee_id = invitee.user_id();
    match state
        .store
        .blocks()
        .has_blocked(&invitee_id, &identity.user)
        .await
    {
        Ok(false) => {}
        Ok(true) => return no_account(),
        Err(error) => return failed(&error),
    }
    let standing = state.store.rooms().directory().access(&room, &invitee_id);
    if standing.is_some_and(|access| access.standing.banned) {
        return Reply::refusal(
            ErrorCode::Forbidden,
            "they are banned from this room: unban them first",
            None,
        );
    }
    let change = RoomChange {
        room: room.clone(),
        change: Change::Join {
            who: Person {
                id: invitee_id.clone(),
                name: invitee.username.clone(),
            },
            role: Role::Member,
            by: Some(identity.person()),
        },
    };
    match state.sequencer.record(change).await {
        Ok(events) => {
            if !events.is_empty() {
                let news = wire::encode(&ServerMsg::Room(found.room.info(Some(Role::Member))));
                let _told = state.tell(&invitee_id, None, &news);
                tracing::info!(%room, by = %identity.name, invited = %invitee.username, "invited");
            }
            Reply::frame(&ServerMsg::Invited {
                room,
                user: invitee.username,
            })
        }
        Err(error) => failed(&error),
    }
}
