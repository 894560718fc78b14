//! `join` replays: exactly what a returning client missed, or the latest 50.

mod common;

use common::{Client, TestServer, seqs, user};
use confab_shared::{Seq, ServerMsg};

const ROOM: &str = "resume";

/// Sends `count` messages without waiting, then waits for the last one's ack.
async fn send_many(client: &mut Client, prefix: &str, count: usize) {
    for n in 0..count {
        client
            .send_chat(ROOM, &format!("{prefix}-{n}"), &format!("{prefix} {n}"))
            .await;
    }
    client.recv_ack(&format!("{prefix}-{}", count - 1)).await;
}

#[tokio::test]
async fn join_after_replays_exactly_the_missed_messages() {
    let server = TestServer::start().await;
    let mut writer = server.client("writer").await;
    writer.join(ROOM, None).await;

    let mut reader = server.client("reader").await;
    reader.join(ROOM, None).await;
    send_many(&mut writer, "first", 5).await;
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.push(reader.recv_message().await);
    }
    assert_eq!(seqs(&seen), [1, 2, 3, 4, 5]);
    let last_seen = 5;
    reader.close().await;

    send_many(&mut writer, "missed", 7).await;

    let mut reader = server.client("reader").await;
    reader.send_join(ROOM, Some(last_seen)).await;
    match reader.recv().await {
        ServerMsg::Joined {
            last_seq,
            online,
            truncated,
            messages,
            ..
        } => {
            assert_eq!(last_seq, 12);
            assert!(!truncated, "7 events fit in one replay");
            assert_eq!(messages, None, "a resume replays events, no snapshot");
            assert_eq!(online, [user("reader"), user("writer")]);
        }
        other => panic!("expected joined, got {other:?}"),
    }
    let mut replay = Vec::new();
    for _ in 0..7 {
        replay.push(reader.recv_message().await);
    }
    assert_eq!(seqs(&replay), (6..=12).collect::<Vec<Seq>>());
    assert!(
        replay.iter().all(|m| m.body.as_str().starts_with("missed")),
        "the replay holds the missed messages: {replay:?}"
    );

    // Live messages follow, with nothing repeated and nothing skipped.
    writer.send_acked(ROOM, "live-0", "live").await;
    let live = reader.recv_message().await;
    assert_eq!(live.seq, 13);
    assert_eq!(live.client_id.as_str(), "live-0");

    server.stop().await;
}

/// A resume while another client is sending: the replay and the live stream meet
/// with no gap and no duplicate, wherever the join falls among the sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_during_live_traffic_has_no_gap_or_duplicate() {
    const LIVE: usize = 200;
    let server = TestServer::start().await;
    let mut writer = server.client("writer").await;
    writer.join(ROOM, None).await;
    send_many(&mut writer, "before", 10).await;

    let sending = tokio::spawn(async move {
        send_many(&mut writer, "during", LIVE).await;
        writer
    });

    let mut reader = server.client("reader").await;
    let joined = reader.join(ROOM, Some(3)).await;
    assert!(!joined.truncated);
    let mut seen = joined.replay;
    let total = (10 + LIVE) as Seq;
    while seen.last().map_or(3, |m| m.seq) < total {
        seen.push(reader.recv_message().await);
    }
    assert_eq!(
        seqs(&seen),
        (4..=total).collect::<Vec<Seq>>(),
        "replay then live, each seq exactly once"
    );

    let mut writer = sending.await.expect("writer task");
    writer.send_acked(ROOM, "last", "last").await;
    assert_eq!(reader.recv_message().await.seq, total + 1);
    server.stop().await;
}

#[tokio::test]
async fn join_without_after_brings_a_snapshot_of_the_latest_50() {
    let server = TestServer::start().await;
    let mut writer = server.client("writer").await;
    writer.join(ROOM, None).await;
    send_many(&mut writer, "old", 60).await;

    let mut reader = server.client("reader").await;
    reader.send_join(ROOM, None).await;
    match reader.recv().await {
        ServerMsg::Joined {
            last_seq,
            truncated,
            messages,
            has_more,
            ..
        } => {
            assert_eq!(last_seq, 60);
            assert!(!truncated, "only a resume is ever truncated");
            let messages = messages.expect("a join without after carries a snapshot");
            assert_eq!(seqs(&messages), (11..=60).collect::<Vec<Seq>>());
            assert!(has_more, "messages 1-10 are older");
        }
        other => panic!("expected joined, got {other:?}"),
    }

    // Nothing more was replayed: the next frame is the next live message.
    writer.send_acked(ROOM, "new", "new").await;
    assert_eq!(reader.recv_message().await.seq, 61);
    server.stop().await;
}
