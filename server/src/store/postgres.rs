//! The PostgreSQL store, for several nodes sharing one database (docs/deploy.md).
//!
//! Every part of the [`Store`] interface, each tested against a real PostgreSQL
//! server (`confab-testkit`), the store contract too: the schema (`server/migrations-pg/`), the epoch, and appending messages
//! with gapless per-room seqs while several nodes write at once (`append.rs`),
//! reading the log back (`reads.rs`), a room's other events (`changes.rs`), rooms,
//! members and blocks (`rooms.rs`), accounts, sessions, tokens and the account change
//! feed (`accounts.rs`).

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use async_trait::async_trait;
use confab_shared::{
    ChatMessage, EventKind, MessageId, Reactions, RoomEvent, RoomName, Seq, Tombstone, UserId,
};

use super::{Appended, Found, NewMessage, Page, Replay, SearchQuery, Snapshot, Store, StoreError};
use crate::accounts::{Accounts, Blocks};
use crate::reading::Reading;
use crate::rooms::{Directory, Rooms};

mod account_feed;
mod accounts;
mod append;
mod changes;
mod reading;
mod reads;
mod refusals;
mod rooms;
mod search;

/// Connections one node keeps to the database.
const CONNECTIONS: u32 = 16;

/// A PostgreSQL database shared by every node.
#[derive(Clone)]
pub struct PostgresStore {
    pub(super) pool: PgPool,
    /// Every room and membership, in this node's memory (`store/directory.rs`).
    directory: Arc<Directory>,
    /// Account names and tokens, in this node's memory (`accounts.rs`).
    cached: Arc<account_feed::Cached>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://...`) and brings its schema up
    /// to date (nodes starting at once take turns: the migrator holds a lock).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        // A newer node may have applied migrations this one does not know: every
        // migration only adds, so this node runs on that schema too (docs/deploy.md,
        // upgrading node by node).
        let mut migrator = sqlx::migrate!("./migrations-pg");
        migrator.set_ignore_missing(true);
        migrator
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        let directory = Arc::new(super::directory::load(&pool).await?);
        let cached = Arc::new(account_feed::Cached::load(&pool).await?);
        Ok(Self {
            pool,
            directory,
            cached,
        })
    }

    /// Identifies this history; changes when history is replaced.
    pub async fn epoch(&self) -> Result<String, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'epoch'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Closes the pool; called once at shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The interface, each part answered by the module that keeps it.
#[async_trait]
impl Store for PostgresStore {
    async fn append(&self, batch: Arc<[NewMessage]>) -> Result<Vec<Appended>, StoreError> {
        PostgresStore::append(self, batch).await
    }

    async fn replay(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Replay, StoreError> {
        PostgresStore::replay(self, room, after, limit).await
    }

    async fn snapshot(&self, room: &RoomName, limit: u32) -> Result<Snapshot, StoreError> {
        PostgresStore::snapshot(self, room, limit).await
    }

    async fn history(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        PostgresStore::history(self, room, before, limit).await
    }

    async fn persist(
        &self,
        room: &RoomName,
        events: Vec<EventKind>,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        PostgresStore::persist(self, room, events).await
    }

    async fn message_author(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<UserId>, StoreError> {
        PostgresStore::message_author(self, room, id).await
    }

    async fn reactions(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<Vec<Reactions>>, StoreError> {
        PostgresStore::reactions(self, room, id).await
    }

    async fn replied_to(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<MessageId>, StoreError> {
        PostgresStore::replied_to(self, room, id).await
    }

    async fn thread(
        &self,
        room: &RoomName,
        root: MessageId,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<(Page, Option<ChatMessage>), StoreError> {
        PostgresStore::thread(self, room, root, before, limit).await
    }

    async fn newer(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Page, StoreError> {
        PostgresStore::newer(self, room, after, limit).await
    }

    async fn tombstones(
        &self,
        room: &RoomName,
        from: Seq,
        to: Seq,
    ) -> Result<Vec<Tombstone>, StoreError> {
        PostgresStore::tombstones(self, room, from, to).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<Found, StoreError> {
        PostgresStore::search(self, query).await
    }

    async fn audit(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        PostgresStore::audit(self, room, before, limit).await
    }

    async fn epoch(&self) -> Result<String, StoreError> {
        PostgresStore::epoch(self).await
    }

    fn accounts(&self) -> &dyn Accounts {
        self
    }

    fn rooms(&self) -> &dyn Rooms {
        self
    }

    fn blocks(&self) -> &dyn Blocks {
        self
    }

    fn reading(&self) -> &dyn Reading {
        self
    }

    async fn close(&self) {
        PostgresStore::close(self).await;
    }
}

#[cfg(test)]
mod tests;
