//! Deleted roots whose threads still have replies: the list keeps their place
//! ("This message was deleted", without text or author) so the thread can still be
//! opened. They come with snapshots and history pages (`tombstones`) and with a
//! root's deletion, live or replayed, and follow what replies and their deletions
//! say of the thread; one left without replies goes.

use confab_shared::{MessageBody, Thread, Tombstone, UserId, UserName};

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
        let nobody = UserName::new("deleted").ok()?;
        Some(Row {
            key: format!("tombstone/{}", tombstone.seq),
            author: nobody,
            body: MessageBody::new(DELETED).ok()?,
            ts: tombstone.thread.last_reply_at.clone(),
            delivery: None,
            client_id: confab_shared::ClientId::new(format!("tombstone-{}", tombstone.seq)).ok()?,
            starts_group: true,
            mine: false,
            seq: tombstone.seq,
            id: Some(tombstone.id),
            note: true,
            author_id: UserId::new("deleted").ok()?,
            collapsed: false,
            first_new: false,
            mentions_me: false,
            edited: false,
            editing: false,
            reactions: Vec::new(),
            found: false,
            thread: Some(tombstone.thread.clone()),
            thread_unread: self
                .current_room()
                .and_then(|r| r.reading.threads.get(&tombstone.id).copied())
                .unwrap_or(0),
        })
    }
}

/// Whether a row is a tombstone's (a line about the room with a thread).
pub fn is_tombstone(row: &Row) -> bool {
    row.note && row.thread.is_some()
}
