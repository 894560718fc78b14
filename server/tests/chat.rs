//! Two people in one room: the frames each of them sees, in order.

mod common;

use common::{Client, TestServer, user};
use confab_shared::{EventKind, RoomEvent, ServerMsg, UserId};
use serde_json::json;

#[tokio::test]
async fn two_clients_chat_in_one_room() {
    let server = TestServer::start().await;

    let mut alice = Client::connect_raw(&server, "alice").await;
    assert_eq!(
        alice.recv().await,
        ServerMsg::Welcome {
            user: user("alice"),
            user_id: UserId::new("guest:alice").unwrap(),
            epoch: server.epoch(),
            protocol: 2,
        },
        "welcome is the first frame"
    );
    let joined = alice.join("general", None).await;
    assert_eq!(joined.last_seq, 0, "a new room has no messages");
    assert_eq!(joined.online, [user("alice")]);
    assert!(joined.replay.is_empty());

    let mut bob = Client::connect_raw(&server, "bob").await;
    assert_eq!(
        bob.recv().await,
        ServerMsg::Welcome {
            user: user("bob"),
            user_id: UserId::new("guest:bob").unwrap(),
            epoch: server.epoch(),
            protocol: 2,
        },
        "welcome is the first frame"
    );
    let joined = bob.join("general", None).await;
    assert_eq!(joined.online, [user("alice"), user("bob")]);

    // Alice's own arrival may be announced first, in the same or an earlier frame.
    let bob_came = |msg: &ServerMsg| matches!(msg, ServerMsg::Presence { joined, .. } if joined.contains(&user("bob")));
    match alice.recv_until(bob_came).await {
        ServerMsg::Presence {
            room,
            online_count,
            joined,
            left,
            online,
        } => {
            assert_eq!(room.as_str(), "general");
            assert_eq!(online_count, 2);
            assert!(joined.len() <= 2 && left.is_empty(), "{joined:?} {left:?}");
            assert_eq!(online, None, "a diff, not the whole list");
        }
        other => panic!("alice should hear that bob came, got {other:?}"),
    }

    alice
        .send_json(json!({
            "type": "send", "room": "general", "client_id": "a-1", "body": "hi bob"
        }))
        .await;

    // The sender gets its own message and its ack, in either order.
    let mut own = None;
    let mut ack = None;
    for _ in 0..2 {
        match alice.recv().await {
            ServerMsg::Event(
                event @ RoomEvent {
                    kind: EventKind::Message(_),
                    ..
                },
            ) if own.is_none() => own = event.into_message(),
            ServerMsg::Ack {
                room,
                client_id,
                seq,
                id,
            } if ack.is_none() => {
                assert_eq!(room.as_str(), "general");
                assert_eq!(client_id.as_str(), "a-1");
                ack = Some((seq, id));
            }
            other => panic!("alice expected her message and its ack, got {other:?}"),
        }
    }
    let own = own.expect("alice got her message");
    let (ack_seq, ack_id) = ack.expect("alice got an ack");

    assert_eq!(own.seq, 1, "the room's first message");
    assert_eq!(own.room.as_str(), "general");
    assert_eq!(own.author, user("alice"));
    assert_eq!(own.client_id.as_str(), "a-1");
    assert_eq!(own.body.as_str(), "hi bob");
    assert_eq!(
        (ack_seq, ack_id),
        (own.seq, own.id),
        "ack matches the message"
    );

    let seen_by_bob = bob.recv_message().await;
    assert_eq!(seen_by_bob, own, "bob sees exactly what alice sees");

    // Bob leaving is news to alice.
    bob.close().await;
    match alice
        .recv_until(|msg| matches!(msg, ServerMsg::Presence { left, .. } if !left.is_empty()))
        .await
    {
        ServerMsg::Presence {
            room,
            online_count,
            left,
            ..
        } => {
            assert_eq!(room.as_str(), "general");
            assert_eq!((online_count, left), (1, vec![user("bob")]));
        }
        other => panic!("alice should hear that bob left, got {other:?}"),
    }

    server.stop().await;
}
