//! This person's own presence: away after [`AWAY_AFTER_MS`] without input, or at
//! once when the tab is hidden; back on the next input with the tab shown. Told the
//! server with `status` (the model says it only when it changes, and again after a
//! reconnect).

use std::time::Duration;

use confab_shared::protocol::AWAY_AFTER_MS;
use leptos::prelude::*;

use super::seen::tab_shown;
use crate::socket::Socket;
use crate::state::ChatState;

/// How often (ms) the page checks for a long silence.
const CHECK_EVERY_MS: u64 = 10_000;

/// The inputs that say the person is here.
const INPUTS: [&str; 5] = [
    "keydown",
    "pointerdown",
    "pointermove",
    "wheel",
    "touchstart",
];

/// Follows input and the tab's visibility for as long as the chat view lives.
pub fn follow(chat: ChatState, socket: Socket) {
    let last_input = StoredValue::new(js_sys::Date::now());
    // Mirrors what the model last said, so input costs nothing while not away.
    let away = StoredValue::new(false);
    let set = move |now_away: bool| {
        away.set_value(now_away);
        if let Some(frame) = chat.update(|c| c.set_away(now_away)).flatten() {
            socket.send(frame);
        }
    };
    for name in INPUTS {
        let handle = window_event_listener_untyped(name, move |_| {
            last_input.set_value(js_sys::Date::now());
            if away.get_value() && tab_shown() {
                set(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let hidden = window_event_listener_untyped("visibilitychange", move |_| {
        if !tab_shown() {
            set(true);
        }
    });
    on_cleanup(move || hidden.remove());
    let check = move || {
        let silent = js_sys::Date::now() - last_input.get_value();
        if !away.get_value() && (!tab_shown() || silent > AWAY_AFTER_MS as f64) {
            set(true);
        }
    };
    if let Ok(every) = set_interval_with_handle(check, Duration::from_millis(CHECK_EVERY_MS)) {
        on_cleanup(move || every.clear());
    }
}
