//! Rooms and their members in SQLite (migration 0007), mirrored in the store's
//! [`Directory`] once each change commits.

use async_trait::async_trait;
use confab_shared::{Role, RoomName, Topic, UserId};
use sqlx::{Row, SqlitePool};

use super::SqliteStore;
use crate::rooms::{Directory, Room, RoomError, Rooms};
use crate::store::{StoreError, now_rfc3339};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Every room and membership, read once when the store opens.
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
        "SELECT r.name, m.user_id, m.role FROM room_members m JOIN rooms r ON r.id = m.room_id",
    )
    .fetch_all(pool)
    .await?;
    for row in members {
        let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        let user = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
        let role: String = row.try_get(2)?;
        let role = Role::parse(&role).ok_or_else(|| corrupt(format!("role {role:?}")))?;
        directory.put_member(&room, &user, role);
    }
    Ok(directory)
}

#[async_trait]
impl Rooms for SqliteStore {
    async fn create_room(&self, room: &Room, owner: Option<&UserId>) -> Result<(), RoomError> {
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
        .bind(owner.map_or("guest", UserId::as_str))
        .bind(&now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(id) = id else {
            return Err(RoomError::Exists);
        };
        if let Some(owner) = owner {
            sqlx::query(
                "INSERT INTO room_members (room_id, user_id, role, joined_at)
                 VALUES (?, ?, 'owner', ?)",
            )
            .bind(id)
            .bind(owner.as_str())
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.directory.put_room(room.clone());
        if let Some(owner) = owner {
            self.directory.put_member(&room.name, owner, Role::Owner);
        }
        Ok(())
    }

    async fn add_member(
        &self,
        room: &RoomName,
        user: &UserId,
        role: Role,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO room_members (room_id, user_id, role, joined_at)
             SELECT id, ?, ?, ? FROM rooms WHERE name = ?
             ON CONFLICT (room_id, user_id) DO NOTHING",
        )
        .bind(user.as_str())
        .bind(role.as_str())
        .bind(now_rfc3339())
        .bind(room.as_str())
        .execute(&self.pool)
        .await?;
        let added = done.rows_affected() == 1;
        if added {
            self.directory.put_member(room, user, role);
        }
        Ok(added)
    }

    fn directory(&self) -> &Directory {
        &self.directory
    }
}
