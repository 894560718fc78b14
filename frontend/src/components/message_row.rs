use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::edit_box::EditBox;
use super::formatted::formatted;
use super::message_menu::MessageMenu;
use super::presence::PresenceDot;
use super::reactions::{ReactionChips, ReactionPicker};
use super::threads::{ReplyButton, ThreadLink};
use super::{tone_of, use_chat};
use crate::markdown;
use crate::model::{Delivery, Row, is_tombstone};

/// One line of the list: a message, or a line about the room. Its parts follow the
/// line's own signal, each only when its value changes (sent, stored, grouped,
/// collapsed); the body is formatted (`formatted.rs`) into DOM nodes whose text is
/// text nodes: whatever it contains is shown, never run.
#[component]
pub fn MessageRow(row: ArcRwSignal<Row>) -> impl IntoView {
    let first = row.get_untracked();
    if is_tombstone(&first) {
        return view! { <Tombstone row /> }.into_any();
    }
    if first.note {
        return view! { <Note row=first /> }.into_any();
    }
    let (chat, socket) = use_chat();
    let starts_group = part(&row, |r| r.starts_group);
    let delivery = part(&row, |r| r.delivery.clone());
    let stored = part(&row, |r| (r.id, r.seq, r.ts.clone()));
    let collapsed = part(&row, |r| r.collapsed);
    let first_new = part(&row, |r| r.first_new);
    let found = part(&row, |r| r.found);

    let tone = format!("msg {}", tone_of(first.author.as_str()));
    let initial = first
        .author
        .as_str()
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string());
    let client_id = first.client_id.clone();
    let retry = move |_| {
        if let Some(frame) = chat.update(|c| c.retry(&client_id)).flatten() {
            socket.send(frame);
        }
    };
    let guest = chat.read_untracked(|c| c.is_guest());
    let (author, author_id, mine) = (first.author.clone(), first.author_id.clone(), first.mine);
    let menu = move || {
        let (id, seq, _) = stored.get();
        id.map(|id| {
            view! {
                <ReactionPicker id />
                <ReplyButton id />
                <MessageMenu id seq author=author.clone() author_id=author_id.clone() mine guest />
            }
        })
    };
    let chips = part(&row, |r| r.reactions.clone());
    let reactions = move || {
        stored
            .get()
            .0
            .map(|id| view! { <ReactionChips id chips /> })
    };
    // A root's replies, or the thread a reply also sent here is in.
    let thread = part(&row, |r| (r.thread.clone(), r.thread_unread));
    let thread_line = move || {
        let id = stored.get().0?;
        let (thread, unread) = thread.get();
        let thread = thread.filter(|t| t.is_reply(id) || t.replies > 0)?;
        Some(view! { <ThreadLink id thread unread /> })
    };
    let reveal = move |_| {
        if let Some(id) = stored.get_untracked().0 {
            chat.update(|c| c.reveal(id));
        }
    };
    let state = move || {
        match delivery.get() {
        None if mine => Some(
            view! { <span class="delivery sent" title="Sent">"✓"<span class="visually-hidden">" Sent"</span></span> }
                .into_any(),
        ),
        None => None,
        Some(Delivery::Sending) => {
            Some(view! { <span class="delivery">"Sending…"</span> }.into_any())
        }
        Some(Delivery::Failed(reason)) => Some(
            view! {
                <span class="delivery failed">
                    "Not sent: " {reason} " "
                    <button class="link" on:click=retry.clone()>"Retry"</button>
                </span>
            }
            .into_any(),
        ),
    }
    };
    let name = first.author.to_string();
    // Presence is for accounts (a guest's id starts with `guest:`), others' alone.
    let dot_for =
        (!mine && !first.author_id.as_str().starts_with("guest:")).then(|| first.author_id.clone());
    let header = move || {
        starts_group.get().then(|| {
            let ts = stored.with(|s| s.2.clone()).unwrap_or_default();
            let time = local_time(&ts);
            let dot = dot_for
                .clone()
                .map(|user_id| view! { <PresenceDot user_id /> });
            view! {
                <header>
                    <span class="author">{name.clone()}</span>
                    {dot}
                    <time datetime=ts>{time}</time>
                </header>
            }
        })
    };
    // `@name`s picked out, this person's own the strongest; the rest is text nodes.
    // An edit changes the text (and says so).
    let me = chat.read_untracked(|c| c.me.clone());
    let said = part(&row, |r| (r.body.clone(), r.edited));
    let editing = part(&row, |r| r.editing);
    let text = move || {
        if editing.get() {
            view! { <EditBox body=said.get_untracked().0 /> }.into_any()
        } else if collapsed.get() {
            view! {
                <p class="body collapsed">
                    "A message from someone you blocked. "
                    <button class="link" on:click=reveal>"Show"</button>
                </p>
            }
            .into_any()
        } else {
            let (body, edited) = said.get();
            let body = formatted(&markdown::parse(body.as_str()), &me);
            let edited = edited.then(|| view! { <span class="edited">" (edited)"</span> });
            view! { <div class="body">{body} {edited}</div> }.into_any()
        }
    };
    view! {
        <article
            class=tone
            class:first-new=move || first_new.get()
            class:found=move || found.get()
            class:mentions-me=first.mentions_me
            class:continued=move || !starts_group.get()
            class:pending=move || delivery.with(Option::is_some)
            data-seq=move || stored.with(|s| s.1)
        >
            <div class="gutter" aria-hidden="true">
                {move || starts_group.get().then(|| view! { <span class="avatar">{initial.clone()}</span> })}
            </div>
            <div class="content">{header} {text} {reactions} {thread_line}</div>
            <div class="state">{state} {menu}</div>
        </article>
    }
    .into_any()
}

/// One part of a line, notifying only when it changes.
fn part<T>(row: &ArcRwSignal<Row>, f: fn(&Row) -> T) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    let row = row.clone();
    Memo::new(move |_| row.with(f))
}

/// A line about the room between its messages: "ann kicked bob".
#[component]
fn Note(row: Row) -> impl IntoView {
    let time = row.ts.as_deref().map(local_time).unwrap_or_default();
    view! {
        <div class="room-note" role="note" data-seq=row.seq>
            <span>{row.body.to_string()}</span>
            <time datetime=row.ts.clone().unwrap_or_default()>{time}</time>
        </div>
    }
}

/// The place kept for a deleted root whose thread still has replies: it says so,
/// and opens the thread as the root did.
#[component]
fn Tombstone(row: ArcRwSignal<Row>) -> impl IntoView {
    let first = row.get_untracked();
    let thread = part(&row, |r| (r.thread.clone(), r.thread_unread));
    let id = first.id;
    let thread_line = move || {
        let id = id?;
        let (thread, unread) = thread.get();
        let thread = thread.filter(|t| t.replies > 0)?;
        Some(view! { <ThreadLink id thread unread /> })
    };
    view! {
        <article class="msg tombstone" data-seq=first.seq>
            <div class="gutter" aria-hidden="true"><span class="avatar">"×"</span></div>
            <div class="content">
                <div class="body deleted">{first.body.to_string()}</div>
                {thread_line}
            </div>
        </article>
    }
}

/// "14:05" in the reader's time zone, from an RFC 3339 time.
pub(super) fn local_time(ts: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(ts));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
