use confab_shared::UserName;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::use_chat;

/// A box in the room's header to make someone (an account, by username) a member of
/// the current room.
#[component]
pub fn Invite() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let invite = move |ev: SubmitEvent| {
        ev.prevent_default();
        match UserName::new(draft.get_untracked().trim()) {
            Ok(user) => {
                let frame = chat.read_untracked(|c| c.invite(user));
                socket.send(frame);
                set_draft.set(String::new());
                set_problem.set(None);
            }
            Err(e) => set_problem.set(Some(e.to_string())),
        }
    };
    view! {
        <form class="invite" on:submit=invite>
            <label for="invite-name" class="visually-hidden">"Invite by username"</label>
            <input
                id="invite-name"
                placeholder="Invite by username"
                maxlength="32"
                autocomplete="off"
                prop:value=draft
                on:input=move |ev| {
                    set_draft.set(event_target_value(&ev));
                    set_problem.set(None);
                }
            />
            <button type="submit">"Invite"</button>
            {move || problem.get().map(|p| view! { <span class="hint problem">{p}</span> })}
        </form>
    }
}
