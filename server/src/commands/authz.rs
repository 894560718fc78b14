//! The one place that decides whether an identity may do an action in a room. Every
//! command that touches a room asks here first, with the whole [`Identity`] and what
//! the directory knows of the room and of where the identity stands in it.
//!
//! The rules: a room must exist; a private room is for its members alone, and to
//! anyone else it looks exactly like a room that does not exist (the same error), so
//! its name cannot be probed. Public rooms anyone connected may join and read, but
//! for those banned from them. Inviting takes an account that is a member.
//! Moderators (and the owner) delete anyone's messages, kick, ban and mute people of
//! a lower role, and read the audit log; the owner alone gives roles and hands the
//! room over. Posting needs a joined room and no mute (`Directory::may_post`), and
//! so does editing, which is for a message's author alone.

use confab_shared::{ErrorCode, Role, RoomName};

use crate::identity::{Identity, Kind};
use crate::rooms::Access;

/// What a command wants to do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Subscribe and read what it replays (and, for an account, become a member).
    Join,
    /// Read older messages, or the list of members.
    Read,
    /// Make someone else a member.
    Invite,
    /// Kick, ban, unban, mute or unmute someone whose role (None: no member) is this.
    Moderate { target: Option<Role> },
    /// Delete someone else's message; read the audit log.
    Oversee,
    /// Give someone a role, or hand the room over.
    SetRole,
    /// Stop being a member.
    LeaveRoom,
    /// Keep one's own state of a room (read marker, notification level): members.
    Keep,
    /// Delete a message: `own`, one's own (anyone may), or someone else's (moderators).
    DeleteMessage { own: bool },
    /// Edit a message: one's own only (nobody edits another's words).
    EditMessage { own: bool },
    /// Change the room's topic: its moderators, or any of a conversation's people.
    SetTopic,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {
    /// No such room, or a private one of which the identity is no member.
    NotFound,
    /// Banned from this (public) room.
    Banned,
    /// Guests cannot invite.
    GuestsCannotInvite,
    /// Only members invite.
    NotAMember,
    /// Only moderators and the owner.
    NotAModerator,
    /// The target's role is not below the actor's.
    Outranked,
    /// Only the owner.
    NotTheOwner,
    /// Leaving a room one is no member of.
    NoMembership,
    /// The owner leaving before handing the room over.
    OwnerLeaving,
    /// Deleting someone else's message without moderating the room: told as no such
    /// message (the same answer as for one that is not there).
    NotYourMessage,
    /// A guest making a private room.
    GuestsCannotMakePrivateRooms,
    /// Making a room with a conversation's name.
    ConversationName,
    /// Inviting to, leaving, or giving roles in a conversation: its people are fixed.
    FixedPeople,
}

impl Denied {
    pub(crate) fn code(self) -> ErrorCode {
        match self {
            Denied::NotFound | Denied::NotYourMessage => ErrorCode::NotFound,
            Denied::NoMembership
            | Denied::OwnerLeaving
            | Denied::ConversationName
            | Denied::FixedPeople => ErrorCode::BadRequest,
            _ => ErrorCode::Forbidden,
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Denied::NotFound => "no such room",
            Denied::Banned => "you are banned from this room",
            Denied::GuestsCannotInvite => "guests cannot invite: sign in",
            Denied::NotAMember => "join the room before inviting people to it",
            Denied::NotAModerator => "only the room's moderators can do that",
            Denied::Outranked => "moderators act on people of a lower role only",
            Denied::NotTheOwner => "only the room's owner can give roles",
            Denied::NoMembership => "you are not a member of this room",
            Denied::OwnerLeaving => "hand the room over to someone before you leave it",
            Denied::NotYourMessage => "no such message of yours in this room",
            Denied::GuestsCannotMakePrivateRooms => "guests cannot make private rooms: sign in",
            Denied::ConversationName => "names beginning with dm- are for conversations",
            Denied::FixedPeople => {
                "a conversation's people are fixed: start a new one with everyone you want"
            }
        }
    }
}

/// Whether `identity` may make a room named `room` (`private` or public): guests
/// make public rooms only, and nobody a room with a conversation's name.
pub(crate) fn may_create(
    identity: &Identity,
    room: &RoomName,
    private: bool,
) -> Result<(), Denied> {
    if room.is_conversation() {
        return Err(Denied::ConversationName);
    }
    if private && identity.kind == Kind::Guest {
        return Err(Denied::GuestsCannotMakePrivateRooms);
    }
    Ok(())
}

/// Whether `identity` may do `action` in a room of which the directory knows
/// `access` (None: no such room). Gives the identity's role.
pub(crate) fn check(
    identity: &Identity,
    access: Option<&Access>,
    action: Action,
) -> Result<Option<Role>, Denied> {
    let Some(Access { room, standing }) = access else {
        return Err(Denied::NotFound);
    };
    let role = standing.role;
    if room.private && role.is_none() {
        return Err(Denied::NotFound);
    }
    if standing.banned {
        return Err(Denied::Banned);
    }
    let fixed = matches!(
        action,
        Action::Invite | Action::LeaveRoom | Action::SetRole | Action::Moderate { .. }
    );
    if room.is_conversation() && fixed {
        return Err(Denied::FixedPeople);
    }
    match action {
        Action::Join | Action::Read => Ok(role),
        Action::Invite if identity.kind == Kind::Guest => Err(Denied::GuestsCannotInvite),
        Action::Invite if role.is_none() => Err(Denied::NotAMember),
        Action::Invite => Ok(role),
        Action::Moderate { .. } | Action::Oversee if role < Some(Role::Moderator) => {
            Err(Denied::NotAModerator)
        }
        Action::Moderate { target } if target >= role => Err(Denied::Outranked),
        Action::Moderate { .. } | Action::Oversee => Ok(role),
        Action::SetRole if role != Some(Role::Owner) => Err(Denied::NotTheOwner),
        Action::SetRole => Ok(role),
        Action::LeaveRoom if role == Some(Role::Owner) => Err(Denied::OwnerLeaving),
        Action::LeaveRoom if role.is_none() => Err(Denied::NoMembership),
        Action::LeaveRoom => Ok(role),
        Action::Keep if role.is_none() => Err(Denied::NoMembership),
        Action::Keep => Ok(role),
        Action::DeleteMessage { own: true } => Ok(role),
        Action::DeleteMessage { own: false } if role < Some(Role::Moderator) => {
            Err(Denied::NotYourMessage)
        }
        Action::DeleteMessage { own: false } => Ok(role),
        Action::EditMessage { own: true } => Ok(role),
        Action::EditMessage { own: false } => Err(Denied::NotYourMessage),
        Action::SetTopic if room.is_conversation() && role.is_some() => Ok(role),
        Action::SetTopic if role < Some(Role::Moderator) => Err(Denied::NotAModerator),
        Action::SetTopic => Ok(role),
    }
}

#[cfg(test)]
mod tests {
    use confab_shared::{RoomName, Topic, UserId, UserName};

    use super::*;
    use crate::rooms::{Room, Standing};

    fn access(private: bool, role: Option<Role>) -> Access {
        Access {
            room: Room::new(RoomName::new("r").unwrap(), Topic::default(), private),
            standing: Standing {
                role,
                ..Standing::default()
            },
        }
    }

    fn general() -> RoomName {
        RoomName::new("general").unwrap()
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
        for action in [Action::Join, Action::Read, Action::Invite, Action::Oversee] {
            let hidden = check(&outsider, Some(&access(true, None)), action);
            let absent = check(&outsider, None, action);
            assert_eq!(hidden, Err(Denied::NotFound), "{action:?}");
            assert_eq!(hidden, absent, "{action:?}: the same answer");
        }
        let inside = access(true, Some(Role::Member));
        for action in [Action::Join, Action::Read, Action::Invite] {
            assert_eq!(
                check(&member(), Some(&inside), action),
                Ok(Some(Role::Member))
            );
        }
    }

    #[test]
    fn public_rooms_are_open_but_only_members_invite() {
        let open = access(false, None);
        let guest = Identity::guest(UserName::new("gil").unwrap());
        for who in [&member(), &guest] {
            assert_eq!(check(who, Some(&open), Action::Join), Ok(None));
            assert_eq!(check(who, Some(&open), Action::Read), Ok(None));
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

    #[test]
    fn anyone_deletes_their_own_messages_and_moderators_anyone_s() {
        let delete = |own| Action::DeleteMessage { own };
        for role in [None, Some(Role::Member)] {
            let access = access(false, role);
            assert_eq!(check(&member(), Some(&access), delete(true)), Ok(role));
            assert_eq!(
                check(&member(), Some(&access), delete(false)),
                Err(Denied::NotYourMessage)
            );
        }
        assert_eq!(Denied::NotYourMessage.code(), ErrorCode::NotFound);
        let moderator = access(false, Some(Role::Moderator));
        assert!(check(&member(), Some(&moderator), delete(false)).is_ok());
        // A private room's outsider hears of no room at all.
        assert_eq!(
            check(&member(), Some(&access(true, None)), delete(true)),
            Err(Denied::NotFound)
        );
    }

    #[test]
    fn guests_make_public_rooms_only_and_leaving_asks_a_membership() {
        let mut guest = member();
        guest.kind = Kind::Guest;
        assert_eq!(
            may_create(&guest, &general(), true),
            Err(Denied::GuestsCannotMakePrivateRooms)
        );
        assert_eq!(may_create(&guest, &general(), false), Ok(()));
        assert_eq!(may_create(&member(), &general(), true), Ok(()));
        assert_eq!(
            check(&member(), Some(&access(false, None)), Action::LeaveRoom),
            Err(Denied::NoMembership)
        );
        assert_eq!(
            check(
                &member(),
                Some(&access(false, Some(Role::Owner))),
                Action::LeaveRoom
            ),
            Err(Denied::OwnerLeaving)
        );
        assert!(
            check(
                &member(),
                Some(&access(true, Some(Role::Member))),
                Action::LeaveRoom
            )
            .is_ok()
        );
    }

    #[test]
    fn moderators_act_below_their_role_and_owners_give_roles() {
        let as_role = |role| access(false, Some(role));
        let kick = |target| Action::Moderate { target };
        assert_eq!(
            check(&member(), Some(&as_role(Role::Member)), kick(None)),
            Err(Denied::NotAModerator)
        );
        let moderator = as_role(Role::Moderator);
        assert_eq!(
            check(&member(), Some(&moderator), kick(None)),
            Ok(Some(Role::Moderator))
        );
        assert_eq!(
            check(&member(), Some(&moderator), kick(Some(Role::Member))),
            Ok(Some(Role::Moderator))
        );
        assert_eq!(
            check(&member(), Some(&moderator), kick(Some(Role::Moderator))),
            Err(Denied::Outranked)
        );
        assert_eq!(
            check(&member(), Some(&moderator), kick(Some(Role::Owner))),
            Err(Denied::Outranked)
        );
        assert_eq!(
            check(&member(), Some(&moderator), Action::SetRole),
            Err(Denied::NotTheOwner)
        );
        let owner = as_role(Role::Owner);
        assert_eq!(
            check(&member(), Some(&owner), kick(Some(Role::Moderator))),
            Ok(Some(Role::Owner))
        );
        assert_eq!(
            check(&member(), Some(&owner), Action::SetRole),
            Ok(Some(Role::Owner))
        );
        assert_eq!(
            check(&member(), Some(&as_role(Role::Member)), Action::Oversee),
            Err(Denied::NotAModerator)
        );
    }

    #[test]
    fn the_banned_are_kept_out_of_public_rooms() {
        let mut banned = access(false, None);
        banned.standing.banned = true;
        for action in [Action::Join, Action::Read] {
            assert_eq!(check(&member(), Some(&banned), action), Err(Denied::Banned));
        }
        banned.room.private = true;
        assert_eq!(
            check(&member(), Some(&banned), Action::Join),
            Err(Denied::NotFound),
            "a private room still looks like no room"
        );
    }

    #[test]
    fn a_conversations_people_are_fixed_and_its_names_are_its_own() {
        let conversation = Access {
            room: Room::conversation(RoomName::new("dm-x").unwrap()),
            standing: Standing {
                role: Some(Role::Member),
                ..Standing::default()
            },
        };
        for action in [Action::Invite, Action::LeaveRoom, Action::SetRole] {
            assert_eq!(
                check(&member(), Some(&conversation), action),
                Err(Denied::FixedPeople)
            );
        }
        assert_eq!(
            check(&member(), Some(&conversation), Action::Join),
            Ok(Some(Role::Member))
        );
        let outsider = Access {
            standing: Standing::default(),
            ..conversation
        };
        assert_eq!(
            check(&member(), Some(&outsider), Action::Join),
            Err(Denied::NotFound)
        );
        let dm = RoomName::new("dm-mine").unwrap();
        assert_eq!(
            may_create(&member(), &dm, false),
            Err(Denied::ConversationName)
        );
    }
}
