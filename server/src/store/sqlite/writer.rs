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

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::batch::WriteConn;
use super::checkpoint::Written;
use crate::store::{Appended, Durability, NewMessage, StoreError, now_rfc3339};

/// Batches waiting for the writer (the sequencer sends one at a time).
const JOBS: usize = 16;

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
    };
    match durability {
        Durability::Process => {
            tokio::spawn(async move {
                while let Some(job) = rx.recv().await {
                    writer.serve(job);
                }
                writer.close();
            });
        }
        Durability::Disk => {
            std::thread::Builder::new()
                .name("confab-writer".to_owned())
                .spawn(move || {
                    while let Some(job) = rx.blocking_recv() {
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
}

impl Writer {
    fn serve(&mut self, job: Job) {
        match job {
            Job::Append { batch, reply } => {
                let appended = match self.conn.as_mut() {
                    Some(conn) => conn.append(&batch, &now_rfc3339()),
                    None => Err(StoreError::Closed),
                };
                if appended.is_ok() {
                    self.written.record(batch.len());
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
                }
                let _ = reply.send(recorded);
            }
            Job::Close { reply } => {
                self.close();
                let _ = reply.send(());
            }
        }
    }

    fn close(&mut self) {
        if let Some(conn) = self.conn.take() {
            conn.close();
        }
    }
}
