//! Deleted roots whose threads still have replies: the list keeps their place
//! ("This message was deleted", without text or author) so the thread can still be
//! opened. They come with snapshots and history pages (`tombstones`) and with a
//! root's deletion, live or replayed, and follow what replies and their deletions
//! say of the thread; one left without replies goes.

use confab_shared::{Thread, Tombstone, UserId, UserName};

use super::rows::room_line;
use super::{Chat, Room, Row};

/// What a tombstone's line says.
const DELETED: &str = "This message was deleted.";

impl Room {
    /// Keeps `tombstones`, each at its root's seq.
    pub(super) fn keep_tombstones(&mut self, tombstones: Vec<Tombstone>) {
        for tombstone in tombstones.into_iter().filter(|t| t.thread.replies > 0) {
            self.tombstones.insert(tombstone.seq, tombstone);
        }
    }

    /// What an event says of `thread`, into its tombstone if its root is one:
    /// whether that changed.
    pub(super) fn fold_tombstone(&mut self, thread: &Thread) -> bool {
        let Some((&seq, kept)) = self
            .tombstones
            .iter_mut()
            .find(|(_, t)| t.id == thread.root)
        else {
            return false;
        };
        if thread.replies == 0 {
            self.tombstones.remove(&seq);
            return true;
        }
        let now = thread.of_root();
        let changed = kept.thread != now;
        kept.thread = now;
        changed
    }
}

impl Chat {
    /// The line of `tombstone`: a line about the room that opens its thread.
    pub(super) fn tombstone_row(&self, tombstone: &Tombstone) -> Option<Row> {
        let nobody = (UserName::new("deleted").ok()?, UserId::new("deleted").ok()?);
        let ts = tombstone.thread.last_reply_at.clone();
        let mut row = room_line("tombstone", tombstone.seq, nobody, DELETED, ts)?;
        row.id = Some(tombstone.id);
        row.thread = Some(tombstone.thread.clone());
        row.thread_unread = self
            .current_room()
            .and_then(|r| r.reading.threads.get(&tombstone.id).copied())
            .unwrap_or(0);
        Some(row)
    }
}

/// Whether a row is a tombstone's (a line about the room with a thread).
pub fn is_tombstone(row: &Row) -> bool {
    row.note && row.thread.is_some()
}
