use confab_shared::{ClientId, MessageBody, RoomName, UserName};

use super::*;
use crate::store::{Appended, Durability, NewMessage, Store, StoreError};

fn new_message(room: &str, author: &str, client_id: &str, body: &str) -> NewMessage {
    NewMessage {
        room: RoomName::new(room).unwrap(),
        author: UserName::new(author).unwrap(),
        client_id: ClientId::new(client_id).unwrap(),
        body: MessageBody::new(body).unwrap(),
    }
}

async fn temp_store() -> (tempfile::TempDir, SqliteStore) {
    temp_store_with(Durability::default()).await
}

async fn temp_store_with(durability: Durability) -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open_with(path.to_str().unwrap(), durability)
        .await
        .unwrap();
    (dir, store)
}

fn seqs(out: &[Appended]) -> Vec<(bool, u64)> {
    out.iter()
        .map(|a| (matches!(a, Appended::New(_)), a.message().seq))
        .collect()
}

// `Process` stores most batches on the writer's direct path (direct.rs), `Disk`
// through sqlx: both must give the same seqs, ids and originals.
#[tokio::test]
async fn seqs_are_per_room_and_duplicates_keep_the_original() {
    seqs_and_duplicates(Durability::Process).await;
}

#[tokio::test]
async fn seqs_and_duplicates_are_the_same_when_every_commit_is_synced() {
    seqs_and_duplicates(Durability::Disk).await;
}

async fn seqs_and_duplicates(durability: Durability) {
    let (_dir, store) = temp_store_with(durability).await;
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

    // A later batch: the duplicate is found in the database, seqs continue.
    let out = store
        .append(Arc::from([
            new_message("a", "bob", "1", "dup"),
            new_message("a", "bob", "2", "four"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(false, 2), (true, 3)]);
    assert_eq!(out[0].message().body.as_str(), "three");
    assert_eq!(out[1].message().id, 4);

    // The cache now knows both rooms: this batch takes the one-round-trip path, and
    // the one after it falls back from it (a resend) without storing anything twice.
    let out = store
        .append(Arc::from([
            new_message("b", "cy", "1", "five"),
            new_message("a", "cy", "2", "six"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 2), (true, 4)]);
    assert_eq!([out[0].message().id, out[1].message().id], [5, 6]);
    let out = store
        .append(Arc::from([
            new_message("a", "cy", "3", "seven"),
            new_message("a", "cy", "2", "six again"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 5), (false, 4)]);
    assert_eq!(out[0].message().id, 7);
    let replay = store
        .replay(&RoomName::new("a").unwrap(), Some(0), 100)
        .await
        .unwrap();
    let bodies: Vec<&str> = replay.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["one", "three", "four", "six", "seven"]);

    // Closed: the writer has let go of the file, and says so to a late append.
    store.close().await;
    assert!(matches!(
        store
            .append(Arc::from([new_message("a", "dee", "1", "late")]))
            .await,
        Err(StoreError::Closed)
    ));
}

#[tokio::test]
async fn replay_and_history_page_through_a_room() {
    let (_dir, store) = temp_store().await;
    let room = RoomName::new("r").unwrap();
    let batch: Vec<_> = (1..=30)
        .map(|i| new_message("r", "ann", &format!("c{i}"), &format!("m{i}")))
        .collect();
    store.append(batch.into()).await.unwrap();

    let all = store.replay(&room, Some(25), 10).await.unwrap();
    assert_eq!(all.last_seq, 30);
    assert!(!all.truncated);
    let got: Vec<u64> = all.messages.iter().map(|m| m.seq).collect();
    assert_eq!(got, [26, 27, 28, 29, 30]);

    let cut = store.replay(&room, Some(5), 10).await.unwrap();
    assert!(cut.truncated, "25 messages after 5 do not fit in 10");
    assert_eq!(cut.messages.first().unwrap().seq, 21);

    let latest = store.replay(&room, None, 10).await.unwrap();
    assert!(!latest.truncated);
    assert_eq!(latest.messages.first().unwrap().seq, 21);

    let page = store.history(&room, Some(21), 15).await.unwrap();
    assert!(page.has_more);
    assert_eq!(page.messages.first().unwrap().seq, 6);
    assert_eq!(page.messages.last().unwrap().seq, 20);
    let last = store.history(&room, Some(6), 15).await.unwrap();
    assert!(!last.has_more);
    assert_eq!(last.messages.len(), 5);

    let empty = store
        .replay(&RoomName::new("nobody-here").unwrap(), None, 10)
        .await
        .unwrap();
    assert_eq!((empty.last_seq, empty.messages.len()), (0, 0));
}

#[tokio::test]
async fn reopening_keeps_messages_seqs_and_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let path = path.to_str().unwrap();
    let store = SqliteStore::open(path).await.unwrap();
    store
        .append(Arc::from([new_message("r", "ann", "1", "x")]))
        .await
        .unwrap();
    let epoch = store.epoch().await.unwrap();
    store.close().await;

    let store = SqliteStore::open(path).await.unwrap();
    assert_eq!(store.epoch().await.unwrap(), epoch);
    let out = store
        .append(Arc::from([new_message("r", "ann", "2", "y")]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(true, 2)]);
}

/// A database made by an earlier version (schema 0001 + 0002, idempotency indexed as
/// (author, client_id)) keeps its messages and its idempotency after the upgrade.
#[tokio::test]
async fn an_older_database_is_upgraded_with_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        for sql in [
            include_str!("../../../migrations/0001_init.sql"),
            include_str!("../../../migrations/0002_seq_from_messages.sql"),
            "INSERT INTO rooms (id, name, created_at) VALUES (1, 'a', 'then');
             INSERT INTO messages (id, room_id, seq, author, client_id, body, ts)
             VALUES (7, 1, 1, 'ann', 'x1', 'old one', 'then'),
                    (8, 1, 2, 'bob', 'x1', 'old two', 'then');",
        ] {
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    // sqlx would refuse to run migrations it has no record of; record the two.
    let store = {
        let options = SqliteConnectOptions::new().filename(&path);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let migrator = sqlx::migrate!("./migrations");
        sqlx::raw_sql(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
        )
        .execute(&pool)
        .await
        .unwrap();
        for m in migrator.iter().filter(|m| m.version <= 2) {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES (?, ?, TRUE, ?, 0)",
            )
            .bind(m.version)
            .bind(m.description.as_ref())
            .bind(m.checksum.as_ref())
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
        SqliteStore::open(path.to_str().unwrap()).await.unwrap()
    };

    let room = RoomName::new("a").unwrap();
    let replay = store.replay(&room, Some(0), 10).await.unwrap();
    let bodies: Vec<&str> = replay.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["old one", "old two"]);
    // A resend of an old message is still recognised; a new one follows on.
    let out = store
        .append(Arc::from([
            new_message("a", "bob", "x1", "old two, resent"),
            new_message("a", "ann", "x2", "new"),
        ]))
        .await
        .unwrap();
    assert_eq!(seqs(&out), [(false, 2), (true, 3)]);
    assert_eq!(out[0].message().id, 8);
    assert_eq!(out[1].message().id, 9);
}
