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
use super::refusals::{Refused, refused};
use crate::rooms::PostDenied;
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
        // At once: one statement for the batch's earlier sends, one for its new
        // messages. Should another node store one of the same sends meanwhile (a
        // client that resent through two nodes at once), that insert would leave a
        // hole in the seqs: then the batch is stored again, one message at a time.
        let mut tx = self.pool.begin().await?;
        let mut rooms = lock_rooms(&mut tx, &names).await?;
        let mut refused = refused(&mut tx, &rooms, &batch).await?;
        let out = match at_once(&mut tx, &mut rooms, &refused, &batch, &ts).await? {
            Some(out) => out,
            None => {
                tx.rollback().await?;
                tx = self.pool.begin().await?;
                rooms = lock_rooms(&mut tx, &names).await?;
                refused = super::refusals::refused(&mut tx, &rooms, &batch).await?;
                one_by_one(&mut tx, &mut rooms, &refused, &batch, &ts).await?
            }
        };
        // Every room written to, its newest seq, in one statement.
        let (ids, lasts): (Vec<i64>, Vec<i64>) = rooms
            .into_values()
            .filter(|(_, _, wrote)| *wrote)
            .map(|(id, last, _)| (id, last))
            .unzip();
        sqlx::query(
            "UPDATE rooms r SET last_seq = k.last
             FROM unnest($1::bigint[], $2::bigint[]) AS k(id, last) WHERE r.id = k.id",
        )
        .bind(&ids)
        .bind(&lasts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Each room of the batch by name: its id, its newest seq, and whether the batch
/// wrote to it.
pub(super) type Rooms = HashMap<String, (i64, i64, bool)>;

/// Locks the rows of the rooms `names`, in id order, and reads them.
async fn lock_rooms(tx: &mut PgConnection, names: &[&str]) -> Result<Rooms, StoreError> {
    let locked = sqlx::query(
        "SELECT id, name, last_seq FROM rooms WHERE name = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(names)
    .fetch_all(&mut *tx)
    .await?;
    let mut rooms = HashMap::with_capacity(locked.len());
    for row in locked {
        rooms.insert(row.try_get(1)?, (row.try_get(0)?, row.try_get(2)?, false));
    }
    Ok(rooms)
}

/// What becomes of one message of a batch stored at once.
enum Planned {
    /// Sent before this batch: its original.
    Earlier(Box<ChatMessage>),
    /// New: the `n`th row inserted, with this seq.
    Fresh(usize, i64),
    /// Sent earlier in this batch: the `n`th row inserted.
    Again(usize),
    /// Its author may not post there now: not stored.
    Refused(PostDenied),
}

/// The batch in two statements; None if another node stored one of its sends
/// meanwhile (nothing of it is then kept: the caller rolls back).
async fn at_once(
    tx: &mut PgConnection,
    rooms: &mut Rooms,
    refused: &Refused,
    batch: &[NewMessage],
    ts: &str,
) -> Result<Option<Vec<Appended>>, StoreError> {
    let clients: Vec<&str> = batch.iter().map(|m| m.client_id.as_str()).collect();
    let authors: Vec<&str> = batch.iter().map(|m| m.author_id.as_str()).collect();
    let earlier = sqlx::query(&format!(
        "SELECT {ORIGINAL}, m.client_id, m.author_id FROM messages m
         JOIN rooms r ON r.id = m.room_id
         LEFT JOIN messages t ON t.id = m.thread_root
         JOIN unnest($1::text[], $2::text[]) AS k(c, a) ON m.client_id = k.c AND m.author_id = k.a"
    ))
    .bind(&clients)
    .bind(&authors)
    .fetch_all(&mut *tx)
    .await?;
    let mut originals: HashMap<(String, String), sqlx::postgres::PgRow> = HashMap::new();
    for row in earlier {
        originals.insert((row.try_get(10)?, row.try_get(11)?), row);
    }
    let mut plan = Vec::with_capacity(batch.len());
    let mut fresh: HashMap<(&str, &str), usize> = HashMap::new();
    let mut rows = Columns::default();
    for new in batch {
        let key = (new.client_id.as_str(), new.author_id.as_str());
        if let Some(row) = originals.get(&(key.0.to_owned(), key.1.to_owned())) {
            plan.push(Planned::Earlier(Box::new(original_of(row, new)?)));
            continue;
        }
        if let Some(&n) = fresh.get(&key) {
            plan.push(Planned::Again(n));
            continue;
        }
        let Some((room_id, last, wrote)) = rooms.get_mut(new.room.as_str()) else {
            return Err(StoreError::Database(format!("room {} vanished", new.room)));
        };
        let why = refused.get(&(*room_id, new.author_id.to_string()));
        if let Some(why) = why.copied().or(new.refused) {
            plan.push(Planned::Refused(why));
            continue;
        }
        (*last, *wrote) = (*last + 1, true);
        fresh.insert(key, rows.len());
        plan.push(Planned::Fresh(rows.len(), *last));
        rows.push(*room_id, *last, new, ts);
    }
    let ids: Vec<i64> = if rows.is_empty() {
        Vec::new()
    } else {
        match rows
            .insert(tx)
            .await?
            .into_iter()
            .collect::<Option<Vec<i64>>>()
        {
            Some(ids) => ids,
            None => return Ok(None),
        }
    };
    let mut out = Vec::with_capacity(batch.len());
    let mut stored: Vec<Option<ChatMessage>> = vec![None; rows.len()];
    for (new, planned) in batch.iter().zip(plan) {
        match planned {
            Planned::Earlier(message) => out.push(Appended::Duplicate(*message)),
            Planned::Refused(why) => out.push(Appended::Refused(why)),
            Planned::Fresh(n, seq) => {
                let thread = match new.thread {
                    Some(root) => Some(replied(tx, root, &new.author_id, seq, ts).await?),
                    None => None,
                };
                let message = new.stored(ids[n], from_db_seq(seq)?, ts, thread);
                stored[n] = Some(message.clone());
                out.push(Appended::New(message));
            }
            Planned::Again(n) => {
                let first = stored[n].clone().ok_or_else(|| {
                    StoreError::Corrupt("a resend before its original".to_owned())
                })?;
                out.push(Appended::Duplicate(ChatMessage {
                    client_id: ClientId::clone(&new.client_id),
                    ..first
                }));
            }
        }
    }
    Ok(Some(out))
}

/// The batch's new messages, a column at a time, for one `unnest` insert.
#[derive(Default)]
struct Columns {
    room_ids: Vec<i64>,
    seqs: Vec<i64>,
    author_ids: Vec<String>,
    authors: Vec<String>,
    client_ids: Vec<String>,
    bodies: Vec<String>,
    mentions: Vec<String>,
    roots: Vec<Option<i64>>,
    in_room: Vec<bool>,
    folded: Vec<String>,
    ts: String,
}

impl Columns {
    fn len(&self) -> usize {
        self.seqs.len()
    }

    fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    fn push(&mut self, room_id: i64, seq: i64, new: &NewMessage, ts: &str) {
        let body = new.body.as_str();
        self.room_ids.push(room_id);
        self.seqs.push(seq);
        self.author_ids.push(new.author_id.to_string());
        self.authors.push(new.author.to_string());
        self.client_ids.push(new.client_id.to_string());
        self.bodies.push(body.to_owned());
        self.mentions.push(mentions_column(body));
        self.roots.push(new.thread);
        self.in_room.push(new.thread.is_none() || new.in_room);
        self.folded.push(folded(body));
        ts.clone_into(&mut self.ts);
    }

    /// Inserts them, each unless its send is stored already; gives the ids of
    /// those inserted, in their order here (None for one not inserted).
    async fn insert(&self, tx: &mut PgConnection) -> Result<Vec<Option<i64>>, StoreError> {
        let inserted: Vec<(i64, String, String)> = sqlx::query_as(
            "INSERT INTO messages (room_id, seq, author_id, author, client_id, body, ts,
                 mentions, thread_root, in_room, folded)
             SELECT k.room_id, k.seq, k.author_id, k.author, k.client_id, k.body, $7,
                 k.mentions, k.thread_root, k.in_room, k.folded
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                 $6::text[], $8::text[], $9::bigint[], $10::boolean[], $11::text[])
                 WITH ORDINALITY AS k(room_id, seq, author_id, author, client_id, body,
                     mentions, thread_root, in_room, folded, n)
             ORDER BY k.n
             ON CONFLICT (client_id, author_id) DO NOTHING
             RETURNING id, client_id, author_id",
        )
        .bind(&self.room_ids)
        .bind(&self.seqs)
        .bind(&self.author_ids)
        .bind(&self.authors)
        .bind(&self.client_ids)
        .bind(&self.bodies)
        .bind(&self.ts)
        .bind(&self.mentions)
        .bind(&self.roots)
        .bind(&self.in_room)
        .bind(&self.folded)
        .fetch_all(&mut *tx)
        .await?;
        let by_send: HashMap<(String, String), i64> = inserted
            .into_iter()
            .map(|(id, client, author)| ((client, author), id))
            .collect();
        Ok(self
            .client_ids
            .iter()
            .zip(&self.author_ids)
            .map(|(client, author)| by_send.get(&(client.clone(), author.clone())).copied())
            .collect())
    }
}

/// The batch one message at a time, each insert finding a resend by its conflict.
async fn one_by_one(
    tx: &mut PgConnection,
    rooms: &mut Rooms,
    refused: &Refused,
    batch: &[NewMessage],
    ts: &str,
) -> Result<Vec<Appended>, StoreError> {
    let mut out = Vec::with_capacity(batch.len());
    for new in batch {
        let Some((room_id, last, wrote)) = rooms.get_mut(new.room.as_str()) else {
            return Err(StoreError::Database(format!("room {} vanished", new.room)));
        };
        let why = refused.get(&(*room_id, new.author_id.to_string()));
        if let Some(why) = why.copied().or(new.refused) {
            // A resend of what was stored before the change is acknowledged again.
            out.push(match earlier(tx, new).await? {
                Some(message) => Appended::Duplicate(message),
                None => Appended::Refused(why),
            });
            continue;
        }
        let seq = *last + 1;
        let id: Option<i64> = sqlx::query_scalar(INSERT)
            .bind(*room_id)
            .bind(seq)
            .bind(new.author_id.as_str())
            .bind(new.author.as_str())
            .bind(new.client_id.as_str())
            .bind(new.body.as_str())
            .bind(ts)
            .bind(mentions_column(new.body.as_str()))
            .bind(new.thread)
            .bind(new.thread.is_none() || new.in_room)
            .bind(folded(new.body.as_str()))
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else {
            out.push(Appended::Duplicate(original(tx, new).await?));
            continue;
        };
        (*last, *wrote) = (seq, true);
        let thread = match new.thread {
            Some(root) => Some(replied(tx, root, &new.author_id, seq, ts).await?),
            None => None,
        };
        out.push(Appended::New(new.stored(id, from_db_seq(seq)?, ts, thread)));
    }
    Ok(out)
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

/// A stored message's columns as a resend's answer gives them (`original_of`).
const ORIGINAL: &str = "r.name, m.id, m.seq, m.author, m.body, m.ts, m.thread_root,
     t.replies, t.last_reply_at, m.in_room";

/// The stored message a resend repeats, as it was sent.
async fn original(tx: &mut PgConnection, new: &NewMessage) -> Result<ChatMessage, StoreError> {
    earlier(tx, new)
        .await?
        .ok_or_else(|| StoreError::Corrupt("a resend without its original".to_owned()))
}

/// `new`'s original, if the author sent it before.
async fn earlier(
    tx: &mut PgConnection,
    new: &NewMessage,
) -> Result<Option<ChatMessage>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {ORIGINAL} FROM messages m JOIN rooms r ON r.id = m.room_id
         LEFT JOIN messages t ON t.id = m.thread_root
         WHERE m.client_id = $1 AND m.author_id = $2"
    ))
    .bind(new.client_id.as_str())
    .bind(new.author_id.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    row.map(|row| original_of(&row, new)).transpose()
}

/// `ORIGINAL`'s columns, the answer to `new`, a resend.
fn original_of(row: &sqlx::postgres::PgRow, new: &NewMessage) -> Result<ChatMessage, StoreError> {
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
