//! The PostgreSQL store's parts, each against a real server (`confab-testkit`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use confab_shared::{ChatMessage, RoomName};

use crate::store::contract::{new_message, seqs};
use crate::store::{Appended, NewMessage};

use super::PostgresStore;
use super::append::last_seq;

async fn fresh() -> (PostgresStore, String) {
    let url = confab_testkit::postgres().database();
    let store = PostgresStore::open(&url).await.expect("open the database");
    (store, url)
}

#[tokio::test]
async fn seqs_are_per_room_and_gapless_and_a_resend_is_its_original() {
    let (store, _) = fresh().await;
    let out = store
        .append(Arc::from([
            new_message("a", "ann", "1", "one"),
            new_message("b", "ann", "2", "two"),
            new_message("a", "bob", "1", "three"),
            new_message("a", "ann", "1", "one again, same id"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 1), (true, 1), (true, 2), (false, 1)]);
    assert_eq!(out[3].message().body.as_str(), "one");
    assert_eq!(out[3].message().id, out[0].message().id);

    let out = store
        .append(Arc::from([
            new_message("a", "bob", "1", "dup"),
            new_message("a", "bob", "2", "four"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(false, 2), (true, 3)]);
    assert_eq!(last_seq(&store, "a").await.unwrap(), 3);
    assert_eq!(last_seq(&store, "b").await.unwrap(), 1);
    assert_eq!(store.epoch().await.unwrap().len(), 16);
}

#[tokio::test]
async fn a_reply_counts_in_its_roots_summary() {
    let (store, _) = fresh().await;
    let root = store
        .append(Arc::from([new_message("a", "ann", "r", "root")]))
        .await
        .unwrap();
    let root = root[0].message().id;
    let reply = NewMessage {
        thread: Some(root),
        ..new_message("a", "bob", "t1", "a reply")
    };
    let out = store.append(Arc::from([reply])).await.unwrap();
    let thread = out[0]
        .message()
        .thread
        .clone()
        .expect("a reply has its thread");
    assert_eq!((thread.root, thread.replies), (root, 1));
    assert!(thread.last_reply_at.is_some());
}

/// Three nodes (three stores on one database) append to the same rooms at once, in
/// batches that take the rooms in different orders, and resend some messages through
/// another node: every room's seqs are gapless and unique, each message is stored
/// once, and each answer (new or resend) names the one stored.
#[tokio::test]
async fn nodes_appending_at_once_keep_every_rooms_seqs_gapless() {
    let (first, url) = fresh().await;
    let mut nodes = vec![first];
    for _ in 0..2 {
        nodes.push(PostgresStore::open(&url).await.expect("another node"));
    }
    let rooms = ["x", "y", "z"];
    let mut tasks = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let node = node.clone();
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for b in 0..25 {
                let mut batch: Vec<NewMessage> = (0..6)
                    .map(|i| {
                        let room = rooms[(n + b + i) % 3];
                        new_message(room, "ann", &format!("n{n}b{b}i{i}"), "hello")
                    })
                    .collect();
                if n > 0 && b % 5 == 0 {
                    // A resend of what the previous node sent (maybe not yet stored).
                    let room = rooms[(n - 1 + b) % 3];
                    batch.push(new_message(
                        room,
                        "ann",
                        &format!("n{}b{b}i0", n - 1),
                        "again",
                    ));
                }
                if b % 2 == 1 {
                    batch.reverse();
                }
                let out = node
                    .append(Arc::from(batch))
                    .await
                    .expect("a batch is stored");
                answers.extend(out);
            }
            answers
        }));
    }
    let mut answers: Vec<Appended> = Vec::new();
    for task in tasks {
        answers.extend(task.await.expect("a node's task"));
    }
    let stored: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT r.name, m.seq, m.client_id, m.id FROM messages m JOIN rooms r ON r.id = m.room_id",
    )
    .fetch_all(&nodes[0].pool)
    .await
    .unwrap();
    // 3 nodes x 25 batches x 6 messages, each stored once (the resends added none).
    assert_eq!(stored.len(), 3 * 25 * 6);
    let mut by_room: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (room, seq, _, _) in &stored {
        by_room.entry(room).or_default().push(*seq);
    }
    for (room, mut seqs) in by_room {
        seqs.sort_unstable();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "room {room}'s seqs are 1..=n");
        assert_eq!(
            last_seq(&nodes[0], room).await.unwrap(),
            expected.len() as i64
        );
    }
    let ids: BTreeSet<i64> = stored.iter().map(|s| s.3).collect();
    for answer in &answers {
        let m = answer.message();
        assert!(ids.contains(&m.id), "{m:?} is stored");
        let row = stored.iter().find(|s| s.3 == m.id).expect("its row");
        assert_eq!(
            (row.1 as u64, row.2.as_str()),
            (m.seq, m.client_id.as_str())
        );
    }
    let fresh = answers
        .iter()
        .filter(|a| matches!(a, Appended::New(_)))
        .count();
    assert_eq!(fresh, stored.len(), "each stored message was new once");
}

#[tokio::test]
async fn the_log_reads_back_as_replays_snapshots_and_pages() {
    let (store, _) = fresh().await;
    let room = RoomName::new("r").unwrap();
    let batch: Vec<NewMessage> = (1..=5)
        .map(|i| new_message("r", "ann", &format!("c{i}"), &format!("m{i}")))
        .collect();
    store.append(Arc::from(batch)).await.unwrap();
    let seqs_of = |messages: &[ChatMessage]| messages.iter().map(|m| m.seq).collect::<Vec<_>>();

    let replay = store.replay(&room, 2, 10).await.unwrap();
    assert_eq!((replay.last_seq, replay.truncated), (5, false));
    let replayed: Vec<u64> = replay.events.iter().map(|e| e.seq).collect();
    assert_eq!(replayed, [3, 4, 5]);
    let first = replay.events[0].clone().into_message().expect("a message");
    assert_eq!((first.body.as_str(), first.author.as_str()), ("m3", "ann"));
    let truncated = store.replay(&room, 0, 3).await.unwrap();
    assert!(truncated.truncated && truncated.events.is_empty());

    let snapshot = store.snapshot(&room, 3).await.unwrap();
    assert_eq!((snapshot.last_seq, snapshot.has_more), (5, true));
    assert_eq!(seqs_of(&snapshot.messages), [3, 4, 5]);
    let page = store.history(&room, Some(3), 10).await.unwrap();
    assert_eq!(
        (seqs_of(&page.messages), page.has_more),
        (vec![1, 2], false)
    );
    let page = store.history(&room, None, 2).await.unwrap();
    assert_eq!((seqs_of(&page.messages), page.has_more), (vec![4, 5], true));
    let page = store.newer(&room, 1, 2).await.unwrap();
    assert_eq!((seqs_of(&page.messages), page.has_more), (vec![2, 3], true));

    let id = snapshot.messages[0].id;
    let author = store.message_author(&room, id).await.unwrap();
    assert_eq!(
        author.map(|a| a.to_string()),
        Some(snapshot.messages[0].author_id.to_string())
    );
    assert_eq!(store.reactions(&room, id).await.unwrap(), Some(Vec::new()));
    assert_eq!(store.reactions(&room, id + 100).await.unwrap(), None);
    assert!(store.audit(&room, None, 10).await.unwrap().is_empty());

    let nowhere = RoomName::new("nowhere").unwrap();
    let replay = store.replay(&nowhere, 0, 10).await.unwrap();
    assert_eq!((replay.last_seq, replay.events.len()), (0, 0));
    assert!(
        store
            .snapshot(&nowhere, 10)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}
