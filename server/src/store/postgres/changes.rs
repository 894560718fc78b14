//! Persisting a room's planned events on PostgreSQL (`Store::persist`): each with the
//! room's next seq (its row locked, as appends lock it), what it means in the tables
//! (the SQLite store's `sqlite/changes.rs`, in PostgreSQL's SQL), and the event
//! itself in the store's own format.

use confab_shared::protocol::{REACTIONS_PER_MESSAGE, folded};
use confab_shared::{EventKind, MemberChange, MessageId, Reaction, RoomEvent, RoomName, Thread};
use confab_shared::{Role, Tombstone};
use sqlx::PgConnection;

use super::PostgresStore;
use crate::store::columns::{from_db_seq, mentions_column};
use crate::store::stored_event::{to_stored, when};
use crate::store::{StoreError, now_rfc3339, rows};

impl PostgresStore {
    /// Stores `events` of `room` in one transaction, each with the room's next seq and
    /// what it means in the tables; gives those stored (an event that applies to
    /// nothing, such as a deletion of a message already gone, is left out).
    pub async fn persist(
        &self,
        room: &RoomName,
        events: Vec<EventKind>,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_rfc3339();
        sqlx::query("INSERT INTO rooms (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(room.as_str())
            .bind(&now)
            .execute(&self.pool)
            .await?;
        let mut tx = self.pool.begin().await?;
        let (room_id, mut last): (i64, i64) =
            sqlx::query_as("SELECT id, last_seq FROM rooms WHERE name = $1 FOR UPDATE")
                .bind(room.as_str())
                .fetch_one(&mut *tx)
                .await?;
        let mut out = Vec::with_capacity(events.len());
        for mut kind in events {
            let ts = when(&kind).unwrap_or(&now).to_owned();
            if !apply(&mut tx, room_id, last + 1, &mut kind, &ts).await? {
                continue;
            }
            last += 1;
            let stored = to_stored(&kind)?;
            sqlx::query(
                "INSERT INTO room_events (room_id, seq, kind, data, ts) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(room_id)
            .bind(last)
            .bind(stored.kind)
            .bind(stored.data)
            .bind(&ts)
            .execute(&mut *tx)
            .await?;
            out.push(RoomEvent {
                room: room.clone(),
                seq: from_db_seq(last)?,
                kind,
            });
        }
        sqlx::query("UPDATE rooms SET last_seq = $2 WHERE id = $1")
            .bind(room_id)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// Applies `kind`, which would be the room's event `seq`, to the tables; false when
/// it applies to nothing, so it is not stored.
async fn apply(
    tx: &mut PgConnection,
    room_id: i64,
    seq: i64,
    kind: &mut EventKind,
    ts: &str,
) -> Result<bool, StoreError> {
    let member = |sql: &'static str, change: &MemberChange| {
        sqlx::query(sql)
            .bind(room_id)
            .bind(change.user_id.as_str().to_owned())
    };
    match kind {
        EventKind::MessageDeleted(deletion) => {
            let changed = sqlx::query(
                "UPDATE messages SET deleted_by = $1, deleted_at = $2
                 WHERE id = $3 AND room_id = $4 AND deleted_by IS NULL",
            )
            .bind(deletion.by.as_str())
            .bind(ts)
            .bind(deletion.id)
            .bind(room_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 1 {
                // A reply's thread, one fewer: the event says so.
                deletion.thread = reply_deleted(tx, deletion.id).await?;
                // A root whose thread has replies: the list keeps its place.
                deletion.tombstone = root_deleted(tx, deletion.id).await?;
            }
            return Ok(changed == 1);
        }
        EventKind::TopicChanged(change) => {
            sqlx::query("UPDATE rooms SET topic = $1 WHERE id = $2")
                .bind(change.topic.as_str())
                .bind(room_id)
                .execute(&mut *tx)
                .await?;
        }
        EventKind::MemberJoined(change) => {
            sqlx::query(
                "INSERT INTO room_members (room_id, user_id, role, joined_at, name)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (room_id, user_id) DO NOTHING",
            )
            .bind(room_id)
            .bind(change.user_id.as_str())
            .bind(change.role.unwrap_or(Role::Member).as_str())
            .bind(ts)
            .bind(change.user.as_str())
            .execute(&mut *tx)
            .await?;
        }
        EventKind::RoleChanged(change) => {
            sqlx::query("UPDATE room_members SET role = $3 WHERE room_id = $1 AND user_id = $2")
                .bind(room_id)
                .bind(change.user_id.as_str())
                .bind(change.role.unwrap_or(Role::Member).as_str())
                .execute(&mut *tx)
                .await?;
        }
        EventKind::MemberLeft(change) => {
            member(
                "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2",
                change,
            )
            .execute(&mut *tx)
            .await?;
        }
        EventKind::MemberKicked(change) | EventKind::MemberBanned(change) => {
            for sql in [
                "DELETE FROM room_members WHERE room_id = $1 AND user_id = $2",
                "DELETE FROM room_mutes WHERE room_id = $1 AND user_id = $2",
            ] {
                member(sql, change).execute(&mut *tx).await?;
            }
        }
        EventKind::MemberUnbanned(change) => {
            member(
                "DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2",
                change,
            )
            .execute(&mut *tx)
            .await?;
        }
        EventKind::MemberMuted(change) => {
            member(
                "INSERT INTO room_mutes (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                change,
            )
            .execute(&mut *tx)
            .await?;
        }
        EventKind::MemberUnmuted(change) => {
            member(
                "DELETE FROM room_mutes WHERE room_id = $1 AND user_id = $2",
                change,
            )
            .execute(&mut *tx)
            .await?;
        }
        EventKind::MessageEdited(edit) => {
            // Only a message not deleted, and only an edit later than its last.
            let changed = sqlx::query(
                "UPDATE messages SET body = $1, edited_at = $2, edit_client_id = $3,
                     mentions = $4, folded = $7
                 WHERE id = $5 AND room_id = $6 AND deleted_by IS NULL
                   AND (edit_client_id IS NULL OR edit_client_id < $3)",
            )
            .bind(edit.body.as_str())
            .bind(&edit.edited_at)
            .bind(edit.client_id.as_str())
            .bind(mentions_column(edit.body.as_str()))
            .bind(edit.id)
            .bind(room_id)
            .bind(folded(edit.body.as_str()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            return Ok(changed == 1);
        }
        EventKind::ReactionAdded(reaction) => {
            return react(tx, room_id, seq, reaction, true).await;
        }
        EventKind::ReactionRemoved(reaction) => {
            return react(tx, room_id, seq, reaction, false).await;
        }
        EventKind::Message(_) | EventKind::Unknown => {
            return Err(StoreError::Corrupt(
                "only the messages insert stores messages".to_owned(),
            ));
        }
    }
    if let EventKind::MemberBanned(change) = kind {
        member(
            "INSERT INTO room_bans (room_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            change,
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(true)
}

/// Message `id` was just marked deleted: if it was a reply, its root's summary
/// without it.
async fn reply_deleted(tx: &mut PgConnection, id: MessageId) -> Result<Option<Thread>, StoreError> {
    let root: Option<Option<i64>> =
        sqlx::query_scalar("SELECT thread_root FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(Some(root)) = root else {
        return Ok(None);
    };
    let (replies, last_reply_at): (i64, Option<String>) = sqlx::query_as(
        "UPDATE messages SET replies = greatest(replies - 1, 0),
             last_reply_at = (SELECT max(ts) FROM messages
                              WHERE thread_root = $1 AND deleted_by IS NULL)
         WHERE id = $1 RETURNING replies, last_reply_at",
    )
    .bind(root)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Some(Thread {
        root,
        replies: u32::try_from(replies).unwrap_or(0),
        last_reply_at,
        in_room: false,
    }))
}

/// Message `id` was just marked deleted: its place in the room's list, if it was a
/// root whose thread still has replies.
async fn root_deleted(
    tx: &mut PgConnection,
    id: MessageId,
) -> Result<Option<Tombstone>, StoreError> {
    let found: Option<(i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT seq, replies, last_reply_at FROM messages
         WHERE id = $1 AND thread_root IS NULL AND replies > 0",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    found
        .map(|(seq, replies, last)| rows::tombstone(id, seq, replies, last))
        .transpose()
}

/// Applies `reaction` coming (`added`) or going, as the event of `seq`: false when it
/// changes nothing (the message is gone, the command is not later than this person's
/// last for the emoji there, it is already so, or it would add an emoji past the most
/// a message holds). A command that changes nothing still becomes the last one.
async fn react(
    tx: &mut PgConnection,
    room_id: i64,
    seq: i64,
    reaction: &Reaction,
    added: bool,
) -> Result<bool, StoreError> {
    let live: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM messages
             WHERE id = $1 AND room_id = $2 AND deleted_by IS NULL)",
    )
    .bind(reaction.id)
    .bind(room_id)
    .fetch_one(&mut *tx)
    .await?;
    if !live {
        return Ok(false);
    }
    let last: Option<(String, bool)> = sqlx::query_as(
        "SELECT client_id, present FROM reactions
         WHERE message_id = $1 AND user_id = $2 AND emoji = $3",
    )
    .bind(reaction.id)
    .bind(reaction.user_id.as_str())
    .bind(reaction.emoji.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if last
        .as_ref()
        .is_some_and(|(client_id, _)| client_id.as_str() >= reaction.client_id.as_str())
    {
        return Ok(false);
    }
    let was = last.as_ref().is_some_and(|(_, present)| *present);
    let changes = was != added && !(added && over_the_limit(tx, reaction).await?);
    sqlx::query(
        "INSERT INTO reactions (message_id, user_id, emoji, name, client_id, present, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (message_id, user_id, emoji) DO UPDATE SET
             client_id = excluded.client_id,
             name = CASE WHEN $8 THEN excluded.name ELSE reactions.name END,
             present = CASE WHEN $8 THEN excluded.present ELSE reactions.present END,
             seq = CASE WHEN $8 THEN excluded.seq ELSE reactions.seq END",
    )
    .bind(reaction.id)
    .bind(reaction.user_id.as_str())
    .bind(reaction.emoji.as_str())
    .bind(reaction.user.as_str())
    .bind(reaction.client_id.as_str())
    .bind(changes && added)
    .bind(seq)
    .bind(changes)
    .execute(&mut *tx)
    .await?;
    Ok(changes)
}

/// Whether `reaction` would be a new emoji on a message that has the most already.
async fn over_the_limit(tx: &mut PgConnection, reaction: &Reaction) -> Result<bool, StoreError> {
    let (there, distinct): (bool, i64) = sqlx::query_as(
        "SELECT coalesce(bool_or(emoji = $2), false), count(DISTINCT emoji) FROM reactions
         WHERE message_id = $1 AND present",
    )
    .bind(reaction.id)
    .bind(reaction.emoji.as_str())
    .fetch_one(&mut *tx)
    .await?;
    Ok(!there && usize::try_from(distinct).unwrap_or(usize::MAX) >= REACTIONS_PER_MESSAGE)
}
