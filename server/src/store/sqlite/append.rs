//! The write path: a batch of messages in one transaction, with as few statements as
//! the batch allows (one lookup of resends, one insert per 100 rows), whatever its
//! size, and no rows coming back (sqlx hands each returned row across threads).
//! Message ids and per-room seqs are given out from memory: this store's writer task
//! (`writer.rs`) is the only writer of its file, so the cache stays exact; a failed
//! batch forgets it, and the next batch reads it back from the database.
//!
//! Most batches take the fast path (`fast.rs`), with no lookups first. This file is
//! the general path, taken when the fast one cannot be: the first batch after a
//! start, a room new to the cache, or a resend.

use std::collections::HashMap;

use confab_shared::{ChatMessage, ClientId, RoomName, Seq, UserName};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Connection, Row as _, Sqlite, SqliteConnection, Transaction};

use super::writer::Writer;
use super::{from_db_seq, message_from_row, to_db_seq};
use crate::store::{Appended, NewMessage, StoreError};

/// Rows per INSERT statement (7 parameters each; SQLite allows 32766).
pub(super) const ROWS_PER_INSERT: usize = 100;

/// What the writer remembers between batches.
#[derive(Default)]
pub(super) struct SeqCache {
    /// Room ids and the newest seq of each, by room name.
    pub(super) rooms: HashMap<RoomName, (i64, Seq)>,
    /// The id the next stored message gets; None until read from the database.
    pub(super) next_id: Option<i64>,
}

/// Where each message of the batch stands before the insert.
enum Plan {
    /// Stored before (by an earlier batch): its original.
    Original(ChatMessage),
    /// The same author and client id as message `i` of this batch.
    SameAs(usize),
    /// To insert with this id, room id and seq.
    Insert { id: i64, room_id: i64, seq: Seq },
}

impl Writer {
    /// Stores `batch` through sqlx: in one round trip if the fast path can, else on
    /// the general path.
    pub(super) async fn append_batch(
        &mut self,
        writer: &mut SqliteConnection,
        batch: &[NewMessage],
        ts: &str,
    ) -> Result<Vec<Appended>, StoreError> {
        if let Some(out) = self.append_fast(writer, batch, ts).await? {
            return Ok(out);
        }
        self.append_general(writer, batch, ts).await
    }

    /// The general path: looks up resends and unknown rooms first.
    pub(super) async fn append_general(
        &mut self,
        writer: &mut SqliteConnection,
        batch: &[NewMessage],
        ts: &str,
    ) -> Result<Vec<Appended>, StoreError> {
        // Taken out for the batch, put back only if it commits.
        let mut cache = std::mem::take(&mut self.seqs);
        let mut tx = writer.begin().await?;
        let mut originals = stored_originals(&mut tx, batch).await?;
        let mut next_id = match cache.next_id {
            Some(id) => id,
            None => {
                sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) + 1 FROM messages")
                    .fetch_one(&mut *tx)
                    .await?
            }
        };

        let mut first_of: HashMap<(&UserName, &ClientId), usize> = HashMap::new();
        let mut plans = Vec::with_capacity(batch.len());
        for (i, new) in batch.iter().enumerate() {
            let key = (&new.author, &new.client_id);
            if let Some(&first) = first_of.get(&key) {
                plans.push(Plan::SameAs(first));
                continue;
            }
            first_of.insert(key, i);
            if let Some(original) =
                originals.remove(&(new.author.to_string(), new.client_id.to_string()))
            {
                plans.push(Plan::Original(original));
                continue;
            }
            let (room_id, last) = match cache.rooms.get(&new.room) {
                Some(&known) => known,
                None => room_row(&mut tx, &new.room, ts).await?,
            };
            cache.rooms.insert(new.room.clone(), (room_id, last + 1));
            plans.push(Plan::Insert {
                id: next_id,
                room_id,
                seq: last + 1,
            });
            next_id += 1;
        }

        insert_rows(&mut tx, batch, &plans, ts).await?;
        tx.commit().await?;
        cache.next_id = Some(next_id);
        self.seqs = cache;

        let mut out: Vec<Appended> = Vec::with_capacity(batch.len());
        for (new, plan) in batch.iter().zip(plans) {
            let appended = match plan {
                Plan::Original(original) => Appended::Duplicate(original),
                Plan::SameAs(first) => Appended::Duplicate(out[first].message().clone()),
                Plan::Insert { id, seq, .. } => Appended::New(new.stored(id, seq, ts)),
            };
            out.push(appended);
        }
        Ok(out)
    }
}

/// The stored messages among the batch's (author, client_id) pairs, in one query.
async fn stored_originals(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &[NewMessage],
) -> Result<HashMap<(String, String), ChatMessage>, StoreError> {
    let mut found = HashMap::new();
    for chunk in batch.chunks(ROWS_PER_INSERT * 3) {
        let pairs = vec!["(?, ?)"; chunk.len()].join(", ");
        // Driven from the pairs, so each is one lookup in the (author, client_id)
        // index; `(author, client_id) IN (VALUES ...)` would scan every message.
        let sql = format!(
            "WITH wanted (author, client_id) AS (VALUES {pairs})
             SELECT r.name, m.id, m.seq, m.client_id, m.author, m.body, m.ts
             FROM wanted w
             JOIN messages m ON m.author = w.author AND m.client_id = w.client_id
             JOIN rooms r ON r.id = m.room_id"
        );
        let mut query = sqlx::query(&sql);
        for new in chunk {
            query = query.bind(new.author.as_str()).bind(new.client_id.as_str());
        }
        for row in query.fetch_all(&mut **tx).await? {
            let room = RoomName::new(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let message = message_from_row(&room, &row, 1)?;
            let key = (message.author.to_string(), message.client_id.to_string());
            found.insert(key, message);
        }
    }
    Ok(found)
}

/// Inserts the planned rows.
async fn insert_rows(
    tx: &mut Transaction<'_, Sqlite>,
    batch: &[NewMessage],
    plans: &[Plan],
    ts: &str,
) -> Result<(), StoreError> {
    let rows: Vec<Row<'_>> = batch
        .iter()
        .zip(plans)
        .filter_map(|(new, plan)| match *plan {
            Plan::Insert { id, room_id, seq } => Some((new, id, room_id, seq)),
            _ => None,
        })
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::new();
        push_insert(&mut sql, chunk.len());
        bind_rows(sqlx::query(&sql), chunk, ts)?
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A message to insert, with its id, room id and seq.
pub(super) type Row<'a> = (&'a NewMessage, i64, i64, Seq);

/// Appends one INSERT statement for `rows` rows (at most [`ROWS_PER_INSERT`]).
pub(super) fn push_insert(sql: &mut String, rows: usize) {
    sql.push_str("INSERT INTO messages (id, room_id, seq, author, client_id, body, ts) VALUES ");
    for i in 0..rows {
        sql.push_str(if i == 0 {
            "(?, ?, ?, ?, ?, ?, ?)"
        } else {
            ", (?, ?, ?, ?, ?, ?, ?)"
        });
    }
    sql.push(';');
}

/// Binds the parameters of `rows`, in the order [`push_insert`] lists them.
pub(super) fn bind_rows<'q>(
    mut query: Query<'q, Sqlite, SqliteArguments<'q>>,
    rows: &[Row<'q>],
    ts: &'q str,
) -> Result<Query<'q, Sqlite, SqliteArguments<'q>>, StoreError> {
    for &(new, id, room_id, seq) in rows {
        query = query
            .bind(id)
            .bind(room_id)
            .bind(to_db_seq(seq)?)
            .bind(new.author.as_str())
            .bind(new.client_id.as_str())
            .bind(new.body.as_str())
            .bind(ts);
    }
    Ok(query)
}

/// The room's id and newest seq, creating the room if this is its first message.
pub(super) async fn room_row(
    tx: &mut Transaction<'_, Sqlite>,
    room: &RoomName,
    ts: &str,
) -> Result<(i64, Seq), StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rooms (name, created_at) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET name = excluded.name
         RETURNING id",
    )
    .bind(room.as_str())
    .bind(ts)
    .fetch_one(&mut **tx)
    .await?;
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = ?")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok((id, from_db_seq(last)?))
}
