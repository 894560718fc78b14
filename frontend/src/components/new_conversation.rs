use confab_shared::UserName;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::use_chat;
use crate::model::{MAX_OTHERS, parse_people, suggestions};

/// Starting a private conversation: a "New message" button opens a small form with
/// the people to write to (usernames, separated by commas or spaces for a group),
/// completing the names this page has seen. The conversation opens once the server
/// answers; a refusal (no such account) is said in the notice.
#[component]
pub fn NewConversation(
    /// Called once the request is sent (the phone's menu closes).
    on_done: Callback<()>,
) -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    let (to, set_to) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    // The names the page knows, read when the form opens (not on every keystroke).
    let known = StoredValue::new(Vec::<UserName>::new());
    let toggle = move |_| {
        if !open.get_untracked() {
            known.set_value(chat.read_untracked(|c| c.known_people()));
        }
        set_open.update(|o| *o = !*o);
    };
    let close = move || {
        set_to.set(String::new());
        set_problem.set(None);
        set_open.set(false);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let me = chat.read_untracked(|c| c.me.clone());
        let people = match parse_people(&to.get_untracked(), &me) {
            Ok(people) => people,
            Err(why) => return set_problem.set(Some(why)),
        };
        if let Some(frame) = chat.update(|c| c.start_conversation(people)).flatten() {
            socket.send(frame);
        }
        close();
        on_done.run(());
    };
    let options = move || {
        to.with(|typed| known.with_value(|names| suggestions(typed, names)))
            .into_iter()
            .map(|value| view! { <option value=value></option> })
            .collect_view()
    };
    view! {
        <button
            type="button"
            class="new-conversation-toggle"
            aria-expanded=move || open.get().to_string()
            aria-controls="new-conversation"
            on:click=toggle
        >
            <span aria-hidden="true">"+"</span>
            " New message"
        </button>
        <Show when=move || open.get()>
            <form id="new-conversation" class="new-room" on:submit=submit>
                <label for="new-conversation-to">"To"</label>
                <input
                    id="new-conversation-to"
                    list="known-people"
                    autocomplete="off"
                    required
                    autofocus
                    aria-describedby="new-conversation-hint"
                    placeholder="e.g. bob, or bob cat"
                    prop:value=to
                    on:input=move |ev| {
                        set_to.set(event_target_value(&ev));
                        set_problem.set(None);
                    }
                />
                <datalist id="known-people">{options}</datalist>
                <p id="new-conversation-hint" class="hint" class:problem=move || problem.get().is_some()>
                    {move || problem.get().unwrap_or_else(|| {
                        format!("Usernames, separated by commas or spaces (up to {MAX_OTHERS}). Only you and them can read it.")
                    })}
                </p>
                <div class="new-room-buttons">
                    <button type="submit" class="create">"Start"</button>
                    <button type="button" class="cancel" on:click=move |_| close()>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}
