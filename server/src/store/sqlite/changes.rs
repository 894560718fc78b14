//! What each room event other than a message means in the tables, written by the
//! writer's connection inside the transaction that stores the event (`batch.rs`),
//! and the event itself, in the store's own format.

use confab_shared::{EventKind, MemberChange};
use rusqlite::{Connection, params};

use super::batch::database;
use crate::store::StoreError;
use crate::store::stored_event::to_stored;

/// Applies `kind`, which would be the room's event `seq`, to the tables; false when it
/// applies to nothing (a deletion of a message that is not there or already deleted),
/// so it is not stored.
pub(super) fn apply(
    conn: &Connection,
    room_id: i64,
    seq: u64,
    kind: &mut EventKind,
    ts: &str,
) -> Result<bool, StoreError> {
    let run = |sql: &str, change: &MemberChange| {
        conn.prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params![room_id, change.user_id.as_str()]))
            .map_err(database)
    };
    let banned = matches!(kind, EventKind::MemberBanned(_));
    match kind {
        EventKind::MessageDeleted(deletion) => {
            let changed = conn
                .prepare_cached(
                    "UPDATE messages SET deleted_by = ?1, deleted_at = ?2
                     WHERE id = ?3 AND room_id = ?4 AND deleted_by IS NULL",
                )
                .and_then(|mut statement| {
                    statement.execute(params![deletion.by.as_str(), ts, deletion.id, room_id])
                })
                .map_err(database)?;
            if changed == 1 {
                // A reply's thread, one fewer: the event says so.
                deletion.thread = super::threads::reply_deleted(conn, deletion.id)?;
                // A root whose thread has replies: the list keeps its place.
                deletion.tombstone = super::threads::root_deleted(conn, deletion.id)?;
            }
            return Ok(changed == 1);
        }
        EventKind::TopicChanged(change) => {
            conn.prepare_cached("UPDATE rooms SET topic = ?1 WHERE id = ?2")
                .and_then(|mut statement| {
                    statement.execute(params![change.topic.as_str(), room_id])
                })
                .map_err(database)?;
        }
        EventKind::MemberJoined(change) => {
            conn.prepare_cached(
                "INSERT INTO room_members (room_id, user_id, role, joined_at, name)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (room_id, user_id) DO NOTHING",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    room_id,
                    change.user_id.as_str(),
                    change.role.unwrap_or(confab_shared::Role::Member).as_str(),
                    ts,
                    change.user.as_str()
                ])
            })
            .map_err(database)?;
        }
        EventKind::RoleChanged(change) => {
            conn.prepare_cached(
                "UPDATE room_members SET role = ?3 WHERE room_id = ?1 AND user_id = ?2",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    room_id,
                    change.user_id.as_str(),
                    change.role.unwrap_or(confab_shared::Role::Member).as_str()
                ])
            })
            .map_err(database)?;
        }
        EventKind::MemberLeft(change) => {
            run(
                "DELETE FROM room_members WHERE room_id = ?1 AND user_id = ?2",
                change,
            )?;
        }
        EventKind::MemberKicked(change) | EventKind::MemberBanned(change) => {
            run(
                "DELETE FROM room_members WHERE room_id = ?1 AND user_id = ?2",
                change,
            )?;
            run(
                "DELETE FROM room_mutes WHERE room_id = ?1 AND user_id = ?2",
                change,
            )?;
            if banned {
                run(
                    "INSERT INTO room_bans (room_id, user_id) VALUES (?1, ?2)
                     ON CONFLICT DO NOTHING",
                    change,
                )?;
            }
        }
        EventKind::MemberUnbanned(change) => {
            run(
                "DELETE FROM room_bans WHERE room_id = ?1 AND user_id = ?2",
                change,
            )?;
        }
        EventKind::MemberMuted(change) => {
            run(
                "INSERT INTO room_mutes (room_id, user_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                change,
            )?;
        }
        EventKind::MemberUnmuted(change) => {
            run(
                "DELETE FROM room_mutes WHERE room_id = ?1 AND user_id = ?2",
                change,
            )?;
        }
        EventKind::MessageEdited(edit) => {
            // Only a message not deleted, and only an edit later than its last.
            let changed = conn
                .prepare_cached(
                    "UPDATE messages SET body = ?1, edited_at = ?2, edit_client_id = ?3,
                         mentions = ?4
                     WHERE id = ?5 AND room_id = ?6 AND deleted_by IS NULL
                       AND (edit_client_id IS NULL OR edit_client_id < ?3)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        edit.body.as_str(),
                        edit.edited_at,
                        edit.client_id.as_str(),
                        super::reading::mentions_column(edit.body.as_str()),
                        edit.id,
                        room_id
                    ])
                })
                .map_err(database)?;
            return Ok(changed == 1);
        }
        EventKind::ReactionAdded(reaction) => {
            return super::reactions::apply(conn, room_id, seq, reaction, true);
        }
        EventKind::ReactionRemoved(reaction) => {
            return super::reactions::apply(conn, room_id, seq, reaction, false);
        }
        EventKind::Message(_) | EventKind::Unknown => {
            return Err(StoreError::Corrupt(
                "only the messages insert stores messages".to_owned(),
            ));
        }
    }
    Ok(true)
}

/// Stores the event itself, in the store's own format (`store/stored_event.rs`).
pub(super) fn insert_event(
    conn: &Connection,
    room_id: i64,
    seq: u64,
    kind: &EventKind,
    ts: &str,
) -> Result<(), StoreError> {
    let stored = to_stored(kind)?;
    let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?;
    conn.prepare_cached(
        "INSERT INTO room_events (room_id, seq, kind, data, ts) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut statement| {
        statement.execute(params![room_id, seq, stored.kind, stored.data, ts])
    })
    .map_err(database)?;
    Ok(())
}
