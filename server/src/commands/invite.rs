//! `invite`: a member makes an account a member too. The account's open sockets hear
//! of their new room at once (a `room` frame).

use confab_shared::{ErrorCode, Role, RoomName, ServerMsg, UserName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
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
    let Some((found, _)) = access else {
        return denied(authz::Denied::NotFound, &room);
    };
    let invitee = match state.store.accounts().credentials(&user).await {
        Ok(Some(credentials)) => credentials.account,
        Ok(None) => {
            return Reply::refusal(ErrorCode::NotFound, "no account has that name", None);
        }
        Err(error) => {
            tracing::error!(%error, "looking up an invitee failed");
            return Reply::refusal(ErrorCode::Internal, "could not invite; try again", None);
        }
    };
    let invitee_id = invitee.user_id();
    match state
        .store
        .rooms()
        .add_member(&room, &invitee_id, Role::Member)
        .await
    {
        Ok(added) => {
            if added {
                let news = wire::encode(&ServerMsg::Room(found.info(Some(Role::Member))));
                state.people.tell(&invitee_id, &news);
                tracing::info!(%room, by = %identity.name, invited = %invitee.username, "invited");
            }
            Reply::frame(&ServerMsg::Invited {
                room,
                user: invitee.username,
            })
        }
        Err(error) => {
            tracing::error!(%error, "adding a member failed");
            Reply::refusal(ErrorCode::Internal, "could not invite; try again", None)
        }
    }
}
