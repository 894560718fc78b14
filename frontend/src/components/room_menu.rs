//! The room header's "⋯" menu: what concerns the room being read as a whole ("Mark
//! as read"; "Edit topic…" for those who may; for accounts, when to be notified:
//! every message, mentions only, or nothing). A real button and a list of buttons, so Tab, Enter and Escape work.

use leptos::prelude::*;

use confab_shared::Notify;

use super::use_chat;
use crate::model::Chat;
use crate::state::Part;

/// The levels offered, as the menu names them.
const LEVELS: [(Notify, &str); 3] = [
    (Notify::All, "All messages"),
    (Notify::Mentions, "Mentions only"),
    (Notify::None, "Nothing"),
];

#[component]
pub fn RoomMenu() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        set_open.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    let mark_read = move |_| {
        for frame in chat.update(Chat::mark_read).unwrap_or_default() {
            socket.send(frame);
        }
        close();
    };
    // Known once the server welcomed the page (until then everyone looks a guest).
    let guest = move || chat.read(Part::Link, Chat::is_guest);
    let level = move || chat.read(Part::Counts, Chat::notify_level);
    let set_level = move |notify: Notify| {
        if let Some(frame) = chat.update(|c| c.set_notify(notify)).flatten() {
            socket.send(frame);
        }
        close();
    };
    let levels = move || {
        (!guest()).then(|| {
            let current = level();
            view! {
                <div role="group" aria-label="Notifications">
                <p class="menu-label" aria-hidden="true">"Notifications"</p>
                {LEVELS
                    .into_iter()
                    .map(|(notify, label)| view! {
                        <button
                            role="menuitemradio"
                            class="notify-level"
                            data-level=notify.as_str()
                            aria-checked=(current == notify).to_string()
                            on:click=move |_| set_level(notify)
                        >
                            <span class="check" aria-hidden="true">{(current == notify).then_some("✓")}</span>
                            {label}
                        </button>
                    })
                    .collect_view()}
                </div>
            }
        })
    };
    let may_set_topic = move || chat.read(Part::Rooms, Chat::may_set_topic);
    let edit_topic = move |_| {
        let now = chat.read_untracked(|c| c.current_room().map(|r| r.topic.to_string()));
        let asked = window()
            .prompt_with_message_and_default(
                "The room's topic (empty for none)",
                &now.unwrap_or_default(),
            )
            .ok()
            .flatten();
        if let Some(topic) = asked {
            match chat.read_untracked(|c| c.set_topic(topic)) {
                Ok(frame) => socket.send(frame),
                Err(problem) => {
                    chat.update(|c| c.tell(problem));
                }
            }
        }
        close();
    };
    let menu = move || {
        open.get().then(|| {
            view! {
                <div
                    class="menu down room-menu-items"
                    role="menu"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    <button role="menuitem" class="mark-read" on:click=mark_read>"Mark as read"</button>
                    {move || may_set_topic().then(|| view! {
                        <button role="menuitem" class="edit-topic" on:click=edit_topic>"Edit topic…"</button>
                    })}
                    {levels}
                </div>
            }
        })
    };
    view! {
        <div class="message-menu room-menu">
            <button
                class="icon more room-more"
                node_ref=toggle
                aria-label="Room options"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                "⋯"
            </button>
            {menu}
        </div>
    }
}
