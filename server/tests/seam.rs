//! The resume seam under live traffic: while one client posts about 20 messages a
//! second, several others keep disconnecting and resuming (`join` with `after` = the
//! highest seq they saw) every 1 to 2 seconds. Each must end up with every seq exactly
//! once: the replay and the live stream meet with no gap and no duplicate, wherever
//! the resume falls among the sends.
//!
//! The window where a resume can go wrong (a message stored after the subscription
//! but before the replay is read, or the other way round) lasts well under a
//! millisecond, and at 20 messages a second one resume in a hundred or so hits it;
//! hence 24 readers resuming some 90 times in all. Without the server's check that
//! drops what the replay already sent, this test fails nearly every run.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use common::resilient::{self, Outgoing, Plan};
use common::{TestServer, finish};
use confab_shared::{ChatMessage, Seq};
use tokio::sync::watch;

const ROOM: &str = "seam";
/// 120 messages at 20 a second: 6 s of traffic.
const MESSAGES: usize = 120;
const PACE: Duration = Duration::from_millis(50);
const READERS: usize = 24;
/// Disconnects per reader, each 1 to 2 s after the connection opened.
const DROPS: usize = 6;
const DEADLINE: Duration = Duration::from_secs(30);

fn reader_plan(reader: usize) -> Plan {
    Plan {
        name: format!("reader{reader}"),
        rooms: vec![(ROOM.to_owned(), MESSAGES as Seq)],
        outgoing: Vec::new(),
        window: 1,
        pace: None,
        // Spread over 1.0-1.9 s, differently for each reader, so that resumes fall
        // at every point between two sends.
        drops: (0..DROPS)
            .map(|k| Duration::from_millis(1000 + ((reader * 7 + k * 13) % 10) as u64 * 100))
            .collect(),
        stay_away: None,
        deadline: DEADLINE,
    }
}

fn sender_plan(messages: usize, pace: Option<Duration>) -> Plan {
    Plan {
        name: "sender".to_owned(),
        rooms: vec![(ROOM.to_owned(), messages as Seq)],
        outgoing: (0..messages)
            .map(|n| Outgoing {
                room: ROOM.to_owned(),
                client_id: format!("m{n}"),
                body: format!("message {n}"),
            })
            .collect(),
        window: 16,
        pace,
        drops: Vec::new(),
        stay_away: None,
        deadline: DEADLINE,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_during_live_traffic_misses_and_repeats_nothing() {
    let server = TestServer::start().await;
    let base = server.ws_url("");
    let progress = Arc::new(AtomicUsize::new(0));

    let sender = sender_plan(MESSAGES, Some(PACE));
    let sender = tokio::spawn(resilient::run(sender, base.clone(), Arc::clone(&progress)));
    let readers: Vec<_> = (0..READERS)
        .map(|r| {
            tokio::spawn(resilient::run(
                reader_plan(r),
                base.clone(),
                Arc::clone(&progress),
            ))
        })
        .collect();

    let sender = finish(sender).await;
    assert_eq!(sender.connections, 1, "the sender stayed connected");
    let stored: Vec<&ChatMessage> = sender.rooms[ROOM].messages.values().collect();
    let all: Vec<Seq> = (1..=MESSAGES as Seq).collect();
    assert_eq!(stored.iter().map(|m| m.seq).collect::<Vec<_>>(), all);
    let mut late = server.client("late").await;
    let replay = late.join(ROOM, Some(0)).await.replay;
    assert!(
        replay.iter().eq(stored.iter().copied()),
        "the sender saw what was stored"
    );

    let mut resumes = 0;
    for reader in readers {
        let report = finish(reader).await;
        let view = &report.rooms[ROOM];
        let name = &report.name;
        assert!(
            report.connections > DROPS / 2,
            "{name} resumed only {} times",
            report.connections - 1
        );
        resumes += report.connections - 1;
        assert_eq!(
            view.duplicates,
            Vec::<Seq>::new(),
            "{name}: seqs received twice"
        );
        assert_eq!(
            view.gaps,
            Vec::<(Seq, Seq)>::new(),
            "{name}: gaps in the stream"
        );
        assert_eq!(view.truncated_joins, 0, "{name}: no resume was truncated");
        let seen: Vec<&ChatMessage> = view.messages.values().collect();
        assert_eq!(seen, stored, "{name}: every message, as the sender saw it");
    }
    common::record(
        "seam",
        &format!("{READERS} readers resumed {resumes} times during {MESSAGES} messages"),
    );
    server.stop().await;
}

/// A client away for more than 1000 messages gets only the newest 1000 on resuming
/// (`truncated`), and fills the rest with `history`: it still ends with every seq
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_resume_is_completed_from_history() {
    const MANY: usize = 1250;
    let server = TestServer::start().await;
    let base = server.ws_url("");
    let progress = Arc::new(AtomicUsize::new(0));

    // The reader joins, leaves at once and stays away until everything is sent.
    let (back, stay_away) = watch::channel(false);
    let reader = Plan {
        name: "reader".to_owned(),
        rooms: vec![(ROOM.to_owned(), MANY as Seq)],
        outgoing: Vec::new(),
        window: 1,
        pace: None,
        drops: vec![Duration::ZERO],
        stay_away: Some(stay_away),
        deadline: DEADLINE,
    };
    let reader = tokio::spawn(resilient::run(reader, base.clone(), Arc::clone(&progress)));
    let sender = resilient::run(sender_plan(MANY, None), base, Arc::clone(&progress));
    let sender = sender.await;
    back.send(true).expect("the reader waits");
    let reader = finish(reader).await;

    let view = &reader.rooms[ROOM];
    assert_eq!(reader.connections, 2);
    assert_eq!(view.truncated_joins, 1, "the resume was cut short");
    assert!(view.paged > 0, "and completed with history");
    assert_eq!(view.duplicates, Vec::<Seq>::new(), "seqs received twice");
    assert_eq!(view.gaps, Vec::<(Seq, Seq)>::new(), "gaps in the stream");
    let seen: Vec<&ChatMessage> = view.messages.values().collect();
    let stored: Vec<&ChatMessage> = sender.rooms[ROOM].messages.values().collect();
    assert_eq!(seen.len(), MANY);
    assert_eq!(seen, stored, "every message, as the sender saw it");
    server.stop().await;
}
