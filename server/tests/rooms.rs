//! Rooms made on purpose, membership, and private rooms (docs/protocol.md, "Rooms"),
//! from outside: a private room gives a non-member nothing (not by join, history or
//! presence) and answers exactly as a room that does not exist.

mod common;

use common::{Client, TestServer};
use confab_shared::{ErrorCode, EventKind, Role, RoomEvent, ServerMsg};
use serde_json::json;

/// The next frame that is not presence: must be an error; gives its code and text.
async fn refusal(client: &mut Client) -> (ErrorCode, String) {
    match client.recv().await {
        ServerMsg::Error { code, message, .. } => (code, message),
        other => panic!("{}: expected a refusal, got {other:?}", client.name),
    }
}

async fn create(client: &mut Client, room: &str, private: bool) -> ServerMsg {
    client
        .send_json(
            json!({ "type": "create_room", "room": room, "topic": "plans", "private": private }),
        )
        .await;
    client.recv().await
}

#[tokio::test]
async fn a_private_room_is_for_its_members_alone() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let mut cat = Client::sign_up(&server, "cat").await;

    match create(&mut ann, "secret", true).await {
        ServerMsg::Room(info) => {
            assert_eq!(info.room.as_str(), "secret");
            assert!(info.private);
            assert_eq!(info.role, Some(Role::Owner));
            assert_eq!(info.topic.as_str(), "plans");
        }
        other => panic!("expected the new room, got {other:?}"),
    }
    ann.join("secret", None).await;
    ann.send_acked("secret", "s1", "the plan").await;

    // To cat, the room is exactly a room that does not exist.
    cat.send_join("secret", None).await;
    let hidden = refusal(&mut cat).await;
    cat.send_join("nowhere", None).await;
    let absent = refusal(&mut cat).await;
    assert_eq!(hidden.0, ErrorCode::NotFound);
    assert_eq!(hidden, absent, "the same answer for both");
    cat.send_json(json!({ "type": "history", "room": "secret", "limit": 10 }))
        .await;
    assert_eq!(refusal(&mut cat).await.0, ErrorCode::NotJoined);
    cat.send_json(json!({ "type": "invite", "room": "secret", "user": "cat" }))
        .await;
    assert_eq!(refusal(&mut cat).await, absent, "nor can cat invite itself");

    // Ann invites bob: his open socket hears of the room at once.
    ann.send_json(json!({ "type": "invite", "room": "secret", "user": "bob" }))
        .await;
    match ann.recv().await {
        ServerMsg::Invited { room, user } => {
            assert_eq!((room.as_str(), user.as_str()), ("secret", "bob"));
        }
        other => panic!("expected invited, got {other:?}"),
    }
    match bob.recv().await {
        ServerMsg::Room(info) => {
            assert_eq!(info.room.as_str(), "secret");
            assert_eq!(info.role, Some(Role::Member));
        }
        other => panic!("bob expected his new room, got {other:?}"),
    }
    let joined = bob.join("secret", None).await;
    let bodies: Vec<&str> = joined.replay.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["the plan"]);
    bob.send_acked("secret", "b1", "count me in").await;
    assert_eq!(ann.next_message().await.body.as_str(), "count me in");

    // Cat, all along, heard nothing of it: no message, no presence.
    cat.send_json(json!({ "type": "ping" })).await;
    match cat.recv_any().await {
        ServerMsg::Pong => {}
        other => panic!("cat heard {other:?}"),
    }
    server.stop().await;
}

#[tokio::test]
async fn membership_lasts_across_connections() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    ann.create_room("dev").await;
    // Joining a public room makes an account a member: told at once...
    ann.send_join("general", None).await;
    match ann.recv().await {
        ServerMsg::Room(info) => {
            assert_eq!(info.room.as_str(), "general");
            assert_eq!(info.role, Some(Role::Member));
        }
        other => panic!("expected membership of general, got {other:?}"),
    }
    ann.close().await;

    // ...and on the next connection (another device), in the list after welcome.
    let mut again = Client::sign_in(&server, "ann").await;
    let ServerMsg::Rooms { rooms } = again.recv_any().await else {
        panic!("expected the list of rooms right after welcome");
    };
    let listed: Vec<(&str, Option<Role>)> =
        rooms.iter().map(|r| (r.room.as_str(), r.role)).collect();
    assert_eq!(
        listed,
        [("dev", Some(Role::Owner)), ("general", Some(Role::Member))]
    );
    server.stop().await;
}

#[tokio::test]
async fn guests_use_public_rooms_only() {
    let server = TestServer::start().await;
    let mut gil = server.client("gil").await;
    match create(&mut gil, "hideout", true).await {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("a guest made a private room: {other:?}"),
    }
    match create(&mut gil, "lobby", false).await {
        ServerMsg::Room(info) => assert_eq!(info.role, None, "guests own nothing"),
        other => panic!("expected the new room, got {other:?}"),
    }
    match create(&mut gil, "lobby", false).await {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::RoomExists),
        other => panic!("made twice: {other:?}"),
    }
    gil.join("lobby", None).await;
    gil.send_json(json!({ "type": "invite", "room": "lobby", "user": "ann" }))
        .await;
    assert_eq!(refusal(&mut gil).await.0, ErrorCode::Forbidden);
    let mut ann = Client::sign_up(&server, "ann").await;
    ann.send_json(json!({ "type": "invite", "room": "general", "user": "nobody" }))
        .await;
    assert_eq!(
        refusal(&mut ann).await.0,
        ErrorCode::Forbidden,
        "only members invite"
    );
    ann.join("general", None).await;
    ann.send_json(json!({ "type": "invite", "room": "general", "user": "nobody" }))
        .await;
    assert_eq!(
        refusal(&mut ann).await.0,
        ErrorCode::NotFound,
        "no such account"
    );
    server.stop().await;
}

/// Skips frames until `room`'s `member_left` event; gives whom it names.
async fn left(client: &mut Client, room: &str) -> String {
    match client
        .recv_until(|msg| {
            matches!(msg, ServerMsg::Event(e)
                if e.room.as_str() == room && matches!(e.kind, EventKind::MemberLeft(_)))
        })
        .await
    {
        ServerMsg::Event(RoomEvent {
            kind: EventKind::MemberLeft(change),
            ..
        }) => change.user.to_string(),
        _ => unreachable!(),
    }
}

/// The rooms a new connection of `name` is told it belongs to.
async fn rooms_of(server: &TestServer, name: &str) -> Vec<String> {
    let mut client = Client::sign_in(server, name).await;
    match client.recv_any().await {
        ServerMsg::Rooms { rooms } => rooms.iter().map(|r| r.room.to_string()).collect(),
        other => panic!("expected the list of rooms after welcome, got {other:?}"),
    }
}

/// docs/protocol.md, `leave_room`: leaving ends the membership on every device, with
/// a `member_left` event the members see; a private room then needs a new invite; the
/// owner hands the room over first; `leave` still only stops this connection's
/// stream.
#[tokio::test]
async fn leaving_a_room_ends_the_membership_on_every_device() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    create(&mut ann, "plans", true).await;
    ann.join("plans", None).await;
    ann.send_json(json!({ "type": "invite", "room": "plans", "user": "bob" }))
        .await;
    bob.recv_until(|msg| matches!(msg, ServerMsg::Room(_)))
        .await;
    let mut phone = Client::sign_in(&server, "bob").await;
    bob.join("plans", None).await;
    phone.join("plans", None).await;

    // `leave` is this connection only: still a member.
    bob.send_json(json!({ "type": "leave", "room": "plans" }))
        .await;
    bob.join("plans", None).await;
    assert!(rooms_of(&server, "bob").await.contains(&"plans".to_owned()));

    bob.send_json(json!({ "type": "leave_room", "room": "plans" }))
        .await;
    assert_eq!(left(&mut ann, "plans").await, "bob", "the members see it");
    assert_eq!(left(&mut bob, "plans").await, "bob");
    assert_eq!(left(&mut phone, "plans").await, "bob", "on every device");
    phone.send_chat("plans", "p1", "still here?").await;
    assert_eq!(
        phone.recv_error(ErrorCode::NotJoined).await.as_deref(),
        Some("p1"),
        "the stream of the room ended"
    );
    assert!(!rooms_of(&server, "bob").await.contains(&"plans".to_owned()));
    bob.send_join("plans", None).await;
    assert_eq!(
        refusal(&mut bob).await.0,
        ErrorCode::NotFound,
        "a private room needs a new invite"
    );

    // The owner hands the room over first; someone who is no member cannot leave.
    ann.send_json(json!({ "type": "leave_room", "room": "plans" }))
        .await;
    assert_eq!(refusal(&mut ann).await.0, ErrorCode::BadRequest);
    bob.send_json(json!({ "type": "leave_room", "room": "plans" }))
        .await;
    assert_eq!(refusal(&mut bob).await.0, ErrorCode::NotFound);
    phone
        .send_json(json!({ "type": "leave_room", "room": "general" }))
        .await;
    assert_eq!(refusal(&mut phone).await.0, ErrorCode::BadRequest);

    // A public room left can be joined again.
    bob.join("general", None).await;
    bob.send_json(json!({ "type": "leave_room", "room": "general" }))
        .await;
    assert_eq!(left(&mut bob, "general").await, "bob");
    assert!(
        !rooms_of(&server, "bob")
            .await
            .contains(&"general".to_owned())
    );
    bob.join("general", None).await;
    server.stop().await;
}
