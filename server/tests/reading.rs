//! Read state from outside (docs/protocol.md, `read`): markers move forward only (but
//! for `mark_unread`), and every socket of the person hears where they are; unread and
//! mention counts agree on every socket and after a reconnect.

mod common;

use std::time::Duration;

use common::{Client, TestServer};
use confab_shared::{ErrorCode, RoomInfo, ServerMsg};
use serde_json::json;

/// The next `read` frame: (seq, unread, mentions).
async fn next_read(client: &mut Client) -> (u64, u32, u32) {
    match client
        .recv_until(|m| matches!(m, ServerMsg::Read { .. } | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Read {
            seq,
            unread,
            mentions,
            ..
        } => (seq, unread, mentions),
        other => panic!("{}: expected read, got {other:?}", client.name),
    }
}

/// What a fresh connection of `username` is told of `room`.
async fn listed(server: &TestServer, username: &str, room: &str) -> RoomInfo {
    let mut fresh = Client::sign_in(server, username).await;
    let ServerMsg::Rooms { rooms } = fresh
        .recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await
    else {
        unreachable!()
    };
    fresh.close().await;
    rooms
        .into_iter()
        .find(|r| r.room.as_str() == room)
        .unwrap_or_else(|| panic!("{room} is not listed"))
}

#[tokio::test]
async fn markers_move_forward_and_every_socket_agrees() {
    let server = TestServer::start().await;
    let mut tab = Client::sign_up(&server, "ann").await;
    let mut other_tab = Client::sign_in(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    bob.send_json(json!({ "type": "start_conversation", "with": ["ann"] }))
        .await;
    let ServerMsg::Room(info) = bob.recv_until(|m| matches!(m, ServerMsg::Room(_))).await else {
        unreachable!()
    };
    let room = info.room.as_str().to_owned();
    bob.join(&room, None).await;
    for (n, body) in ["one", "two", "three, @ann"].iter().enumerate() {
        bob.send_acked(&room, &format!("b{n}"), body).await;
    }
    let before = listed(&server, "ann", &room).await;
    assert_eq!((before.read, before.unread, before.mentions), (None, 3, 1));

    let read = |seq| json!({ "type": "read", "room": room, "seq": seq });
    tab.send_json(read(2)).await;
    assert_eq!(next_read(&mut tab).await, (2, 1, 1));
    assert_eq!(next_read(&mut other_tab).await, (2, 1, 1), "the other tab");
    // Stale: nothing moves, only the asker is told where it is.
    tab.send_json(read(1)).await;
    assert_eq!(next_read(&mut tab).await, (2, 1, 1));
    let quiet = tokio::time::timeout(Duration::from_millis(500), next_read(&mut other_tab)).await;
    assert!(quiet.is_err(), "a stale read tells no one else: {quiet:?}");
    let after = listed(&server, "ann", &room).await;
    assert_eq!((after.read, after.unread, after.mentions), (Some(2), 1, 1));

    // Past the end: the newest seq. Then "mark unread" from the second message.
    tab.send_json(read(1000)).await;
    assert_eq!(next_read(&mut tab).await, (3, 0, 0));
    assert_eq!(next_read(&mut other_tab).await, (3, 0, 0));
    tab.send_json(json!({ "type": "mark_unread", "room": room, "seq": 2 }))
        .await;
    assert_eq!(next_read(&mut tab).await, (1, 2, 1));
    assert_eq!(next_read(&mut other_tab).await, (1, 2, 1));
    server.stop().await;
}

#[tokio::test]
async fn joining_a_room_reads_what_came_before_and_outsiders_keep_no_state() {
    let server = TestServer::start().await;
    let mut bob = Client::sign_up(&server, "bob").await;
    bob.join("general", None).await;
    bob.send_acked("general", "b1", "said before ann came")
        .await;
    let mut ann = Client::sign_up(&server, "ann").await;
    ann.join("general", None).await;
    let general = listed(&server, "ann", "general").await;
    assert_eq!((general.unread, general.mentions), (0, 0));
    bob.send_acked("general", "b2", "after, @ann").await;
    let general = listed(&server, "ann", "general").await;
    assert_eq!((general.unread, general.mentions), (1, 1));

    // A guest keeps none; an account reads only rooms it is a member of.
    let mut gil = Client::connect(&server, "gil").await;
    gil.send_json(json!({ "type": "read", "room": "general", "seq": 1 }))
        .await;
    assert_eq!(gil.recv_error(ErrorCode::Forbidden).await, None);
    let mut cat = Client::sign_up(&server, "cat").await;
    cat.send_json(json!({ "type": "read", "room": "general", "seq": 1 }))
        .await;
    assert_eq!(cat.recv_error(ErrorCode::BadRequest).await, None);
    server.stop().await;
}
