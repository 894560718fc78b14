use confab_shared::RoomName;

use super::*;
use crate::accounts::Accounts;
use crate::store::contract::{self, new_message, seqs};
use crate::store::{Durability, Store, StoreError};

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

// `Process` stores on the runtime's thread, `Disk` on a writer thread: both must give
// the same seqs, ids and originals.
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
    contract::seqs_and_duplicates(&store).await;
}

#[tokio::test]
async fn replay_and_history_page_through_a_room() {
    let (_dir, store) = temp_store().await;
    contract::replay_and_history(&store).await;
}

#[tokio::test]
async fn accounts_and_sessions() {
    let (_dir, store) = temp_store().await;
    contract::accounts(&store).await;
}

#[tokio::test]
async fn look_alike_names_and_the_account_feed() {
    let (_dir, store) = temp_store().await;
    contract::look_alike_names(&store).await;
    contract::account_feed(&store).await;
}

/// Accounts from before name keys that people cannot tell apart are both kept, each
/// signing in by its exact name; a new look-alike is refused.
#[tokio::test]
async fn older_look_alike_accounts_are_kept_and_new_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let path = path.to_str().unwrap();
    let store = SqliteStore::open(path).await.unwrap();
    let name = |n: &str| confab_shared::UserName::new(n).unwrap();
    let first = store
        .create_account(&name("émile"), "$1", false)
        .await
        .unwrap();
    // As a database from before migration 0010 has them: a second "émile" in other
    // case (NOCASE folds ASCII only), and no keys.
    sqlx::query("UPDATE users SET name_key = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (username, password_hash, created_at) VALUES ('ÉMILE', '$2', 'then')",
    )
    .execute(&store.pool)
    .await
    .unwrap();
    store.close().await;

    let store = SqliteStore::open(path).await.unwrap();
    let lower = store.credentials(&name("émile")).await.unwrap().unwrap();
    let upper = store.credentials(&name("ÉMILE")).await.unwrap().unwrap();
    assert_eq!(lower.account.id, first.id);
    assert_eq!(upper.password_hash, "$2", "each by its exact name");
    assert_ne!(upper.account.id, first.id);
    let again = store.create_account(&name("Émile"), "$3", false).await;
    assert!(
        matches!(again, Err(crate::accounts::AccountError::Taken)),
        "{again:?}"
    );
}

#[tokio::test]
async fn rooms_and_members() {
    let (_dir, store) = temp_store().await;
    contract::rooms(&store).await;
}

#[tokio::test]
async fn the_room_log_holds_membership_moderation_and_deletions() {
    let (_dir, store) = temp_store().await;
    contract::room_log(&store).await;
}

#[tokio::test]
async fn blocks() {
    let (_dir, store) = temp_store().await;
    contract::blocks(&store).await;
}

#[tokio::test]
async fn read_state() {
    let (_dir, store) = temp_store().await;
    contract::reading(&store).await;
}

#[tokio::test]
async fn edits() {
    let (_dir, store) = temp_store().await;
    contract::editing(&store).await;
    contract::reactions(&store).await;
}

#[tokio::test]
async fn threads() {
    let (_dir, store) = temp_store().await;
    contract::threads(&store).await;
    contract::thread_reads(&store).await;
}

#[tokio::test]
async fn conversations() {
    let (_dir, store) = temp_store().await;
    contract::conversations(&store).await;
}

#[tokio::test]
async fn a_reopened_store_still_knows_every_room_and_member() {
    use confab_shared::{Role, RoomName, Topic, UserId, UserName};

    use crate::rooms::{Change, Person, Room, RoomChange, Rooms};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let path = path.to_str().unwrap();
    let store = SqliteStore::open(path).await.unwrap();
    // A room made by a first message, before rooms were made on purpose.
    let batch: Arc<[NewMessage]> = Arc::from([new_message("old", "ann", "1", "x")]);
    store.append(batch).await.unwrap();
    let secret = Room::new(
        RoomName::new("secret").unwrap(),
        Topic::new("shh").unwrap(),
        true,
    );
    let ann = Person {
        id: UserId::new("u:1").unwrap(),
        name: UserName::new("ann").unwrap(),
    };
    let bob = Person {
        id: UserId::new("u:2").unwrap(),
        name: UserName::new("bob").unwrap(),
    };
    store.create_room(&secret, Some(&ann)).await.unwrap();
    let changes = [
        Change::Join {
            who: bob.clone(),
            role: Role::Member,
            by: Some(ann.clone()),
        },
        Change::Mute {
            who: bob.clone(),
            by: ann.clone(),
        },
        Change::SetRole {
            who: bob.clone(),
            role: Role::Owner,
            by: ann.clone(),
        },
    ];
    for change in changes {
        let change = RoomChange {
            room: secret.name.clone(),
            change,
        };
        assert!(
            !crate::room_log::record(&store, &change)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let cat = UserId::new("u:3").unwrap();
    let banned = RoomChange {
        room: secret.name.clone(),
        change: Change::Ban {
            who: Person {
                id: cat.clone(),
                name: UserName::new("cat").unwrap(),
            },
            by: ann.clone(),
        },
    };
    assert!(
        !crate::room_log::record(&store, &banned)
            .await
            .unwrap()
            .is_empty()
    );
    let before = store.directory().members(&secret.name);
    store.close().await;
    let store = SqliteStore::open(path).await.unwrap();
    let directory = store.directory();
    let access = directory.access(&secret.name, &ann.id).unwrap();
    assert_eq!(access.room, secret);
    assert_eq!(access.standing.role, Some(Role::Moderator), "handed over");
    let bobs = directory.access(&secret.name, &bob.id).unwrap().standing;
    assert_eq!((bobs.role, bobs.muted), (Some(Role::Owner), true));
    assert_eq!(
        directory.members(&secret.name),
        before,
        "names and roles kept"
    );
    let old = directory
        .access(&RoomName::new("old").unwrap(), &bob.id)
        .expect("a room from its messages");
    assert!(!old.room.private);
    assert!(
        directory
            .access(&secret.name, &cat)
            .unwrap()
            .standing
            .banned
    );
    // Seqs go on from both tables after a reopen.
    assert_eq!(store.replay(&secret.name, 0, 10).await.unwrap().last_seq, 5);
    assert!(directory.exists(&RoomName::new("general").unwrap()));
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
    let history = store.history(&room, None, 10).await.unwrap();
    let bodies: Vec<&str> = history.messages.iter().map(|m| m.body.as_str()).collect();
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
    assert_eq!(out[0].message().unwrap().id, 8);
    assert_eq!(out[1].message().unwrap().id, 9);
}

/// A migrated database and, beside the store, a writer connection of the test's own.
async fn writer_beside_store() -> (tempfile::TempDir, std::path::PathBuf, batch::WriteConn) {
    let (dir, store) = temp_store().await;
    store.close().await;
    let path = dir.path().join("t.db");
    let writer = batch::WriteConn::open(&path, Durability::Process).unwrap();
    (dir, path, writer)
}

#[tokio::test]
async fn a_transaction_left_open_does_not_fail_the_next_batch() {
    let (_dir, path, mut writer) = writer_beside_store().await;
    // As if a ROLLBACK had failed: the connection is still in a transaction.
    writer.connection().execute_batch("BEGIN").unwrap();
    assert!(!writer.connection().is_autocommit());
    let out = writer
        .append(&[new_message("a", "ann", "1", "x")], "now")
        .unwrap();
    assert_eq!(seqs(&out), [(true, 1)]);
    assert!(writer.connection().is_autocommit());
    // Committed: another connection sees it.
    let other = rusqlite::Connection::open(&path).unwrap();
    let count: i64 = other
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_seq_taken_by_another_writer_resets_the_cache_instead_of_failing() {
    let (_dir, path, mut writer) = writer_beside_store().await;
    let out = writer
        .append(&[new_message("a", "ann", "1", "x")], "now")
        .unwrap();
    assert_eq!(seqs(&out), [(true, 1)]);
    // Another writer stores seq 2 behind this one's back.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute(
            "INSERT INTO messages (room_id, seq, author_id, author, client_id, body, ts)
             SELECT id, 2, 'guest:bob', 'bob', 'b1', 'elsewhere', 'now' FROM rooms
             WHERE name = 'a'",
            [],
        )
        .unwrap();
    let out = writer
        .append(
            &[
                new_message("a", "ann", "2", "y"),
                new_message("b", "ann", "3", "z"),
            ],
            "now",
        )
        .unwrap();
    assert_eq!(seqs(&out), [(true, 3), (true, 1)]);
}

#[tokio::test]
async fn a_failed_batch_stores_none_of_it_and_the_next_one_goes_on() {
    let (_dir, path, mut writer) = writer_beside_store().await;
    writer
        .append(&[new_message("a", "ann", "1", "x")], "now")
        .unwrap();
    // A trigger of the test's own refuses one body, as a full disk or a broken
    // constraint would refuse a write midway through a batch.
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'bad'
             BEGIN SELECT RAISE(ABORT, 'refused'); END;",
        )
        .unwrap();
    let failed = writer.append(
        &[
            new_message("a", "ann", "2", "fine"),
            new_message("a", "ann", "3", "bad"),
        ],
        "now",
    );
    assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
    other.execute_batch("DROP TRIGGER refuse").unwrap();
    let out = writer
        .append(&[new_message("a", "ann", "2", "fine")], "now")
        .unwrap();
    assert_eq!(
        seqs(&out),
        [(true, 2)],
        "nothing of the failed batch was kept"
    );
}

#[tokio::test]
async fn a_reopened_store_still_knows_every_username() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let path = path.to_str().unwrap();
    let store = SqliteStore::open(path).await.unwrap();
    let ann = confab_shared::UserName::new("Ann").unwrap();
    store.create_account(&ann, "$h", false).await.unwrap();
    store.close().await;
    let store = SqliteStore::open(path).await.unwrap();
    let folded = confab_shared::UserName::new("ANN").unwrap();
    assert!(store.username_taken(&folded).await.unwrap());
}

/// Migration 0011: events stored as the wire's JSON (before it) are rewritten in the
/// store's own format, and read back as the same events.
#[tokio::test]
async fn events_stored_as_wire_json_are_read_after_the_migration() {
    let (_dir, store) = temp_store().await;
    let general = RoomName::new("general").unwrap();
    sqlx::raw_sql(
        r#"INSERT INTO room_events (room_id, seq, kind, data, ts) VALUES
         ((SELECT id FROM rooms WHERE name = 'general'), 1, 'member_joined',
          '{"kind":"member_joined","user":"bob","user_id":"u:2","role":"member","ts":"t1"}', 't1'),
         ((SELECT id FROM rooms WHERE name = 'general'), 2, 'member_kicked',
          '{"kind":"member_kicked","user":"bob","user_id":"u:2","by":"ann","ts":"t2"}', 't2'),
         ((SELECT id FROM rooms WHERE name = 'general'), 3, 'message_deleted',
          '{"kind":"message_deleted","id":7,"by":"ann","ts":"t3"}', 't3')"#,
    )
    .execute(&store.pool)
    .await
    .unwrap();
    sqlx::raw_sql(include_str!(
        "../../../migrations/0011_stored_event_format.sql"
    ))
    .execute(&store.pool)
    .await
    .unwrap();
    let kinds: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, data FROM room_events ORDER BY seq")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(
        kinds,
        [
            ("joined", r#"{"who":"u:2","name":"bob","role":"member"}"#),
            ("kicked", r#"{"who":"u:2","name":"bob","by":"ann"}"#),
            ("deleted", r#"{"id":7,"by":"ann"}"#),
        ]
        .map(|(k, d)| (k.to_owned(), d.to_owned()))
    );
    let audit = store.audit(&general, None, 10).await.unwrap();
    let said: Vec<String> = audit
        .iter()
        .map(|e| serde_json::to_string(&e.kind).unwrap())
        .collect();
    assert_eq!(
        said,
        [
            r#"{"kind":"message_deleted","id":7,"by":"ann","ts":"t3"}"#,
            r#"{"kind":"member_kicked","user":"bob","user_id":"u:2","by":"ann","ts":"t2"}"#,
            r#"{"kind":"member_joined","user":"bob","user_id":"u:2","role":"member","ts":"t1"}"#,
        ]
    );
}

#[tokio::test]
async fn messages_from_before_mentions_were_noted_are_noted_when_the_store_opens() {
    use crate::reading::{Reading, Unread};
    use confab_shared::{UserId, UserName};

    let (dir, store) = temp_store().await;
    let batch: Arc<[NewMessage]> = Arc::from([
        new_message("old", "bob", "1", "hi @ann"),
        new_message("old", "bob", "2", "hi all"),
    ]);
    store.append(batch).await.unwrap();
    // As a database from before migration 0015 holds them.
    sqlx::query("UPDATE messages SET mentions = NULL")
        .execute(&store.pool)
        .await
        .unwrap();
    store.close().await;
    let path = dir.path().join("t.db");
    let store = SqliteStore::open_with(path.to_str().unwrap(), Durability::default())
        .await
        .unwrap();
    let (ann, name) = (UserId::new("u:1").unwrap(), UserName::new("ann").unwrap());
    let room = RoomName::new("old").unwrap();
    let counted = store.unread(&ann, &name, &room, 0).await.unwrap();
    assert_eq!(
        counted,
        Unread {
            unread: 2,
            mentions: 1
        }
    );
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE mentions IS NULL")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
