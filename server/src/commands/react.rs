//! `add_reaction` and `remove_reaction`: a member who may post (not muted, not
//! banned, not blocked in a conversation) puts an emoji on a message of the room or
//! takes theirs away. Counted against the message rate as a `send` is. The room's
//! `reaction_added` or `reaction_removed` event is the answer; a command that changes
//! nothing (a resend, an older one arriving late, a reaction already so) is answered
//! by nothing.

use confab_shared::protocol::REACTIONS_PER_MESSAGE;
use confab_shared::{ClientId, Emoji, ErrorCode, MessageId, RoomName};

use super::{Reply, Session};
use crate::rooms::{Change, Person, RoomChange};

/// What a reaction command names.
pub(super) struct Reacting {
    pub(super) room: RoomName,
    pub(super) id: MessageId,
    pub(super) emoji: Emoji,
    pub(super) client_id: ClientId,
    /// `add_reaction`, else `remove_reaction`.
    pub(super) added: bool,
}

pub(super) async fn run(mut session: Session<'_>, reacting: Reacting) -> Reply {
    let Reacting {
        room,
        id,
        emoji,
        client_id,
        added,
    } = reacting;
    if let Some(refused) = super::may_change(&mut session, &room, &client_id) {
        return refused;
    }
    let state = session.state;
    let refused = |code, text: &str| Reply::refusal(code, text, Some(client_id.clone()));
    let reactions = match state.store.reactions(&room, id).await {
        Ok(Some(reactions)) => reactions,
        Ok(None) => return refused(ErrorCode::NotFound, "no such message in this room"),
        Err(error) => {
            tracing::error!(%error, %room, "reading a message's reactions failed");
            return refused(ErrorCode::Internal, "could not react; try again");
        }
    };
    let new_emoji = !reactions.iter().any(|r| r.emoji == emoji);
    if added && new_emoji && reactions.len() >= REACTIONS_PER_MESSAGE {
        return refused(
            ErrorCode::TooManyReactions,
            "this message has as many different reactions as it may: pick one of those",
        );
    }
    let change = RoomChange {
        room,
        change: Change::React {
            id,
            emoji,
            who: Person {
                id: session.identity.user.clone(),
                name: session.identity.name.clone(),
            },
            client_id: client_id.clone(),
            added,
        },
    };
    match state.sequencer.record(change).await {
        Ok(_) => Reply::default(),
        Err(_) => refused(ErrorCode::Internal, "could not react; try again"),
    }
}
