//! The presence of people from outside (docs/protocol.md, `watch_people`): online
//! while any socket is open, offline only when the last goes, away when every socket
//! says so; seen only by those who share a room or conversation in which the person
//! has written, never by someone the person blocked (told "offline" instead, as for
//! someone not connected).

mod common;

use std::time::Duration;

use common::{Client, TestServer, http_post};
use confab_shared::{ErrorCode, PersonStatus, ServerMsg, Status, UserId};
use serde_json::json;

fn id(n: u32) -> UserId {
    UserId::new(format!("u:{n}")).unwrap_or_else(|e| panic!("u:{n}: {e}"))
}

async fn watch(client: &mut Client, users: &[UserId]) -> Vec<PersonStatus> {
    client
        .send_json(json!({ "type": "watch_people", "users": users }))
        .await;
    next_people(client).await
}

async fn next_people(client: &mut Client) -> Vec<PersonStatus> {
    match client
        .recv_until(|m| matches!(m, ServerMsg::People { .. } | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::People { people } => people,
        other => panic!("{}: expected people, got {other:?}", client.name),
    }
}

fn status(user: UserId, status: Status) -> PersonStatus {
    PersonStatus {
        user_id: user,
        status,
    }
}

/// Ann and bob share a conversation, in which bob has written; cat shares nothing
/// with either.
async fn three(server: &TestServer) -> (Client, Client, Client) {
    let (ann, mut bob, cat, conversation) = three_silent(server).await;
    bob.join(&conversation, None).await;
    bob.send_acked(&conversation, "c-1", "hi ann").await;
    (ann, bob, cat)
}

/// Ann and bob share a conversation that nobody has written in yet; cat shares
/// nothing with either.
async fn three_silent(server: &TestServer) -> (Client, Client, Client, String) {
    let mut ann = Client::sign_up(server, "ann").await;
    let bob = Client::sign_up(server, "bob").await;
    let cat = Client::sign_up(server, "cat").await;
    ann.send_json(json!({ "type": "start_conversation", "with": ["bob"] }))
        .await;
    let conversation = match ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await {
        ServerMsg::Room(info) => info.room.as_str().to_owned(),
        other => panic!("expected the conversation, got {other:?}"),
    };
    (ann, bob, cat, conversation)
}

#[tokio::test]
async fn a_reader_who_never_wrote_stays_unseen_until_they_write() {
    let server = TestServer::start().await;
    let (mut ann, mut bob, _cat, conversation) = three_silent(&server).await;
    assert_eq!(
        watch(&mut ann, &[id(2)]).await,
        [status(id(2), Status::Offline)],
        "bob shares a conversation with ann but has written nowhere they share"
    );
    bob.join(&conversation, None).await;
    bob.send_acked(&conversation, "c-1", "hi ann").await;
    assert_eq!(
        next_people(&mut ann).await,
        [status(id(2), Status::Online)],
        "bob wrote in the conversation: ann, who asked after him, is told without asking again"
    );
    bob.send_json(json!({ "type": "status", "away": true }))
        .await;
    assert_eq!(
        next_people(&mut ann).await,
        [status(id(2), Status::Away)],
        "and kept up to date"
    );
    // Kept: after a restart, bob is still someone who wrote there.
    drop((ann, bob));
    let server = server.restart().await;
    let mut ann = Client::sign_in(&server, "ann").await;
    let _bob = Client::sign_in(&server, "bob").await;
    assert_eq!(
        watch(&mut ann, &[id(2)]).await,
        [status(id(2), Status::Online)]
    );
    server.stop().await;
}

#[tokio::test]
async fn online_anywhere_offline_when_the_last_socket_goes_away_when_all_say_so() {
    let server = TestServer::start().await;
    let (mut ann, bob, _cat) = three(&server).await;
    let (ann_id, bob_id, cat_id) = (id(1), id(2), id(3));
    assert_eq!(
        watch(&mut ann, &[bob_id.clone(), cat_id.clone(), ann_id.clone()]).await,
        [
            status(bob_id.clone(), Status::Online),
            status(cat_id.clone(), Status::Offline),
            status(ann_id.clone(), Status::Online),
        ],
        "cat is connected, but shares nothing with ann"
    );

    // A second socket (a phone), then the first closes: still online.
    let mut phone = Client::sign_in(&server, "bob").await;
    bob.close().await;
    // Away on the only socket left: away.
    phone
        .send_json(json!({ "type": "status", "away": true }))
        .await;
    assert_eq!(
        next_people(&mut ann).await,
        [status(bob_id.clone(), Status::Away)],
        "closing one of two sockets changed nothing; away did"
    );
    // A new socket that is in use: online again.
    let laptop = Client::sign_in(&server, "bob").await;
    assert_eq!(
        next_people(&mut ann).await,
        [status(bob_id.clone(), Status::Online)]
    );
    phone
        .send_json(json!({ "type": "status", "away": false }))
        .await;
    laptop.close().await;
    phone.close().await;
    assert_eq!(
        next_people(&mut ann).await,
        [status(bob_id.clone(), Status::Offline)],
        "offline when the last socket goes"
    );

    // More than 200 at once: refused.
    let many: Vec<UserId> = (1..=201).map(id).collect();
    ann.send_json(json!({ "type": "watch_people", "users": many }))
        .await;
    assert_eq!(ann.recv_error(ErrorCode::BadRequest).await, None);
    server.stop().await;
}

#[tokio::test]
async fn someone_who_blocked_you_is_always_offline_to_you() {
    let server = TestServer::start().await;
    let (mut ann, bob, _cat) = three(&server).await;
    let cookie = bob.cookie.clone().unwrap();
    let body = json!({ "username": "ann" }).to_string();
    let blocked = http_post(server.addr, "/api/blocks", &[("Cookie", &cookie)], &body).await;
    assert_eq!(blocked.status, 200);
    assert_eq!(
        watch(&mut ann, &[id(2)]).await,
        [status(id(2), Status::Offline)]
    );
    // And hears nothing of bob going and coming.
    bob.close().await;
    let _again = Client::sign_in(&server, "bob").await;
    let quiet = tokio::time::timeout(Duration::from_millis(800), next_people(&mut ann)).await;
    assert!(quiet.is_err(), "nothing about bob: {quiet:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_room_never_names_a_blocker_to_the_person_they_blocked() {
    let server = TestServer::start().await;
    let mut bob = Client::sign_up(&server, "bob").await;
    bob.join("general", None).await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let cookie = bob.cookie.clone().unwrap();
    let body = json!({ "username": "ann" }).to_string();
    let blocked = http_post(server.addr, "/api/blocks", &[("Cookie", &cookie)], &body).await;
    assert_eq!(blocked.status, 200);
    let joined = ann.join("general", None).await;
    let names: Vec<&str> = joined.online.iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["ann"], "bob is online, but not to ann");
    let mut cat = Client::sign_up(&server, "cat").await;
    let joined = cat.join("general", None).await;
    assert_eq!(joined.online.len(), 3, "cat sees everyone");
    // Bob goes and comes back: cat hears of it, ann does not.
    bob.close().await;
    let mut bob = Client::sign_in(&server, "bob").await;
    bob.join("general", None).await;
    let heard = |frames: &[String]| frames.iter().any(|f| f.contains(r#""bob""#));
    let mut seen = Vec::new();
    for client in [&mut ann, &mut cat] {
        let mut frames = Vec::new();
        let until = tokio::time::Instant::now() + Duration::from_millis(800);
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            let Some(frame) = client.next_frame_within(left).await else {
                break;
            };
            if let tokio_tungstenite::tungstenite::Message::Text(text) = frame
                && text.starts_with(r#"{"type":"presence""#)
            {
                frames.push(text.to_string());
            }
        }
        seen.push(heard(&frames));
    }
    assert_eq!(seen, [false, true], "ann never hears of bob; cat does");
    server.stop().await;
}
