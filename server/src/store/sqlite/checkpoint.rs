//! Checkpoints, mostly off the write path.
//!
//! In WAL mode, by default the connection whose commit takes the WAL past 1000 pages
//! copies the WAL back into the database file there and then (a checkpoint, with
//! fsyncs). For Confab that connection is the writer, and every message queued
//! behind that commit would wait it out. So this task checkpoints twice a second on a
//! connection of its own, which SQLite lets run beside the writer: under ordinary
//! load the WAL is copied back while the writer is idle, and its next write starts
//! the WAL over from the beginning.
//!
//! That restart needs the WAL fully copied back when the writer's transaction
//! begins, which never happens while the writer is busy without pause: then the
//! writer's own checkpoint (at [`WRITER_CHECKPOINT_PAGES`], after a commit) bounds
//! the WAL, as SQLite's default does.

use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How often the WAL is checkpointed in the background.
const EVERY: Duration = Duration::from_millis(500);

/// WAL pages at which the writer checkpoints after a commit (SQLite's
/// `wal_autocheckpoint`; 4000 pages of 4 KiB are 16 MiB).
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 4000;

/// Starts the checkpointer; it stops once `stop` is cancelled (the last connection
/// to close then checkpoints what is left).
pub(super) fn start(pool: SqlitePool, stop: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(EVERY) => {}
            }
            if let Err(error) = checkpoint(&pool).await {
                tracing::warn!(%error, "WAL checkpoint failed");
            }
        }
    })
}

/// Copies what it can of the WAL into the database without waiting for anyone.
async fn checkpoint(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    let (busy, wal_pages, copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(pool)
            .await?;
    tracing::debug!(busy, wal_pages, copied, "checkpointed");
    Ok(())
}
