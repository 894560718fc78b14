//! How a message or an event is read back from a row, the same for both SQL stores
//! (SQLite and PostgreSQL): the columns each query selects, and the one decoding of
//! them. Each store runs its own queries; what their rows mean is said here once.

use std::collections::HashMap;

use confab_shared::{
    ChatMessage, ClientId, Deletion, Emoji, EventKind, MessageBody, MessageId, Reactions, Reactor,
    RoomEvent, RoomName, Seq, Thread, Tombstone, UserId, UserName,
};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::StoreError;
use super::columns::from_db_seq;
use super::stored_event;

/// A message's columns (`message`), read from `MESSAGES`: its own, then its thread's
/// (`thread`).
pub(crate) const MESSAGE_COLUMNS: &str = "m.id, m.seq, m.client_id, m.author, m.author_id,
     m.body, m.ts, m.edited_at, m.thread_root, m.in_room, t.replies, t.last_reply_at";

/// Messages (`m`), each with the root of its thread (`t`: itself, outside a thread).
pub(crate) const MESSAGES: &str =
    "messages m LEFT JOIN messages t ON t.id = coalesce(m.thread_root, m.id)";

/// Messages as a replay gives them (`replayed_message`): a deleted one as its
/// deletion.
pub(crate) const REPLAY_COLUMNS: &str = "m.id, m.seq, m.client_id, m.author, m.author_id,
     m.body, m.ts, m.edited_at, m.thread_root, m.in_room, t.replies, t.last_reply_at,
     m.deleted_by, m.deleted_at";

/// A row of either database, read by column index in the types both keep: integers
/// as 64 bits, text, and flags (SQLite's 0 and 1, PostgreSQL's booleans).
pub(crate) trait Columns {
    fn int(&self, at: usize) -> Result<i64, StoreError>;
    fn maybe_int(&self, at: usize) -> Result<Option<i64>, StoreError>;
    fn text(&self, at: usize) -> Result<String, StoreError>;
    fn maybe_text(&self, at: usize) -> Result<Option<String>, StoreError>;
    fn flag(&self, at: usize) -> Result<bool, StoreError>;
}

impl Columns for SqliteRow {
    fn int(&self, at: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn maybe_int(&self, at: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn text(&self, at: usize) -> Result<String, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn maybe_text(&self, at: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn flag(&self, at: usize) -> Result<bool, StoreError> {
        Ok(self.try_get::<i64, _>(at)? != 0)
    }
}

impl Columns for PgRow {
    fn int(&self, at: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn maybe_int(&self, at: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn text(&self, at: usize) -> Result<String, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn maybe_text(&self, at: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(at)?)
    }
    fn flag(&self, at: usize) -> Result<bool, StoreError> {
        Ok(self.try_get(at)?)
    }
}

/// Reads `MESSAGE_COLUMNS` starting at column `first`.
pub(crate) fn message(
    room: &RoomName,
    row: &impl Columns,
    first: usize,
) -> Result<ChatMessage, StoreError> {
    let id = row.int(first)?;
    Ok(ChatMessage {
        room: room.clone(),
        id,
        seq: from_db_seq(row.int(first + 1)?)?,
        client_id: ClientId::new(row.text(first + 2)?).map_err(corrupt)?,
        author: UserName::new(row.text(first + 3)?).map_err(corrupt)?,
        author_id: UserId::new(row.text(first + 4)?).map_err(corrupt)?,
        body: MessageBody::new(row.text(first + 5)?).map_err(corrupt)?,
        ts: row.text(first + 6)?,
        edited_at: row.maybe_text(first + 7)?,
        reactions: Vec::new(),
        thread: thread(id, row, first + 8)?,
    })
}

/// Rows of `MESSAGE_COLUMNS` read newest first with `limit + 1` as the SQL limit:
/// the oldest-first page of at most `limit`, and whether there were more.
pub(crate) fn newest_first_to_page<R: Columns>(
    room: &RoomName,
    rows: &[R],
    limit: u32,
) -> Result<(Vec<ChatMessage>, bool), StoreError> {
    let limit = limit as usize;
    let more = rows.len() > limit;
    let mut messages = rows
        .iter()
        .take(limit)
        .map(|row| message(room, row, 0))
        .collect::<Result<Vec<_>, _>>()?;
    messages.reverse();
    Ok((messages, more))
}

/// The thread columns of message `id` from column `at` (`thread_root, in_room`, and
/// its root's `replies, last_reply_at`): its thread if it is a reply, or a root with
/// replies.
pub(crate) fn thread(
    id: MessageId,
    row: &impl Columns,
    at: usize,
) -> Result<Option<Thread>, StoreError> {
    let root = row.maybe_int(at)?;
    let in_room = row.flag(at + 1)?;
    let replies = u32::try_from(row.maybe_int(at + 2)?.unwrap_or(0)).unwrap_or(0);
    let last_reply_at = row.maybe_text(at + 3)?;
    Ok(match root {
        Some(root) => Some(Thread {
            root,
            replies,
            last_reply_at,
            in_room,
        }),
        None if replies > 0 => Some(Thread {
            root: id,
            replies,
            last_reply_at,
            in_room: false,
        }),
        None => None,
    })
}

/// The thread columns of a deleted message `id`, from column `at`: if it was a
/// reply, its thread as it is now (what its deletion says, replayed).
pub(crate) fn deleted_reply(
    id: MessageId,
    row: &impl Columns,
    at: usize,
) -> Result<Option<Thread>, StoreError> {
    Ok(thread(id, row, at)?
        .filter(|thread| thread.is_reply(id))
        .map(|thread| thread.of_root()))
}

/// The thread columns of a deleted message `id` at `seq`, from column `at`: its
/// place in the room's list, if it was a root whose thread still has replies.
pub(crate) fn tombstone_of(
    id: MessageId,
    seq: Seq,
    row: &impl Columns,
    at: usize,
) -> Result<Option<Tombstone>, StoreError> {
    Ok(thread(id, row, at)?
        .filter(|thread| !thread.is_reply(id))
        .map(|thread| Tombstone { seq, id, thread }))
}

/// The place kept for deleted root `id` at `seq`, whose thread has `replies`.
pub(crate) fn tombstone(
    id: MessageId,
    seq: i64,
    replies: i64,
    last_reply_at: Option<String>,
) -> Result<Tombstone, StoreError> {
    Ok(Tombstone {
        seq: from_db_seq(seq)?,
        id,
        thread: Thread {
            root: id,
            replies: u32::try_from(replies).unwrap_or(0),
            last_reply_at,
            in_room: false,
        },
    })
}

/// A replayed message (`REPLAY_COLUMNS`): a deleted one as its deletion, so its text
/// is never sent again.
pub(crate) fn replayed_message(
    room: &RoomName,
    row: &impl Columns,
) -> Result<RoomEvent, StoreError> {
    match row.maybe_text(12)? {
        None => Ok(RoomEvent::message(message(room, row, 0)?)),
        Some(by) => {
            let id = row.int(0)?;
            let seq = from_db_seq(row.int(1)?)?;
            Ok(RoomEvent {
                room: room.clone(),
                seq,
                kind: EventKind::MessageDeleted(Deletion {
                    id,
                    by: UserName::new(by).map_err(corrupt)?,
                    ts: row.maybe_text(13)?.unwrap_or_default(),
                    thread: deleted_reply(id, row, 8)?,
                    tombstone: tombstone_of(id, seq, row, 8)?,
                }),
            })
        }
    }
}

/// The columns of a replayed event other than a message (`OTHER_COLUMNS` of
/// `room_events e`, joined to the message an edit or deletion names as `m` and its
/// thread's root as `t`).
pub(crate) const OTHER_COLUMNS: &str = "e.seq, e.kind, e.data, e.ts, m.body, m.edited_at,
     m.deleted_by, m.deleted_at, m.thread_root, coalesce(m.in_room, true), t.replies,
     t.last_reply_at, m.seq";

/// A replayed event other than a message (`OTHER_COLUMNS`): an edit with its
/// message's current text (or, once it is deleted, as its deletion, so no text edited
/// or deleted away is sent again); a deletion with the thread as it is now.
pub(crate) fn replayed_other(room: &RoomName, row: &impl Columns) -> Result<RoomEvent, StoreError> {
    let mut event = if row.text(1)? == stored_event::EDITED {
        replayed_edit(room, row)?
    } else {
        event(room, row)?
    };
    if let EventKind::MessageDeleted(deletion) = &mut event.kind {
        deletion.thread = deleted_reply(deletion.id, row, 8)?;
        deletion.tombstone = deleted_root(deletion.id, row)?;
    }
    Ok(event)
}

/// The place kept for deleted message `id` of a replayed event's row (its message's
/// seq last, at 12), if it was a root whose thread still has replies.
fn deleted_root(id: MessageId, row: &impl Columns) -> Result<Option<Tombstone>, StoreError> {
    match row.maybe_int(12)? {
        Some(seq) => tombstone_of(id, from_db_seq(seq)?, row, 8),
        None => Ok(None),
    }
}

fn replayed_edit(room: &RoomName, row: &impl Columns) -> Result<RoomEvent, StoreError> {
    let (id, client_id) = stored_event::edited(&row.text(2)?)?;
    let seq = from_db_seq(row.int(0)?)?;
    let kind = match row.maybe_text(6)? {
        Some(by) => EventKind::MessageDeleted(Deletion {
            id,
            by: UserName::new(by).map_err(corrupt)?,
            ts: row.maybe_text(7)?.unwrap_or_default(),
            thread: deleted_reply(id, row, 8)?,
            tombstone: deleted_root(id, row)?,
        }),
        None => {
            let body = row.maybe_text(4)?;
            let body = body.ok_or_else(|| corrupt(format!("an edit of message {id}, gone")))?;
            EventKind::MessageEdited(confab_shared::Edit {
                id,
                body: MessageBody::new(body).map_err(corrupt)?,
                edited_at: row.maybe_text(5)?.unwrap_or_default(),
                client_id,
            })
        }
    };
    Ok(RoomEvent {
        room: room.clone(),
        seq,
        kind,
    })
}

/// An event of `room_events` (`seq, kind, data, ts`), in the store's own format.
pub(crate) fn event(room: &RoomName, row: &impl Columns) -> Result<RoomEvent, StoreError> {
    Ok(RoomEvent {
        room: room.clone(),
        seq: from_db_seq(row.int(0)?)?,
        kind: stored_event::from_stored(&row.text(1)?, &row.text(2)?, row.text(3)?)?,
    })
}

/// Rows of `message_id, emoji, name, user_id` of present reactions, by message and
/// then in the order they came: each message's reactions, each emoji where its
/// earliest reactor stands.
pub(crate) fn reactions<R: Columns>(
    rows: &[R],
) -> Result<HashMap<MessageId, Vec<Reactions>>, StoreError> {
    let mut by_message: HashMap<MessageId, Vec<Reactions>> = HashMap::new();
    for row in rows {
        let emoji = Emoji::new(row.text(1)?).map_err(corrupt)?;
        let reactor = Reactor {
            user: UserName::new(row.text(2)?).map_err(corrupt)?,
            user_id: UserId::new(row.text(3)?).map_err(corrupt)?,
        };
        let reactions = by_message.entry(row.int(0)?).or_default();
        match reactions.iter_mut().find(|r| r.emoji == emoji) {
            Some(those) => those.users.push(reactor),
            None => reactions.push(Reactions {
                emoji,
                users: vec![reactor],
            }),
        }
    }
    Ok(by_message)
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}
