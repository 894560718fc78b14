//! The members list's paging: a search box (names beginning with what is typed,
//! asked again 250 ms after the last key) above it, and "Show more" below it while
//! the server holds more.

use std::time::Duration;

use leptos::prelude::*;

use super::use_chat;
use crate::model::Chat;
use crate::state::Part;

/// How long (ms) after the last key the list is asked for again.
const DEBOUNCE_MS: u64 = 250;

#[component]
pub fn MembersSearch() -> impl IntoView {
    let (chat, socket) = use_chat();
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let typed = move |query: String| {
        if let Some(handle) = waiting.get_value() {
            handle.clear();
        }
        let later = set_timeout_with_handle(
            move || {
                if let Some(frame) = chat.update(|c| c.search_members(&query)) {
                    socket.send(frame);
                }
            },
            Duration::from_millis(DEBOUNCE_MS),
        );
        waiting.set_value(later.ok());
    };
    let query = chat.read_untracked(|c| {
        c.current_room()
            .map(|r| r.paging.query.clone())
            .unwrap_or_default()
    });
    view! {
        <label for="members-query" class="visually-hidden">"Search members by name"</label>
        <input
            id="members-query"
            class="members-query"
            type="search"
            placeholder="Search members"
            autocomplete="off"
            prop:value=query
            on:input=move |ev| typed(event_target_value(&ev))
        />
    }
}

#[component]
pub fn ShowMore() -> impl IntoView {
    let (chat, socket) = use_chat();
    let more = move |_| {
        if let Some(frame) = chat.update(Chat::more_members).flatten() {
            socket.send(frame);
        }
    };
    move || {
        chat.read(Part::Members, Chat::members_has_more).then(|| {
            view! { <button class="link show-more" on:click=more>"Show more"</button> }
        })
    }
}
