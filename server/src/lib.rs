//! The Confab server. Data flows one way:
//!
//! socket → [`connection`] (decode a `ClientMsg`) → [`sequencer`] (one writer) →
//! [`store`] (assigns id and seq, commits) → [`hub`] (room members on this node) →
//! each member's [`outbox`] (bounded queue) → its [`connection`] → socket.
//!
//! - [`config`]: flags and environment variables.
//! - [`server`]: wiring, serving and orderly shutdown.
//! - [`routes`]: HTTP routes, the WebSocket upgrade and its limits.
//! - [`identity`]: who the peer is.
//! - [`settings`]: keep-alive timings and queue limits.
//! - [`state`]: the shared handle.
//! - [`wire`]: serializing server frames once.

pub mod config;
pub mod connection;
pub mod hub;
pub mod identity;
pub mod outbox;
pub mod routes;
pub mod sequencer;
pub mod server;
pub mod settings;
pub mod state;
pub mod store;
pub mod wire;

pub use server::{run, run_with};
pub use settings::Settings;
