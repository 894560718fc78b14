use confab_shared::RoomName;
use leptos::prelude::*;

use super::new_conversation::NewConversation;
use super::presence::PresenceDot;
use super::unread::UnreadBadge;
use super::{tone_of, use_chat};
use crate::model::Chat;
use crate::state::Part;

/// The sidebar's "Direct messages": this person's private conversations, the newest
/// activity first, each named by its other people; and starting one.
#[component]
pub fn DirectMessages(on_navigate: Callback<()>) -> impl IntoView {
    let (chat, socket) = use_chat();
    let open = move |room: RoomName| {
        if let Some(frame) = chat.update(|c| c.open_room(room)).flatten() {
            socket.send(frame);
        }
        on_navigate.run(());
    };
    let listed = move || {
        chat.track(Part::Counts);
        chat.track(Part::Conversations);
        chat.read(Part::Rooms, Chat::direct_messages)
    };
    view! {
        <section class="direct-messages" aria-labelledby="direct-messages-heading">
            <h3 id="direct-messages-heading">"Direct messages"</h3>
            <ul class="conversations">
                <For
                    each=listed
                    key=|line| line.clone()
                    children=move |line| {
                        let room = line.room.clone();
                        // One person: their initial in their colour; a group: how many.
                        let (tone, initial) = if line.others > 1 {
                            ("avatar small group".to_owned(), line.others.to_string())
                        } else {
                            let initial = line.title.chars().next().map(|c| c.to_uppercase().to_string());
                            (format!("avatar small {}", tone_of(&line.title)), initial.unwrap_or_default())
                        };
                        view! {
                            <li class:current=line.current class:unread={line.unread > 0}>
                                <button
                                    class="room-link"
                                    aria-current=line.current.then_some("page")
                                    on:click=move |_| open(room.clone())
                                >
                                    <span class=tone aria-hidden="true">{initial}</span>
                                    <span class="room-name">{line.title.clone()}</span>
                                    {line.with.clone().map(|user_id| view! { <PresenceDot user_id /> })}
                                    <UnreadBadge unread=line.unread mentions=line.mentions quiet=line.quiet />
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
            <NewConversation on_done=on_navigate />
        </section>
    }
}
