//! A room's topic from outside (docs/protocol.md, `set_topic`, `topic_changed`): a
//! moderator changes it and every member sees the event; a member who is no
//! moderator is refused; the same topic again changes nothing; the room browser, a
//! resume and, after a restart, the rooms list all carry the new topic.

mod common;

use common::{Client, TestServer};
use confab_shared::{ErrorCode, EventKind, RoomEvent, ServerMsg};
use serde_json::json;

async fn set_topic(client: &mut Client, topic: &str) {
    client
        .send_json(json!({ "type": "set_topic", "room": "town", "topic": topic }))
        .await;
}

/// The next `topic_changed` event: (topic, by, seq).
async fn next_topic(client: &mut Client) -> (String, String, u64) {
    match client
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Event(RoomEvent {
                    kind: EventKind::TopicChanged(_),
                    ..
                }) | ServerMsg::Error { .. }
            )
        })
        .await
    {
        ServerMsg::Event(RoomEvent {
            seq,
            kind: EventKind::TopicChanged(change),
            ..
        }) => (change.topic.to_string(), change.by.to_string(), seq),
        other => panic!("{}: expected topic_changed, got {other:?}", client.name),
    }
}

#[tokio::test]
async fn moderators_change_the_topic_and_everyone_sees_it() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    ann.join("town", None).await;
    bob.join("town", None).await;
    let (before, _) = bob.send_acked("town", "m1", "hello").await;

    // Bob is a member, not a moderator.
    set_topic(&mut bob, "bob's town").await;
    bob.recv_error(ErrorCode::Forbidden).await;

    set_topic(&mut ann, "the town square").await;
    let (topic, by, seq) = next_topic(&mut bob).await;
    assert_eq!((topic.as_str(), by.as_str()), ("the town square", "ann"));
    assert_eq!(next_topic(&mut ann).await.2, seq);
    // The same again changes nothing: the ping's answer comes first.
    set_topic(&mut ann, "the town square").await;
    ann.send_json(json!({ "type": "ping" })).await;
    let next = ann
        .recv_until(|m| matches!(m, ServerMsg::Pong | ServerMsg::Event(_)))
        .await;
    assert_eq!(next, ServerMsg::Pong);

    // The room browser says it.
    ann.send_json(json!({ "type": "public_rooms", "query": "town" }))
        .await;
    match ann
        .recv_until(|m| matches!(m, ServerMsg::PublicRooms { .. }))
        .await
    {
        ServerMsg::PublicRooms { rooms } => {
            assert_eq!(rooms[0].topic.as_str(), "the town square");
        }
        _ => unreachable!(),
    }

    // A resume replays it; after a restart the rooms list carries it.
    let mut cat = Client::sign_in(&server, "bob").await;
    cat.send_join("town", Some(before)).await;
    assert_eq!(next_topic(&mut cat).await.0, "the town square");
    let server = server.restart().await;
    let mut bob = Client::sign_in(&server, "bob").await;
    match bob
        .recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await
    {
        ServerMsg::Rooms { rooms } => {
            let town = rooms.iter().find(|r| r.room.as_str() == "town").unwrap();
            assert_eq!(town.topic.as_str(), "the town square");
        }
        _ => unreachable!(),
    }
    server.stop().await;
}
