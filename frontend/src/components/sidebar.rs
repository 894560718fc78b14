use confab_shared::{RoomName, UserId};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::direct_messages::DirectMessages;
use super::icons::LockIcon;
use super::new_room::NewRoom;
use super::notifications::NotificationSettings;
use super::room_browser::RoomBrowser;
use super::unread::UnreadBadge;
use super::{tone_of, use_chat};
use crate::model::Chat;
use crate::state::Part;

/// Rooms to switch between, a box to join one by name, making a new one, private
/// conversations (accounts only), and who is online.
#[component]
pub fn Sidebar(
    on_sign_out: Callback<()>,
    on_navigate: Callback<()>,
    /// A guest changes its name; an account signs out.
    guest: bool,
    /// Whose settings (kept in the browser under their id).
    id: UserId,
) -> impl IntoView {
    let (signed_in_as, go) = if guest {
        ("Here as guest ", "Change name")
    } else {
        ("Signed in as ", "Sign out")
    };
    let (chat, socket) = use_chat();
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);

    let open = move |room: RoomName| {
        if let Some(frame) = chat.update(|c| c.open_room(room)).flatten() {
            socket.send(frame);
        }
        on_navigate.run(());
    };
    let open_typed = {
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let typed = draft
                .get_untracked()
                .trim()
                .trim_start_matches('#')
                .to_lowercase();
            match RoomName::new(typed) {
                Ok(room) => {
                    set_draft.set(String::new());
                    set_problem.set(None);
                    open(room);
                }
                Err(e) => set_problem.set(Some(e.to_string())),
            }
        }
    };
    let leave = move |room: RoomName| {
        if let Some(leave) = chat.update(|c| c.close_room(&room)).flatten() {
            socket.send(leave);
        }
    };

    let rooms = move || {
        chat.track(Part::Counts);
        chat.read(Part::Rooms, |c| {
            c.rooms
                .iter()
                .filter(|(name, _)| !name.is_conversation())
                .map(|(name, r)| {
                    (
                        name.clone(),
                        (r.reading.total(), r.reading.mentions, !r.reading.loud()),
                        *name == c.current,
                        c.rooms.len() > 1,
                        r.private,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let online = move || {
        chat.read(Part::Live, |c| {
            c.current_room()
                .map(|r| r.online.iter().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let me = move || chat.read_untracked(|c| c.me.to_string());
    let any_unread = move || {
        chat.read(Part::Counts, |c| {
            c.rooms.values().any(|r| r.reading.has_unread())
        })
    };
    let mark_all = move |_| {
        for frame in chat.update(Chat::mark_all_read).unwrap_or_default() {
            socket.send(frame);
        }
    };

    view! {
            <nav class="sidebar" aria-label="Rooms and people">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"C"</span>
                    <span class="brand-name">"Confab"</span>
                </div>
                <section>
                    <div class="section-head">
                        <h3>"Rooms"</h3>
                        {move || any_unread().then(|| view! {
                            <button class="mark-all" on:click=mark_all>"Mark all as read"</button>
                        })}
                    </div>
                    <ul class="rooms">
                        <For
                            each=rooms
                            key=|room| room.clone()
                            children=move |(name, (unread, mentions, quiet), current, can_leave, private)| {
                                let target = name.clone();
                                let closing = name.clone();
                                let label = format!("Close {name} in this tab (you stay a member)");
                                view! {
                                    <li class:current=current class:unread={unread > 0}>
                                        <button
                                            class="room-link"
                                            aria-current=if current { Some("page") } else { None }
                                            on:click=move |_| open(target.clone())
                                        >
                                            {if private {
                                                view! { <span class="hash"><LockIcon label="private room" /></span> }.into_any()
                                            } else {
                                                view! { <span class="hash" aria-hidden="true">"#"</span> }.into_any()
                                            }}
                                            <span class="room-name">{name.to_string()}</span>
                                            <UnreadBadge unread mentions quiet />
                                        </button>
                                        {can_leave.then(|| view! {
    <button
                                            class="icon leave"
                                            aria-label=label
                                            title="Close (you stay a member; leave it from its members list)"
                                            on:click=move |_| leave(closing.clone())
                                        >
                                            "×"
                                        </button>
    })}
                                    </li>
                                }
                            }
                        />
                    </ul>
                    <form class="join-room" on:submit=open_typed>
                        <label for="room-name" class="visually-hidden">"Room name"</label>
                        <input
                            id="room-name"
                            placeholder="Room name"
                            maxlength="33"
                            autocomplete="off"
                            prop:value=draft
                            on:input=move |ev| {
                                set_draft.set(event_target_value(&ev));
                                set_problem.set(None);
                            }
                        />
                        <button type="submit" class="join">"Join"</button>
                    </form>
                    {move || problem.get().map(|p| view! { <p class="hint problem">{p}</p> })}
                    <NewRoom guest on_done=on_navigate />
                    <RoomBrowser on_done=on_navigate />
                </section>
                {(!guest).then(|| view! { <DirectMessages on_navigate /> })}
                <section class="people">
                    <h3>"Online"</h3>
                    <ul class="online">
                        <For
                            each=online
                            key=|name| name.clone()
                            children=move |name| {
                                let tone = tone_of(name.as_str());
                                view! {
                                    <li class=tone>
                                        <span class="avatar small" aria-hidden="true">
                                            {name.as_str().chars().next().map(|c| c.to_uppercase().to_string())}
                                        </span>
                                        {name.to_string()}
                                    </li>
                                }
                            }
                        />
                    </ul>
                    {move || {
                        let (count, named) = chat
                            .read(Part::Live, |c| {
                                c.current_room()
                                    .map_or((0, 0), |r| (r.online_count as usize, r.online.len()))
                            });
                        (count > named)
                            .then(|| {
                                let text = if named == 0 {
                                    format!("{count} people here")
                                } else {
                                    format!("and {} more", count - named)
                                };
                                view! { <p class="hint crowd">{text}</p> }
                            })
                    }}
                </section>
                <NotificationSettings id />
                <footer class="me">
                    <span>{signed_in_as}<strong>{me}</strong></span>
                    <button class="link" on:click=move |_| on_sign_out.run(())>{go}</button>
                </footer>
            </nav>
        }
}
