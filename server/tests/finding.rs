//! Finding rooms and people in them from outside (docs/protocol.md, `public_rooms`,
//! `members`), and notification levels (`notify`), which follow a person to every
//! socket and every reconnect.

mod common;

use common::{Client, TestServer};
use confab_shared::{ErrorCode, Notify, ServerMsg};
use serde_json::json;

async fn public_rooms(client: &mut Client, query: &str) -> Vec<(String, u32)> {
    client
        .send_json(json!({ "type": "public_rooms", "query": query }))
        .await;
    match client
        .recv_until(|m| matches!(m, ServerMsg::PublicRooms { .. }))
        .await
    {
        ServerMsg::PublicRooms { rooms } => rooms
            .into_iter()
            .map(|r| (r.room.to_string(), r.members))
            .collect(),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn the_room_browser_lists_public_rooms_only_busiest_first() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    for (room, private) in [
        ("gardening", false),
        ("garage-band", false),
        ("secret-garden", true),
    ] {
        ann.send_json(
            json!({ "type": "create_room", "room": room, "topic": "plants", "private": private }),
        )
        .await;
        ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
    }
    bob.join("garage-band", None).await;
    bob.send_json(json!({ "type": "start_conversation", "with": ["ann"] }))
        .await;
    bob.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;

    let found = public_rooms(&mut bob, "GAR").await;
    assert_eq!(
        found,
        [("garage-band".to_owned(), 2), ("gardening".to_owned(), 1)],
        "by name, without case; never the private room"
    );
    let by_topic = public_rooms(&mut bob, "plants").await;
    assert_eq!(by_topic.len(), 2, "by topic too: {by_topic:?}");
    let all = public_rooms(&mut bob, "").await;
    assert!(all.iter().any(|(room, _)| room == "general"));
    assert!(
        all.iter()
            .all(|(room, _)| !room.starts_with("dm-") && room != "secret-garden"),
        "no conversations, no private rooms: {all:?}"
    );
    server.stop().await;
}

/// The next `members` answer: the names and `has_more`.
async fn members(client: &mut Client) -> (Vec<String>, bool) {
    match client
        .recv_until(|m| matches!(m, ServerMsg::Members { .. }))
        .await
    {
        ServerMsg::Members {
            members, has_more, ..
        } => (
            members.iter().map(|m| m.user.to_string()).collect(),
            has_more,
        ),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn members_come_in_pages_when_asked() {
    let server = TestServer::start().await;
    let mut owner = Client::sign_up(&server, "zoe").await;
    owner.join("big", None).await;
    for n in 0..7 {
        let mut member = Client::sign_up(&server, &format!("m{n}")).await;
        member.join("big", None).await;
        member.close().await;
    }
    let page = |after: Option<&str>, query: &str| json!({ "type": "members", "room": "big", "limit": 3, "after": after, "query": query });
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        owner.send_json(page(after.as_deref(), "")).await;
        let (got, has_more) = members(&mut owner).await;
        assert!(got.len() <= 3);
        after = got.last().cloned();
        names.extend(got);
        if !has_more {
            break;
        }
    }
    assert_eq!(names, ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "zoe"]);
    owner.send_json(page(None, "Z")).await;
    let (got, _) = members(&mut owner).await;
    assert_eq!(got, ["zoe"], "those whose names begin with the query");
    // Without a limit: the whole list, as before, the owner first.
    owner
        .send_json(json!({ "type": "members", "room": "big" }))
        .await;
    let (all, has_more) = members(&mut owner).await;
    assert_eq!((all.len(), has_more), (8, false));
    assert_eq!(all[0], "zoe");
    // A page asked with a request id carries it back; so does a refusal.
    owner
        .send_json(json!({ "type": "members", "room": "big", "limit": 2, "request_id": "p-7" }))
        .await;
    match owner
        .recv_until(|m| matches!(m, ServerMsg::Members { .. }))
        .await
    {
        ServerMsg::Members { request_id, .. } => {
            assert_eq!(request_id.as_ref().map(|r| r.as_str()), Some("p-7"));
        }
        _ => unreachable!(),
    }
    owner
        .send_json(json!({ "type": "members", "room": "nowhere", "request_id": "p-8" }))
        .await;
    match owner
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error { request_id, .. } => {
            assert_eq!(request_id.as_ref().map(|r| r.as_str()), Some("p-8"));
        }
        _ => unreachable!(),
    }
    server.stop().await;
}

#[tokio::test]
async fn a_notification_level_follows_the_person_everywhere() {
    let server = TestServer::start().await;
    let mut tab = Client::sign_up(&server, "ann").await;
    tab.join("general", None).await;
    let mut phone = Client::sign_in(&server, "ann").await;
    tab.send_json(json!({ "type": "notify", "room": "general", "notify": "mentions" }))
        .await;
    for socket in [&mut tab, &mut phone] {
        match socket.recv_until(|m| matches!(m, ServerMsg::Room(_))).await {
            ServerMsg::Room(info) => assert_eq!(info.notify, Notify::Mentions),
            _ => unreachable!(),
        }
    }
    let server = server.restart().await;
    let mut again = Client::sign_in(&server, "ann").await;
    let ServerMsg::Rooms { rooms } = again
        .recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await
    else {
        unreachable!()
    };
    let general = rooms.iter().find(|r| r.room.as_str() == "general").unwrap();
    assert_eq!(general.notify, Notify::Mentions, "kept by the server");
    // Only members keep one.
    let mut bob = Client::sign_up(&server, "bob").await;
    bob.send_json(json!({ "type": "notify", "room": "general", "notify": "none" }))
        .await;
    assert_eq!(bob.recv_error(ErrorCode::BadRequest).await, None);
    server.stop().await;
}
