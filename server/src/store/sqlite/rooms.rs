//! Rooms and their members in SQLite (migration 0007), mirrored in the store's
//! [`Directory`] once each change commits.

use async_trait::async_trait;
use confab_shared::{Notify, Role, RoomName, UserId};
use sqlx::SqlitePool;

use super::SqliteStore;
use crate::rooms::{Directory, Person, Room, RoomError, Rooms, people_key};
use crate::store::{StoreError, now_rfc3339};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Every room, membership, ban and mute, read once when the store opens.
pub(super) async fn load_directory(pool: &SqlitePool) -> Result<Directory, StoreError> {
    crate::store::directory::load(pool).await
}

#[async_trait]
impl Rooms for SqliteStore {
    async fn create_room(&self, room: &Room, owner: Option<&Person>) -> Result<(), RoomError> {
        let _making = self.making_rooms.lock().await;
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO rooms (name, topic, private, created_by, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(room.name.as_str())
        .bind(room.topic.as_str())
        .bind(i64::from(room.private))
        .bind(owner.map_or("guest", |owner| owner.id.as_str()))
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(id) = id else {
            return Err(RoomError::Exists);
        };
        if let Some(owner) = owner {
            sqlx::query(
                "INSERT INTO room_members (room_id, user_id, role, joined_at, name)
                 VALUES (?, ?, 'owner', ?, ?)",
            )
            .bind(id)
            .bind(owner.id.as_str())
            .bind(&now)
            .bind(owner.name.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.directory.put_room(room.clone());
        if let Some(owner) = owner {
            self.directory
                .put_member(&room.name, &owner.id, &owner.name, Role::Owner);
        }
        Ok(())
    }

    async fn set_notify(
        &self,
        room: &RoomName,
        user: &UserId,
        notify: Notify,
    ) -> Result<bool, RoomError> {
        let done = sqlx::query(
            "UPDATE room_members SET notify = ?
             WHERE user_id = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)",
        )
        .bind(notify.as_str())
        .bind(user.as_str())
        .bind(room.as_str())
        .execute(&self.pool)
        .await
        .map_err(StoreError::from)?;
        Ok(done.rows_affected() == 1 && self.directory.put_notify(room, user, notify))
    }

    async fn keep_writer(&self, room: &RoomName, user: &UserId) -> Result<(), RoomError> {
        sqlx::query(
            "UPDATE room_members SET wrote = 1
             WHERE user_id = ? AND room_id = (SELECT id FROM rooms WHERE name = ?)",
        )
        .bind(user.as_str())
        .bind(room.as_str())
        .execute(&self.pool)
        .await
        .map_err(StoreError::from)?;
        Ok(())
    }

    async fn start_conversation(
        &self,
        name: &RoomName,
        people: &[Person],
    ) -> Result<(RoomName, bool), RoomError> {
        let key = people_key(people);
        if let Some(existing) = self.directory.conversation_of(&key) {
            return Ok((existing, false));
        }
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        // The unique key decides a race, on this node or another: the loser reads
        // the winner's conversation back.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO rooms (name, private, kind, people_key, created_by, created_at)
             VALUES (?, 1, 'conversation', ?, ?, ?)
             ON CONFLICT (people_key) WHERE people_key IS NOT NULL DO NOTHING RETURNING id",
        )
        .bind(name.as_str())
        .bind(&key)
        .bind(people.first().map_or("", |p| p.id.as_str()))
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(id) = id else {
            drop(tx);
            let existing: String =
                sqlx::query_scalar("SELECT name FROM rooms WHERE people_key = ?")
                    .bind(&key)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(StoreError::from)?;
            let existing = RoomName::new(existing).map_err(corrupt)?;
            let stored =
                crate::store::directory::conversation_people(&self.pool, &existing).await?;
            self.directory
                .put_conversation(Room::conversation(existing.clone()), &stored, None);
            return Ok((existing, false));
        };
        for person in people {
            sqlx::query(
                "INSERT INTO room_members (room_id, user_id, role, joined_at, name)
                 VALUES (?, ?, 'member', ?, ?)",
            )
            .bind(id)
            .bind(person.id.as_str())
            .bind(&now)
            .bind(person.name.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.directory
            .put_conversation(Room::conversation(name.clone()), people, None);
        Ok((name.clone(), true))
    }

    async fn last_seqs(&self) -> Result<Vec<(RoomName, confab_shared::Seq)>, StoreError> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT name, MAX((SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = rooms.id),
                              (SELECT COALESCE(MAX(seq), 0) FROM room_events WHERE room_id = rooms.id))
             FROM rooms",
        )
        .fetch_all(&self.pool)
        .await?;
        crate::store::directory::room_seqs(rows)
    }

    async fn load_room(&self, room: &RoomName) -> Result<bool, StoreError> {
        crate::store::directory::load_room(&self.pool, &self.directory, room).await
    }

    fn directory(&self) -> &Directory {
        &self.directory
    }
}
