//! People's presence on the page: a dot beside a name (online: filled green; away: a
//! hollow amber ring; offline: nothing), with words for screen readers; and the
//! watcher that keeps the server told whom the page shows (`watch_people`), asked
//! every second and sent only when the people on screen changed (a debounce).

use std::time::Duration;

use confab_shared::{Status, UserId};
use leptos::prelude::*;

use super::use_chat;
use crate::model::Chat;
use crate::socket::Socket;
use crate::state::{ChatState, Part};

/// How often (ms) the page works out whom it shows.
const WATCH_EVERY_MS: u64 = 1000;

/// The dot beside `user_id`'s name: drawn again only when their status changes.
#[component]
pub fn PresenceDot(user_id: UserId) -> impl IntoView {
    let (chat, _) = use_chat();
    let status = Memo::new(move |_| chat.read(Part::People, |c| c.status_of(&user_id)));
    move || {
        let (class, title, said) = match status.get() {
            Status::Offline => return None,
            Status::Away => ("presence away", "Away", " (away)"),
            Status::Online | Status::Unknown => ("presence online", "Online", " (online)"),
        };
        Some(view! {
            <span class=class title=title>
                <span class="visually-hidden">{said}</span>
            </span>
        })
    }
}

/// Keeps the server told whom the page shows, for as long as the chat view lives.
pub fn watch(chat: ChatState, socket: Socket) {
    let look = move || {
        if let Some(frame) = chat.update(Chat::watch_people).flatten() {
            socket.send(frame);
        }
    };
    if let Ok(every) = set_interval_with_handle(look, Duration::from_millis(WATCH_EVERY_MS)) {
        on_cleanup(move || every.clear());
    }
}
