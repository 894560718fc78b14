use confab_shared::UserName;
use leptos::prelude::*;

use super::chat_view::ChatView;
use super::login::Login;
use crate::storage;

/// Asks for a name once, remembers it, then shows the chat.
#[component]
pub fn App() -> impl IntoView {
    let (name, set_name) = signal(storage::name());
    let pick = Callback::new(move |picked: UserName| {
        storage::set_name(Some(&picked));
        set_name.set(Some(picked));
    });
    let sign_out = Callback::new(move |()| {
        storage::set_name(None);
        set_name.set(None);
    });
    move || match name.get() {
        None => view! { <Login on_pick=pick /> }.into_any(),
        Some(name) => view! { <ChatView name on_sign_out=sign_out /> }.into_any(),
    }
}
