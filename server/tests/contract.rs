//! The public contract (docs/protocol.md), tried from outside over a socket to the real
//! server, one rule a test. The documented numbers are written here as numbers. (256
//! pipelined sends at the default settings: pipelining.rs.)

mod common;

use common::{Client, TestServer, seqs, user};
use confab_shared::{ErrorCode, ServerMsg};
use serde_json::json;

/// Sends `ping` and reads up to its `pong`, returning every other frame before it.
/// The server answers frames in order, so whatever it had queued for this connection
/// before the ping arrived comes first.
async fn frames_before_pong(client: &mut Client) -> Vec<ServerMsg> {
    client.send_json(json!({"type": "ping"})).await;
    let mut before = Vec::new();
    loop {
        match client.recv().await {
            ServerMsg::Pong => return before,
            other => before.push(other),
        }
    }
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let server = TestServer::start().await;
    let mut client = server.client("ann").await;
    assert!(frames_before_pong(&mut client).await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn leave_stops_the_room_and_a_second_leave_is_not_joined() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    ann.join("general", None).await;
    bob.join("general", None).await;

    ann.send_json(json!({"type": "leave", "room": "general"}))
        .await;
    // Nothing answers a leave; a ping shows it was taken before what follows.
    assert!(frames_before_pong(&mut ann).await.is_empty());
    bob.send_acked("general", "b1", "after ann left").await;
    // Bob's message was broadcast before his ack: had ann still been a member, it
    // would be queued for her ahead of her pong.
    assert!(
        frames_before_pong(&mut ann)
            .await
            .iter()
            .all(|f| !matches!(f, ServerMsg::Event(_))),
        "no events from a room left"
    );

    ann.send_json(json!({"type": "leave", "room": "general"}))
        .await;
    ann.recv_error(ErrorCode::NotJoined).await;
    ann.send_chat("general", "a1", "not a member").await;
    assert_eq!(
        ann.recv_error(ErrorCode::NotJoined).await.as_deref(),
        Some("a1")
    );
    server.stop().await;
}

#[tokio::test]
async fn joining_a_joined_room_is_a_resume() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    ann.join("general", None).await;
    bob.join("general", None).await;
    for i in 1..=3 {
        bob.send_acked("general", &format!("b{i}"), &format!("m{i}"))
            .await;
    }
    for seq in 1..=3 {
        assert_eq!(ann.next_message().await.seq, seq);
    }

    let again = ann.join("general", Some(1)).await;
    assert!(!again.snapshot && !again.truncated);
    assert_eq!(again.last_seq, 3);
    assert_eq!(seqs(&again.replay), [2, 3], "replayed after 1 again");
    // Still a member once, live: the next message comes once.
    bob.send_acked("general", "b4", "m4").await;
    assert_eq!(ann.next_message().await.seq, 4);
    let before = frames_before_pong(&mut ann).await;
    assert!(
        before.iter().all(|f| !matches!(f, ServerMsg::Event(_))),
        "no second copy: {before:?}"
    );
    server.stop().await;
}

/// Rooms with more than 100 people get counts only; when one shrinks back to 100,
/// the next presence frame carries the whole list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_counts_past_100_people_and_lists_them_again_at_100() {
    let server = TestServer::start().await;
    let mut watcher = server.client("watcher").await;
    watcher.join("crowd", None).await;
    let mut crowd = Vec::new();
    for i in 0..100 {
        let mut member = server.client(&format!("p{i:03}")).await;
        member.join("crowd", None).await;
        crowd.push(member);
    }
    // 101 people: the newest member's joined has the count and no names.
    let mut last = server.client("last").await;
    let joined = last.join("crowd", None).await;
    assert!(joined.online.is_empty(), "no names past 100");
    let counted = watcher
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Presence {
                    online_count: 102,
                    ..
                }
            )
        })
        .await;
    match counted {
        ServerMsg::Presence {
            joined,
            left,
            online,
            ..
        } => assert!(joined.is_empty() && left.is_empty() && online.is_none()),
        _ => unreachable!("recv_until returned a frame it was not asked for"),
    }

    // Two leave: 100 people, listed in full.
    last.close().await;
    crowd.pop().expect("a member").close().await;
    let listed = watcher
        .recv_until(|m| {
            matches!(
                m,
                ServerMsg::Presence {
                    online_count: 100,
                    ..
                }
            )
        })
        .await;
    match listed {
        ServerMsg::Presence { online, .. } => {
            let online = online.expect("the whole list, replacing the count");
            assert_eq!(online.len(), 100);
            assert!(online.contains(&user("watcher")));
            assert!(!online.contains(&user("last")) && !online.contains(&user("p099")));
        }
        _ => unreachable!("recv_until returned a frame it was not asked for"),
    }
    for member in crowd {
        member.close().await;
    }
    server.stop().await;
}

/// A server restarted on a replaced database announces another epoch, and seqs start
/// over.
#[tokio::test]
async fn a_replaced_database_has_another_epoch() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    ann.send_acked("general", "a1", "before").await;
    let before = server.epoch();
    drop(ann);

    let server = server.restart_on_a_new_database().await;
    let mut ann = Client::connect_raw(&server, "ann").await;
    match ann.recv().await {
        ServerMsg::Welcome { epoch, .. } => assert_ne!(epoch, before, "a new history"),
        other => panic!("expected welcome, got {other:?}"),
    }
    let joined = ann.join("general", None).await;
    assert_eq!((joined.last_seq, joined.replay.len()), (0, 0));
    // The client id of the old history is new here.
    assert_eq!(ann.send_acked("general", "a1", "after").await.0, 1);
    server.stop().await;
}

/// docs/protocol.md: frames from clients are at most 16 KiB; one byte more closes the
/// socket with 1009.
#[tokio::test]
async fn a_frame_one_byte_over_16_kib_is_closed_with_1009() {
    let server = TestServer::start().await;
    let mut at_limit = server.client("ann").await;
    at_limit.send_text("x".repeat(16 * 1024)).await;
    at_limit.recv_error(ErrorCode::BadRequest).await;

    let mut over = server.client("bob").await;
    over.send_text("x".repeat(16 * 1024 + 1)).await;
    assert_eq!(over.recv_close().await, 1009);
    server.stop().await;
}
