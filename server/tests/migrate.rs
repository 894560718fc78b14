//! `confab migrate` moves a single node's SQLite database into PostgreSQL whole: a
//! cluster on PostgreSQL then serves the same history with the same seqs, ids and
//! epoch (a client resumes across the move), the same accounts (the same ids and
//! passwords), and goes on from there, on every node.

mod common;

use common::{Client, TestServer};
use confab_shared::{ChatMessage, ServerMsg};
use serde_json::json;

/// `confab migrate --from DB --to URL`: whether it worked, and what it said.
fn migrate(from: &std::path::Path, to: &str) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("migrate")
        .arg("--from")
        .arg(from)
        .args(["--to", to])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run confab migrate");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said)
}

/// What a history page shows of each message: seq, id, author id, text, whether
/// edited, reactions.
fn shown(messages: &[ChatMessage]) -> Vec<(u64, i64, String, String, bool, usize)> {
    messages
        .iter()
        .map(|m| {
            let author = m.author_id.to_string();
            let edited = m.edited_at.is_some();
            (
                m.seq,
                m.id,
                author,
                m.body.to_string(),
                edited,
                m.reactions.len(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_migrated_installation_serves_the_same_history_accounts_and_epoch() {
    let server = TestServer::start().await;
    let epoch = server.epoch();
    let mut ann = Client::sign_up(&server, "ann").await;
    ann.join("plans", None).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            ann.send_acked("plans", &format!("p{i}"), &format!("plan {i}"))
                .await
                .1,
        );
    }
    ann.send_json(json!({
        "type": "edit_message", "room": "plans", "id": ids[1],
        "client_id": "e1", "body": "plan 1, better"
    }))
    .await;
    ann.send_json(json!({
        "type": "add_reaction", "room": "plans", "id": ids[0],
        "emoji": "🎉", "client_id": "r1"
    }))
    .await;
    let resumed_from = ann.send_acked("plans", "p4", "plan 4").await.0;
    ann.send_acked("plans", "p5", "plan 5, last before the move")
        .await;
    let (before, _) = ann.history("plans", None, 100).await;
    drop(ann);
    let dir = server.stop().await;

    let url = confab_testkit::postgres().database();
    let (ok, said) = migrate(&dir.path().join("confab.db"), &url);
    assert!(ok, "{said}");
    assert!(said.contains("messages: 6"), "{said}");
    assert!(said.contains("users: 1"), "{said}");
    // Into a database that is no longer empty: refused, nothing changed.
    let (again, said) = migrate(&dir.path().join("confab.db"), &url);
    assert!(!again && said.contains("not empty"), "{said}");

    // Two nodes of a cluster on the moved database.
    let redis = confab_testkit::Redis::start();
    let server = TestServer::start_node(&url, &redis.url()).await;
    let other = TestServer::start_node(&url, &redis.url()).await;
    assert_eq!(server.epoch(), epoch, "clients resume across the move");
    assert_eq!(other.epoch(), epoch, "on every node");
    // The same account, by its password, with the same id (its messages' author).
    let mut ann = Client::sign_in(&server, "ann").await;
    // A client that had seen up to `resumed_from` gets just what followed.
    ann.send_join("plans", Some(resumed_from)).await;
    match ann
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined {
            last_seq, messages, ..
        } => {
            assert_eq!(last_seq, before.last().map(|m| m.seq).unwrap_or(0));
            assert!(messages.is_none(), "a replay, not a snapshot");
        }
        _ => unreachable!(),
    }
    let next = ann.recv_message().await;
    assert_eq!(next.body.as_str(), "plan 5, last before the move");
    let (after, _) = ann.history("plans", None, 100).await;
    assert_eq!(shown(&after), shown(&before));
    // And on from there: the next seq, a new id, heard on the other node too.
    let mut there = Client::sign_in(&other, "ann").await;
    there.send_join("plans", Some(next.seq)).await;
    there
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await;
    let (seq, id) = ann.send_acked("plans", "p6", "plan 6, after").await;
    assert_eq!(seq, next.seq + 1);
    assert!(id > *ids.iter().max().unwrap_or(&0));
    let heard = there.recv_until(common::is_posted).await;
    assert!(matches!(heard, ServerMsg::Event(e) if e.seq == seq));
}
