use confab_shared::{RoomName, Topic};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::use_chat;

/// Making a room, on purpose: a "New room" button in the sidebar opens a small form
/// (name, topic, public or private). The room opens once the server has made it; a
/// taken name is said in the notice.
#[component]
pub fn NewRoom(
    /// Guests may make public rooms only.
    guest: bool,
    /// Called once the request is sent (the phone's menu closes).
    on_done: Callback<()>,
) -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    let (name, set_name) = signal(String::new());
    let (topic, set_topic) = signal(String::new());
    let (private, set_private) = signal(false);
    let (problem, set_problem) = signal(None::<String>);
    let reset = move || {
        set_name.set(String::new());
        set_topic.set(String::new());
        set_private.set(false);
        set_problem.set(None);
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = name
            .get_untracked()
            .trim()
            .trim_start_matches('#')
            .to_lowercase();
        let room = match RoomName::new(typed) {
            Ok(room) => room,
            Err(e) => return set_problem.set(Some(e.to_string())),
        };
        let about = topic.get_untracked();
        let about = match about.trim() {
            "" => Topic::default(),
            text => match Topic::new(text) {
                Ok(topic) => topic,
                Err(e) => return set_problem.set(Some(e.to_string())),
            },
        };
        let private = private.get_untracked() && !guest;
        if let Some(frame) = chat
            .update(|c| c.create_room(room, about, private))
            .flatten()
        {
            socket.send(frame);
        }
        reset();
        set_open.set(false);
        on_done.run(());
    };
    let cancel = move |_| {
        reset();
        set_open.set(false);
    };
    view! {
        <button
            type="button"
            class="new-room-toggle"
            aria-expanded=move || open.get().to_string()
            aria-controls="new-room"
            on:click=move |_| set_open.update(|o| *o = !*o)
        >
            <span aria-hidden="true">"+"</span>
            " New room"
        </button>
        <Show when=move || open.get()>
            <form id="new-room" class="new-room" on:submit=submit>
                <label for="new-room-name">"Name"</label>
                <input
                    id="new-room-name"
                    maxlength="33"
                    autocomplete="off"
                    required
                    autofocus
                    aria-describedby="new-room-hint"
                    placeholder="e.g. plans"
                    prop:value=name
                    on:input=move |ev| {
                        set_name.set(event_target_value(&ev));
                        set_problem.set(None);
                    }
                />
                <label for="new-room-topic">"Topic " <span class="optional">"(optional)"</span></label>
                <input
                    id="new-room-topic"
                    maxlength="200"
                    autocomplete="off"
                    prop:value=topic
                    on:input=move |ev| {
                        set_topic.set(event_target_value(&ev));
                        set_problem.set(None);
                    }
                />
                <fieldset class="visibility">
                    <legend class="visually-hidden">"Who can join"</legend>
                    <label>
                        <input
                            type="radio"
                            name="new-room-visibility"
                            value="public"
                            prop:checked=move || !private.get()
                            on:change=move |_| set_private.set(false)
                        />
                        "Public"
                    </label>
                    {(!guest).then(|| view! {
                        <label>
                            <input
                                type="radio"
                                name="new-room-visibility"
                                value="private"
                                id="new-room-private"
                                prop:checked=move || private.get()
                                on:change=move |_| set_private.set(true)
                            />
                            "Private"
                        </label>
                    })}
                </fieldset>
                <p id="new-room-hint" class="hint" class:problem=move || problem.get().is_some()>
                    {move || problem.get().unwrap_or_else(|| {
                        if private.get() {
                            "Only people you invite can see it.".to_owned()
                        } else {
                            "Anyone here can find and join it.".to_owned()
                        }
                    })}
                </p>
                <div class="new-room-buttons">
                    <button type="submit" class="create">"Create room"</button>
                    <button type="button" class="cancel" on:click=cancel>"Cancel"</button>
                </div>
            </form>
        </Show>
    }
}
