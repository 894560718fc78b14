//! The SQLite store: one file, WAL mode, one writer (the sequencer) and pooled readers.
//!
//! Durability ([`Durability`]): in WAL mode, `synchronous = NORMAL` already survives
//! a crash of the process (`kill -9`): a committed transaction is in the WAL file,
//! which the OS keeps. `FULL` also fsyncs the WAL at every commit, so a commit
//! survives power loss and OS crashes too. An fsync costs milliseconds (16 ms on the
//! benchmark machine), which caps a single writer at a few thousand acknowledged
//! messages a second even with group commit; so `Process` (NORMAL) is the default and
//! `Disk` (FULL) is one flag away for those who need it.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use confab_shared::{
    ChatMessage, EventKind, MessageId, Reactions, RoomEvent, RoomName, Seq, Tombstone, UserId,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, Transaction};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

mod account_feed;
mod accounts;
pub(crate) mod backup;
mod batch;
mod blocks;
mod changes;
mod checkpoint;
mod reactions;
mod reading;
mod recent;
mod rooms;
mod search;
mod thread_reads;
mod threads;
mod writer;

use writer::Job;

use crate::accounts::Accounts;

use super::rows::{self, MESSAGE_COLUMNS, MESSAGES, OTHER_COLUMNS, REPLAY_COLUMNS};
use super::{
    Appended, Durability, Found, NewMessage, Page, Replay, SearchQuery, Snapshot, Store, StoreError,
};

#[derive(Clone)]
pub struct SqliteStore {
    /// For reads. Writes go to the writer task.
    pool: SqlitePool,
    /// The writer task (`writer.rs`), which owns the one connection that writes.
    writer: mpsc::Sender<Job>,
    checkpointer: Arc<Checkpointer>,
    /// Every account's name key (`accounts::name_key`) with its id: a guest's
    /// connect asks here, not the database (accounts.rs); the account change feed
    /// keeps it current (account_feed.rs).
    usernames: Arc<std::sync::RwLock<std::collections::HashMap<String, i64>>>,
    /// Every room and membership (rooms.rs).
    directory: Arc<crate::rooms::Directory>,
    /// Each counted room's newest messages, for unread counts (recent.rs).
    recent: Arc<recent::Recent>,
    /// Held while a room is made, from its insert until the directory has it: a
    /// second maker told "exists" must find it there when it joins.
    making_rooms: Arc<tokio::sync::Mutex<()>>,
    /// Every working API token's hash, with its account (accounts.rs).
    token_accounts:
        Arc<std::sync::RwLock<std::collections::HashMap<String, crate::accounts::Account>>>,
}

/// The background checkpoint task (checkpoint.rs), stopped when the store closes.
struct Checkpointer {
    stop: CancellationToken,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl SqliteStore {
    /// The database file that `address` (a file path or a `sqlite:` URL) names.
    pub(crate) fn file_of(address: &str) -> Result<std::path::PathBuf, StoreError> {
        if address.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(address).map_err(from_sqlx)?;
            return Ok(options.get_filename().to_path_buf());
        }
        Ok(address.into())
    }

    /// Opens (creating if needed) the database at `address`, a file path or a
    /// `sqlite:` URL, and brings its schema up to date.
    pub async fn open(address: &str) -> Result<Self, StoreError> {
        Self::open_with(address, Durability::default()).await
    }

    /// Like [`SqliteStore::open`], with the given durability.
    pub async fn open_with(address: &str, durability: Durability) -> Result<Self, StoreError> {
        let options = if address.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(address).map_err(from_sqlx)?
        } else {
            SqliteConnectOptions::new().filename(address)
        };
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match durability {
                Durability::Process => SqliteSynchronous::Normal,
                Durability::Disk => SqliteSynchronous::Full,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A local file does not drop connections; skip the ping per acquire.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(from_sqlx)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        let path = options.get_filename();
        if path.as_os_str() == ":memory:" || path.as_os_str().is_empty() {
            // Each connection would get a database of its own.
            return Err(StoreError::Unsupported(format!(
                "{address} (use memory: for a store kept in memory)"
            )));
        }
        let conn = batch::WriteConn::open(path, durability)?;
        let written = Arc::<checkpoint::Written>::default();
        let writer = writer::start(conn, Arc::clone(&written), durability)?;
        let stop = CancellationToken::new();
        let checkpointer = checkpoint::start(pool.clone(), written, stop.clone());
        account_feed::fill_name_keys(&pool).await?;
        let filled = reading::fill_mentions(&pool).await?;
        if filled > 0 {
            tracing::info!(messages = filled, "noted whom older messages mention");
        }
        let usernames = account_feed::load_name_keys(&pool).await?;
        let directory = Arc::new(rooms::load_directory(&pool).await?);
        let token_accounts = Arc::new(std::sync::RwLock::new(accounts::load_tokens(&pool).await?));
        Ok(Self {
            token_accounts,
            making_rooms: Arc::default(),
            directory,
            recent: Arc::default(),
            usernames: Arc::new(std::sync::RwLock::new(usernames)),
            pool,
            writer,
            checkpointer: Arc::new(Checkpointer {
                stop,
                task: Mutex::new(Some(checkpointer)),
            }),
        })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn append(&self, batch: Arc<[NewMessage]>) -> Result<Vec<Appended>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job::Append { batch, reply };
        self.writer
            .send(job)
            .await
            .map_err(|_| StoreError::Closed)?;
        let appended = answer.await.map_err(|_| StoreError::Closed)??;
        for result in &appended {
            if let Appended::New(m) = result
                && confab_shared::Thread::in_room_list(m.thread.as_ref(), m.id)
            {
                let body = m.body.as_str();
                self.recent.posted(&m.room, m.seq, m.id, &m.author_id, body);
            }
        }
        Ok(appended)
    }

    async fn replay(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Replay, StoreError> {
        // One read transaction: `last_seq` and the events come from one snapshot.
        let mut tx = self.pool.begin().await?;
        let Some((room_id, last_seq)) = find_room(&mut tx, room).await? else {
            return Ok(Replay {
                last_seq: 0,
                events: Vec::new(),
                truncated: false,
            });
        };
        // Messages and the other events share the room's seqs: read up to limit + 1
        // of each, merge by seq, and see whether more than limit came after `after`.
        let rows = sqlx::query(&format!(
            "SELECT {REPLAY_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?"
        ))
        .bind(room_id)
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        // An edit's text is its message's current one; a deleted reply's thread is
        // as it is now.
        let others = sqlx::query(&format!(
            "SELECT {OTHER_COLUMNS}
             FROM room_events e
             LEFT JOIN messages m ON e.kind IN ('edited', 'deleted') AND m.room_id = e.room_id
                 AND m.id = json_extract(e.data, '$.id')
             LEFT JOIN messages t ON t.id = coalesce(m.thread_root, m.id)
             WHERE e.room_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?"
        ))
        .bind(room_id)
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        if rows.len() + others.len() > limit as usize {
            return Ok(Replay {
                last_seq,
                events: Vec::new(),
                truncated: true,
            });
        }
        let mut events = rows
            .iter()
            .map(|row| rows::replayed_message(room, row))
            .collect::<Result<Vec<_>, _>>()?;
        for row in &others {
            events.push(rows::replayed_other(room, row)?);
        }
        events.sort_by_key(|event| event.seq);
        Ok(Replay {
            last_seq,
            events,
            truncated: false,
        })
    }

    async fn snapshot(&self, room: &RoomName, limit: u32) -> Result<Snapshot, StoreError> {
        // One read transaction: the messages are current as of `last_seq`.
        let mut tx = self.pool.begin().await?;
        let Some((room_id, last_seq)) = find_room(&mut tx, room).await? else {
            return Ok(Snapshot {
                last_seq: 0,
                messages: Vec::new(),
                has_more: false,
            });
        };
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = ? AND m.deleted_by IS NULL AND m.in_room = 1
             ORDER BY m.seq DESC LIMIT ?"
        ))
        .bind(room_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        let (mut messages, has_more) = rows::newest_first_to_page(room, &rows, limit)?;
        reactions::attach(&mut tx, &mut messages).await?;
        tx.commit().await?;
        Ok(Snapshot {
            last_seq,
            messages,
            has_more,
        })
    }

    async fn history(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let before = match before {
            Some(seq) => to_db_seq(seq)?,
            None => i64::MAX,
        };
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = (SELECT id FROM rooms WHERE name = ?) AND m.seq < ?
               AND m.deleted_by IS NULL AND m.in_room = 1
             ORDER BY m.seq DESC LIMIT ?"
        ))
        .bind(room.as_str())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let (mut messages, has_more) = rows::newest_first_to_page(room, &rows, limit)?;
        reactions::attach(&mut *self.pool.acquire().await?, &mut messages).await?;
        Ok(Page { messages, has_more })
    }

    async fn persist(
        &self,
        room: &RoomName,
        events: Vec<EventKind>,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let job = Job::Persist {
            room: room.clone(),
            events,
            reply,
        };
        self.writer
            .send(job)
            .await
            .map_err(|_| StoreError::Closed)?;
        let events = answer.await.map_err(|_| StoreError::Closed)??;
        for event in &events {
            match &event.kind {
                EventKind::MessageDeleted(deletion) => self.recent.deleted(room, deletion.id),
                EventKind::MessageEdited(edit) => {
                    self.recent.edited(room, edit.id, edit.body.as_str());
                }
                _ => {}
            }
        }
        Ok(events)
    }

    async fn message_author(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<UserId>, StoreError> {
        let author: Option<String> = sqlx::query_scalar(
            "SELECT author_id FROM messages
             WHERE id = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)
               AND deleted_by IS NULL",
        )
        .bind(id)
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        author.map(|a| UserId::new(a).map_err(corrupt)).transpose()
    }

    async fn replied_to(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<MessageId>, StoreError> {
        super::threads::replied_to(&self.pool, room, id).await
    }

    async fn thread(
        &self,
        room: &RoomName,
        root: MessageId,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<(Page, Option<ChatMessage>), StoreError> {
        super::threads::page(&self.pool, room, root, before, limit).await
    }

    async fn newer(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Page, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = (SELECT id FROM rooms WHERE name = ?) AND m.seq > ?
               AND m.deleted_by IS NULL AND m.in_room = 1
             ORDER BY m.seq LIMIT ?"
        ))
        .bind(room.as_str())
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let has_more = rows.len() > limit as usize;
        let mut messages = rows
            .iter()
            .take(limit as usize)
            .map(|row| rows::message(room, row, 0))
            .collect::<Result<Vec<_>, _>>()?;
        reactions::attach(&mut *self.pool.acquire().await?, &mut messages).await?;
        Ok(Page { messages, has_more })
    }

    async fn tombstones(
        &self,
        room: &RoomName,
        from: Seq,
        to: Seq,
    ) -> Result<Vec<Tombstone>, StoreError> {
        super::threads::tombstones(&self.pool, room, from, to).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Found, StoreError> {
        let mut found = search::search(&self.pool, query).await?;
        if found.hits.is_empty() {
            return Ok(found);
        }
        let ids: Vec<MessageId> = found.hits.iter().map(|hit| hit.message.id).collect();
        let mut reactions = reactions::read(&mut *self.pool.acquire().await?, &ids).await?;
        for hit in &mut found.hits {
            if let Some(those) = reactions.remove(&hit.message.id) {
                hit.message.reactions = those;
            }
        }
        Ok(found)
    }

    async fn reactions(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<Vec<Reactions>>, StoreError> {
        reactions::of_message(&mut *self.pool.acquire().await?, room, id).await
    }

    async fn audit(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        let before = match before {
            Some(seq) => to_db_seq(seq)?,
            None => i64::MAX,
        };
        let rows = sqlx::query(
            "SELECT seq, kind, data, ts FROM room_events
             WHERE room_id = (SELECT id FROM rooms WHERE name = ?) AND seq < ?
               AND kind NOT IN ('edited', 'reacted', 'unreacted')
             ORDER BY seq DESC LIMIT ?",
        )
        .bind(room.as_str())
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| rows::event(room, row)).collect()
    }

    fn accounts(&self) -> &dyn Accounts {
        self
    }

    fn blocks(&self) -> &dyn crate::accounts::Blocks {
        self
    }

    fn rooms(&self) -> &dyn crate::rooms::Rooms {
        self
    }

    fn reading(&self) -> &dyn crate::reading::Reading {
        self
    }

    async fn epoch(&self) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'epoch'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn close(&self) {
        self.checkpointer.stop.cancel();
        let task = self
            .checkpointer
            .task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
        if let Err(error) = sqlx::query("PRAGMA optimize").execute(&self.pool).await {
            tracing::warn!(%error, "PRAGMA optimize failed at shutdown");
        }
        self.pool.close().await;
        let (reply, closed) = oneshot::channel();
        if self.writer.send(Job::Close { reply }).await.is_ok() {
            let _ = closed.await;
        }
    }
}

async fn find_room(
    tx: &mut Transaction<'_, Sqlite>,
    room: &RoomName,
) -> Result<Option<(i64, Seq)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, MAX((SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = rooms.id),
                        (SELECT COALESCE(MAX(seq), 0) FROM room_events WHERE room_id = rooms.id))
         FROM rooms WHERE name = ?",
    )
    .bind(room.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, from_db_seq(row.try_get(1)?)?)))
        .transpose()
}

fn from_sqlx(error: sqlx::Error) -> StoreError {
    error.into()
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

use super::columns::{from_db_seq, to_db_seq};

#[cfg(test)]
mod tests;
