//! The fast path's statements run on the writer's own thread, through SQLite's C API.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is a
//! hand-off to that thread and back, two thread wake-ups that cost more than storing
//! one message (measured: a one-message append took ~300 µs through sqlx, of which
//! SQLite's own work was about half). sqlx's answer for direct calls is
//! [`LockedSqliteHandle`]: it takes the connection away from sqlx's thread until it is
//! dropped. The writer task (`writer.rs`) holds it while batches take the fast path,
//! and gives the connection back to sqlx for anything else.
//!
//! This is the only `unsafe` in the project; every block says why it holds.
#![allow(unsafe_code)]

use std::ffi::{CStr, c_int};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;

use super::append::Row;
use super::to_db_seq;
use crate::store::StoreError;

/// Why a direct append did not store its batch (nothing of it was stored).
#[derive(Debug)]
pub(super) enum Refused {
    /// A row broke a uniqueness rule: a resend; the general path sorts it out.
    Duplicate,
    Failed(StoreError),
}

/// The fast path's prepared statements on a locked connection. Lives no longer than
/// the lock (`'h`), and finalizes its statements when dropped, so the connection goes
/// back to sqlx as it came.
pub(super) struct Direct<'h> {
    db: NonNull<ffi::sqlite3>,
    begin: Statement,
    insert: Statement,
    commit: Statement,
    rollback: Statement,
    _locked: PhantomData<&'h mut ()>,
}

/// One prepared statement.
struct Statement(NonNull<ffi::sqlite3_stmt>);

const INSERT: &CStr =
    c"INSERT INTO messages (id, room_id, seq, author, client_id, body, ts) VALUES (?, ?, ?, ?, ?, ?, ?)";

impl<'h> Direct<'h> {
    pub(super) fn new(handle: &'h mut LockedSqliteHandle<'_>) -> Result<Self, StoreError> {
        let db = handle.as_raw_handle();
        // A statement prepared before one that fails is finalized when dropped here.
        Ok(Self {
            db,
            begin: prepare(db, c"BEGIN IMMEDIATE")?,
            insert: prepare(db, INSERT)?,
            commit: prepare(db, c"COMMIT")?,
            rollback: prepare(db, c"ROLLBACK")?,
            _locked: PhantomData,
        })
    }

    /// Stores `rows` in one transaction: all of them, or (on error) none.
    pub(super) fn append(&mut self, rows: &[Row<'_>], ts: &str) -> Result<(), Refused> {
        self.run(&self.begin).map_err(Refused::Failed)?;
        let inserted = rows.iter().try_for_each(|row| self.insert(row, ts));
        let committed = inserted.and_then(|()| self.run(&self.commit).map_err(Refused::Failed));
        if committed.is_err() && !self.autocommit() {
            // Still in the transaction (a failed statement does not end it).
            let _ = self.run(&self.rollback);
        }
        committed
    }

    fn insert(&self, &(new, id, room_id, seq): &Row<'_>, ts: &str) -> Result<(), Refused> {
        let stmt = &self.insert;
        let bound = stmt
            .bind_int(1, id)
            .and_then(|()| stmt.bind_int(2, room_id))
            .and_then(|()| stmt.bind_int(3, to_db_seq(seq)?))
            .and_then(|()| stmt.bind_text(4, new.author.as_str()))
            .and_then(|()| stmt.bind_text(5, new.client_id.as_str()))
            .and_then(|()| stmt.bind_text(6, new.body.as_str()))
            .and_then(|()| stmt.bind_text(7, ts));
        let result = match bound {
            Err(error) => Err(Refused::Failed(error)),
            Ok(()) => match stmt.step() {
                ffi::SQLITE_DONE => Ok(()),
                _ if self.extended_code() == ffi::SQLITE_CONSTRAINT_UNIQUE => {
                    Err(Refused::Duplicate)
                }
                _ => Err(Refused::Failed(self.error())),
            },
        };
        stmt.reset();
        result
    }

    /// Runs a statement that returns no rows.
    fn run(&self, stmt: &Statement) -> Result<(), StoreError> {
        let code = stmt.step();
        stmt.reset();
        if code == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn autocommit(&self) -> bool {
        // SAFETY: `db` is the open connection the lock (alive for 'h) hands us.
        unsafe { ffi::sqlite3_get_autocommit(self.db.as_ptr()) != 0 }
    }

    fn extended_code(&self) -> c_int {
        // SAFETY: as in `autocommit`.
        unsafe { ffi::sqlite3_extended_errcode(self.db.as_ptr()) }
    }

    /// The connection's last error, as a store error.
    fn error(&self) -> StoreError {
        // SAFETY: as in `autocommit`; sqlite3_errmsg returns a NUL-terminated string
        // owned by the connection, copied out before any other call.
        let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db.as_ptr())) };
        failed(&format!(
            "{} (code {})",
            message.to_string_lossy(),
            self.extended_code()
        ))
    }
}

fn failed(what: &str) -> StoreError {
    StoreError::Direct(what.to_owned())
}

fn prepare(db: NonNull<ffi::sqlite3>, sql: &CStr) -> Result<Statement, StoreError> {
    let mut stmt = ptr::null_mut();
    // SAFETY: `db` is open and ours while the lock is held; `sql` is NUL-terminated
    // (length -1 tells SQLite to read up to the NUL); `stmt` is a valid out-pointer.
    let code = unsafe {
        ffi::sqlite3_prepare_v3(
            db.as_ptr(),
            sql.as_ptr(),
            -1,
            ffi::SQLITE_PREPARE_PERSISTENT,
            &mut stmt,
            ptr::null_mut(),
        )
    };
    match NonNull::new(stmt) {
        Some(stmt) if code == ffi::SQLITE_OK => Ok(Statement(stmt)),
        _ => {
            // SAFETY: as above; errmsg is copied out at once.
            let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
            Err(failed(&format!(
                "preparing {}: {}",
                sql.to_string_lossy(),
                message.to_string_lossy()
            )))
        }
    }
}

impl Statement {
    fn step(&self) -> c_int {
        // SAFETY: the statement is prepared on the connection we hold.
        unsafe { ffi::sqlite3_step(self.0.as_ptr()) }
    }

    /// Ready to run again, with no values bound (none of them point at our strings
    /// once this returns).
    fn reset(&self) {
        // SAFETY: as in `step`. Their errors repeat the step's, already handled.
        unsafe {
            ffi::sqlite3_reset(self.0.as_ptr());
            ffi::sqlite3_clear_bindings(self.0.as_ptr());
        }
    }

    fn bind_int(&self, index: c_int, value: i64) -> Result<(), StoreError> {
        // SAFETY: as in `step`; SQLite checks the index.
        let code = unsafe { ffi::sqlite3_bind_int64(self.0.as_ptr(), index, value) };
        bound(code)
    }

    /// Binds `value` without copying it: it must outlive the next `step`, which the
    /// callers' borrows ensure (they step and reset before returning).
    fn bind_text(&self, index: c_int, value: &str) -> Result<(), StoreError> {
        let len = c_int::try_from(value.len()).map_err(|_| failed("text too long"))?;
        // SAFETY: as in `step`; the pointer and length describe `value`, valid UTF-8
        // that is not freed before the statement is reset (SQLITE_STATIC: SQLite
        // neither copies nor frees it).
        let code = unsafe {
            ffi::sqlite3_bind_text(
                self.0.as_ptr(),
                index,
                value.as_ptr().cast(),
                len,
                ffi::SQLITE_STATIC(),
            )
        };
        bound(code)
    }
}

fn bound(code: c_int) -> Result<(), StoreError> {
    if code == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(failed(&format!("binding a value failed (code {code})")))
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: prepared by us and finalized exactly once, here, while the
        // connection is still locked (a `Direct` cannot outlive its lock).
        unsafe {
            ffi::sqlite3_finalize(self.0.as_ptr());
        }
    }
}

// SAFETY: the statements and connection are used by one thread at a time (the
// writer task holds `&mut Direct` while it runs them); SQLite connections opened by
// sqlx are in multi-thread mode, which allows that.
unsafe impl Send for Statement {}
unsafe impl Send for Direct<'_> {}

#[cfg(test)]
mod tests {
    use confab_shared::{ClientId, MessageBody, RoomName, UserName};
    use sqlx::{Connection, SqliteConnection};

    use super::*;
    use crate::store::NewMessage;
    use crate::store::Store;
    use crate::store::sqlite::SqliteStore;

    fn message(client_id: &str) -> NewMessage {
        NewMessage {
            room: RoomName::new("r").unwrap(),
            author: UserName::new("ann").unwrap(),
            client_id: ClientId::new(client_id).unwrap(),
            body: MessageBody::new(format!("body of {client_id}")).unwrap(),
        }
    }

    async fn stored(conn: &mut SqliteConnection) -> Vec<(i64, String)> {
        sqlx::query_as("SELECT seq, client_id FROM messages ORDER BY id")
            .fetch_all(conn)
            .await
            .unwrap()
    }

    /// A batch is stored whole or not at all, and the connection goes back to sqlx
    /// in working order.
    #[tokio::test]
    async fn stores_whole_batches_and_nothing_of_a_refused_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let path = path.to_str().unwrap();
        SqliteStore::open(path).await.unwrap().close().await;
        let mut conn = SqliteConnection::connect(&format!("sqlite:{path}"))
            .await
            .unwrap();
        sqlx::query("INSERT INTO rooms (id, name, created_at) VALUES (1, 'r', 'now')")
            .execute(&mut conn)
            .await
            .unwrap();
        let (a, b, c) = (message("a"), message("b"), message("c"));
        {
            let mut handle = conn.lock_handle().await.unwrap();
            let mut direct = Direct::new(&mut handle).unwrap();
            direct
                .append(&[(&a, 1, 1, 1), (&b, 2, 1, 2)], "ts")
                .unwrap();
            // A new row, then a resend of "a": neither is stored.
            let resend = direct.append(&[(&c, 3, 1, 3), (&a, 4, 1, 4)], "ts");
            assert!(matches!(resend, Err(Refused::Duplicate)), "{resend:?}");
            // A room that does not exist breaks the foreign key: a plain failure.
            let orphan = direct.append(&[(&c, 3, 99, 1)], "ts");
            match orphan {
                Err(Refused::Failed(StoreError::Direct(why))) => {
                    assert!(why.contains("FOREIGN KEY"), "{why}")
                }
                other => panic!("expected a failure, got {other:?}"),
            }
            direct.append(&[(&c, 3, 1, 3)], "ts").unwrap();
        }
        assert_eq!(
            stored(&mut conn).await,
            [(1, "a".into()), (2, "b".into()), (3, "c".into())]
        );
        conn.close().await.unwrap();
    }
}
