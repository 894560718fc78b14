//! Reactions in the tables (migration 0019): applied by the writer's connection in
//! the transaction that stores the event (`changes.rs`), and read beside the
//! messages of a snapshot or a history page.

use std::collections::HashMap;

use confab_shared::protocol::REACTIONS_PER_MESSAGE;
use confab_shared::{ChatMessage, Reaction, Reactions, RoomName};
use rusqlite::{Connection, OptionalExtension, params};
use sqlx::SqliteConnection;

use super::batch::database;
use crate::store::StoreError;

/// Applies `reaction` coming (`added`) or going, as the event of `seq`: false when it
/// changes nothing (the message is gone, the command is not later than this person's
/// last for the emoji there, it is already so, or it would add an emoji past the
/// most a message holds), so it is not stored. A command that changes nothing still
/// becomes the last one, so an older one arriving after it is ignored.
pub(super) fn apply(
    conn: &Connection,
    room_id: i64,
    seq: u64,
    reaction: &Reaction,
    added: bool,
) -> Result<bool, StoreError> {
    let live: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM messages
                 WHERE id = ?1 AND room_id = ?2 AND deleted_by IS NULL)",
        )
        .and_then(|mut statement| statement.query_row(params![reaction.id, room_id], |r| r.get(0)))
        .map_err(database)?;
    if !live {
        return Ok(false);
    }
    let key = params![
        reaction.id,
        reaction.user_id.as_str(),
        reaction.emoji.as_str()
    ];
    let last: Option<(String, bool)> = conn
        .prepare_cached(
            "SELECT client_id, present FROM reactions
             WHERE message_id = ?1 AND user_id = ?2 AND emoji = ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(key, |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(database)?;
    if last
        .as_ref()
        .is_some_and(|(client_id, _)| client_id.as_str() >= reaction.client_id.as_str())
    {
        return Ok(false);
    }
    let was = last.as_ref().is_some_and(|(_, present)| *present);
    let changes = was != added && !(added && over_the_limit(conn, reaction)?);
    let seq = i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq}")))?;
    conn.prepare_cached(
        "INSERT INTO reactions (message_id, user_id, emoji, name, client_id, present, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (message_id, user_id, emoji) DO UPDATE SET
             client_id = excluded.client_id,
             name = CASE WHEN ?8 THEN excluded.name ELSE name END,
             present = CASE WHEN ?8 THEN excluded.present ELSE present END,
             seq = CASE WHEN ?8 THEN excluded.seq ELSE seq END",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            reaction.id,
            reaction.user_id.as_str(),
            reaction.emoji.as_str(),
            reaction.user.as_str(),
            reaction.client_id.as_str(),
            changes && added,
            seq,
            changes
        ])
    })
    .map_err(database)?;
    Ok(changes)
}

/// Whether `reaction` would be a new emoji on a message that has the most already.
fn over_the_limit(conn: &Connection, reaction: &Reaction) -> Result<bool, StoreError> {
    let (there, distinct): (bool, i64) = conn
        .prepare_cached(
            "SELECT COALESCE(MAX(emoji = ?2), 0), COUNT(DISTINCT emoji) FROM reactions
             WHERE message_id = ?1 AND present",
        )
        .and_then(|mut statement| {
            statement.query_row(params![reaction.id, reaction.emoji.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
        })
        .map_err(database)?;
    Ok(!there && usize::try_from(distinct).unwrap_or(usize::MAX) >= REACTIONS_PER_MESSAGE)
}

/// Fills in the reactions of `messages` (read in the same transaction, when there is
/// one, so they are as of the same moment).
pub(super) async fn attach(
    conn: &mut SqliteConnection,
    messages: &mut [ChatMessage],
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let mut by_message = read(conn, &ids).await?;
    for message in messages {
        if let Some(reactions) = by_message.remove(&message.id) {
            message.reactions = reactions;
        }
    }
    Ok(())
}

/// The reactions of message `id` of the room, if it is there and not deleted.
pub(super) async fn of_message(
    conn: &mut SqliteConnection,
    room: &RoomName,
    id: i64,
) -> Result<Option<Vec<Reactions>>, StoreError> {
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM messages
         WHERE id = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)
           AND deleted_by IS NULL",
    )
    .bind(id)
    .bind(room.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if live.is_none() {
        return Ok(None);
    }
    Ok(Some(
        read(conn, &[id]).await?.remove(&id).unwrap_or_default(),
    ))
}

/// The reactions of the messages `ids`, each emoji where its earliest reactor stands.
pub(super) async fn read(
    conn: &mut SqliteConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Reactions>>, StoreError> {
    let ids = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let rows = sqlx::query(
        "SELECT message_id, emoji, name, user_id FROM reactions
         WHERE present AND message_id IN (SELECT value FROM json_each(?))
         ORDER BY message_id, seq",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?;
    crate::store::rows::reactions(&rows)
}
