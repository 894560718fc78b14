//! Whom each account blocked, in SQLite (migration 0009).

use async_trait::async_trait;
use confab_shared::{UserId, UserName};
use sqlx::Row;

use super::SqliteStore;
use crate::accounts::{Blocked, Blocks};
use crate::store::{StoreError, now_rfc3339};

#[async_trait]
impl Blocks for SqliteStore {
    async fn set_blocked(
        &self,
        user: &UserId,
        other: &Blocked,
        on: bool,
    ) -> Result<bool, StoreError> {
        let done = if on {
            sqlx::query(
                "INSERT INTO blocks (user_id, blocked_id, blocked_name, created_at)
                 VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(user.as_str())
            .bind(other.user_id.as_str())
            .bind(other.user.as_str())
            .bind(now_rfc3339())
            .execute(&self.pool)
            .await?
        } else {
            sqlx::query("DELETE FROM blocks WHERE user_id = ? AND blocked_id = ?")
                .bind(user.as_str())
                .bind(other.user_id.as_str())
                .execute(&self.pool)
                .await?
        };
        self.directory.put_block(user, &other.user_id, on);
        Ok(done.rows_affected() == 1)
    }

    async fn blocked(&self, user: &UserId) -> Result<Vec<Blocked>, StoreError> {
        let rows = sqlx::query(
            "SELECT blocked_name, blocked_id FROM blocks WHERE user_id = ? ORDER BY blocked_name",
        )
        .bind(user.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let corrupt = |e: confab_shared::InvalidValue| StoreError::Corrupt(e.to_string());
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
