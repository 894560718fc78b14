//! The views, one per file. They read the chat state from context and act through
//! the socket handle in context; none of them opens a socket itself.

pub mod app;
pub mod audit;
pub mod chat_view;
pub mod composer;
pub mod invite;
pub mod login;
pub mod members;
pub mod message_list;
pub mod message_menu;
pub mod message_row;
mod scroll_anchor;
pub mod sidebar;
pub mod status;

use leptos::prelude::*;

use crate::model::Chat;
use crate::socket::Socket;

/// The chat state and the socket, as provided by [`chat_view::ChatView`].
pub fn use_chat() -> (RwSignal<Chat>, Socket) {
    let chat = use_context::<RwSignal<Chat>>();
    let socket = use_context::<Socket>();
    match (chat, socket) {
        (Some(chat), Some(socket)) => (chat, socket),
        _ => panic!("chat components must be inside ChatView"),
    }
}

/// A stable colour for a person's name (hue in degrees).
pub fn hue_of(name: &str) -> u32 {
    name.bytes().fold(2166136261u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16777619)
    }) % 360
}
