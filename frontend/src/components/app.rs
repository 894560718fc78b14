use leptos::prelude::*;
use leptos::task::spawn_local;

use super::chat_view::ChatView;
use super::login::Login;
use crate::account::{self, Who};
use crate::storage;

/// Finds who was using the page (a session, or a remembered guest name), asks
/// otherwise, then shows the chat.
#[component]
pub fn App() -> impl IntoView {
    // None until the server (or this browser's memory) has said.
    let who = RwSignal::new(None::<Option<Who>>);
    spawn_local(async move {
        let found = account::who_was_here().await;
        who.set(Some(found));
    });
    let arrive = Callback::new(move |arrived: Who| {
        if let Who::Guest(name) = &arrived {
            storage::set_name(Some(name));
        }
        who.set(Some(Some(arrived)));
    });
    // Whatever the chat kept for this person is forgotten by then (`ChatView`).
    let leave = Callback::new(move |()| {
        let was = who.get_untracked().flatten();
        who.set(Some(None));
        match was {
            Some(Who::Member(_)) => spawn_local(account::sign_out()),
            _ => storage::set_name(None),
        }
    });
    move || match who.get() {
        None => view! { <main class="login" aria-busy="true"></main> }.into_any(),
        Some(None) => view! { <Login on_arrive=arrive /> }.into_any(),
        Some(Some(who)) => view! { <ChatView who on_sign_out=leave /> }.into_any(),
    }
}
