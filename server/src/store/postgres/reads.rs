//! Reading a room's log on PostgreSQL: replays, snapshots, pages, the audit log, a
//! message's author and reactions. The columns and what they mean are the SQLite
//! store's (`store/rows.rs`); a replay and a snapshot read in one repeatable-read
//! transaction, so the events and the seq they are current as of agree.

use std::collections::HashMap;

use confab_shared::{
    ChatMessage, MessageId, Reactions, RoomEvent, RoomName, Seq, Tombstone, UserId,
};
use sqlx::{PgConnection, Postgres, Transaction};

use super::PostgresStore;
use crate::store::columns::{from_db_seq, to_db_seq};
use crate::store::reader::Reader;
use crate::store::rows::{self, MESSAGE_COLUMNS, MESSAGES, OTHER_COLUMNS, REPLAY_COLUMNS};
use crate::store::{Page, Replay, Snapshot, StoreError};

impl PostgresStore {
    /// The events of `room` with `seq > after`, if there are at most `limit` of them
    /// (else none, and `truncated`).
    pub async fn replay(
        &self,
        room: &RoomName,
        after: Seq,
        limit: u32,
    ) -> Result<Replay, StoreError> {
        let mut tx = self.read_snapshot().await?;
        let Some((room_id, last_seq)) = find_room(&mut tx, room).await? else {
            return Ok(Replay {
                last_seq: 0,
                events: Vec::new(),
                truncated: false,
            });
        };
        // Messages and the other events share the room's seqs: read up to limit + 1
        // of each, merge by seq, and see whether more than limit came after `after`.
        let messages = sqlx::query(&format!(
            "SELECT {REPLAY_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3"
        ))
        .bind(room_id)
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        let others = sqlx::query(&format!(
            "SELECT {OTHER_COLUMNS}
             FROM room_events e
             LEFT JOIN messages m ON e.kind IN ('edited', 'deleted') AND m.room_id = e.room_id
                 AND m.id = (e.data::jsonb ->> 'id')::bigint
             LEFT JOIN messages t ON t.id = coalesce(m.thread_root, m.id)
             WHERE e.room_id = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3"
        ))
        .bind(room_id)
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        if messages.len() + others.len() > limit as usize {
            return Ok(Replay {
                last_seq,
                events: Vec::new(),
                truncated: true,
            });
        }
        let mut events = messages
            .iter()
            .map(|row| rows::replayed_message(room, row))
            .collect::<Result<Vec<_>, _>>()?;
        for row in &others {
            events.push(rows::replayed_other(room, row)?);
        }
        events.sort_by_key(|event| event.seq);
        Ok(Replay {
            last_seq,
            events,
            truncated: false,
        })
    }

    /// The newest `limit` messages of `room` in the room's list and the seq they are
    /// current as of, read together.
    pub async fn snapshot(&self, room: &RoomName, limit: u32) -> Result<Snapshot, StoreError> {
        let mut tx = self.read_snapshot().await?;
        let Some((room_id, last_seq)) = find_room(&mut tx, room).await? else {
            return Ok(Snapshot {
                last_seq: 0,
                messages: Vec::new(),
                has_more: false,
            });
        };
        let found = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = $1 AND m.deleted_by IS NULL AND m.in_room
             ORDER BY m.seq DESC LIMIT $2"
        ))
        .bind(room_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(&mut *tx)
        .await?;
        let (mut messages, has_more) = rows::newest_first_to_page(room, &found, limit)?;
        attach_reactions(&mut tx, &mut messages).await?;
        tx.commit().await?;
        Ok(Snapshot {
            last_seq,
            messages,
            has_more,
        })
    }

    /// Up to `limit` messages of `room`'s list with `seq < before` (without
    /// `before`, the newest), oldest first.
    pub async fn history(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let before = before.map_or(Ok(i64::MAX), to_db_seq)?;
        let found = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = (SELECT id FROM rooms WHERE name = $1) AND m.seq < $2
               AND m.deleted_by IS NULL AND m.in_room
             ORDER BY m.seq DESC LIMIT $3"
        ))
        .bind(room.as_str())
        .bind(before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let (mut messages, has_more) = rows::newest_first_to_page(room, &found, limit)?;
        self.pool.attach_reactions(&mut messages).await?;
        Ok(Page { messages, has_more })
    }

    /// Up to `limit` messages of `room`'s list with `seq > after`, oldest first;
    /// `has_more` when newer ones follow them.
    pub async fn newer(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Page, StoreError> {
        let found = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM {MESSAGES}
             WHERE m.room_id = (SELECT id FROM rooms WHERE name = $1) AND m.seq > $2
               AND m.deleted_by IS NULL AND m.in_room
             ORDER BY m.seq LIMIT $3"
        ))
        .bind(room.as_str())
        .bind(to_db_seq(after)?)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let has_more = found.len() > limit as usize;
        let mut messages = found
            .iter()
            .take(limit as usize)
            .map(|row| rows::message(room, row, 0))
            .collect::<Result<Vec<_>, _>>()?;
        self.pool.attach_reactions(&mut messages).await?;
        Ok(Page { messages, has_more })
    }

    /// Who wrote message `id` of `room`, unless there is no such message or it was
    /// deleted.
    pub async fn message_author(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<UserId>, StoreError> {
        let author: Option<String> = sqlx::query_scalar(
            "SELECT author_id FROM messages
             WHERE id = $1 AND room_id = (SELECT id FROM rooms WHERE name = $2)
               AND deleted_by IS NULL",
        )
        .bind(id)
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        author
            .map(|a| UserId::new(a).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The reactions of message `id` of `room` now, unless there is no such message
    /// or it was deleted.
    pub async fn reactions(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<Vec<Reactions>>, StoreError> {
        let Some(_) = self.message_author(room, id).await? else {
            return Ok(None);
        };
        let mut found = self.pool.reactions(&[id]).await?;
        Ok(Some(found.remove(&id).unwrap_or_default()))
    }

    /// Up to `limit` of the room's events other than messages, edits and reactions
    /// with `seq < before`, newest first: the room's audit log.
    pub async fn audit(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        let before = before.map_or(Ok(i64::MAX), to_db_seq)?;
        let found = sqlx::query(
            "SELECT seq, kind, data, ts FROM room_events
             WHERE room_id = (SELECT id FROM rooms WHERE name = $1) AND seq < $2
               AND kind NOT IN ('edited', 'reacted', 'unreacted')
             ORDER BY seq DESC LIMIT $3",
        )
        .bind(room.as_str())
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        found.iter().map(|row| rows::event(room, row)).collect()
    }

    /// The thread a reply to message `id` of `room` goes into (`store/threads.rs`).
    pub async fn replied_to(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<MessageId>, StoreError> {
        crate::store::threads::replied_to(&self.pool, room, id).await
    }

    /// A page of thread `root`'s replies, and the root as it is now.
    pub async fn thread(
        &self,
        room: &RoomName,
        root: MessageId,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<(Page, Option<ChatMessage>), StoreError> {
        crate::store::threads::page(&self.pool, room, root, before, limit).await
    }

    /// The deleted roots of `room` in `from..=to` whose threads still have replies.
    pub async fn tombstones(
        &self,
        room: &RoomName,
        from: Seq,
        to: Seq,
    ) -> Result<Vec<Tombstone>, StoreError> {
        crate::store::threads::tombstones(&self.pool, room, from, to).await
    }

    /// A read-only transaction that sees one snapshot of the database throughout.
    async fn read_snapshot(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

/// The room's id and newest seq.
async fn find_room(
    tx: &mut PgConnection,
    room: &RoomName,
) -> Result<Option<(i64, Seq)>, StoreError> {
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, last_seq FROM rooms WHERE name = $1")
            .bind(room.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    found
        .map(|(id, last)| Ok((id, from_db_seq(last)?)))
        .transpose()
}

/// Each message's reactions, read in the snapshot's own transaction (the other
/// reads take them from the pool: `Reader::attach_reactions`).
async fn attach_reactions(
    conn: &mut PgConnection,
    messages: &mut [ChatMessage],
) -> Result<(), StoreError> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let mut by_message = read_reactions(conn, &ids).await?;
    for message in messages {
        if let Some(reactions) = by_message.remove(&message.id) {
            message.reactions = reactions;
        }
    }
    Ok(())
}

/// The present reactions of the messages `ids`.
async fn read_reactions(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<HashMap<MessageId, Vec<Reactions>>, StoreError> {
    let found = sqlx::query(
        "SELECT message_id, emoji, name, user_id FROM reactions
         WHERE present AND message_id = ANY($1)
         ORDER BY message_id, seq",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?;
    rows::reactions(&found)
}
