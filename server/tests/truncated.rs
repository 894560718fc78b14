//! A resume that missed more than one replay carries says so, and history fills the gap.

mod common;

use common::{TestServer, seqs};
use confab_shared::protocol::MAX_REPLAY;

#[tokio::test]
async fn a_long_absence_gets_a_truncated_replay_and_pages_back() {
    let server = TestServer::start().await;
    let mut writer = server.client("writer").await;
    writer.join("busy", None).await;
    let total: u64 = u64::from(MAX_REPLAY) + 100;
    for i in 1..=total {
        writer
            .send_chat("busy", &format!("c{i}"), &format!("m{i}"))
            .await;
    }
    writer.recv_ack(&format!("c{total}")).await;

    let mut reader = server.client("reader").await;
    let short = reader.join("busy", Some(total - 10)).await;
    assert!(!short.truncated, "ten missed messages fit in one replay");
    assert_eq!(
        seqs(&short.replay),
        ((total - 9)..=total).collect::<Vec<_>>()
    );

    let mut late = server.client("late").await;
    let joined = late.join("busy", Some(5)).await;
    assert!(joined.truncated, "{} missed messages do not fit", total - 5);
    assert_eq!(joined.last_seq, total);
    let first = total - u64::from(MAX_REPLAY) + 1;
    assert_eq!(seqs(&joined.replay), (first..=total).collect::<Vec<_>>());

    // What a client does next: page back exactly over the hole (6..first).
    let missing = u32::try_from(first - 6).unwrap();
    let (page, _) = late.history("busy", Some(first), missing).await;
    assert_eq!(seqs(&page), (6..first).collect::<Vec<_>>());
    server.stop().await;
}
