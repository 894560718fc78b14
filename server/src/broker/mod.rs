//! Fan-out between nodes. Each node stores its own writes and hands the stored
//! events to the others through a broker; each node's [`RoomFeed`] takes what the
//! broker brings (and what it does not, from the store) into its rooms in order.
//!
//! Two brokers: [`InProcess`], the default, for one node alone (its writer hands its
//! events straight to its feed, so there is nothing to carry), and Redis
//! (`--redis redis://...`, `broker/redis.rs`), for several nodes sharing a
//! PostgreSQL database. Pub/sub is only the fast path: what it drops, each node
//! reads from the store (`room_feed.rs`).
//!
//! [`RoomFeed`]: crate::room_feed::RoomFeed

pub(crate) mod redis;
mod resp;

use axum::extract::ws::Utf8Bytes;

pub use resp::RedisUrl;

/// Hands this node's stored events to the other nodes.
pub(crate) trait Broker: Send + Sync + 'static {
    /// Tells the other nodes of an event this node stored, as its `event` frame.
    /// Never waits: what cannot be handed on now is left to the store.
    fn publish(&self, frame: &Utf8Bytes);

    /// Whether other nodes may write to this node's store: then each node also
    /// reads what it missed from the store.
    fn clustered(&self) -> bool;

    /// Whether this node hears the others now (readiness).
    fn ready(&self) -> bool;
}

/// One node alone: nobody else to tell.
pub(crate) struct InProcess;

impl Broker for InProcess {
    fn publish(&self, _frame: &Utf8Bytes) {}

    fn clustered(&self) -> bool {
        false
    }

    fn ready(&self) -> bool {
        true
    }
}
