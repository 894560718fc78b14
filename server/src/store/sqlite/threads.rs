//! Threads in SQLite (migration 0021): a reply's `thread_root`, whether the room's
//! list shows it (`in_room`), and each root's summary (`replies`, `last_reply_at`),
//! kept by the writer in the transaction of each reply and of each deletion of one.
//! Every read of messages joins a message to its thread's root (`MESSAGES`), so a
//! reply carries its thread as it is now.

use confab_shared::{MessageId, RoomName, Thread, Tombstone};
use rusqlite::{Connection, OptionalExtension, params};
use sqlx::sqlite::SqlitePool;

use super::batch::database;
use super::{StoreError, reactions, to_db_seq};
use crate::store::Page;
use crate::store::rows::{MESSAGE_COLUMNS, MESSAGES, message as message_from_row, tombstone};

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

/// The deleted roots of `room` with seqs in `from..=to` whose threads still have
/// replies, oldest first.
pub(super) async fn tombstones(
    pool: &SqlitePool,
    room: &RoomName,
    from: i64,
    to: i64,
) -> Result<Vec<Tombstone>, StoreError> {
    let rows: Vec<(i64, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, seq, replies, last_reply_at FROM messages
         WHERE room_id = (SELECT id FROM rooms WHERE name = ?) AND seq BETWEEN ? AND ?
           AND deleted_by IS NOT NULL AND thread_root IS NULL AND replies > 0
         ORDER BY seq",
    )
    .bind(room.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, seq, replies, last_reply_at)| tombstone(id, seq, replies, last_reply_at))
        .collect()
}

/// The thread a reply to message `id` of `room` goes into: `id` itself if it is a
/// message outside any thread or a root, the root of its thread if it is a reply;
/// none if there is no such message, or it or its thread's root was deleted.
pub(super) async fn replied_to(
    pool: &SqlitePool,
    room: &RoomName,
    id: MessageId,
) -> Result<Option<MessageId>, StoreError> {
    let root: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT m.thread_root FROM messages m
         LEFT JOIN messages t ON t.id = m.thread_root
         WHERE m.id = ? AND m.room_id = (SELECT id FROM rooms WHERE name = ?)
           AND m.deleted_by IS NULL
           AND (m.thread_root IS NULL OR (t.id IS NOT NULL AND t.deleted_by IS NULL))",
    )
    .bind(id)
    .bind(room.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(root.map(|root| root.unwrap_or(id)))
}

/// Up to `limit` replies of thread `root` with `seq < before`, oldest first, and the
/// root as it is now (none once deleted).
pub(super) async fn page(
    pool: &SqlitePool,
    room: &RoomName,
    root: MessageId,
    before: Option<u64>,
    limit: u32,
) -> Result<(Page, Option<confab_shared::ChatMessage>), StoreError> {
    let before = match before {
        Some(seq) => to_db_seq(seq)?,
        None => i64::MAX,
    };
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
         WHERE m.thread_root = ? AND m.seq < ? AND m.deleted_by IS NULL
           AND m.room_id = (SELECT id FROM rooms WHERE name = ?)
         ORDER BY m.seq DESC LIMIT ?"
    ))
    .bind(root)
    .bind(before)
    .bind(room.as_str())
    .bind(i64::from(limit) + 1)
    .fetch_all(&mut *tx)
    .await?;
    let (mut messages, has_more) = crate::store::rows::newest_first_to_page(room, &rows, limit)?;
    let root_row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
         WHERE m.id = ? AND m.deleted_by IS NULL
           AND m.room_id = (SELECT id FROM rooms WHERE name = ?)"
    ))
    .bind(root)
    .bind(room.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let mut root = root_row
        .map(|row| message_from_row(room, &row, 0))
        .transpose()?
        .into_iter()
        .collect::<Vec<_>>();
    reactions::attach(&mut tx, &mut messages).await?;
    reactions::attach(&mut tx, &mut root).await?;
    tx.commit().await?;
    Ok((Page { messages, has_more }, root.pop()))
}
