use confab_shared::UserName;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// The first screen: pick a display name.
#[component]
pub fn Login(
    /// Called with a valid name.
    on_pick: Callback<UserName>,
) -> impl IntoView {
    let (draft, set_draft) = signal(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match UserName::new(draft.get_untracked().trim()) {
            Ok(name) => on_pick.run(name),
            Err(e) => set_problem.set(Some(e.to_string())),
        }
    };
    view! {
        <main class="login">
            <form class="login-card" on:submit=submit>
                <div class="brand">
                    <span class="logo" aria-hidden="true">"C"</span>
                    <h1>"Confab"</h1>
                </div>
                <p class="tagline">"Real-time chat for your team. Pick a name to start."</p>
                <label for="name">"Name"</label>
                <input
                    id="name"
                    name="name"
                    autocomplete="nickname"
                    maxlength="32"
                    autofocus
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
                <button type="submit" class="primary">"Start chatting"</button>
            </form>
        </main>
    }
}
