//! A connection's outbound queue, as seen by whoever delivers to it.
//!
//! The queue is bounded. Delivery never waits: a full queue means the reader cannot
//! keep up, so the connection is marked and closes itself with close code 4008 (see
//! docs/protocol.md). Other members of a room are never slowed by one slow reader.
//!
//! Not a channel: an idle connection should cost next to nothing, and a channel
//! allocates its first block of slots up front. This queue is a `VecDeque` behind a
//! mutex that holds no memory while empty, and gives back what a burst grew.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use axum::extract::ws::Utf8Bytes;
use confab_shared::{RoomName, Seq, UserId};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

/// Slots an empty queue may keep from a burst; past this it frees them.
const KEEP_WHEN_EMPTY: usize = 16;

/// One item of a connection's queue.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// The answer to one of this connection's sends (its ack, or why it failed); the
    /// connection counts these to bound its sends in flight.
    Reply(Utf8Bytes),
    /// A frame for every member of a room, serialized once and shared.
    Room(Arc<RoomFrame>),
    /// A frame for this person, not about a room it has joined (it was invited).
    Direct(Utf8Bytes),
    /// The room's event that removed this person from it (kicked, banned): the
    /// connection forgets the room, and sends this as its last frame of it.
    Removed(Arc<RoomFrame>),
}

/// A frame broadcast to a room.
#[derive(Debug)]
pub(crate) struct RoomFrame {
    pub(crate) room: RoomName,
    /// Set for messages, so a connection that has just replayed the room from the
    /// database can drop what it already sent.
    pub(crate) seq: Option<Seq>,
    pub(crate) frame: Utf8Bytes,
    /// Set for an event that removes someone from the room: their connections get
    /// it as [`Outbound::Removed`] and leave the room.
    pub(crate) removes: Option<UserId>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    capacity: usize,
    /// Cancelled when a delivery finds the queue full, or with its parent (the
    /// server's shutdown signal): the connection's one reason to look up from work.
    stop: CancellationToken,
}

#[derive(Debug, Default)]
struct State {
    items: VecDeque<Outbound>,
    /// The connection's task, when it waits for items.
    waker: Option<Waker>,
    /// The connection has gone: deliveries are refused.
    closed: bool,
    /// Why the connection's credential was revoked, if it was.
    revoked: Option<Revoked>,
}

/// Why a connection's credential stopped working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// Signed out, a new password, a revoked token: sign in again (4401).
    SignedOut,
    /// The account was banned from the server (4403).
    Banned,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sending side of a connection's queue. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Outbox {
    shared: Arc<Shared>,
}

/// The receiving side, owned by the connection's task.
#[derive(Debug)]
pub(crate) struct Queue {
    shared: Arc<Shared>,
}

impl Outbox {
    /// A queue holding at most `capacity` items, and its receiving end (tests; the
    /// server makes every queue under its shutdown signal).
    #[cfg(test)]
    pub(crate) fn channel(capacity: usize) -> (Self, Queue) {
        Self::channel_under(capacity, &CancellationToken::new())
    }

    /// Like [`Outbox::channel`], and [`Outbox::stopped`] also resolves once `parent`
    /// is cancelled.
    pub(crate) fn channel_under(capacity: usize, parent: &CancellationToken) -> (Self, Queue) {
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            capacity,
            stop: parent.child_token(),
        });
        let queue = Queue {
            shared: Arc::clone(&shared),
        };
        (Self { shared }, queue)
    }

    /// Queues `item` without waiting. Returns false if it was not queued: the
    /// connection is gone, or its queue is full (and it is now marked as too slow).
    pub(crate) fn deliver(&self, item: Outbound) -> bool {
        let waker = {
            let mut state = self.shared.lock();
            if state.closed {
                return false;
            }
            if state.items.len() >= self.shared.capacity {
                drop(state);
                self.shared.stop.cancel();
                return false;
            }
            state.items.push_back(item);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }

    /// Ends the connection because the credential it signed in with was revoked:
    /// [`Outbox::stopped`] resolves, and [`Outbox::revoked`] says why.
    pub(crate) fn revoke(&self, why: Revoked) {
        self.shared.lock().revoked = Some(why);
        self.shared.stop.cancel();
    }

    pub(crate) fn revoked(&self) -> Option<Revoked> {
        self.shared.lock().revoked
    }

    /// Resolves once a delivery found the queue full, the connection was revoked, or
    /// the parent token given to [`Outbox::channel_under`] was cancelled.
    pub(crate) fn stopped(&self) -> WaitForCancellationFuture<'_> {
        self.shared.stop.cancelled()
    }
}

impl Queue {
    /// Waits for items, then takes up to `limit` of them, oldest first.
    pub(crate) async fn recv_batch(&mut self, limit: usize) -> Vec<Outbound> {
        poll_fn(|cx| {
            let mut state = self.shared.lock();
            if state.items.is_empty() {
                if state.items.capacity() > KEEP_WHEN_EMPTY {
                    state.items = VecDeque::new();
                }
                if !state
                    .waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    state.waker = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            let n = state.items.len().min(limit);
            Poll::Ready(state.items.drain(..n).collect())
        })
        .await
    }

    /// The oldest item, if any, without waiting (tests).
    #[cfg(test)]
    pub(crate) fn try_recv(&mut self) -> Option<Outbound> {
        self.shared.lock().items.pop_front()
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        let items = {
            let mut state = self.shared.lock();
            state.closed = true;
            state.waker = None;
            std::mem::take(&mut state.items)
        };
        // Dropped outside the lock: the last reference to a room frame frees it.
        drop(items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(item: Option<Outbound>) -> Option<String> {
        match item? {
            Outbound::Reply(f) => Some(f.to_string()),
            Outbound::Room(r) | Outbound::Removed(r) => Some(r.frame.to_string()),
            Outbound::Direct(f) => Some(f.to_string()),
        }
    }

    #[test]
    fn a_full_queue_marks_the_connection_slow() {
        let (outbox, mut rx) = Outbox::channel(2);
        assert!(outbox.deliver(Outbound::Reply("a".into())));
        assert!(outbox.deliver(Outbound::Reply("b".into())));
        assert!(!outbox.shared.stop.is_cancelled());
        assert!(!outbox.deliver(Outbound::Reply("c".into())));
        assert!(outbox.shared.stop.is_cancelled());
        assert_eq!(text(rx.try_recv()).as_deref(), Some("a"));
        drop(rx);
        assert!(!outbox.deliver(Outbound::Reply("d".into())));
    }

    #[tokio::test]
    async fn batches_come_in_order_and_a_waiting_reader_is_woken() {
        let (outbox, mut rx) = Outbox::channel(100);
        for i in 0..5 {
            assert!(outbox.deliver(Outbound::Reply(i.to_string().into())));
        }
        let first: Vec<_> = rx
            .recv_batch(3)
            .await
            .into_iter()
            .map(Some)
            .map(text)
            .collect();
        assert_eq!(
            first,
            [Some("0".into()), Some("1".into()), Some("2".into())]
        );
        assert_eq!(rx.recv_batch(10).await.len(), 2);

        let waiting = tokio::spawn(async move { rx.recv_batch(10).await.len() });
        tokio::task::yield_now().await;
        assert!(outbox.deliver(Outbound::Reply("late".into())));
        assert_eq!(waiting.await.unwrap(), 1);
    }

    #[tokio::test]
    async fn an_emptied_queue_gives_back_a_burst_s_memory() {
        let (outbox, mut rx) = Outbox::channel(1000);
        for _ in 0..500 {
            assert!(outbox.deliver(Outbound::Reply("x".into())));
        }
        assert_eq!(rx.recv_batch(1000).await.len(), 500);
        // The next wait finds it empty and frees the slots.
        let waiting = tokio::spawn(async move {
            let batch = rx.recv_batch(10).await;
            (batch.len(), rx)
        });
        tokio::task::yield_now().await;
        assert!(outbox.shared.lock().items.capacity() <= KEEP_WHEN_EMPTY);
        assert!(outbox.deliver(Outbound::Reply("y".into())));
        let (n, _rx) = waiting.await.unwrap();
        assert_eq!(n, 1);
    }
}
