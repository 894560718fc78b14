//! Rooms, their members and whom each account blocked, on PostgreSQL, mirrored in
//! the node's [`Directory`] once each change commits (as `sqlite/rooms.rs` and
//! `sqlite/blocks.rs` do). Loaded at start by `store/directory.rs`, as SQLite's.

use async_trait::async_trait;
use confab_shared::{Notify, Role, RoomName, UserId, UserName};
use sqlx::Row;

use super::PostgresStore;
use crate::accounts::{Blocked, Blocks};
use crate::rooms::{Directory, Person, Room, RoomError, Rooms, people_key};
use crate::store::directory::conversation_people;
use crate::store::{StoreError, now_rfc3339};

#[async_trait]
impl Rooms for PostgresStore {
    async fn create_room(&self, room: &Room, owner: Option<&Person>) -> Result<(), RoomError> {
        let now = now_rfc3339();
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO rooms (name, topic, private, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(room.name.as_str())
        .bind(room.topic.as_str())
        .bind(room.private)
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
                 VALUES ($1, $2, 'owner', $3, $4)",
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
            "UPDATE room_members SET notify = $1
             WHERE user_id = $2 AND room_id = (SELECT id FROM rooms WHERE name = $3)",
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
            "UPDATE room_members SET wrote = true
             WHERE user_id = $1 AND room_id = (SELECT id FROM rooms WHERE name = $2)",
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
             VALUES ($1, true, 'conversation', $2, $3, $4)
             ON CONFLICT (people_key) DO NOTHING RETURNING id",
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
                sqlx::query_scalar("SELECT name FROM rooms WHERE people_key = $1")
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
                 VALUES ($1, $2, 'member', $3, $4)",
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
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, last_seq FROM rooms")
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

/// The account behind a member's id (`u:N`); None for a guest.
fn account_of(user: &UserId) -> Option<i64> {
    user.as_str().strip_prefix("u:")?.parse().ok()
}

#[async_trait]
impl Blocks for PostgresStore {
    async fn set_blocked(
        &self,
        user: &UserId,
        other: &Blocked,
        on: bool,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = if on {
            sqlx::query(
                "INSERT INTO blocks (user_id, blocked_id, blocked_name, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(user.as_str())
            .bind(other.user_id.as_str())
            .bind(other.user.as_str())
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query("DELETE FROM blocks WHERE user_id = $1 AND blocked_id = $2")
                .bind(user.as_str())
                .bind(other.user_id.as_str())
                .execute(&mut *tx)
                .await?
        };
        // Other nodes hear of it from the account feed, and read the blocks again.
        if let Some(account) = account_of(user)
            && done.rows_affected() == 1
        {
            super::account_feed::record(&mut tx, account, &[], false).await?;
        }
        tx.commit().await?;
        self.directory.put_block(user, &other.user_id, on);
        Ok(done.rows_affected() == 1)
    }

    async fn blocked(&self, user: &UserId) -> Result<Vec<Blocked>, StoreError> {
        let found = sqlx::query(
            "SELECT blocked_name, blocked_id FROM blocks WHERE user_id = $1
             ORDER BY blocked_name",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        found
            .iter()
            .map(|row| {
                Ok(Blocked {
                    user: UserName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?,
                    user_id: UserId::new(row.try_get::<String, _>(1)?).map_err(corrupt)?,
                })
            })
            .collect()
    }

    async fn has_blocked(&self, user: &UserId, other: &UserId) -> Result<bool, StoreError> {
        Ok(self.directory.has_blocked(user, other))
    }
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}
