use confab_shared::{MessageId, ModAction, Role, Seq, UserId, UserName};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_chat;
use crate::account;
use crate::state::Part;

/// A message's actions behind a "⋯" button: write to its author privately (an
/// account's, for an account), edit (one's own), mark unread from it (an account),
/// delete (one's own, or as a moderator), mute, kick, ban
/// (moderators, on people below them), block (anyone else's). A real button and a
/// list of buttons, so Tab, Enter and Escape work.
#[component]
pub fn MessageMenu(
    id: MessageId,
    seq: Seq,
    author: UserName,
    author_id: UserId,
    mine: bool,
    guest: bool,
) -> impl IntoView {
    let (chat, socket) = use_chat();
    let author = StoredValue::new(author);
    let author_id = StoredValue::new(author_id);
    let (open, set_open) = signal(false);
    // Opens downward from a message in the top half of the window, else upward, so
    // the menu is never cut off by the top of the list.
    let (upward, set_upward) = signal(true);
    let toggle = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        set_open.set(false);
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    let may_delete =
        move || mine || chat.read(Part::Rooms, |c| c.my_role() >= Some(Role::Moderator));
    let may_moderate = move || {
        chat.track(Part::Rooms);
        !mine
            && author_id
                .with_value(|who| chat.read(Part::Members, |c| c.may_moderate(c.role_of(who))))
    };
    let may_block = !mine && !guest;
    // Accounts write to accounts (a guest's id starts with `guest:`).
    let may_message = may_block && author_id.with_value(|who| !who.as_str().starts_with("guest:"));
    let blocked =
        move || author_id.with_value(|who| chat.read(Part::Blocked, |c| c.blocked.contains(who)));
    let act = move |action: ModAction| {
        move |_| {
            let frame = chat.read_untracked(|c| c.moderate(author.get_value(), action));
            socket.send(frame);
            close();
        }
    };
    let message = move |_| {
        let with = vec![author.get_value()];
        if let Some(frame) = chat.update(|c| c.start_conversation(with)).flatten() {
            socket.send(frame);
        }
        set_open.set(false);
    };
    let edit = move |_| {
        chat.update(|c| c.start_editing(id));
        set_open.set(false);
    };
    let mark_unread = move |_| {
        if let Some(frame) = chat.update(|c| c.mark_unread_from(seq)).flatten() {
            socket.send(frame);
        }
        close();
    };
    let delete = move |_| {
        socket.send(chat.read_untracked(|c| c.delete_message(id)));
        close();
    };
    let block = move |_| {
        let on = !blocked();
        let (user, user_id) = (author.get_value(), author_id.get_value());
        spawn_local(async move {
            match account::set_blocked(&user, on).await {
                Ok(()) => chat.update(|c| c.set_blocked(user_id, on)),
                Err(reason) => chat.update(|c| c.tell(reason)),
            };
        });
        close();
    };
    let menu = move || {
        open.get().then(|| {
            view! {
                <div
                    class="menu"
                    class:down=move || !upward.get()
                    role="menu"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    {may_message.then(|| view! {
                        <button role="menuitem" on:click=message>
                            {format!("Message {}", author.get_value())}
                        </button>
                    })}
                    {mine.then(|| view! {
                        <button role="menuitem" on:click=edit>"Edit message"</button>
                    })}
                    {(!guest).then(|| view! {
                        <button role="menuitem" on:click=mark_unread>"Mark unread"</button>
                    })}
                    {may_delete().then(|| view! {
                        <button role="menuitem" class="danger" on:click=delete>"Delete message"</button>
                    })}
                    {may_moderate().then(|| view! {
                        <button role="menuitem" on:click=act(ModAction::Mute)>"Mute"</button>
                        <button role="menuitem" on:click=act(ModAction::Kick)>"Kick"</button>
                        <button role="menuitem" class="danger" on:click=act(ModAction::Ban)>"Ban"</button>
                    })}
                    {may_block.then(|| view! {
                        <button role="menuitem" on:click=block>
                            {move || if blocked() { "Unblock" } else { "Block" }}
                        </button>
                    })}
                </div>
            }
        })
    };
    let has_items = move || !guest || may_message || may_delete() || may_moderate() || may_block;
    view! {
        <div class="message-menu">
            {move || has_items().then(|| view! {
                <button
                    class="icon more"
                    node_ref=toggle
                    aria-label="Message actions"
                    aria-haspopup="menu"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| {
                        if let Some(button) = toggle.get_untracked() {
                            let top = button.get_bounding_client_rect().top();
                            let height = window().inner_height().ok().and_then(|h| h.as_f64());
                            set_upward.set(height.is_none_or(|h| top > h / 2.0));
                        }
                        set_open.update(|o| *o = !*o);
                    }
                >
                    "⋯"
                </button>
            })}
            {menu}
        </div>
    }
}
