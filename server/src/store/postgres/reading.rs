//! Read state on PostgreSQL: each account's marker per room and per thread, and what
//! is unread after it, by the rule `sqlite/reading.rs` and `sqlite/thread_reads.rs`
//! keep (messages of the room's list by others, not deleted, at most `UNREAD_CAP`,
//! and those mentioning the reader by the `mentions` column). Counted by the
//! database: with several nodes writing, no node's memory holds a room's newest
//! messages (SQLite's `recent.rs` does, having the only writer).

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{MessageId, RoomName, Seq, ThreadUnread, UserId, UserName};

use super::PostgresStore;
use crate::reading::{Marker, Reading, Unread};
use crate::store::StoreError;
use crate::store::columns::{from_db_seq, to_db_seq};

#[async_trait]
impl Reading for PostgresStore {
    async fn set_read(
        &self,
        user: &UserId,
        room: &RoomName,
        seq: Seq,
        back: bool,
    ) -> Result<Marker, StoreError> {
        // No further than the room's newest event, message or other.
        let newest: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM rooms WHERE name = $1")
            .bind(room.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(newest) = newest else {
            return Ok(Marker {
                seq: 0,
                moved: false,
            });
        };
        let wanted = to_db_seq(seq).unwrap_or(i64::MAX).min(newest);
        // One statement, so two sockets moving it at once cannot move it back.
        let done = sqlx::query(
            "INSERT INTO read_markers (user_id, room_id, seq)
             SELECT $1, id, $2 FROM rooms WHERE name = $3
             ON CONFLICT (user_id, room_id) DO UPDATE SET seq = excluded.seq
             WHERE excluded.seq > read_markers.seq
                OR ($4 AND excluded.seq < read_markers.seq)",
        )
        .bind(user.as_str())
        .bind(wanted)
        .bind(room.as_str())
        .bind(back)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Marker {
                seq: from_db_seq(wanted)?,
                moved: true,
            });
        }
        let now: Option<i64> = sqlx::query_scalar(
            "SELECT k.seq FROM read_markers k JOIN rooms r ON r.id = k.room_id
             WHERE k.user_id = $1 AND r.name = $2",
        )
        .bind(user.as_str())
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(Marker {
            seq: from_db_seq(now.unwrap_or(0))?,
            moved: false,
        })
    }

    async fn markers(&self, user: &UserId) -> Result<HashMap<RoomName, Seq>, StoreError> {
        let found: Vec<(String, i64)> = sqlx::query_as(
            "SELECT r.name, k.seq FROM read_markers k JOIN rooms r ON r.id = k.room_id
             WHERE k.user_id = $1",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        found
            .into_iter()
            .map(|(room, seq)| Ok((room_name(room)?, from_db_seq(seq)?)))
            .collect()
    }

    async fn all_counts(
        &self,
        user: &UserId,
        name: &UserName,
    ) -> Result<HashMap<RoomName, (Option<Seq>, Unread)>, StoreError> {
        let found: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT r.name, k.seq FROM room_members m
             JOIN rooms r ON r.id = m.room_id
             LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
             WHERE m.user_id = $1",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut counts = HashMap::with_capacity(found.len());
        for (room, read) in found {
            let room = room_name(room)?;
            let read = read.map(from_db_seq).transpose()?;
            let unread = self.unread(user, name, &room, read.unwrap_or(0)).await?;
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
        let needle = format!(" {} ", name.as_str().to_lowercase());
        let (unread, mentions): (i64, i64) = sqlx::query_as(
            "SELECT count(*), count(*) FILTER (WHERE strpos(x.mentions, $1) > 0)
             FROM (SELECT coalesce(m.mentions, '') AS mentions FROM messages m
                 WHERE m.room_id = (SELECT id FROM rooms WHERE name = $2)
                   AND m.seq > $3 AND m.author_id <> $4 AND m.deleted_at IS NULL
                   AND m.in_room
                 ORDER BY m.seq DESC LIMIT $5) AS x",
        )
        .bind(&needle)
        .bind(room.as_str())
        .bind(to_db_seq(after).unwrap_or(i64::MAX))
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

    async fn thread_people(
        &self,
        room: &RoomName,
        root: MessageId,
    ) -> Result<Vec<UserId>, StoreError> {
        crate::store::thread_reads::people(&self.pool, room, root).await
    }

    async fn thread_read(
        &self,
        user: &UserId,
        room: &RoomName,
        root: MessageId,
        seq: Seq,
    ) -> Result<ThreadUnread, StoreError> {
        // No further than the thread's newest reply, and only in this room.
        let newest: Option<i64> = sqlx::query_scalar(
            "SELECT max(m.seq) FROM messages m
             WHERE m.thread_root = $1 AND m.room_id = (SELECT id FROM rooms WHERE name = $2)",
        )
        .bind(root)
        .bind(room.as_str())
        .fetch_one(&self.pool)
        .await?;
        // No reply in this room: nothing to read, and nothing said of a thread
        // elsewhere (the reader may not read that room).
        let Some(newest) = newest else {
            return Ok(ThreadUnread {
                root,
                seq: 0,
                unread: 0,
            });
        };
        let wanted = to_db_seq(seq).unwrap_or(i64::MAX).min(newest);
        if wanted > 0 {
            sqlx::query(
                "INSERT INTO thread_reads (user_id, root_id, seq) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, root_id)
                 DO UPDATE SET seq = greatest(thread_reads.seq, excluded.seq)",
            )
            .bind(user.as_str())
            .bind(root)
            .bind(wanted)
            .execute(&self.pool)
            .await?;
        }
        let at: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM thread_reads WHERE user_id = $1 AND root_id = $2")
                .bind(user.as_str())
                .bind(root)
                .fetch_optional(&self.pool)
                .await?;
        let at = at.unwrap_or(0);
        Ok(ThreadUnread {
            root,
            seq: from_db_seq(at)?,
            unread: crate::store::thread_reads::unread(&self.pool, user, root, at).await?,
        })
    }

    async fn threads_unread(
        &self,
        user: &UserId,
    ) -> Result<HashMap<RoomName, Vec<ThreadUnread>>, StoreError> {
        crate::store::thread_reads::unread_threads(&self.pool, user).await
    }
}

fn room_name(name: String) -> Result<RoomName, StoreError> {
    RoomName::new(name).map_err(corrupt)
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}
