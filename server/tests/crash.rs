//! `kill -9` in the middle of a burst: nothing acknowledged is lost, nothing is stored
//! twice, nothing is reordered, and every client ends up with exactly the rooms'
//! histories, when clients reconnect and resend as docs/protocol.md says.
//!
//! The server is the real `confab` binary. 50 clients send 200 messages each, 10
//! clients per room over 5 rooms (client c sends to room c mod 5, so each room gets
//! 2000), pipelined with at most 8 unacknowledged at a time. Each client also joins the
//! next room and only reads it, so every connection has two rooms to resume. When
//! half of all messages are acknowledged the server is killed with SIGKILL and started
//! again on the same port and database. The clients (`common::resilient`) reconnect,
//! resume each room after the highest seq they saw, resend what was not acknowledged
//! and carry on. Then the SQLite file is read directly (also as the kill left it) and
//! compared with every ack and every client's view.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::process::{ServerProcess, free_port};
use common::resilient::{self, Plan, Report};
use confab_shared::{ChatMessage, ClientId, MessageBody, RoomName, Seq, UserId, UserName};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

const CLIENTS: usize = 50;
const PER_CLIENT: usize = 200;
const ROOMS: usize = 5;
const WINDOW: usize = 8;
const TOTAL: usize = CLIENTS * PER_CLIENT;
const PER_ROOM: Seq = (TOTAL / ROOMS) as Seq;
/// For the whole exchange, kill and restart included.
const DEADLINE: Duration = Duration::from_secs(90);

fn plan(client: usize) -> Plan {
    Plan::spread(client, ROOMS, PER_CLIENT, PER_ROOM, WINDOW, DEADLINE)
}

/// Every stored message, read straight from the SQLite file, by id.
async fn stored_messages(db: &Path) -> Vec<ChatMessage> {
    let options = SqliteConnectOptions::new().filename(db);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the database file");
    let rows = sqlx::query(
        "SELECT r.name, m.seq, m.id, m.client_id, m.author, m.author_id, m.body, m.ts
         FROM messages m JOIN rooms r ON r.id = m.room_id ORDER BY m.id",
    )
    .fetch_all(&pool)
    .await
    .expect("read the messages");
    pool.close().await;
    rows.iter()
        .map(|row| ChatMessage {
            room: RoomName::new(row.get::<String, _>(0)).expect("room"),
            seq: Seq::try_from(row.get::<i64, _>(1)).expect("seq"),
            id: row.get(2),
            client_id: ClientId::new(row.get::<String, _>(3)).expect("client_id"),
            author: UserName::new(row.get::<String, _>(4)).expect("author"),
            author_id: UserId::new(row.get::<String, _>(5)).expect("author_id"),
            body: MessageBody::new(row.get::<String, _>(6)).expect("body"),
            ts: row.get(7),
            edited_at: None,
            reactions: Vec::new(),
            thread: None,
        })
        .collect()
}

/// The messages in the database as the killed server left it: a copy of its files
/// (the database and its write-ahead log) is opened, so that the restarted server
/// recovers the original itself.
async fn stored_at_kill(dir: &Path) -> Vec<ChatMessage> {
    let copy = dir.join("at-kill");
    std::fs::create_dir(&copy).expect("a folder for the copy");
    for file in ["confab.db", "confab.db-wal"] {
        if dir.join(file).exists() {
            std::fs::copy(dir.join(file), copy.join(file)).expect("copy the database");
        }
    }
    stored_messages(&copy.join("confab.db")).await
}

/// The client's report, or its panic.
async fn finish(client: JoinHandle<Report>) -> Report {
    timeout(DEADLINE, common::finish(client))
        .await
        .unwrap_or_else(|_| panic!("a client did not finish within {DEADLINE:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_burst_loses_doubles_and_reorders_nothing() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let server = ServerProcess::start(dir.path(), port).await;
    let progress = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let run = resilient::run(plan(c), server.ws_base(), Arc::clone(&progress));
            tokio::spawn(run)
        })
        .collect();

    // Mid-burst: as soon as half of all messages are acknowledged.
    while progress.load(Ordering::Relaxed) < TOTAL / 2 {
        assert!(
            started.elapsed() < DEADLINE,
            "only {} of {TOTAL} acknowledged",
            progress.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let kill = Instant::now();
    server.kill().await;
    let killed_at = started.elapsed();
    let at_kill = stored_at_kill(dir.path()).await;
    let server = ServerProcess::start(dir.path(), port).await;
    let back_at = started.elapsed();

    let mut reports = Vec::new();
    for client in clients {
        reports.push(finish(client).await);
    }
    let finished_at = started.elapsed();
    let status = server.terminate().await;
    assert!(
        status.success(),
        "the restarted server stops cleanly: {status}"
    );
    let stored = stored_messages(&dir.path().join("confab.db")).await;

    // Everything acknowledged before the kill was in the file when the process died.
    let stored_before: HashMap<(&str, &str), &ChatMessage> = at_kill
        .iter()
        .map(|m| ((m.author.as_str(), m.client_id.as_str()), m))
        .collect();
    let mut acked_by_kill = 0;
    for report in &reports {
        for (n, out) in report.plan.outgoing.iter().enumerate() {
            if report.acked_at[n] < kill {
                acked_by_kill += 1;
                let key = (report.name.as_str(), out.client_id.as_str());
                let row = stored_before
                    .get(&key)
                    .unwrap_or_else(|| panic!("{key:?} was acked before the kill but not on disk"));
                assert_eq!((row.seq, row.id), report.acks[n], "{key:?}");
            }
        }
    }
    let stored_unacked = at_kill.len() - acked_by_kill;

    let resent: usize = reports.iter().map(|r| r.resent).sum();
    let connections: usize = reports.iter().map(|r| r.connections).sum();
    let closes: Vec<u16> = reports.iter().flat_map(|r| r.close_codes.clone()).collect();
    let figures = format!(
        "SIGKILL at {killed_at:?} with {acked_by_kill} of {TOTAL} acknowledged; {} were \
         on disk then, {stored_unacked} of them not yet acknowledged; restarted and \
         answering at {back_at:?}; all done at {finished_at:?}; {connections} \
         connections in all; {resent} messages resent; close codes seen: {closes:?}",
        at_kill.len()
    );
    common::record("crash", &figures);

    // The kill landed mid-burst, and every client lived through it.
    assert!(acked_by_kill < TOTAL * 3 / 4, "{figures}");
    for report in &reports {
        assert!(report.connections >= 2, "{}: {figures}", report.name);
        assert_eq!(report.repeated_acks, 0, "{}: acked twice", report.name);
    }

    // Every acknowledged message is stored once, as acknowledged.
    assert_eq!(stored.len(), TOTAL, "one row per message: {figures}");
    let by_key: HashMap<(&str, &str), &ChatMessage> = stored
        .iter()
        .map(|m| ((m.author.as_str(), m.client_id.as_str()), m))
        .collect();
    let mut bodies: HashMap<&str, usize> = HashMap::new();
    for m in &stored {
        *bodies.entry(m.body.as_str()).or_default() += 1;
    }
    for report in &reports {
        for (out, &(seq, id)) in report.plan.outgoing.iter().zip(&report.acks) {
            let row = by_key
                .get(&(report.name.as_str(), out.client_id.as_str()))
                .unwrap_or_else(|| {
                    panic!("{} {}: acked but not stored", report.name, out.client_id)
                });
            assert_eq!((row.seq, row.id), (seq, id), "{}: ack = row", out.client_id);
            assert_eq!(row.room.as_str(), out.room, "{}: room", out.client_id);
            assert_eq!(row.body.as_str(), out.body, "{}: body", out.client_id);
            assert_eq!(bodies[out.body.as_str()], 1, "{}: stored once", out.body);
        }
    }

    // Each room's seqs are exactly 1..=max.
    let mut rooms: BTreeMap<&str, Vec<&ChatMessage>> = BTreeMap::new();
    for m in &stored {
        rooms.entry(m.room.as_str()).or_default().push(m);
    }
    assert_eq!(rooms.len(), ROOMS);
    for (name, messages) in &mut rooms {
        messages.sort_by_key(|m| m.seq);
        let seqs: Vec<Seq> = messages.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=PER_ROOM).collect::<Vec<_>>(), "{name}: gapless");
    }

    // Each client's messages, in id order, are in the order it sent them.
    for report in &reports {
        let sent: Vec<&str> = report
            .plan
            .outgoing
            .iter()
            .map(|o| o.client_id.as_str())
            .collect();
        let stored_order: Vec<&str> = stored
            .iter()
            .filter(|m| m.author.as_str() == report.name)
            .map(|m| m.client_id.as_str())
            .collect();
        assert_eq!(stored_order, sent, "{}: stored in send order", report.name);
    }

    // Every client saw each room exactly as stored: each seq once, nothing else.
    for report in &reports {
        for (name, view) in &report.rooms {
            assert_eq!(
                view.duplicates,
                Vec::<Seq>::new(),
                "{} {name}: seqs received twice",
                report.name
            );
            assert_eq!(
                view.gaps,
                Vec::<(Seq, Seq)>::new(),
                "{} {name}: stream breaks",
                report.name
            );
            let seen: Vec<&ChatMessage> = view.messages.values().collect();
            assert!(
                seen == rooms[name.as_str()],
                "{} {name}: saw {} messages, not the {} stored (first difference at seq {:?})",
                report.name,
                seen.len(),
                rooms[name.as_str()].len(),
                seen.iter()
                    .zip(&rooms[name.as_str()])
                    .find(|(a, b)| a != b)
                    .map(|(a, _)| a.seq)
            );
        }
    }
}
