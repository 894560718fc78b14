//! Read markers in SQLite (migration 0013), and what is unread after them, read off
//! the messages' `(room_id, seq)` index: at most `UNREAD_CAP` rows per room.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{RoomName, Seq, UserId, UserName};
use sqlx::Row;

use super::SqliteStore;
use crate::reading::{Marker, Reading, Unread, count};
use crate::store::StoreError;

fn seq_of(n: i64) -> Seq {
    Seq::try_from(n).unwrap_or(0)
}

fn as_i64(seq: Seq) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
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
        // One statement for every room, one pass over each room's newest unread
        // (at most UNREAD_CAP, off the (room_id, seq) index): SQLite counts them and
        // hands back those that may mention the reader (`LIKE`: `@` and the name,
        // without case for ASCII; any `@` for other names), joined by NUL (no body
        // holds one), for the exact rule (`mentions`) here.
        let pattern = if name.as_str().is_ascii() {
            format!(
                "%@{}%",
                name.as_str()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        } else {
            "%@%".to_owned()
        };
        let rows = sqlx::query(
            "WITH mine AS (
                 SELECT r.id AS room_id, r.name AS name, k.seq AS marker
                 FROM room_members m JOIN rooms r ON r.id = m.room_id
                 LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
                 WHERE m.user_id = ?1)
             SELECT name, marker,
                 (SELECT count(*) || char(1) || coalesce(group_concat(
                          CASE WHEN body LIKE ?3 ESCAPE '\\' THEN body END, char(0)), '')
                  FROM (SELECT x.body FROM messages x
                     WHERE x.room_id = mine.room_id AND x.seq > coalesce(mine.marker, 0)
                       AND x.author_id <> ?1 AND x.deleted_at IS NULL
                     ORDER BY x.seq DESC LIMIT ?2))
             FROM mine",
        )
        .bind(user.as_str())
        .bind(i64::from(UNREAD_CAP))
        .bind(&pattern)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = HashMap::with_capacity(rows.len());
        for row in rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let read = row.try_get::<Option<i64>, _>(1)?.map(seq_of);
            // "count", U+0001, then the candidate bodies joined by NUL.
            let counted: String = row.try_get(2)?;
            let (unread, maybe) = counted.split_once('\u{1}').unwrap_or((&counted, ""));
            let unread = unread.parse::<u32>().unwrap_or(0).min(UNREAD_CAP);
            let mentions = if maybe.is_empty() {
                0
            } else {
                count(maybe.split('\0'), name).mentions
            };
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
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT m.body FROM messages m
             WHERE m.room_id = (SELECT id FROM rooms WHERE name = ?)
               AND m.seq > ? AND m.author_id <> ? AND m.deleted_at IS NULL
             ORDER BY m.seq DESC LIMIT ?",
        )
        .bind(room.as_str())
        .bind(as_i64(after))
        .bind(user.as_str())
        .bind(i64::from(UNREAD_CAP))
        .fetch_all(&self.pool)
        .await?;
        Ok(count(bodies.iter().map(String::as_str), name))
    }
}
