//! Edits from outside (docs/protocol.md, `edit_message`): an author's new text
//! reaches everyone in the room, and a client that was away converges on it when it
//! resumes; a snapshot holds the current text and when it was edited; nobody edits
//! another's message; a resent edit is applied once.

mod common;

use common::{Client, TestServer};
use confab_shared::{ChatMessage, Edit, ErrorCode, EventKind, RoomEvent, ServerMsg};
use serde_json::json;

async fn edit(client: &mut Client, id: i64, client_id: &str, body: &str) {
    client
        .send_json(json!({
            "type": "edit_message", "room": "general", "id": id,
            "client_id": client_id, "body": body
        }))
        .await;
}

async fn next_edit(client: &mut Client) -> Edit {
    match client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Event(RoomEvent {
                    kind: EventKind::MessageEdited(_),
                    ..
                }) | ServerMsg::Error { .. }
            )
        })
        .await
    {
        ServerMsg::Event(RoomEvent {
            kind: EventKind::MessageEdited(edit),
            ..
        }) => edit,
        other => panic!("{}: expected an edit, got {other:?}", client.name),
    }
}

/// Joins `general` after `after` and gives the events replayed up to `last_seq`.
async fn resume(client: &mut Client, after: u64) -> Vec<EventKind> {
    client.send_join("general", Some(after)).await;
    let last_seq = match client
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined { last_seq, .. } => last_seq,
        _ => unreachable!(),
    };
    let mut kinds = Vec::new();
    let mut seq = after;
    while seq < last_seq {
        if let ServerMsg::Event(event) = client
            .recv_until(|m| matches!(m, ServerMsg::Event(_)))
            .await
        {
            seq = event.seq;
            kinds.push(event.kind);
        }
    }
    kinds
}

fn snapshot_of(joined: ServerMsg) -> Vec<ChatMessage> {
    match joined {
        ServerMsg::Joined {
            messages: Some(messages),
            ..
        } => messages,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn an_edit_reaches_everyone_and_a_client_that_was_away() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    let mut cat = server.client("cat").await;
    for who in [&mut ann, &mut bob, &mut cat] {
        who.join("general", None).await;
    }
    let (seq, id) = ann.send_acked("general", "m1", "teh plan").await;
    bob.next_message().await;
    cat.next_message().await;
    // Cat goes away, having seen the message.
    cat.close().await;

    edit(&mut ann, id, "e1", "the plan").await;
    for who in [&mut ann, &mut bob] {
        let edited = next_edit(who).await;
        assert_eq!((edited.id, edited.body.as_str()), (id, "the plan"));
        assert_eq!(edited.client_id.as_str(), "e1");
    }
    // Resent (say, after a reconnect): applied once, nothing more said; the next
    // edit anyone hears of is the second.
    edit(&mut ann, id, "e1", "the plan").await;
    edit(&mut ann, id, "e2", "the plan, v2").await;
    let second = next_edit(&mut bob).await;
    assert_eq!(
        (second.client_id.as_str(), second.body.as_str()),
        ("e2", "the plan, v2")
    );

    // Someone else's message: not theirs to edit, as if there were none.
    edit(&mut bob, id, "e3", "bob's words").await;
    assert_eq!(
        bob.recv_error(ErrorCode::NotFound).await.as_deref(),
        Some("e3")
    );

    // Cat resumes: both edits, each with the text as it is now.
    let mut cat = server.client("cat").await;
    let kinds = resume(&mut cat, seq).await;
    let texts: Vec<&str> = kinds
        .iter()
        .map(|kind| match kind {
            EventKind::MessageEdited(edit) => edit.body.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        texts,
        ["the plan, v2", "the plan, v2"],
        "no text edited away"
    );

    // A fresh join: the message as it is now, saying when it was edited.
    let mut dan = server.client("dan").await;
    dan.send_join("general", None).await;
    let joined = dan
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await;
    let messages = snapshot_of(joined);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body.as_str(), "the plan, v2");
    assert!(messages[0].edited_at.is_some());
    server.stop().await;
}

#[tokio::test]
async fn an_edit_of_a_deleted_message_or_with_a_bad_body_is_refused() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    let (_, id) = ann.send_acked("general", "m1", "soon gone").await;
    edit(&mut ann, id, "e0", "").await;
    assert_eq!(
        ann.recv_error(ErrorCode::InvalidBody).await.as_deref(),
        Some("e0")
    );
    ann.send_json(json!({ "type": "delete_message", "room": "general", "id": id }))
        .await;
    ann.recv_until(|m| {
        matches!(
            m,
            ServerMsg::Event(RoomEvent {
                kind: EventKind::MessageDeleted(_),
                ..
            })
        )
    })
    .await;
    edit(&mut ann, id, "e1", "back again").await;
    assert_eq!(
        ann.recv_error(ErrorCode::NotFound).await.as_deref(),
        Some("e1")
    );
    server.stop().await;
}
