//! "Browse rooms": a dialog listing the public rooms (name, topic, how many
//! members; most members first), filtered as one types (asked again a moment after
//! the last key), each joined in one click (a room already open here is opened).

use std::time::Duration;

use confab_shared::RoomName;
use leptos::html::Input;
use leptos::prelude::*;

use super::use_chat;
use crate::model::Found;
use crate::state::Part;

/// How long (ms) after the last key the list is asked for again.
const DEBOUNCE_MS: u64 = 250;

#[component]
pub fn RoomBrowser(on_done: Callback<()>) -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    let field = NodeRef::<Input>::new();
    let toggle = NodeRef::<leptos::html::Button>::new();
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let ask = move |query: String| {
        socket.send(chat.read_untracked(|c| c.browse(&query)));
    };
    let show = move |_| {
        ask(String::new());
        set_open.set(true);
        request_animation_frame(move || {
            if let Some(input) = field.get_untracked() {
                let _ = input.focus();
            }
        });
    };
    let close = move || {
        set_open.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    let typed = move |query: String| {
        if let Some(handle) = waiting.get_value() {
            handle.clear();
        }
        let later = set_timeout_with_handle(move || ask(query), Duration::from_millis(DEBOUNCE_MS));
        waiting.set_value(later.ok());
    };
    let join = move |room: RoomName| {
        if let Some(frame) = chat.update(|c| c.open_room(room)).flatten() {
            socket.send(frame);
        }
        set_open.set(false);
        on_done.run(());
    };
    let found = move || {
        chat.track(Part::Rooms);
        chat.read(Part::Browsing, |c| c.found_rooms())
    };
    let list = move || match found() {
        None => view! { <p class="hint">"Loading…"</p> }.into_any(),
        Some(rooms) if rooms.is_empty() => {
            view! { <p class="hint">"No public room matches."</p> }.into_any()
        }
        Some(rooms) => view! {
            <ul class="found-rooms">
                {rooms.into_iter().map(|line| view! { <FoundLine line join /> }).collect_view()}
            </ul>
        }
        .into_any(),
    };
    view! {
        <button
            type="button"
            class="browse-rooms-toggle"
            node_ref=toggle
            aria-haspopup="dialog"
            on:click=show
        >
            <span aria-hidden="true">"⌕"</span>
            " Browse rooms"
        </button>
        {move || open.get().then(|| view! {
            <div class="backdrop" on:click=move |ev| {
                if ev.target() == ev.current_target() {
                    close();
                }
            }>
                <div
                    class="dialog room-browser"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="room-browser-title"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    <header>
                        <h2 id="room-browser-title">"Browse rooms"</h2>
                        <button class="icon" aria-label="Close" on:click=move |_| close()>"✕"</button>
                    </header>
                    <label for="room-browser-query" class="visually-hidden">"Search rooms by name or topic"</label>
                    <input
                        id="room-browser-query"
                        type="search"
                        placeholder="Search by name or topic"
                        autocomplete="off"
                        node_ref=field
                        on:input=move |ev| typed(event_target_value(&ev))
                    />
                    {list}
                </div>
            </div>
        })}
    }
}

#[component]
fn FoundLine(line: Found, join: impl Fn(RoomName) + Copy + Send + Sync + 'static) -> impl IntoView {
    let members = match line.members {
        1 => "1 member".to_owned(),
        n => format!("{n} members"),
    };
    let room = line.room.clone();
    let verb = if line.open { "Open" } else { "Join" };
    view! {
        <li>
            <div class="found-text">
                <span class="found-name"><span aria-hidden="true">"#"</span>{line.room.to_string()}</span>
                {(!line.topic.as_str().is_empty()).then(|| view! {
                    <span class="found-topic">{line.topic.to_string()}</span>
                })}
            </div>
            <span class="found-members">{members}</span>
            <button class="join-found" on:click=move |_| join(room.clone())>
                {verb}
                <span class="visually-hidden">{format!(" #{}", line.room)}</span>
            </button>
        </li>
    }
}
