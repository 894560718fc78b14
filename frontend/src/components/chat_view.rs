use confab_shared::RoomName;
use leptos::prelude::*;

use super::composer::Composer;
use super::icons::LockIcon;
use super::invite::Invite;
use super::members::Members;
use super::message_list::MessageList;
use super::room_menu::RoomMenu;
use super::search::Search;
use super::sidebar::Sidebar;
use super::status::Status;
use super::threads::ThreadPanel;
use crate::account::Who;
use crate::model::Chat;
use crate::socket::Socket;
use crate::state::{ChatState, Part};
use crate::storage;

const DEFAULT_ROOM: &str = "general";

/// The chat once a name is known: owns the state and the socket for its lifetime.
/// What it keeps in the browser is kept under the person's id, and forgotten when
/// they sign out.
#[component]
pub fn ChatView(who: Who, on_sign_out: Callback<()>) -> impl IntoView {
    let name = who.name().clone();
    let id = who.id();
    let settings_id = id.clone();
    let guest = who.is_guest();
    storage::migrate(&id, &name);
    let general = RoomName::new(DEFAULT_ROOM).ok();
    let current = storage::current(&id).or_else(|| general.clone());
    let mut rooms = storage::rooms(&id);
    rooms.extend(general.clone());
    let Some(current) = current else {
        return view! { <p>"Confab could not start."</p> }.into_any();
    };
    let mut state = Chat::new(name.clone(), rooms, current);
    state.restore_outbox(storage::outbox(&id));
    let chat = ChatState::new(state);
    // Set once the person signs out: nothing is stored for them after that.
    let leaving = StoredValue::new(false);
    // Unconfirmed messages survive a reload or a closed tab; they are sent (with
    // their original client ids) once the socket is back.
    let outbox = Memo::new(move |_| chat.read(Part::Outbox, Chat::outbox));
    let owner = id.clone();
    Effect::new(move |_| {
        outbox.with(|saved| {
            if !leaving.get_value() {
                storage::set_outbox(&owner, saved);
            }
        });
    });
    let socket = Socket::start(who, chat);
    // Signed out in another tab, or the session expired: back to the first screen.
    // What is kept stays, under this person's id, for when they sign in again.
    Effect::new(move |_| {
        if chat.read(Part::Link, |c| c.session_ended) {
            on_sign_out.run(());
        }
    });
    // Signing out (or a guest changing name) forgets the rooms, the current room and
    // the unsent messages, asking first when there are any.
    let forget_id = id.clone();
    let sign_out = Callback::new(move |()| {
        let unsent = chat.read_untracked(|c| c.outbox().len());
        if unsent > 0 && !confirm_discard(unsent) {
            return;
        }
        leaving.set_value(true);
        socket.stop();
        storage::forget(&forget_id);
        on_sign_out.run(());
    });
    provide_context(chat);
    provide_context(socket);
    // People's presence: whom the page shows, and whether this person is here.
    super::presence::watch(chat, socket);
    super::away::follow(chat, socket);
    super::notifications::raise(chat, socket, id.clone());
    on_cleanup(move || socket.stop());

    // Remember the open rooms; only when they change, not on every message.
    let layout = Memo::new(move |_| {
        chat.read(Part::Rooms, |c| {
            (
                c.rooms.keys().cloned().collect::<Vec<_>>(),
                c.current.clone(),
            )
        })
    });
    Effect::new(move |_| {
        layout.with(|(rooms, current)| {
            if !leaving.get_value() {
                storage::set_rooms(&id, rooms.iter());
                storage::set_current(&id, current);
            }
        });
    });
    // Unread count in the tab's title (rooms set to notify of nothing left out).
    Effect::new(move |_| {
        let unread = chat.read(Part::Counts, Chat::title_count);
        let title = match unread {
            0 => "Confab".to_owned(),
            n => format!("({}) Confab", crate::model::shown(n)),
        };
        document().set_title(&title);
    });

    // Whom this account blocked: their messages are collapsed.
    if !guest {
        leptos::task::spawn_local(async move {
            let blocked = crate::account::blocked().await;
            chat.update(|c| {
                for user in blocked {
                    c.set_blocked(user, true);
                }
            });
        });
    }

    let (menu_open, set_menu_open) = signal(false);
    let (members_open, set_members_open) = signal(false);
    // One panel beside the list at a time: a thread opening closes the members.
    let thread_open = Memo::new(move |_| chat.read(Part::Thread, |c| c.thread.is_some()));
    Effect::new(move |_| {
        if thread_open.get() {
            set_members_open.set(false);
        }
    });
    // A conversation is named by its people, who come with the conversations.
    let room_title = move || {
        chat.track(Part::Conversations);
        chat.read(Part::Rooms, |c| c.title(&c.current))
    };
    let conversation = move || chat.read(Part::Rooms, Chat::in_conversation);
    let room_topic = move || {
        chat.read(Part::Rooms, |c| {
            c.current_room()
                .map(|r| r.topic.to_string())
                .unwrap_or_default()
        })
    };
    let private = move || chat.read(Part::Rooms, |c| c.current_room().is_some_and(|r| r.private));
    // A conversation's people are fixed: nobody is invited to one.
    let can_invite = move || {
        chat.read(Part::Rooms, |c| {
            !c.in_conversation() && c.current_room().is_some_and(|r| r.role.is_some())
        })
    };
    let online_count = move || {
        chat.read(Part::Live, |c| {
            c.current_room().map_or(0, |r| r.online_count)
        })
    };
    view! {
        <div class="app" class:menu-open=menu_open class:members-open=members_open class:thread-open=thread_open>
            <Sidebar on_sign_out=sign_out guest id=settings_id on_navigate=Callback::new(move |()| set_menu_open.set(false)) />
            <div
                class="scrim"
                aria-hidden="true"
                on:click=move |_| set_menu_open.set(false)
            ></div>
            <main class="room">
                <header class="room-header">
                    <button
                        class="icon menu-button"
                        aria-label="Rooms and people"
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| set_menu_open.update(|open| *open = !*open)
                    >
                        "☰"
                    </button>
                    // The page's one level-one heading: the room being read.
                    <h1 class="room-title">
                        {move || if conversation() {
                            view! { <span class="hash" aria-hidden="true">"@"</span> <span class="visually-hidden">"Conversation with "</span> }.into_any()
                        } else if private() {
                            view! { <span class="hash"><LockIcon label="Private room" /></span> }.into_any()
                        } else {
                            view! { <span class="hash" aria-hidden="true">"#"</span> }.into_any()
                        }}
                        <span class="room-title-name">{room_title}</span>
                    </h1>
                    {move || {
                        let topic = room_topic();
                        (!topic.is_empty()).then(|| view! { <p class="room-topic" title=topic.clone()>{topic.clone()}</p> })
                    }}
                    {move || (can_invite() && !guest).then(|| view! { <Invite /> })}
                    <button
                        class="online-count link"
                        aria-expanded=move || members_open.get().to_string()
                        title="Members"
                        on:click=move |_| {
                            chat.update(Chat::close_thread);
                            set_members_open.update(|open| *open = !*open);
                        }
                    >
                        <span class="count">{move || online_count()}</span>
                        <span class="online-word">" online"</span>
                        <span class="members-word">" · Members"</span>
                    </button>
                    <Status />
                    <Search />
                    <RoomMenu />
                </header>
                <MessageList />
                <Composer />
            </main>
            {move || members_open.get().then(|| view! {
                <Members on_close=Callback::new(move |()| set_members_open.set(false)) />
            })}
            {move || thread_open.get().then(|| view! { <ThreadPanel /> })}
        </div>
    }
    .into_any()
}

/// Asks whether to sign out all the same, losing `unsent` messages.
fn confirm_discard(unsent: usize) -> bool {
    let text = match unsent {
        1 => {
            "One message you wrote has not been sent yet. Signing out discards it. Sign out anyway?"
                .to_owned()
        }
        n => format!(
            "{n} messages you wrote have not been sent yet. Signing out discards them. Sign out anyway?"
        ),
    };
    window().confirm_with_message(&text).unwrap_or(false)
}
