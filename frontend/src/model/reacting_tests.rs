//! Reactions on the page: chips from the events (one's own marked, who in words), a
//! click adds or takes away one's own, as last asked even before the server answers;
//! what is not confirmed goes again after a reconnect; a refusal is told; a snapshot
//! shows the same chips as the events that made them.

use confab_shared::{
    ClientId, ClientMsg, Emoji, ErrorCode, EventKind, Reaction, RoomEvent, ServerMsg, UserId,
};

use super::tests::{chat, chat_message, message, room, snapshot, user};
use super::window::Window;

fn emoji(e: &str) -> Emoji {
    Emoji::new(e).unwrap()
}

fn cid(text: &str) -> ClientId {
    ClientId::new(text).unwrap()
}

/// `who` (a guest) reacted with `e` to message 1 of general (or took it away), at `seq`.
fn reacted(seq: u64, who: &str, e: &str, client: &str, added: bool) -> ServerMsg {
    let reaction = Reaction {
        id: 1,
        emoji: emoji(e),
        user: user(who),
        user_id: UserId::guest(&user(who)),
        client_id: cid(client),
    };
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind: if added {
            EventKind::ReactionAdded(reaction)
        } else {
            EventKind::ReactionRemoved(reaction)
        },
    })
}

/// (emoji, count, mine, who) of the first line's chips.
fn chips(chat: &super::Chat) -> Vec<(String, usize, bool, String)> {
    chat.rows_in(Window::ALL)[0]
        .reactions
        .iter()
        .map(|c| (c.emoji.to_string(), c.count, c.mine, c.who.clone()))
        .collect()
}

#[test]
fn chips_follow_the_events_and_a_click_toggles_ones_own() {
    let mut chat = chat();
    chat.apply(message("general", 1, "bob", "m1"));
    chat.apply(reacted(2, "bob", "👍", "b1", true));
    chat.apply(reacted(3, "cat", "👍", "c1", true));
    chat.apply(reacted(4, "cat", "🎉", "c2", true));
    chat.take_changed();
    assert_eq!(
        chips(&chat),
        [
            ("👍".to_owned(), 2, false, "bob and cat".to_owned()),
            ("🎉".to_owned(), 1, false, "cat".to_owned()),
        ]
    );
    // A click on 👍 adds mine; a second before the server answers takes it away.
    let add = chat.toggle_reaction(1, emoji("👍"), cid("r1"));
    assert!(
        matches!(add, Some(ClientMsg::AddReaction { .. })),
        "{add:?}"
    );
    let remove = chat.toggle_reaction(1, emoji("👍"), cid("r2"));
    assert!(
        matches!(remove, Some(ClientMsg::RemoveReaction { .. })),
        "{remove:?}"
    );
    // Unconfirmed, both go again after a reconnect, after the joins, in order.
    let resume = chat.resume();
    let kinds: Vec<&str> = resume
        .iter()
        .map(|m| match m {
            ClientMsg::Join { .. } => "join",
            ClientMsg::AddReaction { .. } => "add",
            ClientMsg::RemoveReaction { .. } => "remove",
            _ => "other",
        })
        .filter(|k| *k != "other")
        .collect();
    assert_eq!(kinds, ["join", "join", "add", "remove"]);
    // The server's events change the chips, and confirm both.
    let changed = chat.apply(reacted(5, "me", "👍", "r1", true));
    assert!(changed.messages.contains(&1), "{changed:?}");
    assert_eq!(
        chips(&chat)[0],
        ("👍".to_owned(), 3, true, "bob, cat and me".to_owned())
    );
    chat.apply(reacted(6, "me", "👍", "r2", false));
    assert_eq!(chips(&chat)[0].1, 2);
    assert!(!chips(&chat)[0].2);
    assert!(
        !chat.resume().iter().any(|m| matches!(
            m,
            ClientMsg::AddReaction { .. } | ClientMsg::RemoveReaction { .. }
        )),
        "nothing left to send again"
    );
    // The last one goes, and its emoji with it.
    chat.apply(reacted(7, "cat", "🎉", "c3", false));
    assert_eq!(chips(&chat).len(), 1);
}

#[test]
fn a_refusal_is_told_and_not_sent_again() {
    let mut chat = chat();
    chat.apply(message("general", 1, "bob", "m1"));
    assert!(
        chat.toggle_reaction(99, emoji("👍"), cid("r0")).is_none(),
        "no such message"
    );
    chat.toggle_reaction(1, emoji("👍"), cid("r1"));
    chat.apply(ServerMsg::Error {
        code: ErrorCode::Muted,
        message: "a moderator muted you in this room".to_owned(),
        client_id: Some(cid("r1")),
        retry_after_ms: None,
        room: Some(room("general")),
        request_id: None,
    });
    assert!(
        chat.notice.as_deref().is_some_and(|n| n.contains("muted")),
        "{:?}",
        chat.notice
    );
    assert!(
        !chat
            .resume()
            .iter()
            .any(|m| matches!(m, ClientMsg::AddReaction { .. }))
    );
}

#[test]
fn a_snapshot_shows_what_the_events_made() {
    let mut live = chat();
    live.apply(message("general", 1, "bob", "m1"));
    live.apply(reacted(2, "bob", "👍", "b1", true));
    live.apply(reacted(3, "me", "👍", "r1", true));
    live.apply(reacted(4, "bob", "👀", "b2", true));
    live.apply(reacted(5, "bob", "👍", "b3", false));

    let mut message = chat_message("general", 1, "bob", "m1");
    message.reactions = live.rooms[&room("general")]
        .messages
        .values()
        .next()
        .unwrap()
        .reactions
        .clone();
    let mut fresh = chat();
    fresh.apply(snapshot("general", 5, vec![message], false));
    assert_eq!(chips(&fresh), chips(&live));
    assert_eq!(
        chips(&fresh),
        [
            ("👍".to_owned(), 1, true, "me".to_owned()),
            ("👀".to_owned(), 1, false, "bob".to_owned()),
        ]
    );
}
