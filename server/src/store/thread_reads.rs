//! Read state of threads as both SQL stores read it: who took part in a thread, the
//! replies unread after a marker, and each person's threads with unread replies.
//! (Moving a marker writes, in each store's own SQL.)

use std::collections::HashMap;

use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{MessageId, RoomName, ThreadUnread, UserId};

use super::StoreError;
use super::columns::from_db_seq;
use super::reader::{Arg, Reader};
use super::rows::Columns;

/// Who took part in thread `root` of `room`: wrote the root or a reply in it.
pub(crate) async fn people(
    db: &impl Reader,
    room: &RoomName,
    root: MessageId,
) -> Result<Vec<UserId>, StoreError> {
    let found = db
        .read(
            "SELECT p.user_id FROM thread_people p
             JOIN messages m ON m.id = p.root_id
             WHERE p.root_id = ? AND m.room_id = (SELECT id FROM rooms WHERE name = ?)",
            &[Arg::Int(root), Arg::Text(room.as_str())],
        )
        .await?;
    found
        .iter()
        .map(|row| UserId::new(row.text(0)?).map_err(corrupt))
        .collect()
}

/// The replies of `root` by others than `user`, after `after`, not deleted, at
/// most `UNREAD_CAP`.
pub(crate) async fn unread(
    db: &impl Reader,
    user: &UserId,
    root: MessageId,
    after: i64,
) -> Result<u32, StoreError> {
    let found = db
        .read(
            "SELECT count(*) FROM (SELECT 1 FROM messages
                 WHERE thread_root = ? AND seq > ? AND author_id <> ? AND deleted_by IS NULL
                 LIMIT ?) AS x",
            &[
                Arg::Int(root),
                Arg::Int(after),
                Arg::Text(user.as_str()),
                Arg::Int(i64::from(UNREAD_CAP)),
            ],
        )
        .await?;
    let unread = found
        .first()
        .map(|row| row.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(u32::try_from(unread).unwrap_or(UNREAD_CAP))
}

/// The threads `user` took part in that have unread replies, by room, each room's
/// by root.
pub(crate) async fn unread_threads(
    db: &impl Reader,
    user: &UserId,
) -> Result<HashMap<RoomName, Vec<ThreadUnread>>, StoreError> {
    let found = db
        .read(
            "SELECT r.name, p.root_id, coalesce(k.seq, 0) FROM thread_people p
             JOIN messages m ON m.id = p.root_id AND m.deleted_by IS NULL
             JOIN rooms r ON r.id = m.room_id
             LEFT JOIN thread_reads k ON k.user_id = p.user_id AND k.root_id = p.root_id
             WHERE p.user_id = ?
               AND EXISTS (SELECT 1 FROM messages x WHERE x.thread_root = p.root_id
                           AND x.seq > coalesce(k.seq, 0) AND x.author_id <> p.user_id
                           AND x.deleted_by IS NULL)",
            &[Arg::Text(user.as_str())],
        )
        .await?;
    let mut threads: HashMap<RoomName, Vec<ThreadUnread>> = HashMap::new();
    for row in &found {
        let room = RoomName::new(row.text(0)?).map_err(corrupt)?;
        let (root, at) = (row.int(1)?, row.int(2)?);
        let unread = unread(db, user, root, at).await?;
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

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}
