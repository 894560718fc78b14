//! Read state of threads in SQLite (migration 0022): who took part in each thread
//! (`thread_people`, kept by the writer with each reply) and each one's marker in it
//! (`thread_reads`, moved by `read` with `thread` and by the writer at their own
//! reply); unread replies counted from the thread's index (`messages_by_thread`).

use std::collections::HashMap;

use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{MessageId, RoomName, Seq, ThreadUnread, UserId};
use rusqlite::{Connection, params};
use sqlx::Row;

use super::{SqliteStore, StoreError, corrupt, from_db_seq, to_db_seq};

/// In the writer's transaction: `author` replied to thread `root` at `seq`: they
/// and the root's author took part, and the author has read it up to their reply.
pub(super) fn replied(
    conn: &Connection,
    root: MessageId,
    author: &UserId,
    seq: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO thread_people (root_id, user_id)
         SELECT ?1, author_id FROM messages WHERE id = ?1",
    )?
    .execute(params![root])?;
    conn.prepare_cached("INSERT OR IGNORE INTO thread_people (root_id, user_id) VALUES (?1, ?2)")?
        .execute(params![root, author.as_str()])?;
    conn.prepare_cached(
        "INSERT INTO thread_reads (user_id, root_id, seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, root_id) DO UPDATE SET seq = max(seq, excluded.seq)",
    )?
    .execute(params![author.as_str(), root, seq])?;
    Ok(())
}

impl SqliteStore {
    /// The replies of `root` by others than `user`, after `after`, not deleted.
    async fn thread_unread(
        &self,
        user: &UserId,
        root: MessageId,
        after: i64,
    ) -> Result<u32, StoreError> {
        let unread: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM messages
                 WHERE thread_root = ? AND seq > ? AND author_id <> ? AND deleted_by IS NULL
                 LIMIT ?)",
        )
        .bind(root)
        .bind(after)
        .bind(user.as_str())
        .bind(i64::from(UNREAD_CAP))
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(unread).unwrap_or(UNREAD_CAP))
    }
}

impl SqliteStore {
    pub(super) async fn thread_people_in(
        &self,
        room: &RoomName,
        root: MessageId,
    ) -> Result<Vec<UserId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT p.user_id FROM thread_people p
             JOIN messages m ON m.id = p.root_id
             WHERE p.root_id = ? AND m.room_id = (SELECT id FROM rooms WHERE name = ?)",
        )
        .bind(root)
        .bind(room.as_str())
        .fetch_all(&self.pool)
        .await?;
        ids.into_iter()
            .map(|id| UserId::new(id).map_err(corrupt))
            .collect()
    }

    pub(super) async fn thread_read_to(
        &self,
        user: &UserId,
        room: &RoomName,
        root: MessageId,
        seq: Seq,
    ) -> Result<ThreadUnread, StoreError> {
        // No further than the thread's newest reply, and only in this room.
        let newest: Option<i64> = sqlx::query_scalar(
            "SELECT max(m.seq) FROM messages m
             WHERE m.thread_root = ? AND m.room_id = (SELECT id FROM rooms WHERE name = ?)",
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
                "INSERT INTO thread_reads (user_id, root_id, seq) VALUES (?, ?, ?)
                 ON CONFLICT (user_id, root_id) DO UPDATE SET seq = max(seq, excluded.seq)",
            )
            .bind(user.as_str())
            .bind(root)
            .bind(wanted)
            .execute(&self.pool)
            .await?;
        }
        let at: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM thread_reads WHERE user_id = ? AND root_id = ?")
                .bind(user.as_str())
                .bind(root)
                .fetch_optional(&self.pool)
                .await?;
        let at = at.unwrap_or(0);
        Ok(ThreadUnread {
            root,
            seq: from_db_seq(at)?,
            unread: self.thread_unread(user, root, at).await?,
        })
    }

    pub(super) async fn unread_threads(
        &self,
        user: &UserId,
    ) -> Result<HashMap<RoomName, Vec<ThreadUnread>>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.name, p.root_id, coalesce(k.seq, 0) FROM thread_people p
             JOIN messages m ON m.id = p.root_id AND m.deleted_by IS NULL
             JOIN rooms r ON r.id = m.room_id
             LEFT JOIN thread_reads k ON k.user_id = p.user_id AND k.root_id = p.root_id
             WHERE p.user_id = ?
               AND EXISTS (SELECT 1 FROM messages x WHERE x.thread_root = p.root_id
                           AND x.seq > coalesce(k.seq, 0) AND x.author_id <> p.user_id
                           AND x.deleted_by IS NULL)",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut threads: HashMap<RoomName, Vec<ThreadUnread>> = HashMap::new();
        for row in rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
            let root: i64 = row.try_get(1)?;
            let at: i64 = row.try_get(2)?;
            let unread = self.thread_unread(user, root, at).await?;
            threads.entry(room).or_default().push(ThreadUnread {
                root,
                seq: from_db_seq(at)?,
                unread,
            });
        }
        for list in threads.values_mut() {
            list.sort_by_key(|t| t.root);
        }
        Ok(threads)
    }
}
