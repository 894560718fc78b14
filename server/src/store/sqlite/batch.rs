//! The one write path: the writer's own SQLite connection (rusqlite), with cached
//! statements, storing a batch in one transaction.
//!
//! Each message is one cached `INSERT ... ON CONFLICT (client_id, author_id) DO
//! NOTHING`: a new message is stored with its room's next seq, and a resend (the
//! author used that client id before, in an earlier batch or earlier in this one)
//! inserts nothing, so the original is read back and acknowledged again. Room ids
//! and newest seqs are kept in memory: this connection is the only writer of its
//! file, so the cache stays exact. If it is not (another writer got there first,
//! which shows as a clash on `(room_id, seq)`), the cache is dropped and the batch
//! tried once more from the database's own numbers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use confab_shared::{
    ChatMessage, ClientId, EventKind, MessageBody, RoomEvent, RoomName, Seq, UserId, UserName,
};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

use super::{changes, checkpoint, from_db_seq, to_db_seq};
use crate::store::{Appended, Durability, NewMessage, StoreError};

/// The writer's connection and what it remembers between batches.
pub(super) struct WriteConn {
    conn: Connection,
    path: PathBuf,
    durability: Durability,
    /// Room ids and the newest committed seq of each, by room name.
    rooms: HashMap<RoomName, (i64, Seq)>,
}

/// Why one try at a batch failed.
enum Failure {
    /// Another writer took a seq this cache gave out: worth one more try.
    SeqClash,
    Other(StoreError),
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        Failure::Other(database(error))
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Other(error)
    }
}

impl WriteConn {
    /// Opens the writer's connection to the (already migrated) database at `path`.
    pub(super) fn open(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        Ok(Self {
            conn: connect(path, durability)?,
            path: path.to_owned(),
            durability,
            rooms: HashMap::new(),
        })
    }

    /// Stores `batch` in one transaction, in order; on error nothing of it is stored.
    pub(super) fn append(
        &mut self,
        batch: &[NewMessage],
        ts: &str,
    ) -> Result<Vec<Appended>, StoreError> {
        match self.try_append(batch, ts) {
            Ok(out) => Ok(out),
            Err(Failure::SeqClash) => {
                tracing::warn!("a seq was taken by another writer; reading seqs afresh");
                self.rooms.clear();
                self.try_append(batch, ts).map_err(|failure| match failure {
                    Failure::SeqClash => {
                        StoreError::Database("seq clash on the second try".to_owned())
                    }
                    Failure::Other(error) => error,
                })
            }
            Err(Failure::Other(error)) => Err(error),
        }
    }

    fn try_append(&mut self, batch: &[NewMessage], ts: &str) -> Result<Vec<Appended>, Failure> {
        self.ensure_idle()?;
        self.conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        let stored = insert_all(&self.conn, &self.rooms, batch, ts).and_then(|(out, seqs)| {
            self.conn.prepare_cached("COMMIT")?.execute([])?;
            Ok((out, seqs))
        });
        match stored {
            Ok((out, seqs)) => {
                self.rooms.extend(seqs);
                Ok(out)
            }
            Err(failure) => {
                self.rollback();
                Err(failure)
            }
        }
    }

    /// Stores `events` of `room` (a change the room log planned) in one transaction,
    /// each with the room's next seq and what it means in the tables; gives those
    /// stored (a deletion of a message that is gone is skipped). `now` is when, for
    /// an event that does not say.
    pub(super) fn persist(
        &mut self,
        room: &RoomName,
        events: Vec<EventKind>,
        now: &str,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        let ts = now;
        self.ensure_idle()?;
        self.conn
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut begin| begin.execute([]))
            .map_err(database)?;
        let known = self.rooms.get(room).copied();
        let stored = (|| {
            let (room_id, mut last) = match known {
                Some(known) => known,
                None => room_row(&self.conn, room, ts).map_err(|failure| match failure {
                    Failure::SeqClash => StoreError::Database("seq clash".to_owned()),
                    Failure::Other(error) => error,
                })?,
            };
            let mut out = Vec::with_capacity(events.len());
            for mut kind in events {
                let ts = crate::store::stored_event::when(&kind)
                    .unwrap_or(now)
                    .to_owned();
                let ts = ts.as_str();
                if !changes::apply(&self.conn, room_id, last + 1, &mut kind, ts)? {
                    continue;
                }
                last += 1;
                changes::insert_event(&self.conn, room_id, last, &kind, ts)?;
                out.push(RoomEvent {
                    room: room.clone(),
                    seq: last,
                    kind,
                });
            }
            self.conn
                .prepare_cached("COMMIT")
                .and_then(|mut commit| commit.execute([]))
                .map_err(database)?;
            Ok((room_id, last, out))
        })();
        match stored {
            Ok((room_id, last, out)) => {
                self.rooms.insert(room.clone(), (room_id, last));
                Ok(out)
            }
            Err(error) => {
                self.rollback();
                Err(error)
            }
        }
    }

    /// Ends a failed transaction. If even the ROLLBACK fails, the connection is left
    /// as it is; [`WriteConn::ensure_idle`] deals with it before the next batch.
    fn rollback(&mut self) {
        if let Err(error) = self.conn.execute_batch("ROLLBACK") {
            tracing::warn!(%error, "ROLLBACK failed");
        }
    }

    /// Makes sure no transaction is open before a batch: one left open (a ROLLBACK
    /// that failed) is rolled back, and if that fails too the connection is replaced,
    /// so one bad moment cannot fail every later batch.
    fn ensure_idle(&mut self) -> Result<(), StoreError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        if self.conn.execute_batch("ROLLBACK").is_ok() && self.conn.is_autocommit() {
            return Ok(());
        }
        tracing::warn!("the writer's connection is stuck in a transaction; reopening it");
        self.conn = connect(&self.path, self.durability)?;
        self.rooms.clear();
        Ok(())
    }

    /// One step of the search indexer (`search.rs`) on this connection, between
    /// batches: whether there may be more to index.
    pub(super) fn index_step(&mut self) -> Result<bool, StoreError> {
        self.ensure_idle()?;
        // The indexes need no fsync of their own: what a power cut takes back, the
        // indexer does again (its cursors commit with what they cover).
        let fsyncs = self.durability == Durability::Disk;
        if fsyncs {
            self.conn
                .execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(database)?;
        }
        let step = super::search::step(&self.conn);
        if step.is_err() {
            self.ensure_idle()?;
        }
        if fsyncs
            && self
                .conn
                .execute_batch("PRAGMA synchronous = FULL")
                .is_err()
        {
            // Never a batch without its fsync: a fresh connection has it.
            tracing::warn!("could not turn fsync back on after indexing; reopening");
            self.conn = connect(&self.path, self.durability)?;
            self.rooms.clear();
        }
        step
    }

    /// Closes the connection, saying so if that fails.
    pub(super) fn close(self) {
        if let Err((_, error)) = self.conn.close() {
            tracing::warn!(%error, "closing the writer connection failed");
        }
    }

    #[cfg(test)]
    pub(super) fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// The messages insert: a resend (the same author and client id) inserts nothing.
const INSERT: &str = "INSERT INTO messages
         (room_id, seq, author_id, author, client_id, body, ts, mentions, thread_root, in_room)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (client_id, author_id) DO NOTHING";

/// Inserts every message of `batch`, in the transaction open on `conn`; returns what
/// became of each and the new seqs of the rooms it wrote to (`rooms`: what the cache
/// knows from earlier batches).
#[allow(clippy::type_complexity)]
fn insert_all(
    conn: &Connection,
    rooms: &HashMap<RoomName, (i64, Seq)>,
    batch: &[NewMessage],
    ts: &str,
) -> Result<(Vec<Appended>, HashMap<RoomName, (i64, Seq)>), Failure> {
    // Looked up once per batch, not per message (the cache is keyed by the SQL text).
    let mut insert = conn.prepare_cached(INSERT)?;
    // This batch's rooms, put into the cache only once it commits.
    let mut seqs: HashMap<RoomName, (i64, Seq)> = HashMap::new();
    let mut out = Vec::with_capacity(batch.len());
    for new in batch {
        if let Some(why) = new.refused {
            out.push(match earlier(conn, new)? {
                Some(message) => Appended::Duplicate(message),
                None => Appended::Refused(why),
            });
            continue;
        }
        let (room_id, last) = match seqs.get(&new.room).or_else(|| rooms.get(&new.room)) {
            Some(&known) => known,
            None => room_row(conn, &new.room, ts)?,
        };
        let seq = last + 1;
        let inserted = insert.execute(params![
            room_id,
            to_db_seq(seq)?,
            new.author_id.as_str(),
            new.author.as_str(),
            new.client_id.as_str(),
            new.body.as_str(),
            ts,
            super::reading::mentions_column(new.body.as_str()),
            new.thread,
            new.thread.is_none() || new.in_room,
        ]);
        match inserted {
            Ok(1) => {
                match seqs.get_mut(&new.room) {
                    Some(known) => *known = (room_id, seq),
                    None => {
                        seqs.insert(new.room.clone(), (room_id, seq));
                    }
                }
                let id = conn.last_insert_rowid();
                let thread = match new.thread {
                    Some(root) => {
                        super::thread_reads::replied(conn, root, &new.author_id, to_db_seq(seq)?)?;
                        Some(super::threads::replied(conn, root, ts)?)
                    }
                    None => None,
                };
                out.push(Appended::New(new.stored(id, seq, ts, thread)));
            }
            Ok(_) => out.push(Appended::Duplicate(original(conn, new)?)),
            Err(error) if is_unique_violation(&error) => return Err(Failure::SeqClash),
            Err(error) => return Err(error.into()),
        }
    }
    Ok((out, seqs))
}

/// The stored message a resend repeats.
fn original(conn: &Connection, new: &NewMessage) -> Result<ChatMessage, Failure> {
    earlier(conn, new)?.ok_or_else(|| rusqlite::Error::QueryReturnedNoRows.into())
}

/// `new`'s original, if its author sent it before.
fn earlier(conn: &Connection, new: &NewMessage) -> Result<Option<ChatMessage>, Failure> {
    let Some((room, id, seq, author, body, ts, thread)) = conn
        .prepare_cached(
            "SELECT r.name, m.id, m.seq, m.author, m.body, m.ts, m.thread_root, t.replies,
                    t.last_reply_at, m.in_room
             FROM messages m JOIN rooms r ON r.id = m.room_id
             LEFT JOIN messages t ON t.id = m.thread_root
             WHERE m.client_id = ?1 AND m.author_id = ?2",
        )?
        .query_row(
            params![new.client_id.as_str(), new.author_id.as_str()],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    match row.get::<_, Option<i64>>(6)? {
                        Some(root) => Some(confab_shared::Thread {
                            root,
                            replies: u32::try_from(row.get::<_, Option<i64>>(7)?.unwrap_or(0))
                                .unwrap_or(0),
                            last_reply_at: row.get(8)?,
                            // As stored: the resend may say otherwise.
                            in_room: row.get::<_, bool>(9)?,
                        }),
                        None => None,
                    },
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    Ok(Some(ChatMessage {
        room: RoomName::new(room).map_err(corrupt)?,
        seq: from_db_seq(seq)?,
        id,
        client_id: ClientId::clone(&new.client_id),
        // The name it was sent under, which the author may no longer have.
        author: UserName::new(author).map_err(corrupt)?,
        author_id: UserId::clone(&new.author_id),
        body: MessageBody::new(body).map_err(corrupt)?,
        ts,
        edited_at: None,
        reactions: Vec::new(),
        thread,
    }))
}

/// The room's id and newest seq, creating the room if this is its first message.
fn room_row(conn: &Connection, room: &RoomName, ts: &str) -> Result<(i64, Seq), Failure> {
    let found = conn
        .prepare_cached("SELECT id FROM rooms WHERE name = ?1")?
        .query_row([room.as_str()], |row| row.get::<_, i64>(0))
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => {
            conn.prepare_cached("INSERT INTO rooms (name, created_at) VALUES (?1, ?2)")?
                .execute(params![room.as_str(), ts])?;
            conn.last_insert_rowid()
        }
    };
    let last: i64 = conn
        .prepare_cached(
            "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = ?1),
                        (SELECT COALESCE(MAX(seq), 0) FROM room_events WHERE room_id = ?1))",
        )?
        .query_row([id], |row| row.get(0))?;
    Ok((id, from_db_seq(last)?))
}

fn connect(path: &Path, durability: Durability) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(database)?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(database)?;
    let synchronous = match durability {
        Durability::Process => "NORMAL",
        Durability::Disk => "FULL",
    };
    // The database is in WAL mode already (the store opened it so). The background
    // checkpointer (checkpoint.rs) does most checkpoints; the writer only when it
    // cannot keep up.
    for sql in [
        format!("PRAGMA synchronous = {synchronous}"),
        "PRAGMA foreign_keys = ON".to_owned(),
        format!(
            "PRAGMA wal_autocheckpoint = {}",
            checkpoint::WRITER_CHECKPOINT_PAGES
        ),
    ] {
        pragma(&conn, &sql).map_err(database)?;
    }
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// Runs a PRAGMA, whatever rows it answers with.
fn pragma(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    let mut statement = conn.prepare(sql)?;
    let mut rows = statement.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

/// A UNIQUE constraint failed: on the messages insert (whose idempotency key is
/// handled by ON CONFLICT) that can only be `(room_id, seq)`.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == ErrorCode::ConstraintViolation
                && e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

pub(super) fn database(error: rusqlite::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

fn corrupt(error: impl std::fmt::Display) -> Failure {
    Failure::Other(StoreError::Corrupt(error.to_string()))
}
