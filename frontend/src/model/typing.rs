//! Who is typing, in the page's state: what the server last said per room (kept as
//! the room's live state, apart from its lines), the sentence shown under the
//! message box, and when to tell the server that this person types.

use confab_shared::protocol::{TYPING_EVERY_MS, Typist};
use confab_shared::{ClientMsg, RoomName};

use super::Chat;

/// Who is typing in one room.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typing {
    /// Up to three, the longest typing first.
    people: Vec<Typist>,
    /// How many in all.
    count: u32,
}

impl Chat {
    /// The server's `typing` frame for `room`.
    pub(super) fn typing_in(&mut self, room: RoomName, people: Vec<Typist>, count: u32) {
        let Some(state) = self.rooms.get_mut(&room) else {
            return;
        };
        state.typing = Typing { people, count };
        self.changed.live.insert(room);
    }

    /// "Bob is typing…", "Bob and Ann are typing…", "Several people are typing…",
    /// for the current room, leaving this person out; None when nobody else types.
    pub fn typing_line(&self) -> Option<String> {
        let typing = &self.current_room()?.typing;
        let me_listed = typing.people.iter().any(|p| p.user_id == self.me_id);
        let others: Vec<&str> = typing
            .people
            .iter()
            .filter(|p| p.user_id != self.me_id)
            .map(|p| p.user.as_str())
            .collect();
        let count = typing.count.saturating_sub(u32::from(me_listed));
        match (count, others.as_slice()) {
            (0, _) | (_, []) => None,
            (1, [one, ..]) => Some(format!("{one} is typing…")),
            (2, [one, two, ..]) => Some(format!("{one} and {two} are typing…")),
            _ => Some("Several people are typing…".to_owned()),
        }
    }

    /// The message box now holds text (`typing`) or is empty, at `now_ms`: the frame
    /// that tells the server, if one is due (at most every [`TYPING_EVERY_MS`] while
    /// typing; a stop once the box is cleared).
    pub fn typed(&mut self, typing: bool, now_ms: u64) -> Option<ClientMsg> {
        let room = self.current.clone();
        let told = self
            .told_typing
            .as_ref()
            .filter(|(at_room, _)| *at_room == room)
            .map(|(_, at)| *at);
        if typing {
            if told.is_some_and(|at| now_ms.saturating_sub(at) < TYPING_EVERY_MS) {
                return None;
            }
            self.told_typing = Some((room.clone(), now_ms));
            Some(ClientMsg::Typing { room, stop: false })
        } else {
            told?;
            self.told_typing = None;
            Some(ClientMsg::Typing { room, stop: true })
        }
    }
}
