//! Roles and moderation from outside (docs/protocol.md, "Moderation"): moderators
//! delete, kick, ban and mute; the owner gives roles and hands the room over; each is
//! an event of the room's log that everyone sees and a resume replays; a removed
//! person's stream of the room ends on every socket; the audit log; blocking.

mod common;

use common::{Client, TestServer, http_get, http_post, http_request};
use confab_shared::{ErrorCode, EventKind, MemberInfo, Role, RoomEvent, ServerMsg};
use serde_json::{Value, json};

/// Skips frames until an event of `room`'s log that is not a message; gives it.
async fn next_event(client: &mut Client) -> RoomEvent {
    match client
        .recv_until(
            |msg| matches!(msg, ServerMsg::Event(e) if !matches!(e.kind, EventKind::Message(_))),
        )
        .await
    {
        ServerMsg::Event(event) => event,
        _ => unreachable!(),
    }
}

/// Skips frames until an event of kind `wanted`; gives it.
async fn event_of(client: &mut Client, wanted: &str) -> RoomEvent {
    loop {
        let event = next_event(client).await;
        if kind(&event) == wanted {
            return event;
        }
    }
}

/// The kind of an event, as the protocol names it.
fn kind(event: &RoomEvent) -> String {
    let value = serde_json::to_value(event).expect("an event is JSON");
    value["kind"].as_str().unwrap_or_default().to_owned()
}

/// Skips frames until an error; gives its code and text.
async fn refusal(client: &mut Client) -> (ErrorCode, String) {
    match client
        .recv_until(|msg| matches!(msg, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error { code, message, .. } => (code, message),
        _ => unreachable!(),
    }
}

async fn moderate(client: &mut Client, room: &str, user: &str, action: &str) {
    client
        .send_json(json!({ "type": "moderate", "room": room, "user": user, "action": action }))
        .await;
}

async fn set_role(client: &mut Client, room: &str, user: &str, role: &str) {
    client
        .send_json(json!({ "type": "set_role", "room": room, "user": user, "role": role }))
        .await;
}

async fn members(client: &mut Client, room: &str) -> Vec<MemberInfo> {
    client
        .send_json(json!({ "type": "members", "room": room }))
        .await;
    match client
        .recv_until(|msg| matches!(msg, ServerMsg::Members { .. } | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Members { members, .. } => members,
        other => panic!("{}: expected members, got {other:?}", client.name),
    }
}

/// A live check that `client` got nothing of a room: the next frame after a ping is
/// its pong (presence aside).
async fn heard_nothing(client: &mut Client) {
    client.send_json(json!({ "type": "ping" })).await;
    match client.recv().await {
        ServerMsg::Pong => {}
        other => panic!("{} heard {other:?}", client.name),
    }
}

#[tokio::test]
async fn moderators_delete_mute_kick_and_ban_and_the_log_shows_it() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let mut cat = Client::sign_up(&server, "cat").await;
    ann.join("town", None).await;
    let bob_joined = bob.join("general", None).await;
    assert!(bob_joined.snapshot);
    bob.send_join("town", None).await;
    let joined = next_event(&mut ann).await;
    assert_eq!(kind(&joined), "member_joined");
    let town = cat.join("town", None).await;
    assert_eq!(next_event(&mut ann).await.seq, town.last_seq, "cat's join");

    // The owner makes bob a moderator: everyone sees it.
    set_role(&mut ann, "town", "bob", "moderator").await;
    let promoted = next_event(&mut cat).await;
    assert_eq!(kind(&promoted), "role_changed");
    let EventKind::RoleChanged(change) = &promoted.kind else {
        unreachable!()
    };
    assert_eq!(
        (
            change.user.as_str(),
            change.role,
            change.by.as_ref().map(|b| b.as_str())
        ),
        ("bob", Some(Role::Moderator), Some("ann"))
    );
    let listed: Vec<(String, Role)> = members(&mut cat, "town")
        .await
        .into_iter()
        .map(|m| (m.user.to_string(), m.role))
        .collect();
    assert_eq!(
        listed,
        [
            ("ann".to_owned(), Role::Owner),
            ("bob".to_owned(), Role::Moderator),
            ("cat".to_owned(), Role::Member)
        ]
    );

    // Members delete their own messages only; moderators anyone's.
    let (_, ann_id) = ann.send_acked("town", "a1", "welcome").await;
    let (_, cat_id) = cat.send_acked("town", "c1", "something rude").await;
    cat.send_json(json!({ "type": "delete_message", "room": "town", "id": ann_id }))
        .await;
    assert_eq!(refusal(&mut cat).await.0, ErrorCode::NotFound);
    bob.send_json(json!({ "type": "delete_message", "room": "town", "id": cat_id }))
        .await;
    let deleted = next_event(&mut ann).await;
    let EventKind::MessageDeleted(deletion) = &deleted.kind else {
        panic!("expected message_deleted, got {deleted:?}");
    };
    assert_eq!((deletion.id, deletion.by.as_str()), (cat_id, "bob"));
    let (messages, _) = ann.history("town", None, 10).await;
    let bodies: Vec<&str> = messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["welcome"],
        "a deleted message is gone from history"
    );

    // A member cannot moderate; a moderator cannot act on the owner.
    moderate(&mut cat, "town", "bob", "kick").await;
    assert_eq!(refusal(&mut cat).await.0, ErrorCode::Forbidden);
    moderate(&mut bob, "town", "ann", "mute").await;
    assert_eq!(refusal(&mut bob).await.0, ErrorCode::Forbidden);
    // Acting on oneself changes nothing a moderator may change: `bad_request`, for
    // the owner too.
    for action in ["kick", "ban", "mute"] {
        moderate(&mut ann, "town", "ann", action).await;
        assert_eq!(refusal(&mut ann).await.0, ErrorCode::BadRequest, "{action}");
    }

    // Muted: cat reads but cannot post; unmuted, can.
    moderate(&mut bob, "town", "cat", "mute").await;
    assert_eq!(kind(&next_event(&mut cat).await), "member_muted");
    cat.send_chat("town", "c2", "hello?").await;
    assert_eq!(
        cat.recv_error(ErrorCode::Muted).await.as_deref(),
        Some("c2")
    );
    moderate(&mut bob, "town", "cat", "unmute").await;
    assert_eq!(kind(&next_event(&mut cat).await), "member_unmuted");
    cat.send_acked("town", "c2", "hello?").await;

    // Kicked: cat's stream of the room ends with the kick; a public room can be
    // joined again.
    moderate(&mut bob, "town", "cat", "kick").await;
    let kicked = next_event(&mut cat).await;
    assert_eq!(kind(&kicked), "member_kicked");
    ann.send_acked("town", "a2", "after the kick").await;
    heard_nothing(&mut cat).await;
    cat.send_chat("town", "c3", "still here?").await;
    assert_eq!(
        cat.recv_error(ErrorCode::NotJoined).await.as_deref(),
        Some("c3")
    );
    cat.send_join("town", None).await;
    assert!(matches!(
        cat.recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
            .await,
        ServerMsg::Joined { .. }
    ));

    // Banned: out, and kept out.
    moderate(&mut bob, "town", "cat", "ban").await;
    assert_eq!(kind(&next_event(&mut cat).await), "member_banned");
    cat.send_join("town", None).await;
    let (code, text) = refusal(&mut cat).await;
    assert_eq!(code, ErrorCode::Forbidden);
    assert!(text.contains("banned"), "{text}");

    // A client that resumes from before all this converges: the replay has every
    // event, and the deleted message only as its deletion.
    let mut dan = Client::sign_up(&server, "dan").await;
    let resumed = dan.join("town", Some(joined.seq)).await;
    assert!(
        resumed
            .replay
            .iter()
            .all(|m| m.body.as_str() != "something rude")
    );
    assert!(
        resumed.events >= 8,
        "the log's events were replayed: {}",
        resumed.events
    );

    // The owner hands the room over: bob owns it, ann moderates.
    set_role(&mut ann, "town", "bob", "owner").await;
    let first = event_of(&mut ann, "role_changed").await;
    let second = next_event(&mut ann).await;
    let roles: Vec<(String, Option<Role>)> = [first, second]
        .iter()
        .map(|e| match &e.kind {
            EventKind::RoleChanged(c) => (c.user.to_string(), c.role),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("bob".to_owned(), Some(Role::Owner)),
            ("ann".to_owned(), Some(Role::Moderator))
        ]
    );
    set_role(&mut ann, "town", "dan", "moderator").await;
    assert_eq!(
        refusal(&mut ann).await.0,
        ErrorCode::Forbidden,
        "no longer the owner"
    );

    // The audit log: for moderators, newest first; members are refused.
    let audit = |cookie: &str| {
        let cookie = cookie.to_owned();
        let addr = server.addr;
        async move { http_get(addr, "/api/rooms/town/audit", &[("Cookie", &cookie)]).await }
    };
    let read = audit(ann.cookie.as_deref().unwrap()).await;
    assert_eq!(read.status, 200);
    let body: Value = serde_json::from_slice(&read.body).unwrap();
    let kinds: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["role_changed", "role_changed"], "{kinds:?}");
    for wanted in [
        "member_banned",
        "member_kicked",
        "member_muted",
        "message_deleted",
    ] {
        assert!(kinds.contains(&wanted), "{wanted} in {kinds:?}");
    }
    assert!(
        body["entries"][0]["ts"]
            .as_str()
            .is_some_and(|ts| ts.ends_with('Z'))
    );
    assert_eq!(audit(dan.cookie.as_deref().unwrap()).await.status, 403);
    assert_eq!(
        http_get(server.addr, "/api/rooms/town/audit", &[])
            .await
            .status,
        401
    );
    server.stop().await;
}

#[tokio::test]
async fn removing_a_member_of_a_private_room_cuts_every_socket_of_theirs() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let mut bob_phone = Client::sign_in(&server, "bob").await;
    ann.send_json(json!({ "type": "create_room", "room": "secret", "private": true }))
        .await;
    ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
    ann.join("secret", None).await;
    ann.send_json(json!({ "type": "invite", "room": "secret", "user": "bob" }))
        .await;
    ann.recv_until(|m| matches!(m, ServerMsg::Invited { .. }))
        .await;
    for socket in [&mut bob, &mut bob_phone] {
        socket.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
        socket.send_join("secret", None).await;
        socket
            .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
            .await;
    }
    ann.send_acked("secret", "a1", "before").await;
    for socket in [&mut bob, &mut bob_phone] {
        assert_eq!(socket.next_message().await.body.as_str(), "before");
    }

    moderate(&mut ann, "secret", "bob", "kick").await;
    for socket in [&mut bob, &mut bob_phone] {
        assert_eq!(kind(&next_event(socket).await), "member_kicked");
    }
    ann.send_acked("secret", "a2", "after").await;
    for socket in [&mut bob, &mut bob_phone] {
        heard_nothing(socket).await;
    }
    // Out of a private room, it is no room at all to bob again.
    bob.send_join("secret", None).await;
    assert_eq!(refusal(&mut bob).await.0, ErrorCode::NotFound);
    bob.send_json(json!({ "type": "members", "room": "secret" }))
        .await;
    assert_eq!(refusal(&mut bob).await.0, ErrorCode::NotFound);
    let listed: Vec<String> = members(&mut ann, "secret")
        .await
        .into_iter()
        .map(|m| m.user.to_string())
        .collect();
    assert_eq!(listed, ["ann"]);
    let audit = http_get(
        server.addr,
        "/api/rooms/secret/audit",
        &[("Cookie", bob.cookie.as_deref().unwrap())],
    )
    .await;
    assert_eq!(
        audit.status, 404,
        "a private room's log is not found by outsiders"
    );
    server.stop().await;
}

#[tokio::test]
async fn blocking_someone_refuses_their_invites() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let bob = Client::sign_up(&server, "bob").await;
    let bob_cookie = bob.cookie.clone().unwrap();
    let headers = [("Cookie", bob_cookie.as_str())];
    for (who, status) in [("ann", 200), ("bob", 400), ("zed", 404)] {
        let body = json!({ "username": who }).to_string();
        let answer = http_post(server.addr, "/api/blocks", &headers, &body).await;
        assert_eq!(
            answer.status, status,
            "blocking {who}: yes, not oneself, no such account"
        );
    }
    let list = http_get(server.addr, "/api/blocks", &headers).await;
    let body: Value = serde_json::from_slice(&list.body).unwrap();
    assert_eq!(body["blocked"][0]["user"], "ann");

    ann.send_json(json!({ "type": "create_room", "room": "club", "private": true }))
        .await;
    ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
    ann.send_json(json!({ "type": "invite", "room": "club", "user": "bob" }))
        .await;
    let (code, text) = refusal(&mut ann).await;
    assert_eq!(code, ErrorCode::NotFound);
    assert_eq!(text, "no account has that name", "as for a name nobody has");

    let unblocked = http_request(server.addr, "DELETE", "/api/blocks/ann", &headers, b"").await;
    assert_eq!(unblocked.status, 204);
    ann.send_json(json!({ "type": "invite", "room": "club", "user": "bob" }))
        .await;
    assert!(matches!(
        ann.recv_until(|m| matches!(m, ServerMsg::Invited { .. } | ServerMsg::Error { .. }))
            .await,
        ServerMsg::Invited { .. }
    ));
    assert_eq!(http_get(server.addr, "/api/blocks", &[]).await.status, 401);
    server.stop().await;
}
