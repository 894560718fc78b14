//! Rooms and their members in SQLite (migration 0007), mirrored in the store's
//! [`Directory`] once each change commits.

use async_trait::async_trait;
use confab_shared::{Role, RoomName, Topic, UserId, UserName};
use sqlx::{Row, SqlitePool};

use super::SqliteStore;
use crate::rooms::{Directory, Person, Room, RoomError, Rooms};
use crate::store::{StoreError, now_rfc3339};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Every room, membership, ban and mute, read once when the store opens.
pub(super) async fn load_directory(pool: &SqlitePool) -> Result<Directory, StoreError> {
    let directory = Directory::default();
    let rooms = sqlx::query("SELECT name, topic, private FROM rooms")
        .fetch_all(pool)
        .await?;
    for row in rooms {
        directory.put_room(Room {
            name: RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?,
            topic: Topic::new(row.try_get::<String, _>(1)?).map_err(corrupt)?,
            private: row.try_get::<i64, _>(2)? != 0,
        });
    }
    let members = sqlx::query(
        "SELECT r.name, m.user_id, m.role, m.name
         FROM room_members m JOIN rooms r ON r.id = m.room_id",
    )
    .fetch_all(pool)
    .await?;
    for row in members {
        let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        let user = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
        let role: String = row.try_get(2)?;
        let role = Role::parse(&role).ok_or_else(|| corrupt(format!("role {role:?}")))?;
        let name: String = row.try_get(3)?;
        // Memberships from before names were kept, of accounts since deleted.
        let name = UserName::new(name)
            .or_else(|_| UserName::new("someone"))
            .map_err(corrupt)?;
        directory.put_member(&room, &user, &name, role);
    }
    for (table, banned) in [("room_bans", true), ("room_mutes", false)] {
        let rows = sqlx::query(&format!(
            "SELECT r.name, x.user_id FROM {table} x JOIN rooms r ON r.id = x.room_id"
        ))
        .fetch_all(pool)
        .await?;
        for row in rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
            let user = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
            directory.put_restriction(&room, &user, banned);
        }
    }
    Ok(directory)
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

    fn directory(&self) -> &Directory {
        &self.directory
    }
}
