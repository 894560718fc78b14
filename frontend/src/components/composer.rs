use confab_shared::{ClientId, MessageBody};
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html::Textarea;
use leptos::prelude::*;

use super::mention_offer::{MentionList, MentionOffer};
use super::typing::TypingLine;
use super::use_chat;
use crate::state::Part;

/// The message box: Enter sends, Shift+Enter starts a new line.
#[component]
pub fn Composer() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let input = NodeRef::<Textarea>::new();
    let offer = MentionOffer::new("mention-offer");
    let put = Callback::new(move |text: String| set_draft.set(text));

    let send = move || {
        let Some((client_id, body)) = taken(draft, set_problem) else {
            return;
        };
        if let Some(frame) = chat.update(|c| c.queue_send(client_id, body)).flatten() {
            socket.send(frame);
        }
        set_draft.set(String::new());
        set_problem.set(None);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        send();
        if let Some(el) = input.get_untracked() {
            let _focused = el.focus();
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        // Names offered for an `@`: arrows, Tab and Enter are the list's.
        if let Some(el) = input.get_untracked()
            && offer.key(&ev, &el, |t| put.run(t))
        {
            return;
        }
        // is_composing: Enter that confirms an IME candidate is not "send".
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
        if format_key(&ev, input, set_draft) {
            return;
        }
        // Up arrow in an empty box: edit one's last message.
        if ev.key() == "ArrowUp"
            && draft.with_untracked(|d| d.is_empty())
            && chat.update(|c| c.edit_last()).unwrap_or(false)
        {
            ev.prevent_default();
        }
    };
    // Muted by a moderator: the box says so instead of taking messages to refuse.
    let muted =
        Memo::new(move |_| chat.read(Part::Rooms, |c| c.current_room().is_some_and(|r| r.muted)));
    let placeholder = move || {
        chat.track(Part::Conversations);
        chat.read(Part::Rooms, |c| {
            if muted.get() {
                format!("A moderator muted you in #{}", c.current)
            } else if c.in_conversation() {
                format!("Message {}", c.title(&c.current))
            } else {
                format!("Message #{}", c.current)
            }
        })
    };
    let too_long = move || draft.with(|d| d.chars().count() > MessageBody::MAX_CHARS);

    view! {
        <form class="composer" on:submit=on_submit>
            <label for="message" class="visually-hidden">"Message"</label>
            <MentionList offer input put />
            <textarea
                id="message"
                rows="1"
                placeholder=placeholder
                aria-describedby="composer-hint"
                node_ref=input
                disabled=move || muted.get()
                prop:value=draft
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    // Tell the server this person types (now and then), or stopped.
                    let typing = !text.trim().is_empty();
                    let now = js_sys::Date::now() as u64;
                    if let Some(frame) = chat.update(|c| c.typed(typing, now)).flatten() {
                        socket.send(frame);
                    }
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
            <button type="submit" class="send" aria-label="Send" disabled=move || muted.get() || draft.with(|d| d.trim().is_empty())>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5 3 10l12 2-12 2z" /></svg>
            </button>
        </form>
        <TypingLine />
        <p id="composer-hint" class="hint composer-hint" class:problem=move || problem.get().is_some() || too_long()>
            {move || match problem.get() {
                Some(p) => p,
                None if too_long() => format!("{} characters at most", MessageBody::MAX_CHARS),
                None => "Enter to send · Shift+Enter for a new line · Ctrl+B bold · Ctrl+I italic · \
                         `code` · ↑ to edit your last"
                    .to_owned(),
            }}
        </p>
    }
}

/// `text` with `mark` on both sides of the selection from `start` to `end` (in UTF-16
/// units, as a text box counts), and the selection after: the same text, inside the
/// marks; with nothing selected, the caret between them.
pub(super) fn wrapped(text: &str, start: u32, end: u32, mark: &str) -> (String, u32, u32) {
    let byte = |at: u32| {
        let mut units = 0u32;
        for (i, c) in text.char_indices() {
            if units >= at {
                return i;
            }
            units += c.len_utf16() as u32;
        }
        text.len()
    };
    let (from, to) = (byte(start.min(end)), byte(start.max(end)));
    let out = format!(
        "{}{mark}{}{mark}{}",
        &text[..from],
        &text[from..to],
        &text[to..]
    );
    let len = mark.encode_utf16().count() as u32;
    (out, start.min(end) + len, start.max(end) + len)
}

/// Ctrl+B or Ctrl+I (Cmd on a Mac) in a message box: bold or italic marks around
/// the selection. Whether the key was one of them.
pub(super) fn format_key(
    ev: &KeyboardEvent,
    input: NodeRef<Textarea>,
    set_draft: WriteSignal<String>,
) -> bool {
    let mark = match ev.key().as_str() {
        "b" | "B" => "**",
        "i" | "I" => "_",
        _ => return false,
    };
    if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
        return false;
    }
    let Some(el) = input.get_untracked() else {
        return false;
    };
    ev.prevent_default();
    let (start, end) = (
        el.selection_start().ok().flatten().unwrap_or(0),
        el.selection_end().ok().flatten().unwrap_or(0),
    );
    let (text, start, end) = wrapped(&el.value(), start, end, mark);
    el.set_value(&text);
    let _ = el.set_selection_range(start, end);
    set_draft.set(text);
    true
}

/// What a box holds, ready to send: none if it is empty, or (said in `problem`)
/// not a message. The box is cleared by the caller once it is sent.
pub(super) fn taken(
    draft: ReadSignal<String>,
    problem: WriteSignal<Option<String>>,
) -> Option<(ClientId, MessageBody)> {
    let text = draft.get_untracked();
    if text.trim().is_empty() {
        return None;
    }
    written(text).map_err(|p| problem.set(Some(p))).ok()
}

/// What the person wrote, as a message body with a new client id (a `send` or an
/// `edit_message`), or what is wrong with it, in words for the box's hint.
pub(super) fn written(text: String) -> Result<(ClientId, MessageBody), String> {
    let body = MessageBody::new(text).map_err(|e| e.to_string())?;
    let client_id =
        new_client_id().ok_or_else(|| "this browser cannot make message ids".to_owned())?;
    Ok((client_id, body))
}

/// The time in milliseconds (12 hex digits) then 80 random bits (20 hex digits), like
/// a UUIDv7: time-first ids keep the server's idempotency index append-only (see
/// docs/protocol.md). Works outside secure contexts too (unlike randomUUID).
pub(super) fn new_client_id() -> Option<ClientId> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 10];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    let ms = js_sys::Date::now() as u64;
    let random: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    ClientId::new(format!("{ms:012x}{random}")).ok()
}

#[cfg(test)]
mod tests {
    use super::wrapped;

    #[test]
    fn marks_go_around_the_selection() {
        assert_eq!(
            wrapped("make it bold", 8, 12, "**"),
            ("make it **bold**".to_owned(), 10, 14)
        );
        assert_eq!(wrapped("", 0, 0, "_"), ("__".to_owned(), 1, 1));
        // UTF-16 offsets: the emoji counts two.
        assert_eq!(wrapped("😀 hi", 3, 5, "_"), ("😀 _hi_".to_owned(), 4, 6));
    }
}
