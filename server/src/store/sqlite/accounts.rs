//! Accounts and sessions in SQLite (migration 0005), through the read pool: they are
//! few writes, beside the message writer's (SQLite's busy timeout lets them take turns).
//! Each change is also appended to the account change feed (`account_feed.rs`).

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::UserName;
use sqlx::{Row, SqlitePool};

use super::SqliteStore;
use super::account_feed::{ID_BY_NAME, record};
use crate::accounts::{
    Account, AccountChange, AccountError, Accounts, Credentials, TokenInfo, name_key,
};
use crate::store::{StoreError, now_rfc3339};

/// A session's expiry is written again only once it would move by this much (seconds),
/// so connecting does not mean a write each time.
const EXTEND_STEP: i64 = 3600;

/// Every working API token (its hash) with its account: what a bot's connect asks,
/// answered from memory (a join storm of ten thousand bots would otherwise queue as
/// many database reads, each holding its upgrade's buffers).
pub(super) async fn load_tokens(pool: &SqlitePool) -> Result<HashMap<String, Account>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.token_hash, u.id, u.username, u.is_admin
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.banned = 0",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                account(row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)?,
            ))
        })
        .collect()
}

impl SqliteStore {
    /// Reads `account`'s working tokens again into memory, after a change to them or
    /// to it (made, revoked, banned, deleted).
    pub(super) async fn refresh_tokens_of(&self, account_id: i64) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT t.token_hash, u.id, u.username, u.is_admin
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE u.id = ? AND u.banned = 0",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut fresh = Vec::with_capacity(rows.len());
        for row in &rows {
            let hash: String = row.try_get(0)?;
            fresh.push((
                hash,
                account(row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)?,
            ));
        }
        let mut tokens = self
            .token_accounts
            .write()
            .unwrap_or_else(|e| e.into_inner());
        tokens.retain(|_, owner| owner.id != account_id);
        tokens.extend(fresh);
        Ok(())
    }
}

fn account(id: i64, username: String, is_admin: i64) -> Result<Account, StoreError> {
    Ok(Account {
        id,
        username: UserName::new(username).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        is_admin: is_admin != 0,
    })
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn create_account(
        &self,
        username: &UserName,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<Account, AccountError> {
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (username, name_key, password_hash, is_admin, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(username.as_str())
        .bind(name_key(username.as_str()))
        .bind(password_hash)
        .bind(i64::from(is_admin))
        .bind(now_rfc3339())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(id) = inserted else {
            return Err(AccountError::Taken);
        };
        record(&mut tx, id, &[], false).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.refresh_account(id).await?;
        Ok(Account {
            id,
            username: username.clone(),
            is_admin,
        })
    }

    async fn credentials(&self, username: &UserName) -> Result<Option<Credentials>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT id, username, is_admin, password_hash, banned FROM users WHERE id = {ID_BY_NAME}"
        ))
        .bind(username.as_str())
        .bind(name_key(username.as_str()))
        .bind(username.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Credentials {
                account: account(row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)?,
                password_hash: row.try_get(3)?,
                banned: row.try_get::<i64, _>(4)? != 0,
            })
        })
        .transpose()
    }

    /// From memory: a guest's connect must not wait on the database (a join storm of
    /// guests would queue thousands of reads, each holding its upgrade's buffers).
    /// Accounts made by another process are seen once the change feed brings them.
    async fn username_taken(&self, username: &UserName) -> Result<bool, StoreError> {
        Ok(self
            .usernames
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&name_key(username.as_str())))
    }

    async fn create_session(
        &self,
        account: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(account)
        .bind(now_rfc3339())
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
        extend_to: i64,
    ) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.is_admin, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.banned = 0",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let expires_at: i64 = row.try_get(3)?;
        if extend_to - expires_at > EXTEND_STEP {
            sqlx::query("UPDATE sessions SET expires_at = ? WHERE token_hash = ?")
                .bind(extend_to)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(account(
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
        )?))
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let owner: Option<i64> =
            sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = ? RETURNING user_id")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(owner) = owner {
            record(&mut tx, owner, &[token_hash.to_owned()], false).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_token(
        &self,
        account: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<TokenInfo, StoreError> {
        let created_at = now_rfc3339();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)
             RETURNING id",
        )
        .bind(account)
        .bind(name)
        .bind(token_hash)
        .bind(&created_at)
        .fetch_one(&mut *tx)
        .await?;
        record(&mut tx, account, &[], false).await?;
        tx.commit().await?;
        self.refresh_tokens_of(account).await?;
        Ok(TokenInfo {
            id,
            name: name.to_owned(),
            created_at,
        })
    }

    async fn tokens(&self, account: i64) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at FROM api_tokens WHERE user_id = ? ORDER BY id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get(0)?,
                    name: row.try_get(1)?,
                    created_at: row.try_get(2)?,
                })
            })
            .collect()
    }

    async fn delete_token(&self, account: i64, id: i64) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let deleted: Option<String> = sqlx::query_scalar(
            "DELETE FROM api_tokens WHERE user_id = ? AND id = ? RETURNING token_hash",
        )
        .bind(account)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(hash) = &deleted {
            record(&mut tx, account, std::slice::from_ref(hash), false).await?;
        }
        tx.commit().await?;
        self.refresh_tokens_of(account).await?;
        Ok(deleted)
    }

    /// From memory (see `load_tokens`). Tokens made or revoked by another process are
    /// seen once the change feed brings them.
    async fn token_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        Ok(self
            .token_accounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token_hash)
            .cloned())
    }

    async fn set_password(
        &self,
        account: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        let ended: Vec<String> = sqlx::query_scalar(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ? RETURNING token_hash",
        )
        .bind(account)
        .bind(keep_session)
        .fetch_all(&mut *tx)
        .await?;
        record(&mut tx, account, &ended, false).await?;
        tx.commit().await?;
        Ok(ended)
    }

    async fn set_banned(
        &self,
        username: &UserName,
        banned: bool,
    ) -> Result<Option<(Account, Vec<String>)>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE users SET banned = ? WHERE id = {ID_BY_NAME} RETURNING id, username, is_admin"
        ))
        .bind(i64::from(banned))
        .bind(username.as_str())
        .bind(name_key(username.as_str()))
        .bind(username.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let found = account(row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)?;
        let mut ended = Vec::new();
        if banned {
            ended =
                sqlx::query_scalar("DELETE FROM sessions WHERE user_id = ? RETURNING token_hash")
                    .bind(found.id)
                    .fetch_all(&mut *tx)
                    .await?;
            let tokens: Vec<String> =
                sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE user_id = ?")
                    .bind(found.id)
                    .fetch_all(&mut *tx)
                    .await?;
            ended.extend(tokens);
        }
        record(&mut tx, found.id, &ended, banned).await?;
        tx.commit().await?;
        self.refresh_tokens_of(found.id).await?;
        Ok(Some((found, ended)))
    }

    async fn delete_account(&self, username: &UserName) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM users WHERE id = {ID_BY_NAME}"))
                .bind(username.as_str())
                .bind(name_key(username.as_str()))
                .bind(username.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let mut ended: Vec<String> =
            sqlx::query_scalar("DELETE FROM sessions WHERE user_id = ? RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let tokens: Vec<String> =
            sqlx::query_scalar("DELETE FROM api_tokens WHERE user_id = ? RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        ended.extend(tokens);
        // The row stays, renamed, so that its id is never handed out again: a new
        // account must not inherit the deleted one's messages. No password matches
        // '!' (it is no PHC string).
        let tombstone = format!("deleted.{id}");
        sqlx::query(
            "UPDATE users SET username = ?, name_key = ?, password_hash = '!', is_admin = 0
             WHERE id = ?",
        )
        .bind(&tombstone)
        .bind(name_key(&tombstone))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record(&mut tx, id, &ended, false).await?;
        tx.commit().await?;
        self.refresh_account(id).await?;
        Ok(Some(ended))
    }

    async fn last_change(&self) -> Result<i64, StoreError> {
        self.feed_head().await
    }

    async fn changes_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError> {
        self.feed_after(seq).await
    }

    async fn prune_changes(&self, age_secs: i64) -> Result<(), StoreError> {
        self.feed_prune(age_secs).await
    }
}
