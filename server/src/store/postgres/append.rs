//! Appending messages on PostgreSQL: a batch in one transaction, every message with
//! its room's next seq, with several nodes writing at once.
//!
//! A room's newest seq is its row's `last_seq`. The batch's transaction locks the
//! rows of its rooms (`FOR UPDATE`) in id order, so two batches over the same rooms,
//! from any nodes, take turns in one order and never deadlock; the seqs it gives out
//! are written back before it commits, so they stay gapless and unique. A resend
//! (the author used that client id before, on any node) inserts nothing: `ON
//! CONFLICT DO NOTHING` waits for a concurrent insert of the same key to commit, and
//! the original is read back.

use std::collections::HashMap;
use std::sync::Arc;

use confab_shared::protocol::folded;
use confab_shared::{ChatMessage, ClientId, MessageBody, RoomName, Thread, UserId, UserName};
use sqlx::{PgConnection, Row};

use super::PostgresStore;
use crate::store::columns::{from_db_seq, mentions_column};
use crate::store::{Appended, NewMessage, StoreError, now_rfc3339};

const INSERT: &str = "INSERT INTO messages
        (room_id, seq, author_id, author, client_id, body, ts, mentions, thread_root, in_room,
         folded)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (client_id, author_id) DO NOTHING
     RETURNING id";

impl PostgresStore {
    /// Stores `batch` in one transaction, in order, giving each new message the next
    /// seq of its room (made if this is its first message); on error nothing of the
    /// batch is stored.
    pub async fn append(&self, batch: Arc<[NewMessage]>) -> Result<Vec<Appended>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let ts = now_rfc3339();
        let mut names: Vec<&str> = batch.iter().map(|m| m.room.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        // New rooms in a statement of their own, committed before the batch begins:
        // its transaction then only ever waits for rooms' rows in id order.
        sqlx::query(
            "INSERT INTO rooms (name, created_at) SELECT unnest($1::text[]), $2
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&names)
        .bind(&ts)
        .execute(&self.pool)
        .await?;
        let mut tx = self.pool.begin().await?;
        let locked = sqlx::query(
            "SELECT id, name, last_seq FROM rooms WHERE name = ANY($1) ORDER BY id FOR UPDATE",
        )
        .bind(&names)
        .fetch_all(&mut *tx)
        .await?;
        let mut rooms: HashMap<String, (i64, i64, bool)> = HashMap::with_capacity(locked.len());
        for row in locked {
            rooms.insert(row.try_get(1)?, (row.try_get(0)?, row.try_get(2)?, false));
        }
        let mut out = Vec::with_capacity(batch.len());
        for new in batch.iter() {
            let Some((room_id, last, wrote)) = rooms.get_mut(new.room.as_str()) else {
                return Err(StoreError::Database(format!("room {} vanished", new.room)));
            };
            let seq = *last + 1;
            let id: Option<i64> = sqlx::query_scalar(INSERT)
                .bind(*room_id)
                .bind(seq)
                .bind(new.author_id.as_str())
                .bind(new.author.as_str())
                .bind(new.client_id.as_str())
                .bind(new.body.as_str())
                .bind(&ts)
                .bind(mentions_column(new.body.as_str()))
                .bind(new.thread)
                .bind(new.thread.is_none() || new.in_room)
                .bind(folded(new.body.as_str()))
                .fetch_optional(&mut *tx)
                .await?;
            let Some(id) = id else {
                out.push(Appended::Duplicate(original(&mut tx, new).await?));
                continue;
            };
            (*last, *wrote) = (seq, true);
            let thread = match new.thread {
                Some(root) => Some(replied(&mut tx, root, &new.author_id, seq, &ts).await?),
                None => None,
            };
            out.push(Appended::New(new.stored(
                id,
                from_db_seq(seq)?,
                &ts,
                thread,
            )));
        }
        for (room_id, last, wrote) in rooms.into_values() {
            if wrote {
                sqlx::query("UPDATE rooms SET last_seq = $2 WHERE id = $1")
                    .bind(room_id)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}

/// A reply stored: its root's summary counts it, and the author takes part in the
/// thread (with the root's author), read up to the reply. Gives the thread after it.
async fn replied(
    tx: &mut PgConnection,
    root: i64,
    author: &UserId,
    seq: i64,
    ts: &str,
) -> Result<Thread, StoreError> {
    let replies: Option<i64> = sqlx::query_scalar(
        "UPDATE messages SET replies = replies + 1, last_reply_at = $2
         WHERE id = $1 RETURNING replies",
    )
    .bind(root)
    .bind(ts)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO thread_people (root_id, user_id)
         SELECT $1, author_id FROM messages WHERE id = $1
         UNION SELECT $1, $2
         ON CONFLICT DO NOTHING",
    )
    .bind(root)
    .bind(author.as_str())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO thread_reads (user_id, root_id, seq) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, root_id) DO UPDATE SET seq = greatest(thread_reads.seq, excluded.seq)",
    )
    .bind(author.as_str())
    .bind(root)
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    Ok(Thread {
        root,
        replies: u32::try_from(replies.unwrap_or(0)).unwrap_or(0),
        last_reply_at: Some(ts.to_owned()),
        in_room: false,
    })
}

/// The stored message a resend repeats, as it was sent.
async fn original(tx: &mut PgConnection, new: &NewMessage) -> Result<ChatMessage, StoreError> {
    let row = sqlx::query(
        "SELECT r.name, m.id, m.seq, m.author, m.body, m.ts, m.thread_root, t.replies,
                t.last_reply_at, m.in_room
         FROM messages m JOIN rooms r ON r.id = m.room_id
         LEFT JOIN messages t ON t.id = m.thread_root
         WHERE m.client_id = $1 AND m.author_id = $2",
    )
    .bind(new.client_id.as_str())
    .bind(new.author_id.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let thread = match row.try_get::<Option<i64>, _>(6)? {
        Some(root) => Some(Thread {
            root,
            replies: u32::try_from(row.try_get::<Option<i64>, _>(7)?.unwrap_or(0)).unwrap_or(0),
            last_reply_at: row.try_get(8)?,
            // As stored: the resend may say otherwise.
            in_room: row.try_get(9)?,
        }),
        None => None,
    };
    Ok(ChatMessage {
        room: RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?,
        seq: from_db_seq(row.try_get(2)?)?,
        id: row.try_get(1)?,
        client_id: ClientId::clone(&new.client_id),
        // The name it was sent under, which the author may no longer have.
        author: UserName::new(row.try_get::<String, _>(3)?).map_err(corrupt)?,
        author_id: UserId::clone(&new.author_id),
        body: MessageBody::new(row.try_get::<String, _>(4)?).map_err(corrupt)?,
        ts: row.try_get(5)?,
        edited_at: None,
        reactions: Vec::new(),
        thread,
    })
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// For the tests: the seq the database holds as a room's newest.
#[cfg(test)]
pub(super) async fn last_seq(store: &PostgresStore, room: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT last_seq FROM rooms WHERE name = $1")
            .bind(room)
            .fetch_one(&store.pool)
            .await?,
    )
}
