use leptos::prelude::*;

use super::use_chat;
use crate::model::Link;
use crate::state::Part;

/// The connection state, in words and colour.
#[component]
pub fn Status() -> impl IntoView {
    let (chat, _) = use_chat();
    let link = move || chat.read(Part::Link, |c| c.link);
    let label = move || match link() {
        Link::Online => "Connected",
        Link::Connecting => "Connecting…",
        Link::Offline => "Offline — retrying",
        Link::Stopped => "Disconnected",
    };
    let class = move || match link() {
        Link::Online => "status online",
        Link::Connecting => "status connecting",
        Link::Offline | Link::Stopped => "status offline",
    };
    view! {
        <span class=class role="status" data-link=move || format!("{:?}", link()).to_lowercase()>
            <span class="dot" aria-hidden="true"></span>
            <span class="label">{label}</span>
        </span>
    }
}
