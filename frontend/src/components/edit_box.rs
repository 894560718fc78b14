use confab_shared::MessageBody;
use leptos::ev::KeyboardEvent;
use leptos::html::Textarea;
use leptos::prelude::*;

use super::composer::written;
use super::use_chat;

/// A message of one's own, open for editing in its row: Enter saves, Shift+Enter
/// starts a new line, Escape cancels. The text changes when the server's
/// `message_edited` comes back, in this tab as in every other.
#[component]
pub fn EditBox(body: MessageBody) -> impl IntoView {
    let (chat, socket) = use_chat();
    let (draft, set_draft) = signal(body.to_string());
    let (problem, set_problem) = signal(None::<String>);
    let input = NodeRef::<Textarea>::new();
    // Focused, with the caret at the end, as it opens.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
            let end = u32::try_from(el.value().len()).unwrap_or(u32::MAX);
            let _ = el.set_selection_range(end, end);
        }
    });
    let save = move || {
        let text = draft.get_untracked();
        let (client_id, body) = match written(text) {
            Ok(written) => written,
            Err(problem) => return set_problem.set(Some(problem)),
        };
        if let Some(frame) = chat.update(|c| c.save_edit(client_id, body)).flatten() {
            socket.send(frame);
        }
    };
    let cancel = move || {
        chat.update(|c| c.stop_editing());
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            save();
        }
        "Escape" => {
            ev.prevent_default();
            cancel();
        }
        _ => {}
    };
    view! {
        <form class="edit-box" on:submit=move |ev| {
            ev.prevent_default();
            save();
        }>
            <label class="visually-hidden" for="edit-message">"Edit message"</label>
            <textarea
                id="edit-message"
                rows="2"
                node_ref=input
                prop:value=draft
                on:input=move |ev| {
                    set_draft.set(event_target_value(&ev));
                    set_problem.set(None);
                }
                on:keydown=on_keydown
            ></textarea>
            <div class="edit-actions">
                <span class="hint" class:problem=move || problem.get().is_some()>
                    {move || problem.get().unwrap_or_else(|| "Enter to save · Escape to cancel".to_owned())}
                </span>
                <button type="button" class="link" on:click=move |_| cancel()>"Cancel"</button>
                <button type="submit" class="primary small">"Save"</button>
            </div>
        </form>
    }
}
