//! The one place that decides whether an identity may do an action in a room. Every
//! command that touches a room asks here first, with the whole [`Identity`] and what
//! the directory knows of the room and of the identity's membership.
//!
//! The rules: a room must exist; a private room is for its members alone, and to
//! anyone else it looks exactly like a room that does not exist (the same error), so
//! its name cannot be probed. Public rooms anyone connected may join and read.
//! Inviting takes an account that is a member. Posting needs a joined room, and
//! joining was decided here.

use confab_shared::{ErrorCode, Role};

use crate::identity::{Identity, Kind};
use crate::rooms::Room;

/// What a command wants to do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Subscribe and read what it replays (and, for an account, become a member).
    Join,
    /// Read older messages.
    ReadHistory,
    /// Make someone else a member.
    Invite,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {
    /// No such room, or a private one of which the identity is no member.
    NotFound,
    /// Guests cannot invite.
    GuestsCannotInvite,
    /// Only members invite.
    NotAMember,
}

impl Denied {
    pub(crate) fn code(self) -> ErrorCode {
        match self {
            Denied::NotFound => ErrorCode::NotFound,
            Denied::GuestsCannotInvite | Denied::NotAMember => ErrorCode::Forbidden,
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Denied::NotFound => "no such room",
            Denied::GuestsCannotInvite => "guests cannot invite: sign in",
            Denied::NotAMember => "join the room before inviting people to it",
        }
    }
}

/// Whether `identity` may do `action` in a room of which the directory knows
/// `access` (the room and the identity's role in it; None: no such room). Gives the
/// identity's role.
pub(crate) fn check(
    identity: &Identity,
    access: Option<&(Room, Option<Role>)>,
    action: Action,
) -> Result<Option<Role>, Denied> {
    let Some((room, role)) = access else {
        return Err(Denied::NotFound);
    };
    if room.private && role.is_none() {
        return Err(Denied::NotFound);
    }
    match action {
        Action::Join | Action::ReadHistory => Ok(*role),
        Action::Invite if identity.kind == Kind::Guest => Err(Denied::GuestsCannotInvite),
        Action::Invite if role.is_none() => Err(Denied::NotAMember),
        Action::Invite => Ok(*role),
    }
}

#[cfg(test)]
mod tests {
    use confab_shared::{RoomName, Topic, UserId, UserName};

    use super::*;

    fn room(private: bool) -> Room {
        Room {
            name: RoomName::new("r").unwrap(),
            topic: Topic::default(),
            private,
        }
    }

    fn member() -> Identity {
        Identity {
            user: UserId::new("u:1").unwrap(),
            name: UserName::new("ann").unwrap(),
            kind: Kind::Member,
            credential: None,
        }
    }

    #[test]
    fn a_private_room_looks_like_no_room_to_anyone_outside() {
        let outsider = member();
        for action in [Action::Join, Action::ReadHistory, Action::Invite] {
            let hidden = check(&outsider, Some(&(room(true), None)), action);
            let absent = check(&outsider, None, action);
            assert_eq!(hidden, Err(Denied::NotFound), "{action:?}");
            assert_eq!(hidden, absent, "{action:?}: the same answer");
        }
        let inside = (room(true), Some(Role::Member));
        for action in [Action::Join, Action::ReadHistory, Action::Invite] {
            assert_eq!(
                check(&member(), Some(&inside), action),
                Ok(Some(Role::Member))
            );
        }
    }

    #[test]
    fn public_rooms_are_open_but_only_members_invite() {
        let open = (room(false), None);
        let guest = Identity::guest(UserName::new("gil").unwrap());
        for who in [&member(), &guest] {
            assert_eq!(check(who, Some(&open), Action::Join), Ok(None));
            assert_eq!(check(who, Some(&open), Action::ReadHistory), Ok(None));
        }
        assert_eq!(
            check(&member(), Some(&open), Action::Invite),
            Err(Denied::NotAMember)
        );
        assert_eq!(
            check(&guest, Some(&open), Action::Invite),
            Err(Denied::GuestsCannotInvite)
        );
    }
}
