//! The Confab server. Data flows one way:
//!
//! socket → [`connection`] (frames) → [`commands`] (decode, authorise, carry out) →
//! [`sequencer`] (one writer) →
//! [`store`] (assigns id and seq, commits) → [`hub`] (room members on this node) →
//! each member's [`outbox`] (bounded queue) → its [`connection`] → socket.
//!
//! - [`cli`]: `confab user create|reset-password|delete`, for operators.
//! - [`config`]: flags and environment variables.
//! - [`server`]: wiring, serving and orderly shutdown.
//! - [`routes`]: HTTP routes, the WebSocket upgrade and its limits, security headers.
//! - [`page`]: the built page: precompressed, cached, under a Content-Security-Policy.
//! - [`accept`]: the accept loop: HTTP/1.1, peer addresses, the handshake timeout.
//! - [`identity`]: who the peer is.
//! - [`limits`]: rate limits, socket caps, client addresses behind proxies.
//! - [`origin`]: which pages may open a socket.
//! - [`commands`]: one file per client command; `commands::authz` decides who may
//!   do what in a room.
//! - [`rooms`]: rooms made on purpose, membership, and the in-memory directory.
//! - [`room_log`]: every change to a room: planned, persisted, folded in.
//! - [`account_feed`]: following the account change feed (whoever changed an
//!   account, this server's caches and sockets follow).
//! - [`people`]: live connections by person, to tell all of someone's sockets.
//! - [`thread_news`]: telling a thread's people of its replies (`thread_read`).
//! - [`metrics`]: counters and latencies for `GET /metrics` (Prometheus).
//! - [`settings`]: keep-alive timings and queue limits.
//! - [`state`]: the shared handle.
//! - [`wire`]: serializing server frames once.

mod accept;
mod account_feed;
pub mod accounts;
mod api;
pub mod broker;
pub mod cli;
mod commands;
pub mod config;
mod connection;
mod hub;
mod identity;
pub mod limits;
pub mod metrics;
mod nodes;
pub mod origin;
mod outbox;
mod page;
mod people;
pub mod reading;
mod revocations;
mod room_feed;
mod room_log;
pub mod rooms;
mod routes;
mod sequencer;
pub mod server;
pub mod settings;
mod state;
pub mod store;
mod thread_news;
mod wire;

pub use broker::RedisUrl;
pub use limits::Limits;
pub use metrics::Metrics;
pub use server::{Options, SessionPolicy, run, run_with, run_with_options};
pub use settings::Settings;
