//! The account change feed on PostgreSQL (as `sqlite/account_feed.rs` keeps it),
//! and what a node keeps in memory of accounts (names, tokens), which the feed keeps
//! current.
//!
//! Every change to an account appends to the feed in its own transaction, and every
//! node reads the feed (`account_feed.rs` of the server). With several nodes
//! writing, an entry of a later seq could commit before one of an earlier seq, and a
//! reader that saw it would skip the earlier one for good; so appends to the feed
//! take a lock held to their commit (`pg_advisory_xact_lock`): entries commit in seq
//! order. Account changes are rare; the lock costs nothing that matters.

use std::collections::{BTreeSet, HashMap};

use sqlx::{PgConnection, PgPool, Row};

use confab_shared::UserId;

use super::PostgresStore;
use super::accounts::account;
use crate::accounts::{Account, AccountChange};
use crate::identity::unix_now;
use crate::store::StoreError;

/// Feed entries read at once.
const PAGE: i64 = 500;

/// The lock appends to the feed take (any number no other lock of this database uses).
const FEED_LOCK: i64 = 0x636f_6e66_6162;

/// What the node keeps in memory of accounts, so connects do not wait on the
/// database: every name key with its account, and every working token's account.
#[derive(Default)]
pub(super) struct Cached {
    pub(super) names: std::sync::RwLock<HashMap<String, i64>>,
    pub(super) tokens: std::sync::RwLock<HashMap<String, Account>>,
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
    pub(super) async fn refresh_account(&self, account_id: i64) -> Result<(), StoreError> {
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
        {
            let mut tokens = self
                .cached
                .tokens
                .write()
                .unwrap_or_else(|e| e.into_inner());
            tokens.retain(|_, owner| owner.id != account_id);
            tokens.extend(fresh);
        }
        // Whom they block, which may have changed on another node.
        let user = UserId::new(format!("u:{account_id}"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let blocked: Vec<String> =
            sqlx::query_scalar("SELECT blocked_id FROM blocks WHERE user_id = $1")
                .bind(user.as_str())
                .fetch_all(&self.pool)
                .await?;
        let blocked = blocked
            .into_iter()
            .map(|id| UserId::new(id).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        self.directory.set_blocks(&user, blocked);
        Ok(())
    }
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

impl PostgresStore {
    pub(super) async fn feed_head(&self) -> Result<i64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM account_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(head.unwrap_or(0))
    }

    pub(super) async fn feed_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError> {
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

    pub(super) async fn feed_prune(&self, age_secs: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_changes WHERE at < $1")
            .bind(unix_now() - age_secs)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
