//! A message's reactions: a chip per emoji under its text (how many; one's own
//! highlighted; who, on hover or focus), which adds or takes away one's own on a
//! click, and the picker beside the message's menu: the common ones, or any emoji
//! typed in.

use confab_shared::{Emoji, MessageId};
use leptos::prelude::*;

use super::composer::new_client_id;
use super::use_chat;
use crate::model::Chip;
use crate::socket::Socket;
use crate::state::ChatState;

/// What the picker offers first.
const COMMON: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "👀", "✅"];

/// Sends this person's click on `emoji` of message `id` (adds it, or takes theirs
/// away).
fn toggle(chat: ChatState, socket: &Socket, id: MessageId, emoji: Emoji) {
    let Some(client_id) = new_client_id() else {
        chat.update(|c| c.tell("this browser cannot make message ids".to_owned()));
        return;
    };
    if let Some(frame) = chat
        .update(|c| c.toggle_reaction(id, emoji, client_id))
        .flatten()
    {
        socket.send(frame);
    }
}

/// The chips under a message.
#[component]
pub fn ReactionChips(id: MessageId, chips: Memo<Vec<Chip>>) -> impl IntoView {
    let (chat, socket) = use_chat();
    move || {
        let chips = chips.get();
        (!chips.is_empty()).then(|| {
            let list = chips
                .into_iter()
                .map(|chip| {
                    let Chip {
                        emoji,
                        count,
                        mine,
                        who,
                    } = chip;
                    let label = format!("{emoji} {count}: {who}");
                    let click = {
                        let emoji = emoji.clone();
                        move |_| toggle(chat, &socket, id, emoji.clone())
                    };
                    view! {
                        <button
                            class="chip"
                            class:mine=mine
                            aria-pressed=mine.to_string()
                            aria-label=label
                            data-who=who
                            on:click=click
                        >
                            <span class="emoji">{emoji.to_string()}</span>
                            <span class="count">{count}</span>
                        </button>
                    }
                })
                .collect_view();
            view! { <div class="reactions" role="group" aria-label="Reactions">{list}</div> }
        })
    }
}

/// The "add a reaction" button and its picker.
#[component]
pub fn ReactionPicker(id: MessageId) -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    // Opens downward from a message in the top half of the window, else upward, as
    // the message's menu does.
    let (upward, set_upward) = signal(true);
    let (typed, set_typed) = signal(String::new());
    let (hint, set_hint) = signal(None::<String>);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        set_open.set(false);
        set_typed.set(String::new());
        set_hint.set(None);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let pick = move |emoji: Emoji| {
        toggle(chat, &socket, id, emoji);
        close();
    };
    let common = move || {
        COMMON
            .iter()
            .filter_map(|e| Emoji::new(*e).ok())
            .map(|emoji| {
                let label = format!("React with {emoji}");
                view! {
                    <button role="menuitem" aria-label=label on:click=move |_| pick(emoji.clone())>
                        {emoji.to_string()}
                    </button>
                }
            })
            .collect_view()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match Emoji::new(typed.get_untracked().trim()) {
            Ok(emoji) => pick(emoji),
            Err(e) => set_hint.set(Some(e.to_string())),
        }
    };
    view! {
        <div class="reaction-picker">
            <button
                class="icon react"
                node_ref=button
                aria-label="Add a reaction"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    if let Some(button) = button.get_untracked() {
                        let top = button.get_bounding_client_rect().top();
                        let height = window().inner_height().ok().and_then(|h| h.as_f64());
                        set_upward.set(height.is_none_or(|h| top > h / 2.0));
                    }
                    set_open.update(|o| *o = !*o);
                }
            >
                "☺"
            </button>
            <Show when=move || open.get()>
                <div
                    class="menu picker"
                    class:down=move || !upward.get()
                    role="menu"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    <div class="common">{common()}</div>
                    <form on:submit=submit>
                        <input
                            aria-label="Any emoji"
                            placeholder="Any emoji…"
                            maxlength="16"
                            prop:value=move || typed.get()
                            on:input=move |ev| set_typed.set(event_target_value(&ev))
                        />
                    </form>
                    {move || hint.get().map(|h| view! { <p class="hint problem">{h}</p> })}
                </div>
            </Show>
        </div>
    }
}
