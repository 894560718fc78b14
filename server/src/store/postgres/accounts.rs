//! Accounts, sessions and API tokens on PostgreSQL (as `sqlite/accounts.rs` keeps
//! them in SQLite); each change also appended to the account change feed
//! (`account_feed.rs`).

use async_trait::async_trait;
use confab_shared::UserName;
use sqlx::Row;

use super::PostgresStore;
use super::account_feed::record;
use crate::accounts::{
    Account, AccountChange, AccountError, Accounts, Credentials, TokenInfo, name_key,
};
use crate::store::{StoreError, now_rfc3339};

/// A session's expiry is written again only once it would move by this much (seconds).
const EXTEND_STEP: i64 = 3600;

/// The account of exactly this name if there is one, else the one with its key
/// (binds: the name at $1, its key at $2).
const ID_BY_NAME: &str = "(SELECT id FROM users WHERE username = $1 OR name_key = $2
     ORDER BY username = $1 DESC LIMIT 1)";

/// `id, username, is_admin` from column `at`.
pub(super) fn account(row: &sqlx::postgres::PgRow, at: usize) -> Result<Account, StoreError> {
    Ok(Account {
        id: row.try_get(at)?,
        username: UserName::new(row.try_get::<String, _>(at + 1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        is_admin: row.try_get(at + 2)?,
    })
}

#[async_trait]
impl Accounts for PostgresStore {
    async fn create_account(
        &self,
        username: &UserName,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<Account, AccountError> {
        let mut tx = self.pool.begin().await.map_err(StoreError::from)?;
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO users (username, name_key, password_hash, is_admin, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(username.as_str())
        .bind(name_key(username.as_str()))
        .bind(password_hash)
        .bind(is_admin)
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
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Credentials {
                account: account(&row, 0)?,
                password_hash: row.try_get(3)?,
                banned: row.try_get(4)?,
            })
        })
        .transpose()
    }

    /// From memory, as SQLite's: accounts made on another node are seen once the
    /// change feed brings them.
    async fn username_taken(&self, username: &UserName) -> Result<bool, StoreError> {
        Ok(self
            .cached
            .names
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
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
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
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.banned",
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
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
                .bind(extend_to)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(account(&row, 0)?))
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let owner: Option<i64> =
            sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
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
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(account)
        .bind(name)
        .bind(token_hash)
        .bind(&created_at)
        .fetch_one(&mut *tx)
        .await?;
        record(&mut tx, account, &[], false).await?;
        tx.commit().await?;
        self.refresh_account(account).await?;
        Ok(TokenInfo {
            id,
            name: name.to_owned(),
            created_at,
        })
    }

    async fn tokens(&self, account: i64) -> Result<Vec<TokenInfo>, StoreError> {
        let found: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, name, created_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await?;
        Ok(found
            .into_iter()
            .map(|(id, name, created_at)| TokenInfo {
                id,
                name,
                created_at,
            })
            .collect())
    }

    async fn delete_token(&self, account: i64, id: i64) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let deleted: Option<String> = sqlx::query_scalar(
            "DELETE FROM api_tokens WHERE user_id = $1 AND id = $2 RETURNING token_hash",
        )
        .bind(account)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(hash) = &deleted {
            record(&mut tx, account, std::slice::from_ref(hash), false).await?;
        }
        tx.commit().await?;
        self.refresh_account(account).await?;
        Ok(deleted)
    }

    /// From memory, as SQLite's: tokens made or revoked on another node are seen once
    /// the change feed brings them.
    async fn token_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        Ok(self
            .cached
            .tokens
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
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        let ended: Vec<String> = sqlx::query_scalar(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2
             RETURNING token_hash",
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
            "UPDATE users SET banned = $3 WHERE id = {ID_BY_NAME}
             RETURNING id, username, is_admin"
        ))
        .bind(username.as_str())
        .bind(name_key(username.as_str()))
        .bind(banned)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let found = account(&row, 0)?;
        let mut ended = Vec::new();
        if banned {
            ended =
                sqlx::query_scalar("DELETE FROM sessions WHERE user_id = $1 RETURNING token_hash")
                    .bind(found.id)
                    .fetch_all(&mut *tx)
                    .await?;
            let tokens: Vec<String> =
                sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE user_id = $1")
                    .bind(found.id)
                    .fetch_all(&mut *tx)
                    .await?;
            ended.extend(tokens);
        }
        record(&mut tx, found.id, &ended, banned).await?;
        tx.commit().await?;
        self.refresh_account(found.id).await?;
        Ok(Some((found, ended)))
    }

    async fn delete_account(&self, username: &UserName) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> =
            sqlx::query_scalar(&format!("SELECT id FROM users WHERE id = {ID_BY_NAME}"))
                .bind(username.as_str())
                .bind(name_key(username.as_str()))
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let mut ended: Vec<String> =
            sqlx::query_scalar("DELETE FROM sessions WHERE user_id = $1 RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        let tokens: Vec<String> =
            sqlx::query_scalar("DELETE FROM api_tokens WHERE user_id = $1 RETURNING token_hash")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        ended.extend(tokens);
        // The row stays, renamed, so that its id is never handed out again: a new
        // account must not inherit the deleted one's messages. No password matches
        // '!' (it is no PHC string).
        let renamed = format!("deleted.{id}");
        sqlx::query(
            "UPDATE users SET username = $1, name_key = $2, password_hash = '!', is_admin = false
             WHERE id = $3",
        )
        .bind(&renamed)
        .bind(name_key(&renamed))
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
