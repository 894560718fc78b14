//! What the page remembers between visits (localStorage). Failures (private mode,
//! quota) only cost that memory.
//!
//! Three things are about the browser: the guest name picked last, the account it
//! was last signed in to (to open offline), and a sign-out that has yet to reach the
//! server. Everything else belongs to one person
//! and is kept under their user id (`confab.<id>.rooms`, `.current`, `.outbox`,
//! `.notify_text`), so
//! on a browser shared by several people nothing of one is shown to, sent by or
//! joined for another; signing out forgets it ([`forget`]).

use confab_shared::{ClientId, MessageBody, RoomName, UserId, UserName};
use serde::{Deserialize, Serialize};

use crate::model::Unsent;

const NAME: &str = "confab.name";
const MEMBER: &str = "confab.member";
/// Set while signing out has not reached the server (it was down): the session
/// cookie is still in the browser, and is ended on the next load.
const SIGN_OUT_PENDING: &str = "confab.sign_out_pending";
/// Kept for every account alike by older pages: removed unread.
const UNOWNED: [&str; 2] = ["confab.rooms", "confab.current"];
/// Older pages kept unsent messages by name (`confab.outbox.<name>`).
const OUTBOX_BY_NAME: &str = "confab.outbox.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(storage) = storage()
        && storage.set_item(key, value).is_err()
    {
        web_sys::console::warn_1(&format!("could not save {key}").into());
    }
}

fn remove(key: &str) {
    if let Some(storage) = storage() {
        let _ignored = storage.remove_item(key);
    }
}

/// The guest name picked last time.
pub fn name() -> Option<UserName> {
    get(NAME).and_then(|n| UserName::new(n).ok())
}

pub fn set_name(name: Option<&UserName>) {
    match name {
        Some(name) => set(NAME, name.as_str()),
        None => remove(NAME),
    }
}

/// An account, as the page remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub username: UserName,
}

/// The account this browser was last signed in to (for opening offline).
pub fn member() -> Option<Member> {
    get(MEMBER).and_then(|text| serde_json::from_str(&text).ok())
}

pub fn set_member(member: Option<&Member>) {
    match member.and_then(|m| serde_json::to_string(m).ok()) {
        Some(text) => set(MEMBER, &text),
        None => remove(MEMBER),
    }
}

/// Whether a sign-out has yet to reach the server.
pub fn sign_out_pending() -> bool {
    get(SIGN_OUT_PENDING).is_some()
}

pub fn set_sign_out_pending(pending: bool) {
    if pending {
        set(SIGN_OUT_PENDING, "1");
    } else {
        remove(SIGN_OUT_PENDING);
    }
}

/// `what` of the person `id`.
fn key(id: &UserId, what: &str) -> String {
    format!("confab.{id}.{what}")
}

/// Drops what older pages kept for whoever came next (open rooms, current room), and
/// hands `name`'s unsent messages kept by name over to `id`.
pub fn migrate(id: &UserId, name: &UserName) {
    for old in UNOWNED {
        remove(old);
    }
    let old = format!("{OUTBOX_BY_NAME}{name}");
    if let Some(text) = get(&old) {
        if get(&key(id, "outbox")).is_none() {
            set(&key(id, "outbox"), &text);
        }
        remove(&old);
    }
}

/// The rooms `id` had open.
pub fn rooms(id: &UserId) -> Vec<RoomName> {
    get(&key(id, "rooms"))
        .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| RoomName::new(n).ok())
        .collect()
}

pub fn set_rooms<'a>(id: &UserId, rooms: impl Iterator<Item = &'a RoomName>) {
    let names: Vec<&str> = rooms.map(RoomName::as_str).collect();
    if let Ok(text) = serde_json::to_string(&names) {
        set(&key(id, "rooms"), &text);
    }
}

pub type Saved = Vec<Unsent>;

/// An unsent message as kept: an object now, a `[room, client id, body]` array as
/// older pages kept it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Kept {
    Now(Unsent),
    Before((RoomName, ClientId, MessageBody)),
}

/// `id`'s messages not yet confirmed by the server.
pub fn outbox(id: &UserId) -> Saved {
    let kept: Vec<Kept> = get(&key(id, "outbox"))
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    kept.into_iter()
        .map(|kept| match kept {
            Kept::Now(unsent) => unsent,
            Kept::Before((room, client_id, body)) => Unsent {
                room,
                client_id,
                body,
                thread: None,
                in_room: false,
            },
        })
        .collect()
}

pub fn set_outbox(id: &UserId, saved: &Saved) {
    if saved.is_empty() {
        remove(&key(id, "outbox"));
    } else if let Ok(text) = serde_json::to_string(saved) {
        set(&key(id, "outbox"), &text);
    }
}

/// The room `id` was in.
pub fn current(id: &UserId) -> Option<RoomName> {
    get(&key(id, "current")).and_then(|n| RoomName::new(n).ok())
}

pub fn set_current(id: &UserId, room: &RoomName) {
    set(&key(id, "current"), room.as_str());
}

/// Whether `id`'s notifications show the message's text (off: only who wrote).
pub fn notify_text(id: &UserId) -> bool {
    get(&key(id, "notify_text")).is_some_and(|v| v == "1")
}

pub fn set_notify_text(id: &UserId, on: bool) {
    if on {
        set(&key(id, "notify_text"), "1");
    } else {
        remove(&key(id, "notify_text"));
    }
}

/// Forgets everything kept for `id` (signing out).
pub fn forget(id: &UserId) {
    for what in ["rooms", "current", "outbox", "notify_text"] {
        remove(&key(id, what));
    }
}
