//! `moderate` (kick, ban, unban, mute, unmute) and `set_role` (moderators, handing
//! a room over): checked by `authz`, stored by the sequencer as the room's events,
//! which are the answer: every member sees them, the moderator too. A kick or ban
//! ends the stream of the room on every socket of the person removed.

use confab_shared::{ErrorCode, ModAction, Role, RoomName, UserId, UserName};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::rooms::{Change, Person, RoomChange};

pub(super) async fn run(
    session: Session<'_>,
    room: RoomName,
    user: UserName,
    action: ModAction,
) -> Reply {
    let Some(who) = find(&session, &user, true).await else {
        return no_such_person();
    };
    if who.id == session.identity.user {
        let text = "moderation is for other people, not yourself";
        return Reply::refusal(ErrorCode::BadRequest, text, None);
    }
    let directory = session.state.store.rooms().directory();
    let target = directory
        .access(&room, &who.id)
        .and_then(|access| access.standing.role);
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(
        session.identity,
        access.as_ref(),
        Action::Moderate { target },
    ) {
        return denied(denial, &room);
    }
    let by = session.identity.person();
    let change = match action {
        ModAction::Kick => Change::Kick { who, by },
        ModAction::Ban => Change::Ban { who, by },
        ModAction::Unban => Change::Unban { who, by },
        ModAction::Mute => Change::Mute { who, by },
        ModAction::Unmute => Change::Unmute { who, by },
    };
    record(&session, room, change, action.as_str()).await
}

pub(super) async fn set_role(
    session: Session<'_>,
    room: RoomName,
    user: UserName,
    role: Role,
) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::SetRole) {
        return denied(denial, &room);
    }
    let Some(who) = find(&session, &user, false).await else {
        return no_such_person();
    };
    let member = directory
        .access(&room, &who.id)
        .is_some_and(|access| access.standing.role.is_some());
    if !member || who.id == session.identity.user {
        return Reply::refusal(
            ErrorCode::NotFound,
            "roles are for the room's other members",
            None,
        );
    }
    let change = Change::SetRole {
        who,
        role,
        by: session.identity.person(),
    };
    record(&session, room, change, role.as_str()).await
}

/// The person `user` names: an account, or (`guests`) else the guest of that name.
async fn find(session: &Session<'_>, user: &UserName, guests: bool) -> Option<Person> {
    match session.state.store.accounts().credentials(user).await {
        Ok(Some(credentials)) => Some(Person {
            id: credentials.account.user_id(),
            name: credentials.account.username,
        }),
        Ok(None) if guests => Some(Person {
            id: UserId::guest(user),
            name: user.clone(),
        }),
        Ok(None) => None,
        Err(error) => {
            tracing::error!(%error, "looking up a person failed");
            None
        }
    }
}

fn no_such_person() -> Reply {
    Reply::refusal(ErrorCode::NotFound, "no one has that name", None)
}

/// Stores the change; its events are the answer. Nothing stored (it changed
/// nothing: muting the muted, removing the owner) is answered too.
async fn record(session: &Session<'_>, room: RoomName, change: Change, what: &str) -> Reply {
    let by = session.identity.name.clone();
    match session
        .state
        .sequencer
        .record(RoomChange {
            room: room.clone(),
            change,
        })
        .await
    {
        Ok(events) if events.is_empty() => Reply::refusal(
            ErrorCode::BadRequest,
            "that changes nothing (the owner cannot be removed or muted)",
            None,
        ),
        Ok(_) => {
            tracing::info!(%room, %by, action = what, "moderated");
            Reply::default()
        }
        Err(_) => Reply::refusal(ErrorCode::Internal, "could not do it; try again", None),
    }
}
