//! Many senders at once still give one room one gapless order.

mod common;

use std::sync::Arc;

use common::{Client, TestServer, seqs};
use confab_shared::{Seq, ServerMsg};
use tokio::sync::Barrier;

const SENDERS: usize = 5;
const PER_SENDER: usize = 40;
const ROOM: &str = "busy";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_senders_get_gapless_seqs_in_order() {
    let server = TestServer::start().await;
    let mut observer = server.client("observer").await;
    assert_eq!(observer.join(ROOM, None).await.last_seq, 0);

    let mut senders = Vec::new();
    for i in 0..SENDERS {
        let mut sender = server.client(&format!("sender{i}")).await;
        sender.join(ROOM, None).await;
        senders.push(sender);
    }

    let start = Arc::new(Barrier::new(SENDERS));
    let tasks: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(i, sender)| tokio::spawn(send_burst(i, sender, Arc::clone(&start))))
        .collect();

    let mut received = Vec::new();
    while received.len() < SENDERS * PER_SENDER {
        received.push(observer.next_message().await);
    }
    let expected: Vec<Seq> = (1..=(SENDERS * PER_SENDER) as Seq).collect();
    assert_eq!(
        seqs(&received),
        expected,
        "one gapless order, delivered in it"
    );

    for i in 0..SENDERS {
        let author = format!("sender{i}");
        let bodies: Vec<&str> = received
            .iter()
            .filter(|m| m.author.as_str() == author)
            .map(|m| m.body.as_str())
            .collect();
        let sent: Vec<String> = (0..PER_SENDER).map(|n| body(i, n)).collect();
        assert_eq!(
            bodies, sent,
            "{author}'s messages keep the order it sent them in"
        );
    }

    for (i, task) in tasks.into_iter().enumerate() {
        let acked = task.await.expect("sender task");
        let ids: Vec<&str> = acked.iter().map(|(id, _)| id.as_str()).collect();
        let sent: Vec<String> = (0..PER_SENDER).map(|n| client_id(i, n)).collect();
        assert_eq!(ids, sent, "sender{i}'s acks come in its send order");
        assert!(
            acked.windows(2).all(|w| w[0].1 < w[1].1),
            "sender{i}'s seqs increase in its send order: {acked:?}"
        );
    }
    server.stop().await;
}

fn client_id(sender: usize, n: usize) -> String {
    format!("s{sender}-{n}")
}

fn body(sender: usize, n: usize) -> String {
    format!("sender{sender} message {n}")
}

/// Sends every message without waiting, then collects the acks (client id and seq)
/// in the order they arrive.
async fn send_burst(i: usize, mut sender: Client, start: Arc<Barrier>) -> Vec<(String, Seq)> {
    start.wait().await;
    for n in 0..PER_SENDER {
        sender.send_chat(ROOM, &client_id(i, n), &body(i, n)).await;
    }
    let mut acked = Vec::new();
    while acked.len() < PER_SENDER {
        match sender.recv().await {
            ServerMsg::Ack { client_id, seq, .. } => acked.push((client_id.into(), seq)),
            ServerMsg::Event(_) | ServerMsg::Presence { .. } => {}
            other => panic!("sender{i}: unexpected {other:?}"),
        }
    }
    acked
}
