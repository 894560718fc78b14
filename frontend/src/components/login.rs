use confab_shared::UserName;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::account::{self, Refused, Who};

/// The first screen: sign in or up with a username and a password, or (where the
/// server lets guests in, as it says) join as a guest with a name.
#[component]
pub fn Login(
    /// Called once someone is signed in, or has picked a guest name.
    on_arrive: Callback<Who>,
) -> impl IntoView {
    // None until the server has said.
    let guests = RwSignal::new(None::<bool>);
    spawn_local(async move {
        let allowed = account::guests_allowed().await;
        // The screen may be gone by the time the server answers.
        let _gone = guests.try_set(Some(allowed));
    });
    view! {
        <main class="login" data-guests=move || guests.get().map(|g| g.to_string())>
            <div class="login-card">
                <div class="brand">
                    <span class="logo" aria-hidden="true">"C"</span>
                    <h1>"Confab"</h1>
                </div>
                <p class="tagline">"Real-time chat for your team."</p>
                <AccountForm on_arrive />
                <Show when=move || guests.get() == Some(true)>
                    <p class="or" aria-hidden="true"><span>"or"</span></p>
                    <GuestForm on_arrive />
                </Show>
            </div>
        </main>
    }
}

/// Username and password, and two ways to use them.
#[component]
fn AccountForm(on_arrive: Callback<Who>) -> impl IntoView {
    let (username, set_username) = signal(String::new());
    let (password, set_password) = signal(String::new());
    let (problem, set_problem) = signal(None::<Refused>);
    let (busy, set_busy) = signal(false);
    // Which button sent the form: sign up (a new account) or in.
    let new_account = StoredValue::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        set_busy.set(true);
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        let new = new_account.get_value();
        spawn_local(async move {
            match account::sign_in(new, name.trim(), &secret).await {
                Ok(member) => on_arrive.run(Who::Member(member)),
                Err(why) => {
                    set_problem.set(Some(why));
                    set_busy.set(false);
                }
            }
        });
    };
    view! {
        <form id="account" on:submit=submit>
            <label for="username">"Username"</label>
            <input
                id="username"
                name="username"
                autocomplete="username"
                maxlength="32"
                required
                autofocus
                prop:value=username
                on:input=move |ev| {
                    set_username.set(event_target_value(&ev));
                    set_problem.set(None);
                }
            />
            <label for="password">"Password"</label>
            <input
                id="password"
                name="password"
                type="password"
                autocomplete="current-password"
                minlength="8"
                maxlength="256"
                required
                aria-describedby="account-hint"
                aria-invalid=move || problem.get().is_some().to_string()
                prop:value=password
                on:input=move |ev| {
                    set_password.set(event_target_value(&ev));
                    set_problem.set(None);
                }
            />
            <p id="account-hint" class="hint" class:problem=move || problem.get().is_some() role="status">
                {move || match problem.get() {
                    None => "At least 8 characters.".to_owned().into_any(),
                    // Enter means "Sign in": a newcomer who pressed it meets this.
                    Some(Refused { why, unknown: true }) => view! {
                        {why}
                        " "
                        <span class="new-here">
                            "New here? Press “Sign up” to make an account with this username and password."
                        </span>
                    }
                    .into_any(),
                    Some(Refused { why, .. }) => why.into_any(),
                }}
            </p>
            <div class="buttons">
                <button
                    type="submit"
                    class="primary"
                    disabled=busy
                    on:click=move |_| new_account.set_value(false)
                >
                    "Sign in"
                </button>
                <button type="submit" disabled=busy on:click=move |_| new_account.set_value(true)>
                    "Sign up"
                </button>
            </div>
        </form>
    }
}

/// A display name, for joining without an account.
#[component]
fn GuestForm(on_arrive: Callback<Who>) -> impl IntoView {
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match UserName::new(draft.get_untracked().trim()) {
            Ok(name) => spawn_local(async move {
                match account::guest_may_use(&name).await {
                    Ok(()) => on_arrive.run(Who::Guest(name)),
                    Err(why) => set_problem.set(Some(why)),
                }
            }),
            Err(e) => set_problem.set(Some(e.to_string())),
        }
    };
    view! {
        <form id="guest" on:submit=submit>
            <label for="name">"Name"</label>
            <input
                id="name"
                name="name"
                autocomplete="nickname"
                maxlength="32"
                required
                aria-describedby="name-hint"
                aria-invalid=move || problem.get().is_some().to_string()
                prop:value=draft
                on:input=move |ev| {
                    set_draft.set(event_target_value(&ev));
                    set_problem.set(None);
                }
            />
            <p id="name-hint" class="hint" class:problem=move || problem.get().is_some()>
                {move || {
                    problem
                        .get()
                        .unwrap_or_else(|| "Up to 32 letters, digits, '_', '-' or '.'".to_owned())
                }}
            </p>
            <button type="submit">"Join as guest"</button>
        </form>
    }
}
