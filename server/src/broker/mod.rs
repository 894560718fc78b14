//! Fan-out between nodes. Each node stores its own writes and hands the stored
//! events to the others through a broker; each node's [`RoomFeed`] takes what the
//! broker brings (and what it does not, from the store) into its rooms in order.
//!
//! Besides room events, nodes tell each other of their people (`nodes.rs`): who is
//! in each room, who types, that they are alive.
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

use crate::nodes::Note;

pub use resp::RedisUrl;

/// Hands this node's stored events to the other nodes.
pub(crate) trait Broker: Send + Sync + 'static {
    /// Tells the other nodes of an event this node stored, as its `event` frame.
    /// Never waits: what cannot be handed on now is left to the store.
    fn publish(&self, frame: &Utf8Bytes);

    /// Tells the other nodes something of this node's people (presence, typing,
    /// that it is alive). Never waits; a lost note heals with the next.
    fn note(&self, note: &Note);

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

    fn note(&self, _note: &Note) {}

    fn clustered(&self) -> bool {
        false
    }

    fn ready(&self) -> bool {
        true
    }
}
