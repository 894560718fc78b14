//! A client may pipeline sends (write many before reading any ack): the server bounds
//! how many it takes in at once and slows the client down through TCP, instead of
//! letting the client's own acks and echoes overflow its queue and closing it as a
//! slow reader.

mod common;

use common::{TestServer, try_connect};
use confab_server::Settings;
use confab_shared::{EventKind, RoomEvent, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Far more than the sequencer's largest batch (512) and the queue.
const SENDS: u64 = 5_000;

/// A small queue, so that one batch's acks and echoes would overflow it many times
/// over if the server took in every send it could read.
const QUEUE: usize = 64;

/// Joins a room and writes `sends` sends without waiting for anything, reading
/// alongside; returns the acks (client id, seq) and the seqs of the echoed messages,
/// each in the order they came. Fails if the server closes the socket or refuses one.
async fn pipeline(server: &TestServer, sends: u64) -> (Vec<(String, u64)>, Vec<u64>) {
    let socket = try_connect(&server.ws_url("?v=2&name=bot"))
        .await
        .expect("connects");
    let (mut write, mut read) = socket.split();
    write
        .send(Message::text(
            json!({"type": "join", "room": "general"}).to_string(),
        ))
        .await
        .expect("join sent");

    let writer = tokio::spawn(async move {
        for i in 1..=sends {
            let frame = json!({"type": "send", "room": "general", "client_id": format!("p{i}"), "body": format!("m{i}")});
            write.feed(Message::text(frame.to_string())).await?;
        }
        write.flush().await?;
        Ok::<_, tokio_tungstenite::tungstenite::Error>(write)
    });

    let (mut acks, mut echoes) = (Vec::new(), Vec::new());
    while acks.len() < sends as usize || echoes.len() < sends as usize {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(30), read.next())
            .await
            .expect("the server keeps answering")
            .expect("the socket stays open")
            .expect("no socket error");
        let text = match frame {
            Message::Text(text) => text,
            Message::Close(close) => panic!("closed after {} acks: {close:?}", acks.len()),
            _ => continue,
        };
        match serde_json::from_str::<ServerMsg>(text.as_str()).expect("a server message") {
            ServerMsg::Ack { client_id, seq, .. } => acks.push((client_id.to_string(), seq)),
            ServerMsg::Event(RoomEvent {
                seq,
                kind: EventKind::Message(_),
                ..
            }) => echoes.push(seq),
            ServerMsg::Error { message, .. } => panic!("refused: {message}"),
            _ => {}
        }
    }
    let _write_half = writer
        .await
        .expect("writer task")
        .expect("all sends written");
    (acks, echoes)
}

/// Every send acknowledged once, in the order sent, with gapless seqs, and echoed.
fn assert_all_in_order(acks: &[(String, u64)], echoes: &[u64], sends: u64) {
    let expected: Vec<(String, u64)> = (1..=sends).map(|i| (format!("p{i}"), i)).collect();
    assert_eq!(acks, expected);
    assert_eq!(echoes, (1..=sends).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_pipelined_sends_is_stored_in_order_without_a_close() {
    let settings = Settings {
        queue_capacity: QUEUE,
        ..Settings::default()
    };
    let server = TestServer::start_with(settings).await;
    let (acks, echoes) = pipeline(&server, SENDS).await;
    assert_all_in_order(&acks, &echoes, SENDS);
    server.stop().await;
}

/// docs/protocol.md: a client may write 256 sends before reading any ack; at the
/// default settings all are stored, in order, and the socket stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_fifty_six_pipelined_sends_at_the_default_settings() {
    let server = TestServer::start_with(Settings::default()).await;
    let (acks, echoes) = pipeline(&server, 256).await;
    assert_all_in_order(&acks, &echoes, 256);
    server.stop().await;
}
