//! Accounts, sessions, API tokens and the account change feed on PostgreSQL (as
//! `sqlite/accounts.rs` and `sqlite/account_feed.rs` keep them in SQLite).
//!
//! Every change to an account appends to the feed in its own transaction, and every
//! node reads the feed (`account_feed.rs`). With several nodes writing, an entry of a
//! later seq could commit before one of an earlier seq, and a reader that saw it
//! would skip the earlier one for good; so appends to the feed take a lock held to
//! their commit (`pg_advisory_xact_lock`): entries commit in seq order. Account
//! changes are rare; the lock costs nothing that matters.

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use confab_shared::UserName;
use sqlx::{PgConnection, PgPool, Row};

use super::PostgresStore;
use crate::accounts::{
    Account, AccountChange, AccountError, Accounts, Credentials, TokenInfo, name_key,
};
use crate::identity::unix_now;
use crate::store::{StoreError, now_rfc3339};

/// A session's expiry is written again only once it would move by this much (seconds).
const EXTEND_STEP: i64 = 3600;

/// Feed entries read at once.
const PAGE: i64 = 500;

/// The lock appends to the feed take (any number no other lock of this database uses).
const FEED_LOCK: i64 = 0x636f_6e66_6162;

/// The account of exactly this name if there is one, else the one with its key
/// (binds: the name at $1, its key at $2).
const ID_BY_NAME: &str = "(SELECT id FROM users WHERE username = $1 OR name_key = $2
     ORDER BY username = $1 DESC LIMIT 1)";

/// What the node keeps in memory of accounts, so connects do not wait on the
/// database: every name key with its account, and every working token's account.
#[derive(Default)]
pub(super) struct Cached {
    names: std::sync::RwLock<HashMap<String, i64>>,
    tokens: std::sync::RwLock<HashMap<String, Account>>,
}

impl Cached {
    /// Everything, read when the store opens.
    pub(super) async fn load(pool: &PgPool) -> Result<Self, StoreError> {
        let names: Vec<(String, i64)> =
            sqlx::query_as("SELECT name_key, id FROM users WHERE name_key IS NOT NULL")
                .fetch_all(pool)
                .await?;
        let tokens = sqlx::query(
            "SELECT t.token_hash, u.id, u.username, u.is_admin
             FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE NOT u.banned",
        )
        .fetch_all(pool)
        .await?;
        let tokens = tokens
            .iter()
            .map(|row| Ok((row.try_get(0)?, account(row, 1)?)))
            .collect::<Result<HashMap<_, _>, StoreError>>()?;
        Ok(Self {
            names: std::sync::RwLock::new(names.into_iter().collect()),
            tokens: std::sync::RwLock::new(tokens),
        })
    }
}

impl PostgresStore {
    /// Reads `account`'s name key and working tokens again into memory.
    async fn refresh_account(&self, account_id: i64) -> Result<(), StoreError> {
        let key: Option<String> =
            sqlx::query_scalar("SELECT name_key FROM users WHERE id = $1 AND name_key IS NOT NULL")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        {
            let mut names = self.cached.names.write().unwrap_or_else(|e| e.into_inner());
            names.retain(|_, id| *id != account_id);
            if let Some(key) = key {
                names.insert(key, account_id);
            }
        }
        let found = sqlx::query(
            "SELECT t.token_hash, u.id, u.username, u.is_admin
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE u.id = $1 AND NOT u.banned",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        let mut fresh = Vec::with_capacity(found.len());
        for row in &found {
            fresh.push((row.try_get::<String, _>(0)?, account(row, 1)?));
        }
        let mut tokens = self
            .cached
            .tokens
            .write()
            .unwrap_or_else(|e| e.into_inner());
        tokens.retain(|_, owner| owner.id != account_id);
        tokens.extend(fresh);
        Ok(())
    }
}

/// `id, username, is_admin` from column `at`.
fn account(row: &sqlx::postgres::PgRow, at: usize) -> Result<Account, StoreError> {
    Ok(Account {
        id: row.try_get(at)?,
        username: UserName::new(row.try_get::<String, _>(at + 1)?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        is_admin: row.try_get(at + 2)?,
    })
}

/// Appends `account`'s change to the feed, inside the transaction that makes it: one
/// entry per credential it ended, or one saying only that the account changed.
pub(super) async fn record(
    tx: &mut PgConnection,
    account: i64,
    ended: &[String],
    banned: bool,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(FEED_LOCK)
        .execute(&mut *tx)
        .await?;
    let none = [None];
    let ended: Vec<Option<&str>> = if ended.is_empty() {
        none.to_vec()
    } else {
        ended.iter().map(|e| Some(e.as_str())).collect()
    };
    for credential in ended {
        sqlx::query(
            "INSERT INTO account_changes (account_id, ended, banned, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account)
        .bind(credential)
        .bind(banned)
        .bind(unix_now())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
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
        let head: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM account_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(head.unwrap_or(0))
    }

    async fn changes_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError> {
        let found = sqlx::query(
            "SELECT seq, account_id, ended, banned FROM account_changes
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(PAGE)
        .fetch_all(&self.pool)
        .await?;
        let changes = found
            .iter()
            .map(|row| {
                Ok(AccountChange {
                    seq: row.try_get(0)?,
                    account: row.try_get(1)?,
                    ended: row.try_get(2)?,
                    banned: row.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let accounts: BTreeSet<i64> = changes.iter().map(|c| c.account).collect();
        for account in accounts {
            self.refresh_account(account).await?;
        }
        Ok(changes)
    }

    async fn prune_changes(&self, age_secs: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_changes WHERE at < $1")
            .bind(unix_now() - age_secs)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
