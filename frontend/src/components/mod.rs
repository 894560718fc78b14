//! The views, one per file. They read the chat state from context and act through
//! the socket handle in context; none of them opens a socket itself.

pub mod app;
pub mod audit;
mod away;
pub mod chat_view;
pub mod composer;
pub mod direct_messages;
mod edit_box;
mod formatted;
pub mod icons;
pub mod invite;
pub mod login;
pub mod members;
mod members_paging;
mod mention_offer;
pub mod message_list;
pub mod message_menu;
pub mod message_row;
pub mod new_conversation;
pub mod new_room;
mod notifications;
mod presence;
mod reactions;
mod room_browser;
mod room_menu;
mod row_signals;
mod scroll_anchor;
mod search;
mod seen;
pub mod sidebar;
pub mod status;
pub mod threads;
mod typing;
mod unread;

use leptos::prelude::*;

use crate::socket::Socket;
use crate::state::ChatState;

/// The chat state and the socket, as provided by [`chat_view::ChatView`].
pub fn use_chat() -> (ChatState, Socket) {
    let chat = use_context::<ChatState>();
    let socket = use_context::<Socket>();
    match (chat, socket) {
        (Some(chat), Some(socket)) => (chat, socket),
        _ => panic!("chat components must be inside ChatView"),
    }
}

/// How many colours people's names come in: `.tone-0` to `.tone-11` in style.css,
/// each checked for contrast against both colour schemes' backgrounds.
const TONES: u32 = 12;

/// The class that colours a person's name and avatar: the same for the same name,
/// from a fixed palette (not a free hue, which half the time reads poorly).
pub fn tone_of(name: &str) -> String {
    let hash = name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    });
    format!("tone-{}", hash % TONES)
}
