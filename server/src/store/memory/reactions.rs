//! Reactions in the in-memory twin: kept on the messages themselves, beside each
//! person's last reaction command per message and emoji, as the SQLite store keeps
//! them (`sqlite/reactions.rs`).

use std::collections::HashMap;

use confab_shared::{ClientId, Emoji, MessageId, Reaction, UserId};

use confab_shared::protocol::{REACTIONS_PER_MESSAGE, fold_reaction};

use super::Entry;

/// Each person's last reaction command per message and emoji.
pub(super) type LastCommands = HashMap<(MessageId, UserId, Emoji), ClientId>;

/// Applies `reaction` coming (`added`) or going to its message in `log`: false when it
/// changes nothing, as the SQLite store decides it.
pub(super) fn apply(
    log: &mut [Entry],
    last: &mut LastCommands,
    reaction: &Reaction,
    added: bool,
) -> bool {
    let found = log.iter_mut().find_map(|entry| match entry {
        Entry::Message(message, None) if message.id == reaction.id => Some(message),
        _ => None,
    });
    let Some(message) = found else {
        return false;
    };
    let key = (
        reaction.id,
        reaction.user_id.clone(),
        reaction.emoji.clone(),
    );
    if last
        .get(&key)
        .is_some_and(|client_id| *client_id >= reaction.client_id)
    {
        return false;
    }
    last.insert(key, reaction.client_id.clone());
    let here = message.reactions.iter().find(|r| r.emoji == reaction.emoji);
    let was = here.is_some_and(|r| r.users.iter().any(|u| u.user_id == reaction.user_id));
    let full = here.is_none() && message.reactions.len() >= REACTIONS_PER_MESSAGE;
    if was == added || (added && full) {
        return false;
    }
    fold_reaction(&mut message.reactions, reaction, added);
    true
}
