//! The room log: the one path by which a change to a room (a member joining or
//! leaving, moderation, a deletion) becomes events of its log. A change is planned
//! from the directory (`change.rs`: which events it makes, given where its subject
//! stands), persisted by the store with the room's next seqs (the store decides
//! nothing: `Store::persist`), then folded into the directory (`directory.rs`).
//! Whether the change was allowed was asked before (`commands::authz`); the
//! sequencer calls this one change at a time, so the standing it planned from is
//! still true when the events are stored.

use confab_shared::RoomEvent;

use crate::rooms::RoomChange;
use crate::store::{Store, StoreError, now_rfc3339};

/// Records `change` in its room's log; gives the stored events (none when it changes
/// nothing: joining twice, muting the muted, deleting a message that is gone).
pub(crate) async fn record(
    store: &dyn Store,
    change: &RoomChange,
) -> Result<Vec<RoomEvent>, StoreError> {
    let directory = store.rooms().directory();
    let planned = change.plan(directory, &now_rfc3339());
    if planned.is_empty() {
        return Ok(Vec::new());
    }
    let stored = store.persist(&change.room, planned).await?;
    for event in &stored {
        directory.apply(&event.room, &event.kind);
    }
    Ok(stored)
}
