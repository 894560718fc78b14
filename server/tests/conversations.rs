//! Private conversations from outside (docs/protocol.md, "Conversations"): invisible
//! to everyone else (join, history, every frame), one per set of people however it
//! is started (twice, or by both at once), kept across a restart, and closed to
//! someone the other person blocked, who is told what a name nobody has is told.

mod common;

use std::time::Duration;

use common::{Client, TestServer, http_post};
use confab_shared::{ErrorCode, RoomInfo, RoomKind, RoomName, ServerMsg};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

async fn start(client: &mut Client, with: &[&str]) {
    client
        .send_json(json!({ "type": "start_conversation", "with": with }))
        .await;
}

/// The answer to a `start_conversation` with `with`: the conversation of those people
/// (other `room` frames, news of other conversations, skipped), or the refusal.
async fn started(client: &mut Client, with: &[&str]) -> Result<RoomInfo, (ErrorCode, String)> {
    let mut people: Vec<String> = with.iter().map(|s| s.to_string()).collect();
    people.push(client.name.clone());
    people.sort();
    people.dedup();
    loop {
        match client.recv().await {
            ServerMsg::Room(info) if names(&info) == people => return Ok(info),
            ServerMsg::Error { code, message, .. } => return Err((code, message)),
            _ => {}
        }
    }
}

async fn conversation(client: &mut Client, with: &[&str]) -> RoomInfo {
    start(client, with).await;
    started(client, with)
        .await
        .unwrap_or_else(|e| panic!("{}: {e:?}", client.name))
}

/// The next frame (presence aside), which must be a refusal with `code`: its text.
async fn refusal(client: &mut Client, code: ErrorCode) -> String {
    let (got, text) = any_refusal(client).await;
    assert_eq!(got, code, "{}: {text}", client.name);
    text
}

/// The next frame (presence aside), which must be a refusal.
async fn any_refusal(client: &mut Client) -> (ErrorCode, String) {
    match client.recv().await {
        ServerMsg::Error { code, message, .. } => (code, message),
        other => panic!("{}: expected a refusal, got {other:?}", client.name),
    }
}

/// Reads for `window`: nothing but presence may arrive.
async fn only_presence(client: &mut Client, window: Duration) {
    let until = tokio::time::Instant::now() + window;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let Some(frame) = client.next_frame_within(left).await else {
            return;
        };
        if let Message::Text(text) = &frame
            && text.starts_with(r#"{"type":"presence""#)
        {
            continue;
        }
        panic!("{}: expected nothing, got {frame:?}", client.name);
    }
}

fn names(info: &RoomInfo) -> Vec<&str> {
    info.members.iter().map(|p| p.user.as_str()).collect()
}

/// The rooms list a fresh connection of `client`'s account gets.
async fn rooms_on_connect(server: &TestServer, username: &str) -> Vec<RoomInfo> {
    let mut again = Client::sign_in(server, username).await;
    match again
        .recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await
    {
        ServerMsg::Rooms { rooms } => rooms,
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_conversation_is_for_its_people_alone() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let mut cat = Client::sign_up(&server, "cat").await;
    cat.recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await;

    let info = conversation(&mut ann, &["bob"]).await;
    let room = info.room.clone();
    assert_eq!(info.kind, RoomKind::Conversation);
    assert!(info.private, "private, so a client of before reads it so");
    assert_eq!(names(&info), ["ann", "bob"]);
    assert_eq!(info.last_at, None, "nothing posted yet");
    let id = room
        .as_str()
        .strip_prefix("dm-")
        .expect("a conversation's name");
    assert_eq!(id.len(), 26);
    // Bob hears of it without asking.
    match bob.recv_until(|m| matches!(m, ServerMsg::Room(_))).await {
        ServerMsg::Room(told) => assert_eq!(told, info),
        _ => unreachable!(),
    }

    ann.join(room.as_str(), None).await;
    bob.join(room.as_str(), None).await;
    ann.send_acked(room.as_str(), "a1", "just between us").await;
    assert_eq!(bob.recv_message().await.body.as_str(), "just between us");

    // Cat gets the answer a room that does not exist gets, to everything.
    let absent = RoomName::new("dm-aaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    let mut answers = Vec::new();
    for name in [&room, &absent] {
        cat.send_join(name.as_str(), None).await;
        answers.push(any_refusal(&mut cat).await);
        cat.send_json(json!({ "type": "history", "room": name, "limit": 10 }))
            .await;
        answers.push(any_refusal(&mut cat).await);
        cat.send_json(json!({ "type": "members", "room": name }))
            .await;
        answers.push(any_refusal(&mut cat).await);
    }
    assert_eq!(answers[..3], answers[3..], "the same as no such room");
    cat.send_json(json!({ "type": "create_room", "room": room }))
        .await;
    assert!(
        refusal(&mut cat, ErrorCode::BadRequest)
            .await
            .contains("dm-")
    );
    // Nothing of it reached cat: not the start, not the message.
    ann.send_acked(room.as_str(), "a2", "still private").await;
    cat.expect_quiet(Duration::from_millis(300)).await;
    assert!(
        rooms_on_connect(&server, "cat").await.is_empty(),
        "not in cat's rooms"
    );

    // Its people are fixed: nobody is invited in, nobody leaves it.
    for frame in [
        json!({ "type": "invite", "room": room, "user": "cat" }),
        json!({ "type": "leave_room", "room": room }),
    ] {
        ann.send_json(frame).await;
        assert!(
            refusal(&mut ann, ErrorCode::BadRequest)
                .await
                .contains("fixed")
        );
    }

    // Listed for both, with its people and when it last moved.
    for who in ["ann", "bob"] {
        let rooms = rooms_on_connect(&server, who).await;
        let listed = rooms.iter().find(|r| r.room == room).expect("listed");
        assert_eq!(listed.kind, RoomKind::Conversation);
        assert_eq!(names(listed), ["ann", "bob"]);
        assert!(listed.last_at.is_some(), "{who}: its latest message's time");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_same_people_have_one_conversation_however_it_is_started() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let _cat = Client::sign_up(&server, "cat").await;

    // Both at once.
    start(&mut ann, &["bob"]).await;
    start(&mut bob, &["ann"]).await;
    let (a, b) = tokio::join!(started(&mut ann, &["bob"]), started(&mut bob, &["ann"]));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.room, b.room, "one conversation");
    // Again, naming oneself and the other twice: the same.
    let again = conversation(&mut ann, &["bob", "ann", "bob"]).await;
    assert_eq!(again.room, a.room);
    // Other people, another conversation; a group has everyone's names.
    let group = conversation(&mut ann, &["cat", "bob"]).await;
    assert_ne!(group.room, a.room);
    assert_eq!(names(&group), ["ann", "bob", "cat"]);
    let same_group = conversation(&mut bob, &["ann", "cat"]).await;
    assert_eq!(same_group.room, group.room);

    // Kept across a restart: starting it again finds it.
    let server = server.restart().await;
    let listed = rooms_on_connect(&server, "ann").await;
    assert_eq!(listed.len(), 2, "the two: {listed:?}");
    let mut ann = Client::sign_in(&server, "ann").await;
    assert_eq!(conversation(&mut ann, &["bob"]).await.room, a.room);
    server.stop().await;
}

#[tokio::test]
async fn limits_and_who_may_start_one() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let others: Vec<String> = (1..=9).map(|n| format!("p{n}")).collect();
    for name in &others {
        Client::sign_up(&server, name).await.close().await;
    }
    let eight: Vec<&str> = others[..8].iter().map(String::as_str).collect();
    let nine: Vec<&str> = others.iter().map(String::as_str).collect();
    assert_eq!(conversation(&mut ann, &eight).await.members.len(), 9);
    start(&mut ann, &nine).await;
    let (code, _) = started(&mut ann, &[]).await.unwrap_err();
    assert_eq!(code, ErrorCode::BadRequest, "at most 9 people");
    for alone in [json!([]), json!(["ann"])] {
        ann.send_json(json!({ "type": "start_conversation", "with": alone }))
            .await;
        let (code, _) = started(&mut ann, &[]).await.unwrap_err();
        assert_eq!(code, ErrorCode::BadRequest, "{alone}: nobody else");
    }

    // Guests have none, and cannot be named.
    let mut gil = Client::connect(&server, "gil").await;
    start(&mut gil, &["ann"]).await;
    assert_eq!(
        started(&mut gil, &[]).await.unwrap_err().0,
        ErrorCode::Forbidden
    );
    start(&mut ann, &["gil"]).await;
    assert_eq!(
        started(&mut ann, &[]).await.unwrap_err().0,
        ErrorCode::NotFound
    );
    server.stop().await;
}

#[tokio::test]
async fn someone_who_blocked_you_looks_like_nobody_and_gets_nothing() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let room = conversation(&mut ann, &["bob"]).await.room;
    ann.join(room.as_str(), None).await;
    bob.join(room.as_str(), None).await;
    ann.send_acked(room.as_str(), "a1", "hello").await;
    bob.recv_message().await;

    let cookie = bob.cookie.clone().unwrap();
    let headers = [("Cookie", cookie.as_str())];
    let body = json!({ "username": "ann" }).to_string();
    assert_eq!(
        http_post(server.addr, "/api/blocks", &headers, &body)
            .await
            .status,
        200
    );

    // Starting one: the same answer as for a name nobody has.
    start(&mut ann, &["bob"]).await;
    let blocked = started(&mut ann, &[]).await.unwrap_err();
    start(&mut ann, &["zed"]).await;
    let nobody = started(&mut ann, &[]).await.unwrap_err();
    assert_eq!(blocked.0, ErrorCode::NotFound);
    assert_eq!(
        blocked.1.replace("bob", "zed"),
        nobody.1,
        "the same answer as for no such account"
    );
    // The one they had: ann's messages and typing reach bob no more.
    ann.send_json(json!({ "type": "typing", "room": room }))
        .await;
    ann.send_chat(room.as_str(), "a2", "are you there?").await;
    assert!(
        refusal(&mut ann, ErrorCode::Forbidden)
            .await
            .contains("not delivered")
    );
    only_presence(&mut bob, Duration::from_millis(1200)).await;
    // Bob may still write to ann; unblocking opens it again.
    bob.send_acked(room.as_str(), "b1", "on my terms").await;
    assert_eq!(ann.recv_message().await.body.as_str(), "on my terms");
    let unblocked =
        common::http_request(server.addr, "DELETE", "/api/blocks/ann", &headers, b"").await;
    assert_eq!(unblocked.status, 204);
    ann.send_acked(room.as_str(), "a3", "thanks").await;
    assert_eq!(bob.recv_message().await.body.as_str(), "thanks");
    server.stop().await;
}
