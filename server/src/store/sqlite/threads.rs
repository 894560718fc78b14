//! Threads in SQLite (migration 0021): a reply's `thread_root`, whether the room's
//! list shows it (`in_room`), and each root's summary (`replies`, `last_reply_at`),
//! kept by the writer in the transaction of each reply and of each deletion of one.
//! Every read of messages joins a message to its thread's root (`MESSAGES`), so a
//! reply carries its thread as it is now.

use confab_shared::{MessageId, Thread, Tombstone};
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::batch::database;
use crate::store::rows::tombstone;

/// A reply to `root` was stored at `ts`: the root's summary counts it.
pub(super) fn replied(conn: &Connection, root: MessageId, ts: &str) -> rusqlite::Result<Thread> {
    let replies: Option<i64> = conn
        .prepare_cached(
            "UPDATE messages SET replies = replies + 1, last_reply_at = ?2
             WHERE id = ?1 RETURNING replies",
        )?
        .query_row(params![root, ts], |row| row.get(0))
        .optional()?;
    Ok(Thread {
        root,
        replies: u32::try_from(replies.unwrap_or(0)).unwrap_or(0),
        last_reply_at: Some(ts.to_owned()),
        in_room: false,
    })
}

/// Message `id` was just marked deleted: if it was a reply, its root's summary
/// without it (the thread as a `message_deleted` event carries it).
pub(super) fn reply_deleted(
    conn: &Connection,
    id: MessageId,
) -> Result<Option<Thread>, StoreError> {
    let root: Option<Option<i64>> = conn
        .prepare_cached("SELECT thread_root FROM messages WHERE id = ?1")
        .and_then(|mut s| s.query_row([id], |row| row.get(0)).optional())
        .map_err(database)?;
    let Some(Some(root)) = root else {
        return Ok(None);
    };
    let (replies, last_reply_at): (i64, Option<String>) = conn
        .prepare_cached(
            "UPDATE messages SET replies = max(replies - 1, 0),
                 last_reply_at = (SELECT max(ts) FROM messages
                                  WHERE thread_root = ?1 AND deleted_by IS NULL)
             WHERE id = ?1 RETURNING replies, last_reply_at",
        )
        .and_then(|mut s| s.query_row([root], |row| Ok((row.get(0)?, row.get(1)?))))
        .map_err(database)?;
    Ok(Some(Thread {
        root,
        replies: u32::try_from(replies).unwrap_or(0),
        last_reply_at,
        in_room: false,
    }))
}

/// Message `id` was just marked deleted: its place in the room's list, if it was a
/// root whose thread still has replies.
pub(super) fn root_deleted(
    conn: &Connection,
    id: MessageId,
) -> Result<Option<Tombstone>, StoreError> {
    let row: Option<(i64, i64, Option<String>)> = conn
        .prepare_cached(
            "SELECT seq, replies, last_reply_at FROM messages
             WHERE id = ?1 AND thread_root IS NULL AND replies > 0",
        )
        .and_then(|mut s| {
            s.query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                .optional()
        })
        .map_err(database)?;
    row.map(|(seq, replies, last_reply_at)| tombstone(id, seq, replies, last_reply_at))
        .transpose()
}
