//! `history` pages backwards through a room.

mod common;

use common::{Client, TestServer, seqs};
use confab_shared::{ErrorCode, Seq};

const ROOM: &str = "archive";

/// A server whose room holds 120 messages, and a client that has joined it.
async fn room_with_120_messages() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let mut client = server.client("reader").await;
    let joined = client.join(ROOM, None).await;
    assert_eq!(joined.last_seq, 0);
    for n in 1..=120 {
        client
            .send_chat(ROOM, &format!("m{n}"), &format!("message {n}"))
            .await;
    }
    assert_eq!(client.recv_ack("m120").await.0, 120);
    (server, client)
}

fn range(from: Seq, to: Seq) -> Vec<Seq> {
    (from..=to).collect()
}

#[tokio::test]
async fn history_pages_back_to_the_first_message() {
    let (server, mut client) = room_with_120_messages().await;

    let (page, has_more) = client.history(ROOM, Some(71), 30).await;
    assert_eq!(seqs(&page), range(41, 70));
    assert!(has_more);
    assert!(
        page.iter()
            .all(|m| m.body.as_str() == format!("message {}", m.seq))
    );

    let mut before = 41;
    let mut pages = 1;
    loop {
        let (page, has_more) = client.history(ROOM, Some(before), 30).await;
        pages += 1;
        let first = page.first().expect("a page before 41 is never empty").seq;
        assert_eq!(
            seqs(&page),
            range(first, before - 1),
            "contiguous, oldest first"
        );
        before = first;
        if !has_more {
            break;
        }
        assert!(pages < 10, "paging never ends");
    }
    assert_eq!(before, 1, "the last page reaches the first message");
    assert_eq!(pages, 3, "seqs 1..=70 take three pages of at most 30");

    server.stop().await;
}

#[tokio::test]
async fn history_has_more_is_exact_at_the_boundary() {
    let (server, mut client) = room_with_120_messages().await;

    let (page, has_more) = client.history(ROOM, Some(31), 30).await;
    assert_eq!(seqs(&page), range(1, 30));
    assert!(!has_more, "nothing is older than seq 1");

    let (page, has_more) = client.history(ROOM, Some(32), 30).await;
    assert_eq!(seqs(&page), range(2, 31));
    assert!(has_more, "seq 1 is still older");

    let (page, has_more) = client.history(ROOM, None, 5).await;
    assert_eq!(seqs(&page), range(116, 120), "without before: the newest");
    assert!(has_more);

    server.stop().await;
}

#[tokio::test]
async fn history_limit_must_be_1_to_100() {
    let (server, mut client) = room_with_120_messages().await;

    for limit in [101, 0] {
        client
            .send_json(serde_json::json!({
                "type": "history", "room": ROOM, "before": 71, "limit": limit
            }))
            .await;
        client.recv_error(ErrorCode::BadRequest).await;
    }

    let (page, has_more) = client.history(ROOM, None, 100).await;
    assert_eq!(
        seqs(&page),
        range(21, 120),
        "the socket still works at the maximum"
    );
    assert!(has_more);

    server.stop().await;
}
