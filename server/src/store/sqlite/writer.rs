//! The writer task: owns the one connection that writes, and stores the batches the
//! store is given, one at a time.
//!
//! With `Durability::Process` it keeps the connection locked away from sqlx's thread
//! and stores batches on the fast path itself (`direct.rs`): no thread hand-off per
//! batch, just the runtime passing the batch from the sequencer's task to this one.
//! What the fast path cannot store (the first batch, a new room, a resend) goes to
//! the general path through sqlx, which gets the connection back for it. With
//! `Durability::Disk` every commit waits for an fsync, which must not block the
//! runtime's threads: then every batch goes through sqlx's own thread. (A commit that
//! takes the WAL past `WRITER_CHECKPOINT_PAGES` checkpoints, with fsyncs, wherever
//! it runs; that happens only when the background checkpointer cannot keep up.)

use std::sync::Arc;

use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use super::append::SeqCache;
use super::checkpoint::Written;
use super::direct::Direct;
use super::now_rfc3339;
use crate::store::{Appended, NewMessage, StoreError};

/// Batches waiting for the writer (the sequencer sends one at a time).
const JOBS: usize = 16;

pub(super) enum Job {
    Append {
        batch: Arc<[NewMessage]>,
        reply: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
    },
    /// Close the connection, then answer.
    Close { reply: oneshot::Sender<()> },
}

/// What the writer task keeps between batches.
pub(super) struct Writer {
    /// Rooms' newest seqs and the next id (`append.rs`).
    pub(super) seqs: SeqCache,
    written: Arc<Written>,
}

/// Starts the writer task on `conn`; it ends once every sender is gone or it is
/// told to close.
pub(super) fn start(
    conn: SqliteConnection,
    written: Arc<Written>,
    direct: bool,
) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(JOBS);
    let writer = Writer {
        seqs: SeqCache::default(),
        written,
    };
    tokio::spawn(writer.run(conn, rx, direct));
    tx
}

impl Writer {
    async fn run(
        mut self,
        mut conn: SqliteConnection,
        mut jobs: mpsc::Receiver<Job>,
        direct: bool,
    ) {
        let mut direct = direct;
        let mut next = None;
        loop {
            if direct {
                match Box::pin(self.serve_direct(&mut conn, &mut jobs, next.take())).await {
                    Ok(job) => next = job,
                    Err((error, job)) => {
                        tracing::warn!(%error, "direct writes unavailable; writing through sqlx");
                        direct = false;
                        next = job;
                    }
                }
            }
            let Some(job) = next_job(&mut next, &mut jobs).await else {
                break;
            };
            match job {
                Job::Append { batch, reply } => {
                    let ts = now_rfc3339();
                    let appended = if direct {
                        self.append_general(&mut conn, &batch, &ts).await
                    } else {
                        self.append_batch(&mut conn, &batch, &ts).await
                    };
                    if appended.is_ok() {
                        self.written.record(batch.len());
                    }
                    let _ = reply.send(appended);
                }
                Job::Close { reply } => {
                    close(conn).await;
                    let _ = reply.send(());
                    return;
                }
            }
        }
        close(conn).await;
    }

    /// Stores batches on the fast path until one needs sqlx, and returns it (None:
    /// no more jobs). An error means the connection could not be locked or the
    /// statements prepared; the job it was given comes back with it.
    async fn serve_direct(
        &mut self,
        conn: &mut SqliteConnection,
        jobs: &mut mpsc::Receiver<Job>,
        mut first: Option<Job>,
    ) -> Result<Option<Job>, (StoreError, Option<Job>)> {
        let mut handle = match conn.lock_handle().await {
            Ok(handle) => handle,
            Err(error) => return Err((error.into(), first)),
        };
        let mut direct = match Direct::new(&mut handle) {
            Ok(direct) => direct,
            Err(error) => return Err((error, first)),
        };
        loop {
            let Some(job) = next_job(&mut first, jobs).await else {
                return Ok(None);
            };
            let Job::Append { batch, reply } = job else {
                return Ok(Some(job));
            };
            let ts = now_rfc3339();
            match self.append_direct(&mut direct, &batch, &ts) {
                Ok(Some(appended)) => {
                    self.written.record(batch.len());
                    let _ = reply.send(Ok(appended));
                }
                Ok(None) => return Ok(Some(Job::Append { batch, reply })),
                Err(error) => {
                    let _ = reply.send(Err(error));
                }
            }
        }
    }
}

/// The job set aside, else the next one sent; None once every sender is gone.
async fn next_job(set_aside: &mut Option<Job>, jobs: &mut mpsc::Receiver<Job>) -> Option<Job> {
    match set_aside.take() {
        Some(job) => Some(job),
        None => jobs.recv().await,
    }
}

async fn close(conn: SqliteConnection) {
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the writer connection failed");
    }
}
