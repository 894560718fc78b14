//! The PostgreSQL store, for several nodes sharing one database (docs/deploy.md).
//!
//! Being built beside the SQLite store, part by part, each part tested against a
//! real PostgreSQL server (`confab-testkit`); `store::open` takes `postgres://`
//! addresses once every part of the [`Store`](super::Store) interface is here. What
//! is here: the schema (`server/migrations-pg/`), the epoch, and appending messages
//! with gapless per-room seqs while several nodes write at once (`append.rs`),
//! reading the log back (`reads.rs`), a room's other events (`changes.rs`), rooms,
//! members and blocks (`rooms.rs`).

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::StoreError;
use crate::rooms::Directory;

mod append;
mod changes;
mod reads;
mod rooms;

/// Connections one node keeps to the database.
const CONNECTIONS: u32 = 16;

/// A PostgreSQL database shared by every node.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Every room and membership, in this node's memory (`store/directory.rs`).
    directory: Arc<Directory>,
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
        sqlx::migrate!("./migrations-pg")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Migrate(e.to_string()))?;
        let directory = Arc::new(super::directory::load(&pool).await?);
        Ok(Self { pool, directory })
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

#[cfg(test)]
mod tests;
