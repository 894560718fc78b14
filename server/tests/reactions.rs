//! Reactions from outside (docs/protocol.md, `add_reaction`, `remove_reaction`): a
//! reaction reaches everyone in the room, a client that was away converges on the
//! same reactions when it resumes, and a fresh join (also after a restart) gets them
//! on the message; a resend, or an older command arriving late, is applied at most
//! once and never flips a reaction back; who may not post may not react; a message
//! holds at most 20 distinct emoji.

mod common;

use common::{Client, TestServer};
use confab_shared::protocol::fold_reaction;
use confab_shared::{ErrorCode, EventKind, Reaction, Reactions, RoomEvent, ServerMsg};
use serde_json::json;

async fn react(client: &mut Client, at: (&str, i64), emoji: &str, client_id: &str, add: bool) {
    let (room, id) = at;
    let kind = if add {
        "add_reaction"
    } else {
        "remove_reaction"
    };
    client
        .send_json(json!({
            "type": kind, "room": room, "id": id, "emoji": emoji, "client_id": client_id
        }))
        .await;
}

/// The next reaction event (true: added), or a panic on an error.
async fn next_reaction(client: &mut Client) -> (Reaction, bool) {
    match client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Event(RoomEvent {
                    kind: EventKind::ReactionAdded(_) | EventKind::ReactionRemoved(_),
                    ..
                }) | ServerMsg::Error { .. }
            )
        })
        .await
    {
        ServerMsg::Event(RoomEvent { kind, .. }) => match kind {
            EventKind::ReactionAdded(r) => (r, true),
            EventKind::ReactionRemoved(r) => (r, false),
            _ => unreachable!(),
        },
        other => panic!("{}: expected a reaction, got {other:?}", client.name),
    }
}

/// Emoji and who reacted with each, as names: what a reader sees.
fn seen(reactions: &[Reactions]) -> Vec<(String, Vec<String>)> {
    reactions
        .iter()
        .map(|r| {
            let users = r.users.iter().map(|u| u.user.to_string()).collect();
            (r.emoji.to_string(), users)
        })
        .collect()
}

/// The reactions of the only message a fresh join's snapshot holds.
async fn reactions_on_join(client: &mut Client) -> Vec<Reactions> {
    client.send_join("general", None).await;
    match client
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined {
            messages: Some(mut messages),
            ..
        } if messages.len() == 1 => messages.remove(0).reactions,
        other => panic!("expected a snapshot of one message, got {other:?}"),
    }
}

/// A room ann owns (so she may mute).
const TOWN: &str = "town";

#[tokio::test]
async fn reactions_reach_everyone_and_a_client_that_was_away_converges() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    let mut cat = server.client("cat").await;
    for who in [&mut ann, &mut bob, &mut cat] {
        who.join("general", None).await;
    }
    let (seq, id) = ann.send_acked("general", "m1", "lunch at noon?").await;
    bob.next_message().await;
    cat.next_message().await;
    cat.close().await;

    // Ann stays online and folds what she hears. (Bob hears each change before the
    // next person's, so the order is known.)
    let mut online: Vec<Reactions> = Vec::new();
    react(&mut bob, ("general", id), "👍", "r1", true).await;
    next_reaction(&mut bob).await;
    react(&mut ann, ("general", id), "👍", "r2", true).await;
    next_reaction(&mut bob).await;
    react(&mut bob, ("general", id), "🎉", "r3", true).await;
    // A resend of r1 (after a reconnect, say): it is there already.
    react(&mut bob, ("general", id), "👍", "r1", true).await;
    react(&mut bob, ("general", id), "🎉", "r4", false).await;
    // r3 again, late: older than r4, so the party hat stays off.
    react(&mut bob, ("general", id), "🎉", "r3", true).await;
    next_reaction(&mut bob).await;
    next_reaction(&mut bob).await;
    react(&mut ann, ("general", id), "👍🏽", "r5", true).await;
    let expected = [
        ("r1", true),
        ("r2", true),
        ("r3", true),
        ("r4", false),
        ("r5", true),
    ];
    for (client_id, added) in expected {
        let (reaction, was_added) = next_reaction(&mut ann).await;
        assert_eq!(
            (reaction.client_id.as_str(), was_added),
            (client_id, added),
            "each change once, in order"
        );
        fold_reaction(&mut online, &reaction, was_added);
    }
    let want = vec![
        ("👍".to_owned(), vec!["bob".to_owned(), "ann".to_owned()]),
        ("👍🏽".to_owned(), vec!["ann".to_owned()]),
    ];
    assert_eq!(seen(&online), want);

    // Cat resumes from the message: the same reactions.
    let mut cat = server.client("cat").await;
    cat.send_join("general", Some(seq)).await;
    let last_seq = match cat
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined { last_seq, .. } => last_seq,
        _ => unreachable!(),
    };
    assert_eq!(last_seq, seq + 5, "five changes, five seqs");
    let mut resumed = Vec::new();
    for _ in 0..5 {
        let (reaction, added) = next_reaction(&mut cat).await;
        fold_reaction(&mut resumed, &reaction, added);
    }
    assert_eq!(resumed, online);

    // A fresh join, and one after a restart: on the message itself.
    let mut dan = server.client("dan").await;
    assert_eq!(seen(&reactions_on_join(&mut dan).await), want);
    let server = server.restart().await;
    let mut dan = server.client("dan").await;
    assert_eq!(seen(&reactions_on_join(&mut dan).await), want);
    server.stop().await;
}

#[tokio::test]
async fn who_may_not_post_may_not_react_and_bad_reactions_are_refused() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    ann.create_room(TOWN).await;
    ann.join(TOWN, None).await;
    let (_, id) = ann.send_acked(TOWN, "m1", "react to me").await;

    // Not joined.
    react(&mut bob, (TOWN, id), "👍", "r1", true).await;
    assert_eq!(
        bob.recv_error(ErrorCode::NotJoined).await.as_deref(),
        Some("r1")
    );
    bob.join(TOWN, None).await;
    // Not an emoji, two of them, a message that is not there.
    for (emoji, client_id) in [("ab", "r2"), ("👍👍", "r3"), ("", "r4")] {
        react(&mut bob, (TOWN, id), emoji, client_id, true).await;
        assert_eq!(
            bob.recv_error(ErrorCode::BadRequest).await.as_deref(),
            Some(client_id)
        );
    }
    react(&mut bob, (TOWN, id + 100), "👍", "r5", true).await;
    assert_eq!(
        bob.recv_error(ErrorCode::NotFound).await.as_deref(),
        Some("r5")
    );

    // Muted: may read, may not react.
    ann.send_json(json!({ "type": "moderate", "room": TOWN, "user": "bob", "action": "mute" }))
        .await;
    bob.recv_until(|m| {
        matches!(
            m,
            ServerMsg::Event(RoomEvent {
                kind: EventKind::MemberMuted(_),
                ..
            })
        )
    })
    .await;
    react(&mut bob, (TOWN, id), "👍", "r6", true).await;
    assert_eq!(
        bob.recv_error(ErrorCode::Muted).await.as_deref(),
        Some("r6")
    );

    // Twenty distinct emoji, then no new one; one already there still may be added.
    let faces: Vec<String> = ('😀'..='😓').map(String::from).collect();
    assert_eq!(faces.len(), 20);
    for (n, face) in faces.iter().enumerate() {
        react(&mut ann, (TOWN, id), face, &format!("f{n:02}"), true).await;
        next_reaction(&mut ann).await;
    }
    react(&mut ann, (TOWN, id), "🙃", "f20", true).await;
    assert_eq!(
        ann.recv_error(ErrorCode::TooManyReactions).await.as_deref(),
        Some("f20")
    );
    let mut cat = Client::sign_up(&server, "cat").await;
    cat.join(TOWN, None).await;
    react(&mut cat, (TOWN, id), "😀", "c1", true).await;
    let (reaction, added) = next_reaction(&mut cat).await;
    assert!(added);
    assert_eq!(
        (reaction.emoji.as_str(), reaction.user.as_str()),
        ("😀", "cat")
    );
    server.stop().await;
}
