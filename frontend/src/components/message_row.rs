use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::message_menu::MessageMenu;
use super::{tone_of, use_chat};
use crate::model::{Delivery, Row};

/// One message. The body is a text node: whatever it contains is shown, never run.
#[component]
pub fn MessageRow(row: Row) -> impl IntoView {
    if row.note {
        return view! { <Note row /> }.into_any();
    }
    let (chat, socket) = use_chat();
    let tone = format!("msg {}", tone_of(row.author.as_str()));
    let initial = row
        .author
        .as_str()
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string());
    let time = row.ts.as_deref().map(local_time).unwrap_or_default();
    let client_id = row.client_id.clone();
    let retry = move |_| {
        if let Some(frame) = chat.try_update(|c| c.retry(&client_id)).flatten() {
            socket.send(frame);
        }
    };
    let pending = row.delivery.is_some();
    let guest = chat.with_untracked(|c| c.is_guest());
    let menu = row.id.map(|id| {
        view! {
            <MessageMenu
                id
                author=row.author.clone()
                author_id=row.author_id.clone()
                mine=row.mine
                guest
            />
        }
    });
    let collapsed = row.collapsed;
    let reveal = move |_| {
        if let Some(id) = row.id {
            chat.update(|c| c.reveal(id));
        }
    };
    let state = match row.delivery {
        None if row.mine => Some(
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
                    <button class="link" on:click=retry>"Retry"</button>
                </span>
            }
            .into_any(),
        ),
    };
    view! {
        <article
            class=tone
            class:continued=!row.starts_group
            class:pending=pending
            data-seq=row.seq
        >
            <div class="gutter" aria-hidden="true">
                {row.starts_group.then(|| view! { <span class="avatar">{initial}</span> })}
            </div>
            <div class="content">
                {row.starts_group.then(|| view! {
                    <header>
                        <span class="author">{row.author.to_string()}</span>
                        <time datetime=row.ts.clone().unwrap_or_default()>{time.clone()}</time>
                    </header>
                })}
                {if collapsed {
                    view! {
                        <p class="body collapsed">
                            "A message from someone you blocked. "
                            <button class="link" on:click=reveal>"Show"</button>
                        </p>
                    }
                    .into_any()
                } else {
                    view! { <p class="body">{row.body.to_string()}</p> }.into_any()
                }}
            </div>
            <div class="state">{state} {menu}</div>
        </article>
    }
    .into_any()
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

/// "14:05" in the reader's time zone, from an RFC 3339 time.
fn local_time(ts: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(ts));
    if date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
