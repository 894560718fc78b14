//! Read markers in SQLite (migration 0013), and what is unread after them, read off
//! the `messages_unread` index alone (migration 0015: room, seq, author, whom each
//! message mentions, of messages not deleted): at most `UNREAD_CAP` entries per room.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{RoomName, Seq, UserId, UserName};
use sqlx::Row;

use super::SqliteStore;
use crate::reading::{Marker, Reading, Unread};
use crate::store::StoreError;

fn seq_of(n: i64) -> Seq {
    Seq::try_from(n).unwrap_or(0)
}

fn as_i64(seq: Seq) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// The `mentions` column of a message (migration 0015): whom `body` mentions, each
/// name between spaces (' ann bob '), or '' for nobody.
pub(super) fn mentions_column(body: &str) -> String {
    let mut names: Vec<String> = confab_shared::protocol::mentioned(body).collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort();
    names.dedup();
    format!(" {} ", names.join(" "))
}

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
        // One statement for every room: each room's newest unread (at most
        // UNREAD_CAP) and those of them that mention the reader, read off the
        // `messages_unread` index alone (migration 0015), never the rows.
        let needle = format!(" {} ", name.as_str().to_lowercase());
        let rows = sqlx::query(
            "WITH mine AS (
                 SELECT r.id AS room_id, r.name AS name, k.seq AS marker
                 FROM room_members m INDEXED BY room_members_by_user
                 JOIN rooms r ON r.id = m.room_id
                 LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
                 WHERE m.user_id = ?1)
             SELECT name, marker,
                 (SELECT count(*) || ' ' || coalesce(sum(instr(x.mentions, ?3) > 0), 0)
                  FROM (SELECT x.mentions FROM messages x INDEXED BY messages_unread
                     WHERE x.room_id = mine.room_id AND x.seq > coalesce(mine.marker, 0)
                       AND x.author_id <> ?1 AND x.deleted_at IS NULL
                     ORDER BY x.seq DESC LIMIT ?2) AS x)
             FROM mine",
        )
        .bind(user.as_str())
        .bind(i64::from(UNREAD_CAP))
        .bind(&needle)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = HashMap::with_capacity(rows.len());
        for row in rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let read = row.try_get::<Option<i64>, _>(1)?.map(seq_of);
            // "unread mentions"
            let counted: String = row.try_get(2)?;
            let mut numbers = counted.split(' ').map(|n| n.parse::<u32>().unwrap_or(0));
            let unread = numbers.next().unwrap_or(0).min(UNREAD_CAP);
            let mentions = numbers.next().unwrap_or(0).min(unread);
            counts.insert(room, (read, Unread { unread, mentions }));
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
        let needle = format!(" {} ", name.as_str().to_lowercase());
        let (unread, mentions): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(instr(x.mentions, ?) > 0), 0)
             FROM (SELECT x.mentions FROM messages x INDEXED BY messages_unread
                 WHERE x.room_id = (SELECT id FROM rooms WHERE name = ?)
                   AND x.seq > ? AND x.author_id <> ? AND x.deleted_at IS NULL
                 ORDER BY x.seq DESC LIMIT ?) AS x",
        )
        .bind(&needle)
        .bind(room.as_str())
        .bind(as_i64(after))
        .bind(user.as_str())
        .bind(i64::from(UNREAD_CAP))
        .fetch_one(&self.pool)
        .await?;
        let unread = u32::try_from(unread).unwrap_or(UNREAD_CAP);
        Ok(Unread {
            unread,
            mentions: u32::try_from(mentions).unwrap_or(0).min(unread),
        })
    }
}
