//! Who else is typing in the room, under the message box: read from the room's live
//! state only (a typing frame touches nothing else), and hidden from screen readers
//! (it changes too often to announce).

use leptos::prelude::*;

use super::use_chat;
use crate::state::Part;

#[component]
pub fn TypingLine() -> impl IntoView {
    let (chat, _) = use_chat();
    let line = move || chat.read(Part::Live, |c| c.typing_line());
    view! {
        <p class="typing" aria-hidden="true">{move || line().unwrap_or_default()}</p>
    }
}
