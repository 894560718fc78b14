//! A connection's outbound queue, as seen by whoever delivers to it.
//!
//! The queue is bounded. Delivery never waits: a full queue means the reader cannot
//! keep up, so the connection is marked and closes itself with close code 4008 (see
//! docs/protocol.md). Other members of a room are never slowed by one slow reader.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use confab_shared::{RoomName, Seq};
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_util::sync::{CancellationToken, WaitForCancellationFuture};

/// One item of a connection's queue.
#[derive(Debug)]
pub enum Outbound {
    /// A frame for this connection alone (an error, a pong).
    Direct(Utf8Bytes),
    /// The answer to one of this connection's sends (its ack, or why it failed); the
    /// connection counts these to bound its sends in flight.
    Reply(Utf8Bytes),
    /// A frame for every member of a room, serialized once and shared.
    Room(Arc<RoomFrame>),
}

/// A frame broadcast to a room.
#[derive(Debug)]
pub struct RoomFrame {
    pub room: RoomName,
    /// Set for messages, so a connection that has just replayed the room from the
    /// database can drop what it already sent.
    pub seq: Option<Seq>,
    pub frame: Utf8Bytes,
}

/// The sending side of a connection's queue. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Outbound>,
    overflow: CancellationToken,
}

impl Outbox {
    /// A queue holding at most `capacity` items, and its receiving end.
    pub fn channel(capacity: usize) -> (Self, mpsc::Receiver<Outbound>) {
        let (tx, rx) = mpsc::channel(capacity);
        let outbox = Self {
            tx,
            overflow: CancellationToken::new(),
        };
        (outbox, rx)
    }

    /// Queues `item` without waiting. Returns false if it was not queued: the
    /// connection is gone, or its queue is full (and it is now marked as too slow).
    pub fn deliver(&self, item: Outbound) -> bool {
        match self.tx.try_send(item) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.overflow.cancel();
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    }

    /// Resolves once a delivery found the queue full.
    pub fn overflowed(&self) -> WaitForCancellationFuture<'_> {
        self.overflow.cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_marks_the_connection_slow() {
        let (outbox, mut rx) = Outbox::channel(2);
        assert!(outbox.deliver(Outbound::Direct("a".into())));
        assert!(outbox.deliver(Outbound::Direct("b".into())));
        assert!(!outbox.overflow.is_cancelled());
        assert!(!outbox.deliver(Outbound::Direct("c".into())));
        assert!(outbox.overflow.is_cancelled());
        assert!(matches!(rx.try_recv(), Ok(Outbound::Direct(f)) if f.as_str() == "a"));
        drop(rx);
        assert!(!outbox.deliver(Outbound::Direct("d".into())));
    }
}
