//! `confab backup`: a copy of a database that is being written, through SQLite's
//! online backup. The copy is one read transaction's view (in WAL mode the writer
//! goes on meanwhile), so it is consistent: every message in it has every event
//! before it. It gets an epoch of its own: a server restored from it has lost what
//! came after the copy, and its clients must start over rather than resume.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::store::{Copied, StoreError};

/// How long a busy or locked source may hold the copy up, in all.
const BUSY_FOR: Duration = Duration::from_secs(30);

/// Copies the database file `source` to `to`, which must not exist, through a
/// temporary file beside it (renamed once complete and synced). Blocking.
pub(crate) fn copy(source: &Path, to: &Path) -> Result<Copied, StoreError> {
    if to.exists() {
        return Err(refused(format!("{} already exists", to.display())));
    }
    if !source.is_file() {
        return Err(refused(format!("no database at {}", source.display())));
    }
    let partial = partial_of(to);
    let copied = copy_into(source, &partial);
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    let epoch = copied?;
    let file = std::fs::File::open(&partial).map_err(io)?;
    file.sync_all().map_err(io)?;
    let bytes = file.metadata().map_err(io)?.len();
    std::fs::rename(&partial, to).map_err(io)?;
    Ok(Copied { bytes, epoch })
}

/// The copy, its own epoch given; returns that epoch.
fn copy_into(source: &Path, partial: &Path) -> Result<String, StoreError> {
    let _ = std::fs::remove_file(partial);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let from = Connection::open_with_flags(source, flags).map_err(db)?;
    let mut into = Connection::open(partial).map_err(db)?;
    {
        let backup = Backup::new(&from, &mut into).map_err(db)?;
        let mut waited = Duration::ZERO;
        // All pages in one step: one read transaction, so one consistent view.
        loop {
            match backup.step(-1).map_err(db)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if waited < BUSY_FOR => {
                    std::thread::sleep(Duration::from_millis(50));
                    waited += Duration::from_millis(50);
                }
                _ => return Err(refused("the database stayed busy".to_owned())),
            }
        }
    }
    // One self-contained file (the server turns WAL back on when it opens it).
    into.pragma_update(None, "journal_mode", "DELETE")
        .map_err(db)?;
    into.execute(
        "UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key = 'epoch'",
        [],
    )
    .map_err(db)?;
    let epoch = into
        .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |row| {
            row.get(0)
        })
        .map_err(db)?;
    into.close().map_err(|(_, error)| db(error))?;
    Ok(epoch)
}

fn partial_of(to: &Path) -> PathBuf {
    let mut name = to.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

fn db(error: rusqlite::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

fn io(error: std::io::Error) -> StoreError {
    StoreError::Database(error.to_string())
}

fn refused(why: String) -> StoreError {
    StoreError::Database(why)
}
