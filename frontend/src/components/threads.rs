//! Threads on the page: under a root, its count of replies and when the last came
//! (a button that opens it); on a reply also sent to the room, a link to its thread;
//! the "Reply in thread" button of each message; and the thread's panel beside the
//! list: its root, its replies, and a box of its own that can also send to the room.

use confab_shared::{MessageBody, MessageId, Thread};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;

use super::composer::{format_key, taken};
use super::mention_offer::{MentionList, MentionOffer};
use super::message_row::{MessageRow, local_time};
use super::row_signals::RowSignals;
use super::use_chat;
use crate::model::Chat;
use crate::state::Part;

/// What a line says of its thread: on a root, "3 replies · last 14:05"; on a reply
/// also sent to the room, that it is one, with the way to its thread.
#[component]
pub fn ThreadLink(id: MessageId, thread: Thread, unread: u32) -> impl IntoView {
    let (chat, socket) = use_chat();
    let go = move |_| {
        if let Some(frame) = chat.update(|c| c.open_thread(id)).flatten() {
            socket.send(frame);
        }
    };
    if thread.is_reply(id) {
        return view! {
            <p class="thread-of">
                "↳ Replied in a thread · "
                <button class="link" on:click=go>"View thread"</button>
            </p>
        }
        .into_any();
    }
    let count = match thread.replies {
        1 => "1 reply".to_owned(),
        n => format!("{n} replies"),
    };
    let last = thread
        .last_reply_at
        .as_deref()
        .map(|ts| format!("· last {}", local_time(ts)))
        .unwrap_or_default();
    let news = (unread > 0).then(|| crate::model::shown(unread));
    let has_news = news.is_some();
    let label = match &news {
        Some(n) => format!("{count}, {n} new: open the thread"),
        None => format!("{count}: open the thread"),
    };
    view! {
        <button class="thread-link" class:news=has_news on:click=go aria-label=label>
            <span class="replies">{count}</span>
            {news.map(|n| view! { <span class="new">{format!("{n} new")}</span> })}
            <span class="last">{last}</span>
        </button>
    }
    .into_any()
}

/// The "Reply in thread" button beside a message's reaction button.
#[component]
pub fn ReplyButton(id: MessageId) -> impl IntoView {
    let (chat, socket) = use_chat();
    let open = move |_| {
        if let Some(frame) = chat.update(|c| c.open_thread(id)).flatten() {
            socket.send(frame);
        }
    };
    view! {
        <button class="icon reply" aria-label="Reply in thread" title="Reply in thread" on:click=open>
            <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 5h16v10H9l-5 4z" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
            </svg>
        </button>
    }
}

/// The open thread beside the list: its root and replies, earlier ones on asking,
/// and its own message box.
#[component]
pub fn ThreadPanel() -> impl IntoView {
    let (chat, socket) = use_chat();
    let held = StoredValue::new(RowSignals::default());
    let lines = Memo::new(move |_| chat.read(Part::Thread, Chat::thread_rows));
    let keyed = move || {
        let lines = lines.get();
        held.try_update_value(|held| held.sync(lines))
            .unwrap_or_default()
    };
    let room = move || chat.read(Part::Thread, |c| c.thread.as_ref().map(|t| t.room.clone()));
    let state = move || {
        chat.read(Part::Thread, |c| {
            c.thread
                .as_ref()
                .map(|t| (t.loading, t.has_more, t.gone))
                .unwrap_or_default()
        })
    };
    let earlier = move |_| {
        if let Some(frame) = chat.update(Chat::earlier_replies).flatten() {
            socket.send(frame);
        }
    };
    let close = move |_| {
        chat.update(Chat::close_thread);
    };
    view! {
        <aside class="thread-panel" aria-label="Thread">
            <header>
                <h3>"Thread"</h3>
                <span class="thread-room">{move || room().map(|r| format!("#{r}"))}</span>
                <button class="icon" aria-label="Close the thread" on:click=close>"✕"</button>
            </header>
            <div class="thread-lines" role="log" aria-live="polite">
                {move || {
                    // A deleted root's replies stay readable (its place in the list
                    // opened them), earlier ones too.
                    let (loading, has_more, gone) = state();
                    let deleted = gone.then(|| view! { <p class="hint">"This message was deleted."</p> });
                    let more = if loading {
                        Some(view! { <p class="hint">"Loading…"</p> }.into_any())
                    } else if has_more {
                        Some(view! { <button class="link earlier" on:click=earlier>"Earlier replies"</button> }.into_any())
                    } else {
                        None
                    };
                    view! { {deleted} {more} }
                }}
                <For
                    each=keyed
                    key=|(key, _)| key.clone()
                    children=|(_, row)| view! { <MessageRow row /> }
                />
            </div>
            <ReplyBox />
        </aside>
    }
}

/// The thread's message box: Enter sends, Shift+Enter starts a new line; "Also send
/// to #room" puts the reply in the room's list too.
#[component]
fn ReplyBox() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let (also, set_also) = signal(false);
    let input = NodeRef::<leptos::html::Textarea>::new();
    let offer = MentionOffer::new("reply-mention-offer");
    let put = Callback::new(move |text: String| set_draft.set(text));
    let room = move || {
        chat.read(Part::Thread, |c| {
            c.thread
                .as_ref()
                .map(|t| t.room.to_string())
                .unwrap_or_default()
        })
    };
    let closed = move || chat.read(Part::Thread, |c| c.thread.as_ref().is_none_or(|t| t.gone));
    let send = move || {
        let Some((client_id, body)) = taken(draft, set_problem) else {
            return;
        };
        let in_room = also.get_untracked();
        if let Some(frame) = chat
            .update(|c| c.queue_reply(client_id, body, in_room))
            .flatten()
        {
            socket.send(frame);
        }
        set_draft.set(String::new());
        set_problem.set(None);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // As in the room's box: `@` offers names, Ctrl+B and Ctrl+I format.
        if let Some(el) = input.get_untracked()
            && offer.key(&ev, &el, |t| put.run(t))
        {
            return;
        }
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
            return;
        }
        format_key(&ev, input, set_draft);
    };
    let too_long = move || draft.with(|d| d.chars().count() > MessageBody::MAX_CHARS);
    view! {
        <form class="composer reply-box" on:submit=on_submit>
            <label for="reply" class="visually-hidden">"Reply"</label>
            <MentionList offer input put />
            <textarea
                id="reply"
                rows="2"
                placeholder="Reply…"
                title="Enter to send · Shift+Enter for a new line · Ctrl+B bold · Ctrl+I italic"
                node_ref=input
                disabled=closed
                prop:value=draft
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    if let Some(el) = input.get_untracked() {
                        offer.typed(chat, &el, &text);
                    }
                    set_draft.set(text);
                    set_problem.set(None);
                }
                on:keydown=on_keydown
                on:blur=move |_| offer.close()
                aria-autocomplete="list"
                aria-controls=move || offer.controls()
                aria-activedescendant=move || offer.active()
            ></textarea>
            <button type="submit" class="send" aria-label="Send reply" disabled=move || closed() || draft.with(|d| d.trim().is_empty())>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z" /></svg>
            </button>
        </form>
        <label class="also-in-room">
            <input type="checkbox" prop:checked=also on:change=move |ev| set_also.set(event_target_checked(&ev)) />
            {move || format!(" Also send to #{}", room())}
        </label>
        {move || {
            let text = match problem.get() {
                Some(p) => Some(p),
                None if too_long() => Some(format!("{} characters at most", MessageBody::MAX_CHARS)),
                None => None,
            };
            text.map(|t| view! { <p class="hint problem">{t}</p> })
        }}
    }
}
