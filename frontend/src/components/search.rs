//! "Search": a dialog in the room header (also Ctrl+K) that searches the messages of
//! this person's rooms and conversations (and the public rooms, if ticked) as they
//! type, a moment after the last key; each result shows where it was said, by whom
//! and when, with the words found marked (text nodes in `<mark>`, from the server's
//! offsets), and opens the message in its room in one click; "More results" pages.

use std::time::Duration;

use leptos::html::Input;
use leptos::prelude::*;

use super::use_chat;
use crate::model::ResultLine;
use crate::state::Part;

/// How long (ms) after the last key the search is asked.
const DEBOUNCE_MS: u64 = 300;

#[component]
pub fn Search() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (open, set_open) = signal(false);
    let (public, set_public) = signal(false);
    let field = NodeRef::<Input>::new();
    let toggle = NodeRef::<leptos::html::Button>::new();
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let query = StoredValue::new(String::new());
    let ask = move || {
        let (text, public) = (query.get_value(), public.get_untracked());
        if let Some(frame) = chat.update(|c| c.search(&text, public)).flatten() {
            socket.send(frame);
        }
    };
    let show = move || {
        set_open.set(true);
        request_animation_frame(move || {
            if let Some(input) = field.get_untracked() {
                let _ = input.focus();
            }
        });
    };
    let close = move || {
        set_open.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    // Ctrl+K (Cmd+K) anywhere opens it.
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            show();
        }
    });
    on_cleanup(move || shortcut.remove());
    let typed = move |text: String| {
        query.set_value(text);
        if let Some(handle) = waiting.get_value() {
            handle.clear();
        }
        let later = set_timeout_with_handle(ask, Duration::from_millis(DEBOUNCE_MS));
        waiting.set_value(later.ok());
    };
    let open_line = move |line: &ResultLine| {
        let (room, seq, thread) = (line.room.clone(), line.seq, line.thread);
        for frame in chat
            .update(|c| c.open_result(room, seq, thread))
            .unwrap_or_default()
        {
            socket.send(frame);
        }
        set_open.set(false);
    };
    let more = move |_| {
        if let Some(frame) = chat.update(|c| c.search_more()).flatten() {
            socket.send(frame);
        }
    };
    let view_now = move || {
        chat.track(Part::Rooms);
        chat.read(Part::Browsing, |c| c.search_view())
    };
    let list = move || {
        let found = view_now();
        if let Some(why) = found.refused {
            return view! { <p class="hint problem">{why}</p> }.into_any();
        }
        if found.lines.is_empty() {
            let text = if found.loading {
                "Searching…"
            } else if found.asked {
                "Nothing found."
            } else {
                "Type a word or two: every one must be in the message."
            };
            return view! { <p class="hint">{text}</p> }.into_any();
        }
        let lines = found
            .lines
            .into_iter()
            .map(|line| {
                let label = format!("{} in {}", line.author, line.place);
                let when = short_time(&line.ts);
                let text = line
                    .pieces
                    .iter()
                    .map(|(piece, hit)| {
                        if *hit {
                            view! { <mark>{piece.clone()}</mark> }.into_any()
                        } else {
                            piece.clone().into_any()
                        }
                    })
                    .collect_view();
                view! {
                    <li>
                        <button class="result" on:click=move |_| open_line(&line)>
                            <span class="result-where">
                                <span class="result-author">{label}</span>
                                <time>{when}</time>
                            </span>
                            <span class="result-text">{text}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul class="search-results">{lines}</ul>
            {found.more.then(|| view! {
                <button class="link more-results" on:click=more disabled=found.loading>
                    {if found.loading { "Loading…" } else { "More results" }}
                </button>
            })}
        }
        .into_any()
    };
    view! {
        <button
            type="button"
            class="icon search-toggle"
            node_ref=toggle
            aria-label="Search messages (Ctrl+K)"
            title="Search messages (Ctrl+K)"
            aria-haspopup="dialog"
            on:click=move |_| show()
        >
            <svg viewBox="0 0 24 24" aria-hidden="true">
                <circle cx="10.5" cy="10.5" r="6.5" fill="none" stroke="currentColor" stroke-width="2" />
                <path d="M15.5 15.5 21 21" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
            </svg>
        </button>
        {move || open.get().then(|| view! {
            <div class="backdrop" on:click=move |ev| {
                if ev.target() == ev.current_target() {
                    close();
                }
            }>
                <div
                    class="dialog search-dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="search-title"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    <header>
                        <h2 id="search-title">"Search messages"</h2>
                        <button class="icon" aria-label="Close" on:click=move |_| close()>"✕"</button>
                    </header>
                    <label for="search-query" class="visually-hidden">"Words to find"</label>
                    <input
                        id="search-query"
                        type="search"
                        placeholder="Words to find"
                        autocomplete="off"
                        node_ref=field
                        prop:value=move || query.get_value()
                        on:input=move |ev| typed(event_target_value(&ev))
                    />
                    <label class="search-public">
                        <input
                            type="checkbox"
                            prop:checked=move || public.get()
                            on:change=move |ev| {
                                set_public.set(event_target_checked(&ev));
                                ask();
                            }
                        />
                        " Public rooms too"
                    </label>
                    <div aria-live="polite">{list}</div>
                </div>
            </div>
        })}
    }
}

/// "3 Dec, 14:05" in the reader's time zone, from an RFC 3339 time.
fn short_time(ts: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(ts));
    if date.get_time().is_nan() {
        return String::new();
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(date.get_month() as usize).copied().unwrap_or("");
    format!(
        "{} {month}, {:02}:{:02}",
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
