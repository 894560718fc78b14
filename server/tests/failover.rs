//! A node killed with SIGKILL in the middle of a burst: its clients go to another
//! node (through a small failover forwarder standing in for the load balancer),
//! which resumes them from the shared PostgreSQL database. Nothing acknowledged is
//! lost, nothing is stored twice, every room stays in one order.
//!
//! Two `confab` processes on one PostgreSQL database, hearing each other through
//! Redis. 12 clients send 60 messages each over 3 rooms (client c to room c mod 3),
//! each also reading the next room; half connect through the forwarder (to the node
//! that is killed while it is there), half straight to the other node.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::process::{ServerProcess, free_port};
use common::resilient::{self, Plan};
use common::{Socket, TIMEOUT, try_connect};
use confab_shared::{Seq, ServerMsg};
use confab_testkit::{Redis, postgres};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

const CLIENTS: usize = 12;
const PER_CLIENT: usize = 60;
const ROOMS: usize = 3;
const PER_ROOM: Seq = (CLIENTS * PER_CLIENT / ROOMS) as Seq;
const DEADLINE: Duration = Duration::from_secs(90);

fn plan(client: usize) -> Plan {
    Plan::spread(client, ROOMS, PER_CLIENT, PER_ROOM, 4, DEADLINE)
}

/// Two `confab` processes on one new database and one Redis (kept while they run).
async fn two_nodes() -> (ServerProcess, ServerProcess, Redis, tempfile::TempDir) {
    let redis = Redis::start();
    let database = postgres().database();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let flags = ["--database", &database, "--redis", &redis.url()];
    let first = ServerProcess::start_with(dir.path(), free_port(), &flags).await;
    let second = ServerProcess::start_with(dir.path(), free_port(), &flags).await;
    (first, second, redis, dir)
}

/// Forwards each connection to the first of `targets` that takes it: a load
/// balancer that sends a dead node's clients to the next.
async fn forward(listener: TcpListener, targets: Vec<SocketAddr>) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        let targets = targets.clone();
        tokio::spawn(async move {
            for target in targets {
                if let Ok(mut server) = TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    return;
                }
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_mid_burst_loses_nothing_its_clients_resume_on_another() {
    let (doomed, survivor, _redis, _dir) = two_nodes().await;

    let balancer = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the forwarder");
    let front = balancer.local_addr().expect("the forwarder's address");
    tokio::spawn(forward(balancer, vec![doomed.addr, survivor.addr]));

    let progress = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let base = if c % 2 == 0 {
                format!("ws://{front}/ws")
            } else {
                survivor.ws_base()
            };
            tokio::spawn(resilient::run(plan(c), base, Arc::clone(&progress)))
        })
        .collect();

    // Half of everything acknowledged, then the first node dies at once.
    let started = Instant::now();
    while progress.load(Ordering::Relaxed) < CLIENTS * PER_CLIENT / 2 {
        assert!(started.elapsed() < DEADLINE, "no progress before the kill");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    doomed.kill().await;

    let mut moved = 0;
    let mut acks = std::collections::HashMap::new();
    let mut views: Vec<(String, Vec<(Seq, String)>)> = Vec::new();
    for client in clients {
        let report = client.await.expect("a client task");
        if report.connections > 1 {
            moved += 1;
        }
        for (outgoing, (seq, _)) in report.plan.outgoing.iter().zip(&report.acks) {
            acks.insert(outgoing.client_id.clone(), (outgoing.room.clone(), *seq));
        }
        for (name, view) in &report.rooms {
            assert!(
                view.duplicates.is_empty(),
                "{}: doubled {:?}",
                report.name,
                view.duplicates
            );
            let seqs: Vec<Seq> = view.messages.keys().copied().collect();
            let expected: Vec<Seq> = (1..=PER_ROOM).collect();
            assert_eq!(seqs, expected, "{} has all of {name}, once", report.name);
            views.push((
                name.clone(),
                view.messages
                    .values()
                    .map(|m| (m.seq, m.client_id.to_string()))
                    .collect(),
            ));
        }
    }
    assert_eq!(
        acks.len(),
        CLIENTS * PER_CLIENT,
        "every message acknowledged"
    );
    assert!(moved > 0, "the killed node's clients went to the other");
    // Every room the same for everyone, and each ack names where its message is.
    for (room, view) in &views {
        let first = &views.iter().find(|(r, _)| r == room).expect("a room").1;
        assert_eq!(view, first, "{room} the same for every reader");
        for (seq, client_id) in view {
            assert_eq!(
                acks.get(client_id),
                Some(&(room.clone(), *seq)),
                "{client_id}"
            );
        }
    }
    drop(survivor);
}

/// A guest in `lobby` on the node at `base`; gives its socket once it has joined.
async fn in_lobby(base: &str, name: &str) -> Socket {
    let mut socket = try_connect(&format!("{base}?v=2&name={name}"))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    // Whoever comes first makes the room; the other is told it exists.
    for frame in [
        r#"{"type":"create_room","room":"lobby"}"#,
        r#"{"type":"join","room":"lobby"}"#,
    ] {
        socket.send(Message::text(frame)).await.expect("send");
    }
    socket
}

/// Reads `socket` until a frame `wanted` takes, failing after [`TIMEOUT`].
async fn until(socket: &mut Socket, what: &str, wanted: impl Fn(&ServerMsg) -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {what} within {TIMEOUT:?}"));
        if let Some(Ok(Message::Text(text))) = frame
            && let Ok(msg) = serde_json::from_str::<ServerMsg>(text.as_str())
            && wanted(&msg)
        {
            return;
        }
    }
}

fn names(list: &[confab_shared::UserName], name: &str) -> bool {
    list.iter().any(|n| n.as_str() == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_people_go_offline_on_the_other_nodes() {
    let (doomed, survivor, _redis, _dir) = two_nodes().await;

    let mut watcher = in_lobby(&survivor.ws_base(), "watcher").await;
    let _stayer = in_lobby(&doomed.ws_base(), "stayer").await;
    until(&mut watcher, "stayer online", |m| match m {
        ServerMsg::Joined { online, .. } => names(online, "stayer"),
        ServerMsg::Presence { joined, .. } => names(joined, "stayer"),
        _ => false,
    })
    .await;
    // Killed: it says nothing more, and the others take its people offline.
    doomed.kill().await;
    until(
        &mut watcher,
        "stayer offline",
        |m| matches!(m, ServerMsg::Presence { left, .. } if names(left, "stayer")),
    )
    .await;
}
