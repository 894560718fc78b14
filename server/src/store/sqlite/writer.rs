//! The writer: owns the one connection that writes (`batch.rs`) and stores the
//! batches the store is given, one at a time, in the order given.
//!
//! With `Durability::Process` a commit waits for no fsync, so the writer is a task
//! on the runtime and stores each batch right there: no thread hand-off per batch.
//! With `Durability::Disk` every commit waits for an fsync, which must not block the
//! runtime's threads: then the writer is a thread of its own. Both run the same
//! code. (A commit that takes the WAL past `WRITER_CHECKPOINT_PAGES` checkpoints
//! wherever it runs; that happens only when the background checkpointer cannot keep
//! up.)
//!
//! Between batches the writer brings the search indexes up to what it committed
//! (`search.rs`), a small step at a time, so indexing never takes the write lock
//! from a batch and a batch waits for one step at most: in a pause (no batch for
//! `PAUSE`), and while batches keep coming only as far as a share of the writer's
//! time (`INDEX_SHARE`), so a steady load is indexed as it goes and a flood is
//! indexed when it ebbs (the index trails it, and never misses what it trails).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

use super::batch::WriteConn;
use super::checkpoint::Written;
use crate::store::{Appended, Durability, NewMessage, StoreError, now_rfc3339};

/// Batches waiting for the writer (the sequencer sends one at a time).
const JOBS: usize = 16;

/// No batch for this long is a pause, in which the writer indexes.
const PAUSE: Duration = Duration::from_millis(5);

/// While batches keep coming, indexing takes at most one part in this many of the
/// writer's time (measured over the last second or so).
const INDEX_SHARE: u32 = 10;

pub(super) enum Job {
    Append {
        batch: Arc<[NewMessage]>,
        reply: oneshot::Sender<Result<Vec<Appended>, StoreError>>,
    },
    /// Persist a room's change (its planned events) in one transaction.
    Persist {
        room: confab_shared::RoomName,
        events: Vec<confab_shared::EventKind>,
        reply: oneshot::Sender<Result<Vec<confab_shared::RoomEvent>, StoreError>>,
    },
    /// Close the connection, then answer.
    Close { reply: oneshot::Sender<()> },
}

/// Starts the writer on `conn`; it ends once every sender is gone or it is told to
/// close.
pub(super) fn start(
    conn: WriteConn,
    written: Arc<Written>,
    durability: Durability,
) -> Result<mpsc::Sender<Job>, StoreError> {
    let (tx, mut rx) = mpsc::channel(JOBS);
    let mut writer = Writer {
        conn: Some(conn),
        written,
        unindexed: true,
        paused: false,
        share: Share::new(),
    };
    match durability {
        Durability::Process => {
            tokio::spawn(async move {
                loop {
                    let job = match rx.try_recv() {
                        Ok(job) => Some(job),
                        Err(_) if !writer.unindexed => rx.recv().await,
                        Err(_) if writer.paused || writer.share.allows() => {
                            writer.index();
                            continue;
                        }
                        Err(_) => match tokio::time::timeout(PAUSE, rx.recv()).await {
                            Ok(job) => job,
                            Err(_) => {
                                writer.paused = true;
                                writer.index();
                                continue;
                            }
                        },
                    };
                    let Some(job) = job else { break };
                    writer.serve(job);
                }
                writer.close();
            });
        }
        Durability::Disk => {
            std::thread::Builder::new()
                .name("confab-writer".to_owned())
                .spawn(move || {
                    loop {
                        let job = match rx.try_recv() {
                            Ok(job) => Some(job),
                            Err(_) if !writer.unindexed => rx.blocking_recv(),
                            Err(_) if writer.paused || writer.share.allows() => {
                                writer.index();
                                continue;
                            }
                            Err(_) => {
                                std::thread::sleep(PAUSE);
                                match rx.try_recv() {
                                    Ok(job) => Some(job),
                                    Err(mpsc::error::TryRecvError::Empty) => {
                                        writer.paused = true;
                                        writer.index();
                                        continue;
                                    }
                                    Err(mpsc::error::TryRecvError::Disconnected) => None,
                                }
                            }
                        };
                        let Some(job) = job else { break };
                        writer.serve(job);
                    }
                    writer.close();
                })
                .map_err(|e| StoreError::Database(format!("cannot start the writer: {e}")))?;
        }
    }
    Ok(tx)
}

struct Writer {
    /// None once closed.
    conn: Option<WriteConn>,
    written: Arc<Written>,
    /// Something committed may not be indexed yet (true at the start: catch up).
    unindexed: bool,
    /// No batch came for a pause: index step after step until one comes.
    paused: bool,
    /// How much of its time the writer spent indexing lately.
    share: Share,
}

/// The writer's time spent indexing, over a window of about a second.
struct Share {
    since: Instant,
    indexing: Duration,
}

impl Share {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            indexing: Duration::ZERO,
        }
    }

    /// Whether indexing is within its share now.
    fn allows(&mut self) -> bool {
        let window = self.since.elapsed();
        if window > Duration::from_secs(1) {
            *self = Self::new();
            return true;
        }
        self.indexing * INDEX_SHARE < window
    }
}

impl Writer {
    fn serve(&mut self, job: Job) {
        self.paused = false;
        match job {
            Job::Append { batch, reply } => {
                let appended = match self.conn.as_mut() {
                    Some(conn) => conn.append(&batch, &now_rfc3339()),
                    None => Err(StoreError::Closed),
                };
                if appended.is_ok() {
                    self.written.record(batch.len());
                    self.unindexed = true;
                }
                let _ = reply.send(appended);
            }
            Job::Persist {
                room,
                events,
                reply,
            } => {
                let recorded = match self.conn.as_mut() {
                    Some(conn) => conn.persist(&room, events, &now_rfc3339()),
                    None => Err(StoreError::Closed),
                };
                if let Ok(events) = &recorded {
                    self.written.record(events.len());
                    self.unindexed |= !events.is_empty();
                }
                let _ = reply.send(recorded);
            }
            Job::Close { reply } => {
                self.close();
                let _ = reply.send(());
            }
        }
    }

    /// One step of bringing the search indexes up to date; notes whether there may
    /// be more. A failed step is said and tried again after the next batch.
    fn index(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            self.unindexed = false;
            return;
        };
        let started = Instant::now();
        self.unindexed = match conn.index_step() {
            Ok(more) => more,
            Err(error) => {
                tracing::warn!(%error, "indexing for search failed; trying again later");
                false
            }
        };
        self.share.indexing += started.elapsed();
    }

    fn close(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close();
        }
    }
}
