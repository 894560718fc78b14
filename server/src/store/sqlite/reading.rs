//! Read markers in SQLite (migration 0013), and what is unread after them: counted
//! off each room's newest messages kept in memory (recent.rs), read once from the
//! table (seq, id, author and the `mentions` column of migration 0015); a marker
//! older than what memory holds is counted by the database, at most `UNREAD_CAP`
//! messages back from the newest.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{RoomName, Seq, UserId, UserName};
use sqlx::Row;

use super::SqliteStore;
use super::recent::{KEEP, Lookup, Stored};
use crate::reading::{Marker, Reading, Unread};
use crate::store::StoreError;

fn seq_of(n: i64) -> Seq {
    Seq::try_from(n).unwrap_or(0)
}

fn as_i64(seq: Seq) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

pub(super) use crate::store::columns::mentions_column;

/// Fills the `mentions` column of messages stored before it existed, a thousand at a
/// time; gives how many. Run once when the store opens (then there are none).
pub(super) async fn fill_mentions(pool: &sqlx::SqlitePool) -> Result<u64, StoreError> {
    let mut filled = 0;
    loop {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, body FROM messages WHERE mentions IS NULL LIMIT 1000")
                .fetch_all(pool)
                .await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let mut tx = pool.begin().await?;
        for (id, body) in &rows {
            sqlx::query("UPDATE messages SET mentions = ? WHERE id = ?")
                .bind(mentions_column(body))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        filled += rows.len() as u64;
    }
}

#[async_trait]
impl Reading for SqliteStore {
    async fn set_read(
        &self,
        user: &UserId,
        room: &RoomName,
        seq: Seq,
        back: bool,
    ) -> Result<Marker, StoreError> {
        // No further than the room's newest event, message or other.
        let newest: Option<i64> = sqlx::query_scalar(
            "SELECT max(
                 coalesce((SELECT max(seq) FROM messages WHERE room_id = r.id), 0),
                 coalesce((SELECT max(seq) FROM room_events WHERE room_id = r.id), 0))
             FROM rooms r WHERE r.name = ?",
        )
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(newest) = newest else {
            return Ok(Marker {
                seq: 0,
                moved: false,
            });
        };
        let wanted = as_i64(seq).min(newest);
        // One statement, so two sockets moving it at once cannot move it back.
        let done = sqlx::query(
            "INSERT INTO read_markers (user_id, room_id, seq)
             SELECT ?, id, ? FROM rooms WHERE name = ?
             ON CONFLICT (user_id, room_id) DO UPDATE SET seq = excluded.seq
             WHERE excluded.seq > read_markers.seq
                OR (? AND excluded.seq < read_markers.seq)",
        )
        .bind(user.as_str())
        .bind(wanted)
        .bind(room.as_str())
        .bind(back)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Marker {
                seq: seq_of(wanted),
                moved: true,
            });
        }
        let now: Option<i64> = sqlx::query_scalar(
            "SELECT k.seq FROM read_markers k JOIN rooms r ON r.id = k.room_id
             WHERE k.user_id = ? AND r.name = ?",
        )
        .bind(user.as_str())
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(Marker {
            seq: seq_of(now.unwrap_or(0)),
            moved: false,
        })
    }

    async fn markers(&self, user: &UserId) -> Result<HashMap<RoomName, Seq>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.name, k.seq FROM read_markers k JOIN rooms r ON r.id = k.room_id
             WHERE k.user_id = ?",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut markers = HashMap::with_capacity(rows.len());
        for row in rows {
            let name = RoomName::new(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            markers.insert(name, seq_of(row.try_get(1)?));
        }
        Ok(markers)
    }

    async fn all_counts(
        &self,
        user: &UserId,
        name: &UserName,
    ) -> Result<HashMap<RoomName, (Option<Seq>, Unread)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.name, k.seq
             FROM room_members m INDEXED BY room_members_by_user
             JOIN rooms r ON r.id = m.room_id
             LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
             WHERE m.user_id = ?",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        let name = name.as_str().to_lowercase();
        let mut counts = HashMap::with_capacity(rows.len());
        for row in rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let read = row.try_get::<Option<i64>, _>(1)?.map(seq_of);
            let unread = self.counted(user, &name, &room, read.unwrap_or(0)).await?;
            counts.insert(room, (read, unread));
        }
        Ok(counts)
    }

    async fn unread(
        &self,
        user: &UserId,
        name: &UserName,
        room: &RoomName,
        after: Seq,
    ) -> Result<Unread, StoreError> {
        let name = name.as_str().to_lowercase();
        self.counted(user, &name, room, after).await
    }

    async fn thread_people(
        &self,
        room: &RoomName,
        root: confab_shared::MessageId,
    ) -> Result<Vec<UserId>, StoreError> {
        crate::store::thread_reads::people(&self.pool, room, root).await
    }

    async fn thread_read(
        &self,
        user: &UserId,
        room: &RoomName,
        root: confab_shared::MessageId,
        seq: Seq,
    ) -> Result<confab_shared::ThreadUnread, StoreError> {
        self.thread_read_to(user, room, root, seq).await
    }

    async fn threads_unread(
        &self,
        user: &UserId,
    ) -> Result<HashMap<RoomName, Vec<confab_shared::ThreadUnread>>, StoreError> {
        crate::store::thread_reads::unread_threads(&self.pool, user).await
    }
}

impl SqliteStore {
    /// What is unread in `room` after `after` for `user` (named `name`, lower case):
    /// from memory, reading the room's newest messages into it the first time.
    async fn counted(
        &self,
        user: &UserId,
        name: &str,
        room: &RoomName,
        after: Seq,
    ) -> Result<Unread, StoreError> {
        let mut lookup = self.recent.count(room, user, name, after);
        if lookup == Lookup::NotLoaded && self.recent.begin_load(room) {
            match newest(&self.pool, room).await {
                Ok(rows) => self.recent.finish_load(room, rows),
                Err(error) => {
                    self.recent.abort_load(room);
                    return Err(error);
                }
            }
            lookup = self.recent.count(room, user, name, after);
        }
        match lookup {
            Lookup::Counted(unread) => Ok(unread),
            Lookup::NotLoaded | Lookup::Beyond => {
                counted_by_database(&self.pool, user, name, room, after).await
            }
        }
    }
}

/// A room's newest messages not deleted (those its list shows: unread counts
/// no reply kept in its thread), newest first, as many as memory keeps.
async fn newest(pool: &sqlx::SqlitePool, room: &RoomName) -> Result<Vec<Stored>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, id, author_id, coalesce(mentions, '') FROM messages
         WHERE room_id = (SELECT id FROM rooms WHERE name = ?) AND deleted_at IS NULL
           AND in_room = 1
         ORDER BY seq DESC LIMIT ?",
    )
    .bind(room.as_str())
    .bind(i64::try_from(KEEP).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await?;
    let mut newest = Vec::with_capacity(rows.len());
    for row in rows {
        newest.push(Stored {
            seq: seq_of(row.try_get(0)?),
            id: row.try_get(1)?,
            author: row.try_get(2)?,
            mentions: row.try_get(3)?,
        });
    }
    Ok(newest)
}

/// What is unread after a marker older than memory holds: the newest messages by
/// others, not deleted, at most `UNREAD_CAP`, and those mentioning the reader.
async fn counted_by_database(
    pool: &sqlx::SqlitePool,
    user: &UserId,
    name: &str,
    room: &RoomName,
    after: Seq,
) -> Result<Unread, StoreError> {
    let needle = format!(" {name} ");
    let (unread, mentions): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(instr(x.mentions, ?) > 0), 0)
         FROM (SELECT x.mentions FROM messages x
             WHERE x.room_id = (SELECT id FROM rooms WHERE name = ?)
               AND x.seq > ? AND x.author_id <> ? AND x.deleted_at IS NULL
               AND x.in_room = 1
             ORDER BY x.seq DESC LIMIT ?) AS x",
    )
    .bind(&needle)
    .bind(room.as_str())
    .bind(as_i64(after))
    .bind(user.as_str())
    .bind(i64::from(UNREAD_CAP))
    .fetch_one(pool)
    .await?;
    let unread = u32::try_from(unread).unwrap_or(UNREAD_CAP);
    Ok(Unread {
        unread,
        mentions: u32::try_from(mentions).unwrap_or(0).min(unread),
    })
}
