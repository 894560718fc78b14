use leptos::html::Div;
use leptos::prelude::*;

use super::message_row::MessageRow;
use super::use_chat;
use crate::model::Chat;

/// How close to the bottom (px) counts as "reading the newest": new messages then
/// scroll into view; otherwise the reader's place is kept.
const STICK_PX: i32 = 48;

/// The current room's messages, oldest at the top.
#[component]
pub fn MessageList() -> impl IntoView {
    let (chat, socket) = use_chat();
    let list = NodeRef::<Div>::new();
    let (at_bottom, set_at_bottom) = signal(true);

    // When the room or its newest line changes, keep the newest in view if the reader
    // was there (always after switching rooms).
    let tail = Memo::new(move |_| {
        chat.with(|c| {
            let newest = c.current_room().map(|r| (r.last_seq, r.pending.len()));
            (c.current.clone(), newest)
        })
    });
    let mut shown_room = None;
    Effect::new(move |_| {
        let (room, _) = tail.get();
        let switched = shown_room.as_ref() != Some(&room);
        shown_room = Some(room);
        if switched || at_bottom.get_untracked() {
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                }
            });
        }
    });

    let on_scroll = move |_| {
        if let Some(el) = list.get_untracked() {
            let gap = el.scroll_height() - el.scroll_top() - el.client_height();
            set_at_bottom.set(gap < STICK_PX);
        }
    };
    let load_earlier = move |_| {
        if let Some(frame) = chat.try_update(Chat::load_earlier).flatten() {
            socket.send(frame);
        }
    };
    let has_earlier = move || chat.with(|c| c.current_room().is_some_and(|r| r.has_earlier()));
    let loading = move || chat.with(|c| c.current_room().is_some_and(|r| r.loading_earlier));
    let empty = move || {
        chat.with(|c| {
            c.current_room()
                .is_none_or(|r| r.messages.is_empty() && r.pending.is_empty())
        })
    };
    let notice = move || chat.with(|c| c.notice.clone());

    view! {
        <div
            class="messages"
            role="log"
            aria-live="polite"
            aria-label="Messages"
            tabindex="0"
            node_ref=list
            on:scroll=on_scroll
        >
            {move || notice().map(|text| view! {
                <div class="notice" role="alert">
                    <span>{text}</span>
                    <button class="link" on:click=move |_| chat.update(|c| c.notice = None)>"Dismiss"</button>
                </div>
            })}
            <Show when=has_earlier>
                <button class="load-earlier" on:click=load_earlier disabled=loading>
                    {move || if loading() { "Loading…" } else { "Load earlier messages" }}
                </button>
            </Show>
            <Show when=empty>
                <div class="empty">
                    <p class="empty-title">"No messages here yet"</p>
                    <p>"Say hello — everyone in this room sees it instantly."</p>
                </div>
            </Show>
            <For
                each=move || chat.with(Chat::rows)
                key=|row| (row.key.clone(), row.delivery.clone(), row.starts_group, row.missing_before)
                children=move |row| view! { <MessageRow row /> }
            />
        </div>
    }
}
