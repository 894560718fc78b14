//! The server on PostgreSQL (`--database postgres://...`), over real sockets, as on
//! SQLite: people chat, a client that was away resumes and converges on the edits,
//! deletions and reactions it missed, a restart keeps every seq and the epoch,
//! accounts sign up and in, and search finds a two-character Chinese word. (The
//! store itself keeps the whole store contract on PostgreSQL: `store/postgres`.)

mod common;

use common::{Client, TestServer};
use confab_shared::{EventKind, ServerMsg};
use serde_json::json;

#[tokio::test]
async fn people_chat_resume_and_restart_on_postgres_without_losing_anything() {
    let server = TestServer::start_on_postgres().await;
    let epoch = server.epoch();
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    ann.join("general", None).await;
    let joined = bob.join("general", None).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (_, id) = ann
            .send_acked("general", &format!("c{i}"), &format!("message {i}"))
            .await;
        ids.push(id);
    }
    let mut seen = joined.last_seq;
    for i in 0..5 {
        let message = bob.recv_message().await;
        assert_eq!(message.body.as_str(), format!("message {i}"));
        seen = message.seq;
    }
    drop(bob);

    // While bob is away: an edit, a deletion and a reaction.
    ann.send_json(json!({
        "type": "edit_message", "room": "general", "id": ids[1],
        "client_id": "e1", "body": "message 1, fixed"
    }))
    .await;
    ann.send_json(json!({ "type": "delete_message", "room": "general", "id": ids[2] }))
        .await;
    ann.send_json(json!({
        "type": "add_reaction", "room": "general", "id": ids[0],
        "emoji": "👍", "client_id": "r1"
    }))
    .await;
    ann.recv_until(
        |m| matches!(m, ServerMsg::Event(e) if matches!(e.kind, EventKind::ReactionAdded(_))),
    )
    .await;
    drop(ann);

    // A restart on the same database: the same history, the same epoch.
    let server = server.restart().await;
    assert_eq!(server.epoch(), epoch);
    let mut bob = server.client("bob").await;
    bob.send_join("general", Some(seen)).await;
    let last_seq = match bob
        .recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined { last_seq, .. } => last_seq,
        _ => unreachable!(),
    };
    assert_eq!(last_seq, seen + 3, "three events while away");
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        if let ServerMsg::Event(event) = bob.recv_until(|m| matches!(m, ServerMsg::Event(_))).await
        {
            assert_eq!(event.seq, seen + 1 + kinds.len() as u64, "in order, no gap");
            kinds.push(event.kind);
        }
    }
    assert!(
        matches!(&kinds[0], EventKind::MessageEdited(e) if e.body.as_str() == "message 1, fixed")
    );
    assert!(matches!(&kinds[1], EventKind::MessageDeleted(d) if d.id == ids[2]));
    assert!(matches!(&kinds[2], EventKind::ReactionAdded(r) if r.id == ids[0]));

    // The next message takes the next seq.
    let (seq, _) = bob.send_acked("general", "after", "back again").await;
    assert_eq!(seq, last_seq + 1);
}

#[tokio::test]
async fn accounts_and_search_on_postgres() {
    let server = TestServer::start_on_postgres().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    ann.join("general", None).await;
    ann.send_acked("general", "1", "明天的会议在哪里").await;
    ann.send_acked("general", "2", "meeting notes").await;
    // Signing in again, on another socket: the same account.
    let mut again = Client::sign_in(&server, "ann").await;
    again
        .send_json(json!({ "type": "search", "request_id": "q1", "query": "会议" }))
        .await;
    match again
        .recv_until(|m| matches!(m, ServerMsg::SearchResults { .. }))
        .await
    {
        ServerMsg::SearchResults { results, .. } => {
            let bodies: Vec<&str> = results.iter().map(|h| h.message.body.as_str()).collect();
            assert_eq!(bodies, ["明天的会议在哪里"]);
        }
        _ => unreachable!(),
    }
}
