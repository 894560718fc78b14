//! Reading threads, the same for both SQL stores: a thread's page, where a reply
//! goes, and the places deleted roots keep (tombstones).

use confab_shared::{ChatMessage, MessageId, RoomName, Seq, Tombstone};

use super::columns::to_db_seq;
use super::reader::{Arg, Reader};
use super::rows::{self, Columns, MESSAGE_COLUMNS, MESSAGES};
use super::{Page, StoreError};

/// The deleted roots of `room` with seqs in `from..=to` whose threads still have
/// replies, oldest first.
pub(crate) async fn tombstones(
    db: &impl Reader,
    room: &RoomName,
    from: Seq,
    to: Seq,
) -> Result<Vec<Tombstone>, StoreError> {
    let to = i64::try_from(to).unwrap_or(i64::MAX);
    let found = db
        .read(
            "SELECT id, seq, replies, last_reply_at FROM messages
             WHERE room_id = (SELECT id FROM rooms WHERE name = ?) AND seq BETWEEN ? AND ?
               AND deleted_by IS NOT NULL AND thread_root IS NULL AND replies > 0
             ORDER BY seq",
            &[
                Arg::Text(room.as_str()),
                Arg::Int(to_db_seq(from)?),
                Arg::Int(to),
            ],
        )
        .await?;
    found
        .iter()
        .map(|row| rows::tombstone(row.int(0)?, row.int(1)?, row.int(2)?, row.maybe_text(3)?))
        .collect()
}

/// The thread a reply to message `id` of `room` goes into: `id` itself if it is a
/// message outside any thread or a root, the root of its thread if it is a reply;
/// none if there is no such message, or it or its thread's root was deleted.
pub(crate) async fn replied_to(
    db: &impl Reader,
    room: &RoomName,
    id: MessageId,
) -> Result<Option<MessageId>, StoreError> {
    let found = db
        .read(
            "SELECT m.thread_root FROM messages m
             LEFT JOIN messages t ON t.id = m.thread_root
             WHERE m.id = ? AND m.room_id = (SELECT id FROM rooms WHERE name = ?)
               AND m.deleted_by IS NULL
               AND (m.thread_root IS NULL OR (t.id IS NOT NULL AND t.deleted_by IS NULL))",
            &[Arg::Int(id), Arg::Text(room.as_str())],
        )
        .await?;
    found
        .first()
        .map(|row| Ok(row.maybe_int(0)?.unwrap_or(id)))
        .transpose()
}

/// Up to `limit` replies of thread `root` with `seq < before`, oldest first, and the
/// root as it is now (none once deleted), each with its reactions.
pub(crate) async fn page(
    db: &impl Reader,
    room: &RoomName,
    root: MessageId,
    before: Option<Seq>,
    limit: u32,
) -> Result<(Page, Option<ChatMessage>), StoreError> {
    let before = before.map_or(Ok(i64::MAX), to_db_seq)?;
    let found = db
        .read(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
                 WHERE m.thread_root = ? AND m.seq < ? AND m.deleted_by IS NULL
                   AND m.room_id = (SELECT id FROM rooms WHERE name = ?)
                 ORDER BY m.seq DESC LIMIT ?"
            ),
            &[
                Arg::Int(root),
                Arg::Int(before),
                Arg::Text(room.as_str()),
                Arg::Int(i64::from(limit) + 1),
            ],
        )
        .await?;
    let (mut messages, has_more) = rows::newest_first_to_page(room, &found, limit)?;
    let root_row = db
        .read(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
                 WHERE m.id = ? AND m.deleted_by IS NULL
                   AND m.room_id = (SELECT id FROM rooms WHERE name = ?)"
            ),
            &[Arg::Int(root), Arg::Text(room.as_str())],
        )
        .await?;
    let mut root = root_row
        .first()
        .map(|row| rows::message(room, row, 0))
        .transpose()?
        .into_iter()
        .collect::<Vec<_>>();
    db.attach_reactions(&mut messages).await?;
    db.attach_reactions(&mut root).await?;
    Ok((Page { messages, has_more }, root.pop()))
}
