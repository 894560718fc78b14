//! Checkpoints, mostly off the write path.
//!
//! In WAL mode, by default the connection whose commit takes the WAL past 1000 pages
//! copies the WAL back into the database file there and then (a checkpoint, with
//! fsyncs). For Confab that connection is the writer, and every message queued
//! behind that commit would wait it out. So this task checkpoints on a connection of
//! its own, which SQLite lets run beside the writer: the WAL is copied back while the
//! writer goes on, and its next write starts the WAL over from the beginning.
//!
//! A checkpoint still costs: its fsyncs slow the commit that meets them (by about
//! 2 ms here). So it runs when there is enough to copy back ([`Written`] counts
//! commits and messages), or once things have been quiet, not on every tick: at 100
//! messages a second a checkpoint every half second met 2% of the messages, one
//! every few seconds meets fewer than 1 in 200.
//!
//! Restarting the WAL needs it fully copied back when the writer's transaction
//! begins, which never happens while the writer is busy without pause: then the
//! writer's own checkpoint (at [`WRITER_CHECKPOINT_PAGES`], after a commit) bounds
//! the WAL, as SQLite's default does.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How often the checkpointer looks at what was written.
const TICK: Duration = Duration::from_millis(250);

/// Commits since the last checkpoint that make the next one due: a small commit
/// writes about four pages, so this is about 1000 pages (4 MiB) of WAL.
const DUE_COMMITS: u64 = 250;

/// Messages since the last checkpoint that make the next one due (big batches write
/// fewer pages per message than single messages do).
const DUE_MESSAGES: u64 = 5000;

/// However little was written, it is copied back this long after the last
/// checkpoint.
const AT_LEAST_EVERY: Duration = Duration::from_secs(5);

/// WAL pages at which the writer checkpoints after a commit (SQLite's
/// `wal_autocheckpoint`; 4000 pages of 4 KiB are 16 MiB).
pub(super) const WRITER_CHECKPOINT_PAGES: u32 = 4000;

/// What the writer has committed since the store opened; the writer counts, the
/// checkpointer reads.
#[derive(Debug, Default)]
pub(super) struct Written {
    commits: AtomicU64,
    messages: AtomicU64,
}

impl Written {
    pub(super) fn record(&self, messages: usize) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.messages.fetch_add(
            u64::try_from(messages).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn totals(&self) -> (u64, u64) {
        (
            self.commits.load(Ordering::Relaxed),
            self.messages.load(Ordering::Relaxed),
        )
    }
}

/// Whether a checkpoint is due, given what was committed since the last one and how
/// long ago that was.
fn due(commits: u64, messages: u64, since_last: Duration) -> bool {
    commits >= DUE_COMMITS
        || messages >= DUE_MESSAGES
        || (commits > 0 && since_last >= AT_LEAST_EVERY)
}

/// Starts the checkpointer; it stops once `stop` is cancelled (the last connection
/// to close then checkpoints what is left).
pub(super) fn start(
    pool: SqlitePool,
    written: Arc<Written>,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut copied = written.totals();
        let mut last = Instant::now();
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(TICK) => {}
            }
            let now = written.totals();
            if !due(now.0 - copied.0, now.1 - copied.1, last.elapsed()) {
                continue;
            }
            match checkpoint(&pool).await {
                Ok(()) => {
                    copied = now;
                    last = Instant::now();
                }
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_when_enough_was_written_or_after_a_quiet_while() {
        let soon = Duration::from_millis(250);
        assert!(!due(0, 0, soon));
        assert!(!due(0, 0, AT_LEAST_EVERY * 10), "nothing to copy back");
        assert!(!due(DUE_COMMITS - 1, DUE_COMMITS - 1, soon));
        assert!(due(DUE_COMMITS, DUE_COMMITS, soon));
        assert!(due(10, DUE_MESSAGES, soon), "a few big batches");
        assert!(due(1, 1, AT_LEAST_EVERY), "a trickle, eventually");
    }
}
