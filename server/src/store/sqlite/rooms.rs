//! Rooms and their members in SQLite (migration 0007), mirrored in the store's
//! [`Directory`] once each change commits.

use async_trait::async_trait;
use confab_shared::{Notify, Role, RoomName, Topic, UserId, UserName};
use sqlx::{Row, SqlitePool};

use super::SqliteStore;
use crate::rooms::{Directory, Person, Room, RoomError, Rooms, people_key};
use crate::store::{StoreError, now_rfc3339};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Every room, membership, ban and mute, read once when the store opens.
pub(super) async fn load_directory(pool: &SqlitePool) -> Result<Directory, StoreError> {
    let directory = Directory::default();
    let rooms = sqlx::query("SELECT name, topic, private, kind FROM rooms")
        .fetch_all(pool)
        .await?;
    let mut conversations = Vec::new();
    for row in rooms {
        let name = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        if row.try_get::<String, _>(3)? == "conversation" {
            conversations.push(name);
            continue;
        }
        directory.put_room(Room::new(
            name,
            Topic::new(row.try_get::<String, _>(1)?).map_err(corrupt)?,
            row.try_get::<i64, _>(2)? != 0,
        ));
    }
    let members = sqlx::query(
        "SELECT r.name, m.user_id, m.role, m.name
         FROM room_members m JOIN rooms r ON r.id = m.room_id
         WHERE r.kind = 'room'",
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
    for name in conversations {
        let people = conversation_people(pool, &name).await?;
        let last_at: Option<String> = sqlx::query_scalar(
            "SELECT m.ts FROM messages m JOIN rooms r ON r.id = m.room_id
             WHERE r.name = ? ORDER BY m.seq DESC LIMIT 1",
        )
        .bind(name.as_str())
        .fetch_optional(pool)
        .await?;
        directory.put_conversation(Room::conversation(name), &people, last_at);
    }
    let blocks = sqlx::query("SELECT user_id, blocked_id FROM blocks")
        .fetch_all(pool)
        .await?;
    for row in blocks {
        let blocker = UserId::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        let blocked = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
        directory.put_block(&blocker, &blocked, true);
    }
    let writers = sqlx::query(
        "SELECT r.name, m.user_id FROM room_members m JOIN rooms r ON r.id = m.room_id
         WHERE m.wrote = 1",
    )
    .fetch_all(pool)
    .await?;
    for row in writers {
        let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        let user = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
        directory.put_writer(&room, &user);
    }
    let quieter = sqlx::query(
        "SELECT r.name, m.user_id, m.notify FROM room_members m JOIN rooms r ON r.id = m.room_id
         WHERE m.notify <> 'all'",
    )
    .fetch_all(pool)
    .await?;
    for row in quieter {
        let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
        let user = UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?;
        let notify = Notify::parse(&row.try_get::<String, _>(2)?);
        directory.put_notify(&room, &user, notify);
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

/// A conversation's people, as stored.
async fn conversation_people(
    pool: &SqlitePool,
    room: &RoomName,
) -> Result<Vec<Person>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.user_id, m.name FROM room_members m JOIN rooms r ON r.id = m.room_id
         WHERE r.name = ?",
    )
    .bind(room.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(1)?;
            Ok(Person {
                id: UserId::new(row.try_get::<String, _>(0)?).map_err(corrupt)?,
                name: UserName::new(name)
                    .or_else(|_| UserName::new("someone"))
                    .map_err(corrupt)?,
            })
        })
        .collect()
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
            let stored = conversation_people(&self.pool, &existing).await?;
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

    fn directory(&self) -> &Directory {
        &self.directory
    }
}
