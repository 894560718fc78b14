//! Completing `@name` in the message box: while the word at the caret is an `@` and
//! the start of a name, the names of the current room's people that begin so are
//! offered in a list under the box (arrows choose, Tab or Enter takes one, Escape
//! closes it; a click takes one too). The box is the list's combobox for screen
//! readers (`aria-activedescendant`).

use confab_shared::UserName;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use web_sys::HtmlTextAreaElement;

use crate::model::{complete, typing_mention};
use crate::state::ChatState;

/// The names offered, and the one chosen.
#[derive(Clone, Copy)]
pub struct MentionOffer {
    /// The list's id (a page has a list per box), for the box's `aria-controls`.
    id: &'static str,
    names: RwSignal<Vec<UserName>>,
    chosen: RwSignal<usize>,
}

impl MentionOffer {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            names: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(0),
        }
    }

    pub fn is_open(&self) -> bool {
        self.names.with(|n| !n.is_empty())
    }

    /// The list's id while it is shown, for the box's `aria-controls`.
    pub fn controls(&self) -> Option<&'static str> {
        self.is_open().then_some(self.id)
    }

    /// The chosen option's id, for the box's `aria-activedescendant`.
    pub fn active(&self) -> Option<String> {
        self.is_open()
            .then(|| format!("{}-{}", self.id, self.chosen.get()))
    }

    pub fn close(&self) {
        self.names.set(Vec::new());
    }

    /// The box now holds `text`: offers names if an `@name` is being typed at the
    /// caret.
    pub fn typed(&self, chat: ChatState, el: &HtmlTextAreaElement, text: &str) {
        let caret = caret_of(el, text);
        let names = typing_mention(text, caret)
            .map(|(_, typed)| chat.read_untracked(|c| c.mention_names(typed)))
            .unwrap_or_default();
        self.chosen.set(0);
        self.names.set(names);
    }

    /// A key in the box while names are offered: whether it was the list's (and
    /// so not the box's: Enter takes a name then, and sends nothing).
    pub fn key(&self, ev: &KeyboardEvent, el: &HtmlTextAreaElement, put: impl Fn(String)) -> bool {
        let count = self.names.with(Vec::len);
        if count == 0 || ev.is_composing() {
            return false;
        }
        match ev.key().as_str() {
            "ArrowDown" => self.chosen.update(|c| *c = (*c + 1) % count),
            "ArrowUp" => self.chosen.update(|c| *c = (*c + count - 1) % count),
            "Escape" => self.close(),
            "Enter" | "Tab" if !ev.shift_key() => {
                let name = self
                    .names
                    .with(|n| n.get(self.chosen.get_untracked()).cloned());
                if let Some(name) = name {
                    self.take(el, &name, put);
                }
            }
            _ => return false,
        }
        ev.prevent_default();
        true
    }

    /// Completes the `@name` at the caret to `name`.
    pub fn take(&self, el: &HtmlTextAreaElement, name: &UserName, put: impl Fn(String)) {
        let text = el.value();
        let caret = caret_of(el, &text);
        if let Some((done, at)) = complete(&text, caret, name) {
            let utf16 = done[..at].encode_utf16().count() as u32;
            el.set_value(&done);
            put(done);
            let _ = el.set_selection_range(utf16, utf16);
        }
        self.close();
        let _ = el.focus();
    }
}

/// The caret's place in `text` as a byte offset (the browser counts UTF-16 units).
fn caret_of(el: &HtmlTextAreaElement, text: &str) -> usize {
    let units = el.selection_start().ok().flatten().unwrap_or(0) as usize;
    let mut seen = 0;
    for (at, c) in text.char_indices() {
        if seen >= units {
            return at;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// The list of names offered, under the message box.
#[component]
pub fn MentionList(
    offer: MentionOffer,
    input: NodeRef<leptos::html::Textarea>,
    put: Callback<String>,
) -> impl IntoView {
    move || {
        let names = offer.names.get();
        (!names.is_empty()).then(|| {
            let chosen = offer.chosen.get();
            view! {
                <ul class="mention-offer" id=offer.id role="listbox" aria-label="People to mention">
                    {names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let label = name.to_string();
                            view! {
                                <li
                                    id=format!("{}-{i}", offer.id)
                                    role="option"
                                    aria-selected=(i == chosen).to_string()
                                    class:chosen=i == chosen
                                    // Before the box loses focus.
                                    on:mousedown=move |ev| {
                                        ev.prevent_default();
                                        if let Some(el) = input.get_untracked() {
                                            offer.take(&el, &name, |t| put.run(t));
                                        }
                                    }
                                >
                                    "@" {label}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    }
}
