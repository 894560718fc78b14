//! Reactions: a member who may post adds an emoji to a message (`add_reaction`) or
//! takes theirs away (`remove_reaction`). Each is an event of the room's log
//! (`reaction_added`, `reaction_removed`) naming who reacted, so every reader's frame
//! is the same; a message in a snapshot or a history page carries its reactions now.

use serde::{Deserialize, Serialize};

use super::MessageId;
use crate::names::{ClientId, Emoji, UserId, UserName};

/// The most distinct emoji one message may carry; another is refused
/// (`too_many_reactions`), one already there may still be added by more people.
pub const REACTIONS_PER_MESSAGE: usize = 20;

/// One person's reaction coming or going (`reaction_added`, `reaction_removed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The message's id.
    pub id: MessageId,
    pub emoji: Emoji,
    /// Who reacted: their name as it was, and their id ("mine" compares ids).
    pub user: UserName,
    pub user_id: UserId,
    /// The command's own id, as its sender chose it (time first, as a send's).
    pub client_id: ClientId,
}

/// One emoji on a message and who put it there, in the order they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactions {
    pub emoji: Emoji,
    pub users: Vec<Reactor>,
}

/// Someone who reacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactor {
    pub user: UserName,
    pub user_id: UserId,
}

/// Folds one reaction event into a message's reactions (the page's fold and the
/// in-memory store's, alike): adding is idempotent, as is removing; an emoji nobody
/// has any more goes, and a new one goes last.
pub fn fold_reaction(reactions: &mut Vec<Reactions>, reaction: &Reaction, added: bool) {
    let at = reactions.iter().position(|r| r.emoji == reaction.emoji);
    match (at, added) {
        (Some(at), true) => {
            let users = &mut reactions[at].users;
            if !users.iter().any(|u| u.user_id == reaction.user_id) {
                users.push(Reactor {
                    user: reaction.user.clone(),
                    user_id: reaction.user_id.clone(),
                });
            }
        }
        (None, true) => reactions.push(Reactions {
            emoji: reaction.emoji.clone(),
            users: vec![Reactor {
                user: reaction.user.clone(),
                user_id: reaction.user_id.clone(),
            }],
        }),
        (Some(at), false) => {
            reactions[at]
                .users
                .retain(|u| u.user_id != reaction.user_id);
            if reactions[at].users.is_empty() {
                reactions.remove(at);
            }
        }
        (None, false) => {}
    }
}
