//! Confab's page: a Leptos app compiled to WebAssembly.
//!
//! - [`model`]: the chat state, a pure reducer over server frames and user actions.
//! - [`state`]: the chat state as the page reads it: a signal per part that changes.
//! - [`socket`]: the one WebSocket; reconnects and resumes.
//! - [`storage`]: what the page remembers between visits.
//! - [`notifications`]: the browser's notifications.
//! - [`components`]: the views.

mod account;
mod components;
mod markdown;
mod model;
mod notifications;
mod socket;
mod state;
mod storage;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(components::app::App);
}
