//! The account change feed in SQLite (migration 0010), and the name keys it came
//! with: every mutation of an account appends to `account_changes` in its own
//! transaction; every running server reads what is new (`account_feed.rs`), and
//! this store first reads those accounts' names and tokens again into its caches.

use std::collections::{BTreeSet, HashMap};

use sqlx::{Row, SqliteConnection, SqlitePool};

use super::SqliteStore;
use crate::accounts::{AccountChange, name_key};
use crate::identity::unix_now;
use crate::store::StoreError;

/// Entries read at once.
const PAGE: i64 = 500;

/// The account of exactly this name if there is one, else the one with its key
/// (binds: the name, its key, the name again).
pub(super) const ID_BY_NAME: &str = "(SELECT id FROM users WHERE username = ? OR name_key = ?
     ORDER BY username = ? DESC LIMIT 1)";

/// Appends `account`'s change to the feed, inside the transaction that makes it: one
/// entry per credential it ended, or one saying only that the account changed.
pub(super) async fn record(
    conn: &mut SqliteConnection,
    account: i64,
    ended: &[String],
    banned: bool,
) -> Result<(), StoreError> {
    let none = [None];
    let ended: Vec<Option<&str>> = if ended.is_empty() {
        none.to_vec()
    } else {
        ended.iter().map(|e| Some(e.as_str())).collect()
    };
    for credential in ended {
        sqlx::query(
            "INSERT INTO account_changes (account_id, ended, banned, at) VALUES (?, ?, ?, ?)",
        )
        .bind(account)
        .bind(credential)
        .bind(i64::from(banned))
        .bind(unix_now())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Gives every account without a name key its key, then makes keys unique. Accounts
/// made before keys existed may share one ("émile" and "ÉMILE"): the older keeps the
/// key, the newer gets one of its own (key and `#id`, which no name has), both keep
/// working, and the log says so; new look-alikes are refused from then on.
pub(super) async fn fill_name_keys(pool: &SqlitePool) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, username FROM users WHERE name_key IS NULL ORDER BY id")
        .fetch_all(pool)
        .await?;
    if !rows.is_empty() {
        let mut tx = pool.begin().await?;
        for row in &rows {
            let id: i64 = row.try_get(0)?;
            let username: String = row.try_get(1)?;
            let key = name_key(&username);
            let holder: Option<(i64, String)> =
                sqlx::query_as("SELECT id, username FROM users WHERE name_key = ?")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            let key = match holder {
                None => key,
                Some((first, first_name)) => {
                    tracing::warn!(
                        account = id,
                        %username,
                        other = first,
                        other_name = %first_name,
                        "two accounts have names people cannot tell apart; both are kept, \
                         and new look-alikes are refused"
                    );
                    format!("{key}#{id}")
                }
            };
            sqlx::query("UPDATE users SET name_key = ? WHERE id = ?")
                .bind(key)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    sqlx::query("CREATE UNIQUE INDEX IF NOT EXISTS users_by_name_key ON users (name_key)")
        .execute(pool)
        .await?;
    Ok(())
}

/// Every account's name key, for the store's cache.
pub(super) async fn load_name_keys(pool: &SqlitePool) -> Result<HashMap<String, i64>, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT name_key, id FROM users WHERE name_key IS NOT NULL")
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

impl SqliteStore {
    /// Reads `account`'s name key and tokens again into memory.
    pub(super) async fn refresh_account(&self, account: i64) -> Result<(), StoreError> {
        let key: Option<String> =
            sqlx::query_scalar("SELECT name_key FROM users WHERE id = ? AND name_key IS NOT NULL")
                .bind(account)
                .fetch_optional(&self.pool)
                .await?;
        {
            let mut keys = self.usernames.write().unwrap_or_else(|e| e.into_inner());
            keys.retain(|_, id| *id != account);
            if let Some(key) = key {
                keys.insert(key, account);
            }
        }
        self.refresh_tokens_of(account).await
    }

    pub(super) async fn feed_head(&self) -> Result<i64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM account_changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(head.unwrap_or(0))
    }

    pub(super) async fn feed_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, account_id, ended, banned FROM account_changes
             WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(seq)
        .bind(PAGE)
        .fetch_all(&self.pool)
        .await?;
        let changes = rows
            .iter()
            .map(|row| {
                Ok(AccountChange {
                    seq: row.try_get(0)?,
                    account: row.try_get(1)?,
                    ended: row.try_get(2)?,
                    banned: row.try_get::<i64, _>(3)? != 0,
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
        sqlx::query("DELETE FROM account_changes WHERE at < ?")
            .bind(unix_now() - age_secs)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
