//! One `client_id` sent at the same moment on two sockets of the same person (two
//! tabs resending the same message) is stored once: both sockets get the same ack,
//! and everyone sees one message.

mod common;

use common::{Client, TestServer, seqs};
use confab_shared::{ChatMessage, EventKind, RoomEvent, Seq, ServerMsg};

const ROOM: &str = "general";
/// Rounds of simultaneous copies: sometimes both copies land in one write batch,
/// sometimes in two, so both ways a duplicate is found get exercised.
const ROUNDS: u64 = 20;

/// Reads until the ack for `client_id`; keeps the messages read on the way (the
/// round's own message, at most).
async fn until_ack(
    client: &mut Client,
    client_id: &str,
    seen: &mut Vec<ChatMessage>,
) -> (Seq, i64) {
    for _ in 0..2 {
        match client.recv().await {
            ServerMsg::Ack {
                client_id: acked,
                seq,
                id,
                ..
            } => {
                assert_eq!(acked.as_str(), client_id, "{}: acks in order", client.name);
                return (seq, id);
            }
            ServerMsg::Event(
                event @ RoomEvent {
                    kind: EventKind::Message(_),
                    ..
                },
            ) => seen.extend(event.into_message()),
            other => panic!("{}: unexpected {other:?}", client.name),
        }
    }
    panic!(
        "{}: more than one message before the ack of {client_id}",
        client.name
    );
}

/// Reads messages up to and including the one with `client_id` "end".
async fn until_end(client: &mut Client, seen: &mut Vec<ChatMessage>) {
    while seen.last().map(|m| m.client_id.as_str()) != Some("end") {
        assert!(
            seen.len() <= ROUNDS as usize,
            "{}: too many messages",
            client.name
        );
        seen.push(client.next_message().await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_id_on_two_sockets_at_once_is_stored_once() {
    let server = TestServer::start().await;
    let mut observer = server.client("observer").await;
    observer.join(ROOM, None).await;
    let mut tab1 = server.client("alice").await;
    tab1.join(ROOM, None).await;
    let mut tab2 = server.client("alice").await;
    tab2.join(ROOM, None).await;

    let (mut seen1, mut seen2) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let client_id = format!("dup-{round}");
        let body = format!("round {round}");
        tokio::join!(
            tab1.send_chat(ROOM, &client_id, &body),
            tab2.send_chat(ROOM, &client_id, &body)
        );
        let (ack1, ack2) = tokio::join!(
            until_ack(&mut tab1, &client_id, &mut seen1),
            until_ack(&mut tab2, &client_id, &mut seen2)
        );
        assert_eq!(ack1, ack2, "{client_id}: the same ack on both sockets");
        assert_eq!(ack1.0, round + 1, "{client_id}: one seq per round");
    }

    observer.send_chat(ROOM, "end", "end").await;
    let mut seen_by_observer = Vec::new();
    until_end(&mut observer, &mut seen_by_observer).await;
    observer.recv_ack("end").await;
    until_end(&mut tab1, &mut seen1).await;
    until_end(&mut tab2, &mut seen2).await;

    let expected: Vec<Seq> = (1..=ROUNDS + 1).collect();
    for (who, seen) in [
        ("observer", &seen_by_observer),
        ("tab 1", &seen1),
        ("tab 2", &seen2),
    ] {
        assert_eq!(seqs(seen), expected, "{who}: each message once");
        for (round, message) in seen.iter().take(ROUNDS as usize).enumerate() {
            assert_eq!(message.client_id.as_str(), format!("dup-{round}"), "{who}");
            assert_eq!(message.author.as_str(), "alice", "{who}");
        }
    }
    assert_eq!(seen1, seen_by_observer, "everyone saw the same messages");
    assert_eq!(seen2, seen_by_observer, "everyone saw the same messages");

    // And that is what was stored.
    let mut late = server.client("late").await;
    assert_eq!(late.join(ROOM, Some(0)).await.replay, seen_by_observer);
    server.stop().await;
}
