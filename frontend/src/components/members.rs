use confab_shared::{MemberInfo, ModAction, Role};
use leptos::prelude::*;

use super::audit::AuditLog;
use super::members_paging::{MembersSearch, ShowMore};
use super::presence::PresenceDot;
use super::{tone_of, use_chat};
use crate::model::Chat;
use crate::state::Part;

/// The current room's members with their roles, beside the messages, each other
/// account with a button to write to them privately. Moderators get mute, kick and
/// ban for people below them; the owner also gives and takes the moderator role and
/// can hand the room over. A conversation's people are fixed: none of that there.
#[component]
pub fn Members(on_close: Callback<()>) -> impl IntoView {
    let (chat, socket) = use_chat();
    // Asked for each time the panel opens or the room changes.
    let room = Memo::new(move |_| chat.read(Part::Rooms, |c| c.current.clone()));
    Effect::new(move |_| {
        room.track();
        if let Some(frame) = chat.update(Chat::ask_members) {
            socket.send(frame);
        }
    });
    // Re-rendered when the list or this person's role changes, not on every message.
    let view_of = Memo::new(move |_| {
        chat.track(Part::Rooms);
        chat.read(Part::Members, |c| {
            (
                c.current_room().and_then(|r| r.members.clone()),
                c.my_role(),
            )
        })
    });
    let members = move || view_of.get().0;
    let conversation = move || chat.read(Part::Rooms, Chat::in_conversation);
    let searching = move || {
        chat.read(Part::Members, |c| {
            c.current_room().is_some_and(|r| !r.paging.query.is_empty())
        })
    };
    let moderator = move || !conversation() && view_of.get().1 >= Some(Role::Moderator);
    let my_role = move || view_of.get().1.filter(|_| !conversation());
    // Leaving for good, on every device (closing the room in the sidebar only stops
    // following it in this tab).
    let leave_room = move |_| {
        let room = chat.read_untracked(|c| c.current.clone());
        let question = format!(
            "Leave #{room}? You stop being a member on every device. A private room needs a \
             new invite to come back."
        );
        if window().confirm_with_message(&question).unwrap_or(false) {
            socket.send(chat.read_untracked(|c| c.leave_room(&room)));
        }
    };
    let (log_open, set_log_open) = signal(false);
    view! {
        <aside class="members-panel" aria-label="Members">
            <header>
                <h3>"Members"</h3>
                <button class="icon" aria-label="Close the members list" on:click=move |_| on_close.run(())>
                    "✕"
                </button>
            </header>
            {move || (!conversation()).then(|| view! { <MembersSearch /> })}
            {move || match members() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some(list) if list.is_empty() && searching() => {
                    view! { <p class="hint">"No member's name begins so."</p> }.into_any()
                }
                Some(list) if list.is_empty() => {
                    view! { <p class="hint">"No members yet: people who join become members."</p> }
                        .into_any()
                }
                Some(list) => view! {
                    <ul>
                        {list.into_iter().map(|member| view! { <MemberLine member /> }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
            <ShowMore />
            {move || moderator().then(|| view! {
                <button
                    class="link log-toggle"
                    aria-expanded=move || log_open.get().to_string()
                    on:click=move |_| set_log_open.update(|open| *open = !*open)
                >
                    {move || if log_open.get() { "Hide the moderation log" } else { "Moderation log" }}
                </button>
                {move || log_open.get().then(|| view! { <AuditLog /> })}
            })}
            {move || match my_role() {
                Some(Role::Owner) => view! {
                    <p class="hint leave-hint">"To leave this room, make someone else its owner first."</p>
                }
                .into_any(),
                Some(_) => view! {
                    <button class="link danger leave-room" on:click=leave_room>"Leave room"</button>
                }
                .into_any(),
                None => ().into_any(),
            }}
        </aside>
    }
}

#[component]
fn MemberLine(member: MemberInfo) -> impl IntoView {
    let (chat, socket) = use_chat();
    let tone = format!("member {}", tone_of(member.user.as_str()));
    let initial = member
        .user
        .as_str()
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string());
    let is_me = chat.read_untracked(|c| c.me_id == member.user_id);
    let room_here = !is_me && !chat.read_untracked(Chat::in_conversation);
    let may_moderate = room_here && chat.read_untracked(|c| c.may_moderate(Some(member.role)));
    let owner = room_here && chat.read_untracked(|c| c.my_role() == Some(Role::Owner));
    // Accounts write to accounts (a guest's id starts with `guest:`).
    let may_message = !is_me
        && !chat.read_untracked(Chat::is_guest)
        && !member.user_id.as_str().starts_with("guest:");
    let user = StoredValue::new(member.user.clone());
    let dot =
        (!is_me && !member.user_id.as_str().starts_with("guest:")).then(|| member.user_id.clone());
    let message = move |_| {
        let with = vec![user.get_value()];
        if let Some(frame) = chat.update(|c| c.start_conversation(with)).flatten() {
            socket.send(frame);
        }
    };
    let act = move |action: ModAction| {
        move |_| socket.send(chat.read_untracked(|c| c.moderate(user.get_value(), action)))
    };
    let give = move |role: Role| {
        move |_| {
            if role == Role::Owner {
                let question = format!(
                    "Hand this room over to {}? You will be a moderator.",
                    user.get_value()
                );
                let sure = window().confirm_with_message(&question).unwrap_or(false);
                if !sure {
                    return;
                }
            }
            socket.send(chat.read_untracked(|c| c.set_role(user.get_value(), role)));
        }
    };
    let role_label = match member.role {
        Role::Owner => Some("Owner"),
        Role::Moderator => Some("Moderator"),
        Role::Member => None,
    };
    let (mute_label, mute) = if member.muted {
        ("Unmute", ModAction::Unmute)
    } else {
        ("Mute", ModAction::Mute)
    };
    let promote = (member.role == Role::Member).then_some(("Make moderator", Role::Moderator));
    let demote = (member.role == Role::Moderator).then_some(("Make member", Role::Member));
    let (label, role) = promote.or(demote).unwrap_or(("Make member", Role::Member));
    view! {
        <li class=tone>
            <span class="avatar small" aria-hidden="true">{initial}</span>
            <span class="member-name">
                {member.user.to_string()}
                {is_me.then(|| view! { <span class="you">" (you)"</span> })}
                {dot.map(|user_id| view! { <PresenceDot user_id /> })}
            </span>
            {role_label.map(|r| view! { <span class="role">{r}</span> })}
            {member.muted.then(|| view! { <span class="role muted">"Muted"</span> })}
            {(may_message || may_moderate || owner).then(|| view! {
                <span class="member-actions">
                    {may_message.then(|| view! {
                        <button class="link" on:click=message>
                            "Message"
                            <span class="visually-hidden">{format!(" {}", member.user)}</span>
                        </button>
                    })}
                    {may_moderate.then(|| view! {
                        <button class="link" on:click=act(mute)>{mute_label}</button>
                        <button class="link" on:click=act(ModAction::Kick)>"Kick"</button>
                        <button class="link danger" on:click=act(ModAction::Ban)>"Ban"</button>
                    })}
                    {owner.then(|| view! {
                        <button class="link" on:click=give(role)>{label}</button>
                        <button class="link" on:click=give(Role::Owner)>"Make owner"</button>
                    })}
                </span>
            })}
        </li>
    }
}
