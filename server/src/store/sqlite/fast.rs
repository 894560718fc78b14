//! The fast path of the write path: a batch planned from memory and stored without
//! a question to the database first.
//!
//! It applies when the writer's cache already knows every room of the batch and the
//! next id, and no (author, client_id) repeats within the batch. The planned rows are
//! then stored in one transaction: directly on the writer's thread (`direct.rs`), or,
//! when commits are synced to disk, as `BEGIN IMMEDIATE; INSERT ...; COMMIT` in one
//! round trip to sqlx's thread (sqlx runs each connection on a thread of its own, and
//! every statement is a hand-off to it and back). A resend of a stored message makes
//! the INSERT fail on the idempotency key: the transaction is rolled back and the
//! general path (`append.rs`), which looks up originals first, stores the batch
//! instead.

use std::collections::{HashMap, HashSet};

use confab_shared::{RoomName, Seq};
use sqlx::SqliteConnection;

use super::append::{ROWS_PER_INSERT, Row, bind_rows, push_insert};
use super::direct::{Direct, Refused};
use super::writer::Writer;
use crate::store::{Appended, NewMessage, StoreError};

/// What the fast path planned: each message's id, room id and seq.
struct Planned<'a> {
    rows: Vec<Row<'a>>,
    /// The newest seq of each room once the batch is in.
    rooms: HashMap<&'a RoomName, (i64, Seq)>,
    next_id: i64,
}

impl Writer {
    /// Stores `batch` in one round trip if it can; `None` means the general path
    /// must store it (nothing was stored).
    pub(super) async fn append_fast(
        &mut self,
        writer: &mut SqliteConnection,
        batch: &[NewMessage],
        ts: &str,
    ) -> Result<Option<Vec<Appended>>, StoreError> {
        let Some(planned) = self.plan(batch) else {
            return Ok(None);
        };
        let mut sql = String::from("BEGIN IMMEDIATE;");
        for chunk in planned.rows.chunks(ROWS_PER_INSERT) {
            push_insert(&mut sql, chunk.len());
        }
        sql.push_str("COMMIT;");
        let stored = bind_rows(sqlx::query(&sql), &planned.rows, ts)?
            .execute(&mut *writer)
            .await;
        if let Err(error) = stored {
            // The transaction may be open still (a failed INSERT does not end it).
            let _ = sqlx::query("ROLLBACK").execute(&mut *writer).await;
            if matches!(&error, sqlx::Error::Database(e) if e.is_unique_violation()) {
                return Ok(None);
            }
            self.seqs = Default::default();
            return Err(error.into());
        }
        Ok(Some(self.stored(planned, ts)))
    }

    /// Like [`Writer::append_fast`], on the writer's own thread (`direct.rs`).
    pub(super) fn append_direct(
        &mut self,
        direct: &mut Direct<'_>,
        batch: &[NewMessage],
        ts: &str,
    ) -> Result<Option<Vec<Appended>>, StoreError> {
        let Some(planned) = self.plan(batch) else {
            return Ok(None);
        };
        match direct.append(&planned.rows, ts) {
            Ok(()) => Ok(Some(self.stored(planned, ts))),
            Err(Refused::Duplicate) => Ok(None),
            Err(Refused::Failed(error)) => {
                self.seqs = Default::default();
                Err(error)
            }
        }
    }

    /// Remembers what a stored batch took, and returns its messages as stored.
    fn stored(&mut self, planned: Planned<'_>, ts: &str) -> Vec<Appended> {
        for (room, newest) in planned.rooms {
            self.seqs.rooms.insert(room.clone(), newest);
        }
        self.seqs.next_id = Some(planned.next_id);
        planned
            .rows
            .into_iter()
            .map(|(new, id, _, seq)| Appended::New(new.stored(id, seq, ts)))
            .collect()
    }

    /// Ids and seqs for the batch from the cache, if it knows enough.
    fn plan<'a>(&self, batch: &'a [NewMessage]) -> Option<Planned<'a>> {
        let cache = &self.seqs;
        let mut next_id = cache.next_id?;
        let mut rooms: HashMap<&RoomName, (i64, Seq)> = HashMap::new();
        let mut keys = HashSet::with_capacity(batch.len());
        let mut rows = Vec::with_capacity(batch.len());
        for new in batch {
            if !keys.insert((&new.author, &new.client_id)) {
                return None;
            }
            let room = match rooms.get_mut(&new.room) {
                Some(room) => room,
                None => rooms
                    .entry(&new.room)
                    .or_insert(*cache.rooms.get(&new.room)?),
            };
            room.1 += 1;
            rows.push((new, next_id, room.0, room.1));
            next_id += 1;
        }
        Some(Planned {
            rows,
            rooms,
            next_id,
        })
    }
}
