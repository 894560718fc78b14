//! A resume from further back than one replay carries gets a fresh snapshot instead,
//! and history pages back from it.

mod common;

use common::{TestServer, seqs};

#[tokio::test]
async fn a_long_absence_gets_a_snapshot_and_pages_back() {
    let server = TestServer::start().await;
    let mut writer = server.client("writer").await;
    writer.join("busy", None).await;
    // docs/protocol.md: a resume replays at most 1000 events.
    let total: u64 = 1000 + 100;
    for i in 1..=total {
        writer
            .send_chat("busy", &format!("c{i}"), &format!("m{i}"))
            .await;
    }
    writer.recv_ack(&format!("c{total}")).await;

    let mut reader = server.client("reader").await;
    let short = reader.join("busy", Some(total - 10)).await;
    assert!(
        !short.truncated && !short.snapshot,
        "ten missed events replay"
    );
    assert_eq!(
        seqs(&short.replay),
        ((total - 9)..=total).collect::<Vec<_>>()
    );
    let exact = reader.join("busy", Some(total - 1000)).await;
    assert!(!exact.truncated, "exactly 1000 missed events still replay");
    assert_eq!(exact.replay.len(), 1000);

    let mut late = server.client("late").await;
    let joined = late.join("busy", Some(total - 1001)).await;
    assert!(joined.truncated, "1001 missed events do not replay");
    assert!(joined.snapshot && joined.has_more);
    assert_eq!(joined.last_seq, total);
    // docs/protocol.md: a snapshot holds the newest 50 messages.
    let first = total - 50 + 1;
    assert_eq!(seqs(&joined.replay), (first..=total).collect::<Vec<_>>());

    // What a client does next: page back from the snapshot's first message.
    let (page, has_more) = late.history("busy", Some(first), 100).await;
    assert_eq!(seqs(&page), ((first - 100)..first).collect::<Vec<_>>());
    assert!(has_more);
    server.stop().await;
}
