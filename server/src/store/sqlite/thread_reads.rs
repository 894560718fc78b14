//! Read state of threads in SQLite (migration 0022): who took part in each thread
//! (`thread_people`, kept by the writer with each reply) and each one's marker in it
//! (`thread_reads`, moved by `read` with `thread` and by the writer at their own
//! reply); unread replies counted from the thread's index (`messages_by_thread`).

use confab_shared::{MessageId, RoomName, Seq, ThreadUnread, UserId};
use rusqlite::{Connection, params};

use super::{SqliteStore, StoreError, from_db_seq, to_db_seq};

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
            unread: crate::store::thread_reads::unread(&self.pool, user, root, at).await?,
        })
    }
}
