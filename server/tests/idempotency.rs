//! Resending a `client_id` stores the message once and acknowledges every copy.

mod common;

use common::{Client, TestServer};
use confab_shared::ServerMsg;

const ROOM: &str = "general";

/// Reads frames until `acks` acks have come; returns the acks' (seq, id) and how
/// many `message` frames came with them.
async fn collect_acks(client: &mut Client, acks: usize) -> (Vec<(u64, i64)>, usize) {
    let mut got = Vec::new();
    let mut messages = 0;
    while got.len() < acks {
        match client.recv().await {
            ServerMsg::Ack {
                client_id, seq, id, ..
            } => {
                assert_eq!(client_id.as_str(), "dup-1");
                got.push((seq, id));
            }
            ServerMsg::Event(_) => messages += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    (got, messages)
}

/// The observer saw `dup-1` once: its next message after that is `then`.
async fn assert_stored_once(observer: &mut Client, alice: &mut Client, seq: u64, id: i64) {
    let first = observer.next_message().await;
    assert_eq!((first.seq, first.id), (seq, id));
    assert_eq!(first.client_id.as_str(), "dup-1");
    assert_eq!(first.body.as_str(), "once");

    let (then, _) = alice.send_acked(ROOM, "then", "then").await;
    let next = observer.next_message().await;
    assert_eq!(next.client_id.as_str(), "then", "no second copy of dup-1");
    assert_eq!(next.seq, then);
    assert_eq!(then, seq + 1, "the copies used up no seqs");
}

#[tokio::test]
async fn a_burst_of_resends_is_stored_once() {
    let server = TestServer::start().await;
    let mut observer = server.client("observer").await;
    observer.join(ROOM, None).await;
    let mut alice = server.client("alice").await;
    alice.join(ROOM, None).await;

    for _ in 0..3 {
        alice.send_chat(ROOM, "dup-1", "once").await;
    }
    let (acks, messages) = collect_acks(&mut alice, 3).await;
    assert_eq!(messages, 1, "the sender sees its message once too");
    assert!(
        acks.iter().all(|ack| *ack == acks[0]),
        "identical acks: {acks:?}"
    );
    assert_eq!(acks[0].0, 1);

    assert_stored_once(&mut observer, &mut alice, acks[0].0, acks[0].1).await;
    server.stop().await;
}

#[tokio::test]
async fn resends_after_the_ack_are_stored_once() {
    let server = TestServer::start().await;
    let mut observer = server.client("observer").await;
    observer.join(ROOM, None).await;
    let mut alice = server.client("alice").await;
    alice.join(ROOM, None).await;

    let mut acks = Vec::new();
    for _ in 0..3 {
        // Each copy goes alone, so the store sees it after the first was committed.
        acks.push(alice.send_acked(ROOM, "dup-1", "once").await);
    }
    assert!(
        acks.iter().all(|ack| *ack == acks[0]),
        "identical acks: {acks:?}"
    );

    assert_stored_once(&mut observer, &mut alice, acks[0].0, acks[0].1).await;
    server.stop().await;
}

#[tokio::test]
async fn client_ids_are_per_author() {
    let server = TestServer::start().await;
    let mut alice = server.client("alice").await;
    alice.join(ROOM, None).await;
    let mut bob = server.client("bob").await;
    bob.join(ROOM, None).await;

    let (alice_seq, alice_id) = alice.send_acked(ROOM, "dup-1", "from alice").await;
    let (bob_seq, bob_id) = bob.send_acked(ROOM, "dup-1", "from bob").await;
    assert_eq!((alice_seq, bob_seq), (1, 2), "two people, two messages");
    assert_ne!(alice_id, bob_id);
    server.stop().await;
}
