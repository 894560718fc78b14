//! Reactions on the page: what a message's reactions look like on its line (one chip
//! per emoji: how many, whether one is this person's, who), the `add_reaction` or
//! `remove_reaction` a click on a chip or the picker sends, and the events that change
//! them (`Chat::apply`), here as in every other tab. A command is kept until its event
//! (or a refusal) comes back, and sent again after a reconnect with its client id:
//! the server applies it at most once and never flips a reaction back for a resend.

use confab_shared::{ClientId, ClientMsg, Emoji, MessageId, Reaction, Reactions, RoomName, UserId};

use super::Chat;

/// How many reactors a chip names before "and N others".
const NAMED: usize = 10;

/// One emoji on a message's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chip {
    pub emoji: Emoji,
    pub count: usize,
    /// This person's reaction is among them.
    pub mine: bool,
    /// Who, in words: "ann, bob and 3 others".
    pub who: String,
}

/// The chips of a message's reactions, as `me` sees them.
pub(super) fn chips(reactions: &[Reactions], me: &UserId) -> Vec<Chip> {
    reactions
        .iter()
        .map(|r| {
            let mut names: Vec<&str> = r
                .users
                .iter()
                .take(NAMED)
                .map(|u| u.user.as_str())
                .collect();
            let others = r.users.len().saturating_sub(NAMED);
            let who = match (names.pop(), others) {
                (None, _) => String::new(),
                (Some(last), 0) if names.is_empty() => last.to_owned(),
                (Some(last), 0) => format!("{} and {last}", names.join(", ")),
                (Some(last), n) => {
                    names.push(last);
                    let more = if n == 1 {
                        "1 other".to_owned()
                    } else {
                        format!("{n} others")
                    };
                    format!("{} and {more}", names.join(", "))
                }
            };
            Chip {
                emoji: r.emoji.clone(),
                count: r.users.len(),
                mine: r.users.iter().any(|u| u.user_id == *me),
                who,
            }
        })
        .collect()
}

impl Chat {
    /// This person clicked `emoji` on message `id` of the open room (a chip, or the
    /// picker): takes theirs away if they have it (or last asked for it), else adds
    /// it. The frame to send.
    pub fn toggle_reaction(
        &mut self,
        id: MessageId,
        emoji: Emoji,
        client_id: ClientId,
    ) -> Option<ClientMsg> {
        let room = self.current.clone();
        let message = self
            .current_room()?
            .messages
            .values()
            .find(|m| m.id == id)?;
        let asked = self
            .pending_reactions
            .iter()
            .rev()
            .find(|p| p.room == room && p.id == id && p.emoji == emoji)
            .map(|p| p.added);
        let have = asked.unwrap_or_else(|| {
            message
                .reactions
                .iter()
                .any(|r| r.emoji == emoji && r.users.iter().any(|u| u.user_id == self.me_id))
        });
        let pending = PendingReaction {
            room,
            id,
            emoji,
            client_id,
            added: !have,
        };
        let frame = pending.frame();
        self.pending_reactions.push(pending);
        Some(frame)
    }

    /// A reaction came or went in `room` (live or replayed).
    pub(super) fn reaction_event(&mut self, room: &RoomName, reaction: &Reaction, added: bool) {
        self.pending_reactions
            .retain(|p| p.client_id != reaction.client_id);
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        if let Some(message) = state.messages.values_mut().find(|m| m.id == reaction.id) {
            confab_shared::protocol::fold_reaction(&mut message.reactions, reaction, added);
            self.changed.lines.insert(room.clone());
            self.changed.messages.insert(reaction.id);
        }
        // A reply (in its thread, and maybe in the list too).
        if let Some(message) = self.thread_message_mut(room, reaction.id) {
            confab_shared::protocol::fold_reaction(&mut message.reactions, reaction, added);
        }
    }

    /// The server refused a reaction: it is not sent again. Gives whether it was one.
    pub(super) fn reaction_refused(&mut self, client_id: &ClientId) -> bool {
        let before = self.pending_reactions.len();
        self.pending_reactions.retain(|p| p.client_id != *client_id);
        self.pending_reactions.len() != before
    }

    /// The reactions not yet confirmed, to send again after a reconnect (after the
    /// joins, whose replays confirm those that landed).
    pub(super) fn reaction_resends(&self) -> impl Iterator<Item = ClientMsg> + '_ {
        self.pending_reactions.iter().map(PendingReaction::frame)
    }
}

/// A reaction command sent and not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PendingReaction {
    room: RoomName,
    id: MessageId,
    emoji: Emoji,
    client_id: ClientId,
    added: bool,
}

impl PendingReaction {
    fn frame(&self) -> ClientMsg {
        let (room, id, emoji, client_id) = (
            self.room.clone(),
            self.id,
            self.emoji.clone(),
            self.client_id.clone(),
        );
        if self.added {
            ClientMsg::AddReaction {
                room,
                id,
                emoji,
                client_id,
            }
        } else {
            ClientMsg::RemoveReaction {
                room,
                id,
                emoji,
                client_id,
            }
        }
    }
}
