use confab_shared::{EventKind, ModAction, RoomEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::use_chat;
use crate::account;
use crate::model::describe;

/// The current room's audit log, for its moderators: who did what to whom, and
/// when, newest first; a ban can be lifted from its line.
#[component]
pub fn AuditLog() -> impl IntoView {
    let (chat, socket) = use_chat();
    let (entries, set_entries) = signal(None::<Result<Vec<RoomEvent>, String>>);
    let load = move || {
        let room = chat.read_untracked(|c| c.current.clone());
        spawn_local(async move {
            set_entries.set(Some(account::audit(&room).await));
        });
    };
    load();
    let unban = move |user: confab_shared::UserName| {
        socket.send(chat.read_untracked(|c| c.moderate(user, ModAction::Unban)));
        // The unban is an event of the log too: read it again once it is there.
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(300).await;
            load();
        });
    };
    view! {
        <section class="audit" aria-label="Moderation log">
            <header>
                <h3>"Moderation log"</h3>
                <button class="link" on:click=move |_| load()>"Refresh"</button>
            </header>
            {move || match entries.get() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some(Err(reason)) => view! { <p class="hint problem">{reason}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="hint">"Nothing yet."</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <ol>
                        {list
                            .into_iter()
                            .filter_map(|event| {
                                let text = describe(&event.kind)?;
                                let ts = match &event.kind {
                                    EventKind::MessageDeleted(d) => d.ts.clone(),
                                    kind => kind.member_change().map(|c| c.ts.clone()).unwrap_or_default(),
                                };
                                let banned = match &event.kind {
                                    EventKind::MemberBanned(c) => Some(c.user.clone()),
                                    _ => None,
                                };
                                Some(view! {
                                    <li>
                                        <time datetime=ts.clone()>{short_time(&ts)}</time>
                                        " "
                                        <span>{text}</span>
                                        {banned.map(|user| view! {
                                            " "
                                            <button class="link" on:click=move |_| unban(user.clone())>"Unban"</button>
                                        })}
                                    </li>
                                })
                            })
                            .collect_view()}
                    </ol>
                }
                .into_any(),
            }}
        </section>
    }
}

/// "Dec 2, 14:05" in the reader's time zone, from an RFC 3339 time.
fn short_time(ts: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(ts));
    if date.get_time().is_nan() {
        return String::new();
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(date.get_month() as usize).copied().unwrap_or("");
    format!(
        "{month} {}, {:02}:{:02}",
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
