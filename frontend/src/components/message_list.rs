use std::time::Duration;

use confab_shared::{RoomName, Seq};
use leptos::html::Div;
use leptos::prelude::*;

use super::message_row::MessageRow;
use super::row_signals::RowSignals;
use super::scroll_anchor;
use super::seen;
use super::use_chat;
use crate::model::{Chat, Gap, Room, Window};
use crate::state::Part;

/// How close to the bottom (px) counts as "reading the newest": new messages then
/// scroll into view; otherwise the reader's place is kept.
const STICK_PX: i32 = 48;
/// Lines on the page at most (a few screens); the rest of the room is not rendered.
const WINDOW: usize = 150;
/// Lines added at one edge (and dropped at the other) when the reader nears it.
const STEP: usize = 25;
/// How near (px) the reader comes to an edge of the rendered lines before more are
/// rendered there (or, at the oldest loaded, fetched).
const EDGE_PX: i32 = 600;
/// Lines of what came before shown above the "New messages" line when a room opens
/// there, and the room left above it (px).
const BEFORE_NEW: usize = 10;
const ABOVE_NEW_PX: f64 = 56.0;
/// How often (ms) the page looks at what the reader sees, and tells the server.
const SEEN_EVERY_MS: u64 = 1000;

/// What the list follows of the current room: its name, newest seq, pending count,
/// oldest seq loaded and gap.
type Ends = (RoomName, Option<Seq>, usize, Option<Seq>, Option<Gap>);

/// The current room's messages, oldest at the top. Only a window of them is
/// rendered; it moves as the reader scrolls, and history is fetched when the reader
/// nears the oldest line loaded (or, below a page opened far back, its last line).
#[component]
pub fn MessageList() -> impl IntoView {
    let (chat, socket) = use_chat();
    let list = NodeRef::<Div>::new();
    let (at_bottom, set_at_bottom) = signal(true);
    let window = RwSignal::new(Window::ALL);
    let in_room = move |f: &dyn Fn(&Room) -> Window| {
        chat.read_untracked(|c| c.current_room().map_or(Window::ALL, f))
    };
    // What the reader sees is read: looked at on every scroll, after the list
    // moves to the newest, every second and when the tab is shown again; the
    // server is told at most every second (the model tells it only what is newer
    // than it knows).
    let look = move || {
        let Some(seq) = list
            .get_untracked()
            .and_then(|el| seen::newest_on_screen(&el))
        else {
            return;
        };
        chat.update(|c| c.seen(seq));
    };
    let to_bottom = move || {
        window.set(in_room(&|r| Window::newest(r, WINDOW)));
        set_at_bottom.set(true);
        request_animation_frame(move || {
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
            look();
        });
    };

    // Moves the window (keeping the reader's place) or fetches earlier history when
    // the reader is near an edge of what is rendered.
    let (moving, set_moving) = signal(false);
    let follow = move || {
        let Some(el) = list.get_untracked() else {
            return;
        };
        let top = el.scroll_top();
        let below = el.scroll_height() - top - el.client_height();
        if moving.get_untracked() {
            set_at_bottom.set(below < STICK_PX && window.get_untracked().hi.is_none());
            return;
        }
        let old = window.get_untracked();
        let mut new = old;
        let (mut earlier, mut newer) = (false, false);
        chat.read_untracked(|c| {
            let Some(room) = c.current_room() else {
                return;
            };
            if below >= EDGE_PX {
                new = new.pinned(room);
            } else {
                new = new.later(room, STEP, WINDOW);
                // Below a page opened far back: the messages after it.
                newer = new.newer_to_load(room) && !room.loading_newer;
            }
            if top < EDGE_PX {
                new = new.earlier(room, STEP, WINDOW);
                // Fetched while the reader still has lines to read above.
                earlier = new.earlier_to_load(room) && !room.loading_earlier;
            }
        });
        // At the bottom means at the newest, not at the end of a page far back.
        set_at_bottom.set(below < STICK_PX && new.hi.is_none());
        if earlier && let Some(frame) = chat.update(|c| c.load_earlier(new.lo)).flatten() {
            socket.send(frame);
        }
        if newer && let Some(frame) = chat.update(Chat::load_newer).flatten() {
            socket.send(frame);
        }
        if new == old {
            return;
        }
        let anchor = scroll_anchor::take(&el);
        set_moving.set(true);
        window.set(new);
        // The list is redrawn before the next frame; put the reader back before it
        // is painted.
        request_animation_frame(move || {
            set_moving.set(false);
            if let (Some(el), Some(anchor)) = (list.get_untracked(), anchor) {
                scroll_anchor::restore(&el, &anchor);
            }
        });
    };
    // Opens the room at its first unread line, the "New messages" line near the top.
    let to_line = move |seq: Seq| {
        window.set(in_room(&|r| Window::from_line(r, seq, BEFORE_NEW, WINDOW)));
        set_at_bottom.set(false);
        request_animation_frame(move || {
            let Some(el) = list.get_untracked() else {
                return;
            };
            let selector = format!("[data-seq=\"{seq}\"]");
            if let Ok(Some(line)) = el.query_selector(&selector) {
                let top = el.get_bounding_client_rect().top();
                let moved = line.get_bounding_client_rect().top() - top - ABOVE_NEW_PX;
                el.set_scroll_top(el.scroll_top() + moved.round() as i32);
            }
            follow();
        });
    };
    let tell = move || {
        look();
        for frame in chat.update(Chat::take_reads).unwrap_or_default() {
            socket.send(frame);
        }
    };
    if let Ok(every) = set_interval_with_handle(tell, Duration::from_millis(SEEN_EVERY_MS)) {
        on_cleanup(move || every.clear());
    }
    let shown_again = window_event_listener_untyped("visibilitychange", move |_| tell());
    on_cleanup(move || shown_again.remove());

    // When the room or its newest line changes, keep the newest in view if the reader
    // was there (always after switching rooms or sending); otherwise stop the window
    // where it is, so what comes next is rendered only once the reader scrolls down
    // to it. When earlier history arrives, show it if the reader is up there. A room
    // just opened (or loaded) with something unread opens at its first unread line.
    let ends = Memo::new(move |_| {
        chat.read(Part::Lines, |c| {
            let room = c.current_room();
            (
                c.current.clone(),
                room.and_then(|r| r.last_seq),
                room.map_or(0, |r| r.pending.len()),
                room.and_then(Room::oldest_seq),
                room.and_then(|r| r.gap),
            )
        })
    });
    let mut shown: Option<Ends> = None;
    let mut opening = false;
    Effect::new(move |_| {
        let now = ends.get();
        let before = shown.replace(now.clone());
        let (room, last_seq, pending, oldest, gap) = now;
        let w = window.get_untracked();
        let switched = before.as_ref().is_none_or(|b| b.0 != room);
        let sent = before.as_ref().is_some_and(|b| pending > b.2);
        let stale = w.lo > last_seq.unwrap_or(0);
        let newer = before
            .as_ref()
            .is_some_and(|b| (b.1, b.2) != (last_seq, pending));
        opening |= switched;
        let first_new = chat.read_untracked(Chat::first_new);
        if opening && let Some(seq) = first_new {
            opening = false;
            to_line(seq);
        } else if switched || sent || stale || (newer && at_bottom.get_untracked()) {
            // Opened: at the newest once its lines are here.
            opening &= last_seq.is_none();
            to_bottom();
        } else if newer && w.hi.is_none() {
            window.set(in_room(&|r| w.pinned(r)));
        }
        if !switched && before.is_some_and(|b| b.3 != oldest || b.4 != gap) {
            follow();
        }
    });

    // A search result opened here: the list goes to its line once it is loaded.
    let opened = Memo::new(move |_| chat.read(Part::Lines, Chat::go_to_opened));
    Effect::new(move |_| {
        if let Some(seq) = opened.get() {
            chat.update(Chat::went_to_opened);
            to_line(seq);
        }
    });

    let load_earlier = move |_| {
        let lo = window.get_untracked().lo;
        if let Some(frame) = chat.update(|c| c.load_earlier(lo)).flatten() {
            socket.send(frame);
        }
    };
    let load_newer = move |_| {
        if let Some(frame) = chat.update(Chat::load_newer).flatten() {
            socket.send(frame);
        }
    };
    let at_room = move |f: fn(Window, &Room) -> bool| {
        let w = window.get();
        chat.read(Part::Lines, |c| c.current_room().is_some_and(|r| f(w, r)))
    };
    let has_earlier = move || at_room(Window::earlier_to_load);
    let has_newer = move || at_room(Window::newer_to_load);
    let below_gap = move || at_room(Window::below_gap);
    let loading = move || at_room(|_, r| r.loading_earlier);
    let loading_newer = move || at_room(|_, r| r.loading_newer);
    let empty = move || {
        chat.read(Part::Lines, |c| {
            c.current_room()
                .is_none_or(|r| r.messages.is_empty() && r.pending.is_empty())
        })
    };
    let notice = move || chat.read(Part::Notice, |c| c.notice.clone());
    // Each line has a signal of its own: a line that changes draws its row again,
    // and nothing else.
    let rows = StoredValue::new(RowSignals::default());

    view! {
        <div
            class="messages"
            role="log"
            aria-live="polite"
            aria-label="Messages"
            tabindex="0"
            node_ref=list
            on:scroll=move |_| {
                follow();
                look();
            }
        >
            {move || notice().map(|text| view! {
                <div class="notice" role="alert">
                    <span>{text}</span>
                    <button class="link" on:click=move |_| { chat.update(Chat::dismiss_notice); }>"Dismiss"</button>
                </div>
            })}
            <Show when=has_earlier>
                <button class="load-earlier" on:click=load_earlier disabled=loading>
                    {move || if loading() { "Loading…" } else { "Load earlier messages" }}
                </button>
            </Show>
            <Show when=empty>
                <div class="empty">
                    <p class="empty-title">"No messages here yet"</p>
                    <p>
                        {move || if chat.read(Part::Rooms, Chat::in_conversation) {
                            "Say hello — only the people of this conversation see it."
                        } else {
                            "Say hello — everyone in this room sees it instantly."
                        }}
                    </p>
                </div>
            </Show>
            <For
                each=move || {
                    let window = window.get();
                    let lines = chat.read(Part::Lines, |c| c.rows_in(window));
                    rows.try_update_value(|held| held.sync(lines)).unwrap_or_default()
                }
                key=|(key, _)| key.clone()
                children=move |(_, row)| view! { <MessageRow row /> }
            />
            <Show when=below_gap>
                <div class="load-newer">
                    <Show when=has_newer>
                        <button class="load-more" on:click=load_newer disabled=loading_newer>
                            {move || if loading_newer() { "Loading…" } else { "Load newer messages" }}
                        </button>
                    </Show>
                    <button class="jump" on:click=move |_| to_bottom()>"Jump to the newest"</button>
                </div>
            </Show>
        </div>
    }
}
