//! The one place that decides whether an identity may do an action in a room. Every
//! command asks here before it acts, with the whole [`Identity`].
//!
//! Today's rule: every room is public, and anyone connected may join any room, read
//! its history and post to it. Accounts (private rooms, roles, bans) change this
//! function, not the commands.

use confab_shared::{ErrorCode, RoomName};

use crate::identity::Identity;

/// What a command wants to do in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Subscribe and read what it replays.
    Join,
    /// Read older messages.
    ReadHistory,
    /// Post a message.
    Post,
}

/// Why an action was refused. None can be yet: every room is public. Accounts add
/// "not found" (a private room must look exactly like one that does not exist, so its
/// name cannot be probed) and "forbidden" (muted, banned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {}

impl Denied {
    pub(crate) fn code(self) -> ErrorCode {
        match self {}
    }

    pub(crate) fn text(self) -> &'static str {
        match self {}
    }
}

/// Whether `identity` may do `action` in `room`.
pub(crate) fn check(identity: &Identity, room: &RoomName, action: Action) -> Result<(), Denied> {
    // Every room is public (see the module comment).
    let _ = (identity, room, action);
    Ok(())
}

#[cfg(test)]
mod tests {
    use confab_shared::UserName;

    use super::*;

    #[test]
    fn anyone_may_join_read_and_post_in_any_room_today() {
        let identity = Identity::guest(UserName::new("ann").unwrap());
        for room in ["general", "x"] {
            let room = RoomName::new(room).unwrap();
            for action in [Action::Join, Action::ReadHistory, Action::Post] {
                assert_eq!(check(&identity, &room, action), Ok(()), "{action:?} {room}");
            }
        }
    }
}
