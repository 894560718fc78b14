//! The room header's "⋯" menu: what concerns the room being read as a whole ("Mark
//! as read"). A real button and a list of buttons, so Tab, Enter and Escape work.

use leptos::prelude::*;

use super::use_chat;
use crate::model::Chat;

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
        if let Some(frame) = chat.update(Chat::mark_read).flatten() {
            socket.send(frame);
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
