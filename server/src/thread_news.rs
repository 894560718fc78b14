//! Telling the people of a thread: once a reply is stored, or one deleted, each
//! member (an account) who took part in the thread and is connected hears on every socket of
//! theirs where their marker in it stands and what is unread after it
//! (`thread_read`). Off the writer's path: the sequencer names the thread and goes
//! on; a burst of replies to one thread is told once.

use std::collections::BTreeSet;
use std::sync::Arc;

use confab_shared::{MessageId, RoomName, ServerMsg};
use tokio::sync::mpsc;

use crate::people::People;
use crate::store::Store;
use crate::wire;

/// Threads waiting to be told of; more than this and the newest wait for the next
/// reply (a page asks again when the thread is opened).
const QUEUE: usize = 1024;

/// The handle the sequencer names changed threads to.
#[derive(Clone)]
pub(crate) struct ThreadNews {
    tx: mpsc::Sender<(RoomName, MessageId)>,
}

impl ThreadNews {
    /// Starts the task that tells; it ends when every handle is dropped.
    pub(crate) fn start(store: Arc<dyn Store>, people: Arc<People>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(rx, store, people));
        Self { tx }
    }

    /// Thread `root` of `room` has a new reply, or one fewer.
    pub(crate) fn changed(&self, room: &RoomName, root: MessageId) {
        if self.tx.try_send((room.clone(), root)).is_err() {
            tracing::warn!(%room, root, "too many threads to tell of; skipping one");
        }
    }
}

async fn run(
    mut rx: mpsc::Receiver<(RoomName, MessageId)>,
    store: Arc<dyn Store>,
    people: Arc<People>,
) {
    while let Some(first) = rx.recv().await {
        let mut threads = BTreeSet::from([first]);
        while let Ok(more) = rx.try_recv() {
            threads.insert(more);
        }
        for (room, root) in threads {
            if let Err(error) = tell(store.as_ref(), &people, &room, root).await {
                tracing::error!(%error, %room, root, "telling a thread's people failed");
            }
        }
    }
}

async fn tell(
    store: &dyn Store,
    people: &People,
    room: &RoomName,
    root: MessageId,
) -> Result<(), crate::store::StoreError> {
    let reading = store.reading();
    let directory = store.rooms().directory();
    for person in reading.thread_people(room, root).await? {
        // Members only (not one who left, was removed or banned since).
        let member = directory
            .access(room, &person)
            .is_some_and(|a| a.standing.role.is_some() && !a.standing.banned);
        // Guests keep no read state.
        if !member || person.is_guest() || !people.is_connected(&person) {
            continue;
        }
        let thread = reading.thread_read(&person, room, root, 0).await?;
        let frame = wire::encode(&ServerMsg::ThreadRead {
            room: room.clone(),
            thread,
        });
        people.tell(&person, &frame);
    }
    Ok(())
}
