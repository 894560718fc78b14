//! What is unread in a room, beside its name in the sidebar: the count ("99+" at
//! the cap), and an "@" when some of it mentions the person; dimmed for a room set
//! to notify of nothing. Read aloud as words, not as bare numbers.

use leptos::prelude::*;

use crate::model::shown;

#[component]
pub fn UnreadBadge(unread: u32, mentions: u32, quiet: bool) -> impl IntoView {
    let said = match unread {
        0 => String::new(),
        1 => " 1 unread message".to_owned(),
        n => format!(" {} unread messages", shown(n)),
    };
    let mentioned = match mentions {
        0 => String::new(),
        1 => ", 1 mentions you".to_owned(),
        n => format!(", {} mention you", shown(n)),
    };
    (unread > 0).then(|| {
        view! {
            {(mentions > 0).then(|| view! {
                <span class="badge mention" aria-hidden="true" title="Mentions you">"@"</span>
            })}
            <span class="badge" class:quiet=quiet aria-hidden="true">{shown(unread)}</span>
            <span class="visually-hidden">{said}{mentioned}</span>
        }
    })
}
