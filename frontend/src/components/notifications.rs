//! Notifications on the page: the sidebar's control ("Turn on notifications", which
//! alone asks the browser; then "Show message text in notifications", kept in
//! localStorage, off by default), and raising a notification for each message the
//! model says is worth one while the tab is hidden: "New message from bob" (and the
//! text, if the person chose so), tagged by the message's id; clicking it brings the
//! tab forward and opens the room at that message.

use confab_shared::{Seq, UserId};
use leptos::prelude::*;

use super::seen::tab_shown;
use crate::model::{Alert, Chat};
use crate::notifications::{self, Permission};
use crate::socket::Socket;
use crate::state::{ChatState, Part};
use crate::storage;

/// The sidebar's control.
#[component]
pub fn NotificationSettings(id: UserId) -> impl IntoView {
    let (permission, set_permission) = signal(notifications::permission());
    let (text, set_text) = signal(storage::notify_text(&id));
    let turn_on = move |_| notifications::ask(move |answer| set_permission.set(answer));
    move || match permission.get() {
        Permission::Unsupported => None,
        Permission::Ask => Some(
            view! {
                <section class="notifications">
                    <button class="notify-on" on:click=turn_on>"Turn on notifications"</button>
                </section>
            }
            .into_any(),
        ),
        Permission::Denied => Some(
            view! {
                <section class="notifications">
                    <p class="hint">"Notifications are blocked for this site in your browser."</p>
                </section>
            }
            .into_any(),
        ),
        Permission::Granted => {
            let id = id.clone();
            Some(
                view! {
                    <section class="notifications">
                        <label class="notify-text">
                            <input
                                type="checkbox"
                                prop:checked=text
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    storage::set_notify_text(&id, on);
                                    set_text.set(on);
                                }
                            />
                            " Show message text in notifications"
                        </label>
                    </section>
                }
                .into_any(),
            )
        }
    }
}

/// Raises the notifications the model asks for while the tab is hidden, for as long
/// as the chat view lives.
pub fn raise(chat: ChatState, socket: Socket, id: UserId) {
    Effect::new(move |_| {
        chat.track(Part::Alerts);
        let alerts = chat.update(Chat::take_alerts).unwrap_or_default();
        // On screen, the page itself shows them.
        if alerts.is_empty() || tab_shown() {
            return;
        }
        let with_text = storage::notify_text(&id);
        for alert in alerts {
            show(chat, socket, alert, with_text);
        }
    });
}

fn show(chat: ChatState, socket: Socket, alert: Alert, with_text: bool) {
    let title = match alert.thread {
        Some(_) => format!("New reply from {}", alert.author),
        None => format!("New message from {}", alert.author),
    };
    let body = with_text.then_some(alert.body.as_str());
    let tag = format!("confab-{}", alert.id);
    let Alert {
        room, seq, thread, ..
    } = alert;
    notifications::raise(&title, body, &tag, move || {
        if let Some(frame) = chat.update(|c| c.open_room(room)).flatten() {
            socket.send(frame);
        }
        match thread {
            Some(root) => {
                if let Some(frame) = chat.update(|c| c.open_thread(root)).flatten() {
                    socket.send(frame);
                }
            }
            None => show_line(seq),
        }
    });
}

/// Scrolls the line at `seq` into view once the room is drawn.
fn show_line(seq: Seq) {
    request_animation_frame(move || {
        request_animation_frame(move || {
            let line = document()
                .query_selector(&format!("[role=log] [data-seq=\"{seq}\"]"))
                .ok()
                .flatten();
            if let Some(line) = line {
                line.scroll_into_view_with_bool(false);
            }
        });
    });
}
