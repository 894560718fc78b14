//! Accounts: people with a username and a password, and the sessions that keep their
//! browsers signed in. [`Accounts`] is the storage interface (SQLite, and the
//! in-memory twin); `password.rs` hashes, `session.rs` makes and checks tokens.

mod blocks;
mod name_key;
pub(crate) mod password;
pub(crate) mod session;

use async_trait::async_trait;
use confab_shared::{UserId, UserName};

use crate::store::StoreError;

pub use blocks::{Blocked, Blocks};
pub use name_key::name_key;

/// An account as the rest of the server sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub username: UserName,
    pub is_admin: bool,
}

impl Account {
    /// The account's user id: `u:` and its number (a guest's is `guest:NAME`).
    pub fn user_id(&self) -> UserId {
        UserId::new(format!("u:{}", self.id)).unwrap_or_else(|_| UserId::guest(&self.username))
    }
}

/// A stored account with its password hash, for signing in.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
    /// Banned from the server by a site admin: may not sign in.
    pub banned: bool,
}

/// A personal API token as its owner sees it (never the token itself, after it was
/// made).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

/// One entry of the account change feed: `account` changed (its caches are stale),
/// and, if `ended` names one, that credential (a session's or a token's hash) ended,
/// so its sockets close: with 4403 when `banned` says the account was banned, else
/// with 4401. Every mutation of an account appends entries, whichever process makes
/// it; every running server follows them (`account_feed.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    /// Its place in the feed: increasing.
    pub seq: i64,
    pub account: i64,
    pub ended: Option<String>,
    pub banned: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("that username is taken")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// Creates an account; `Taken` if an account has the same name as people see it
    /// (in any case, any look-alike: [`name_key`]).
    async fn create_account(
        &self,
        username: &UserName,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<Account, AccountError>;

    /// The account with this username, with its password hash: the one of exactly
    /// this name if there is one, else the one with its [`name_key`].
    async fn credentials(&self, username: &UserName) -> Result<Option<Credentials>, StoreError>;

    /// Whether an account has this username, or one people cannot tell from it
    /// ([`name_key`]).
    async fn username_taken(&self, username: &UserName) -> Result<bool, StoreError> {
        Ok(self.credentials(username).await?.is_some())
    }

    /// Starts a session for `account`, known by `token_hash`, until `expires_at`
    /// (Unix seconds).
    async fn create_session(
        &self,
        account: i64,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;

    /// The account of a live session, pushing its expiry to `extend_to` (sliding);
    /// None if there is no such session or it expired at `now`.
    async fn session_account(
        &self,
        token_hash: &str,
        now: i64,
        extend_to: i64,
    ) -> Result<Option<Account>, StoreError>;

    /// Ends a session (signing out); ending one that is gone is no error.
    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Makes an API token for `account`, known by `token_hash`.
    async fn create_token(
        &self,
        account: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<TokenInfo, StoreError>;

    /// `account`'s tokens, oldest first.
    async fn tokens(&self, account: i64) -> Result<Vec<TokenInfo>, StoreError>;

    /// Deletes `account`'s token `id`; gives its hash (to end its sockets), or None
    /// if the account has no such token.
    async fn delete_token(&self, account: i64, id: i64) -> Result<Option<String>, StoreError>;

    /// The account a token belongs to.
    async fn token_account(&self, token_hash: &str) -> Result<Option<Account>, StoreError>;

    /// Sets `account`'s password hash and ends its sessions but `keep_session` (the
    /// one that asked); gives the ended sessions' token hashes (to end their sockets).
    async fn set_password(
        &self,
        account: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<Vec<String>, StoreError>;

    /// Bans (or unbans) the account called `username` from the whole server: a
    /// banned account's sessions end and its sessions and tokens stop finding it.
    /// Gives the account and the hashes of the credentials to end (its sessions and
    /// tokens), or None if there is no such account.
    async fn set_banned(
        &self,
        username: &UserName,
        banned: bool,
    ) -> Result<Option<(Account, Vec<String>)>, StoreError>;

    /// Deletes the account called `username`: its sessions and tokens end, its name
    /// is free again, and its id is never given to anyone else (its messages stay
    /// its own). Gives the ended credentials' hashes, or None if there is no such
    /// account.
    async fn delete_account(&self, username: &UserName) -> Result<Option<Vec<String>>, StoreError>;

    /// The feed's newest entry (0 if none): a server follows from here on.
    async fn last_change(&self) -> Result<i64, StoreError>;

    /// The feed's entries after `seq`, oldest first (at most a few hundred at a
    /// time); what the store keeps in memory of those accounts (names, tokens) is
    /// read again first, so it agrees with the database when this returns.
    async fn changes_after(&self, seq: i64) -> Result<Vec<AccountChange>, StoreError>;

    /// Forgets entries older than `age_secs` (every server has long read them).
    async fn prune_changes(&self, age_secs: i64) -> Result<(), StoreError>;
}
