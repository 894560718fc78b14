//! What the page remembers between visits (localStorage): the name, the open rooms
//! and the current one. Failures (private mode, quota) only cost that memory.

use confab_shared::{ClientId, MessageBody, RoomName, UserName};

const NAME: &str = "confab.name";
const MEMBER: &str = "confab.member";
const ROOMS: &str = "confab.rooms";
const CURRENT: &str = "confab.current";

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

fn user_name_at(key: &str) -> Option<UserName> {
    get(key).and_then(|n| UserName::new(n).ok())
}

/// Keeps `name` under `key`, or forgets what is there.
fn set_user_name_at(key: &str, name: Option<&UserName>) {
    match (name, storage()) {
        (Some(name), _) => set(key, name.as_str()),
        (None, Some(storage)) => {
            let _ignored = storage.remove_item(key);
        }
        (None, None) => {}
    }
}

/// The guest name picked last time.
pub fn name() -> Option<UserName> {
    user_name_at(NAME)
}

pub fn set_name(name: Option<&UserName>) {
    set_user_name_at(NAME, name);
}

/// The account this browser was last signed in to (for opening offline).
pub fn member() -> Option<UserName> {
    user_name_at(MEMBER)
}

pub fn set_member(name: Option<&UserName>) {
    set_user_name_at(MEMBER, name);
}

pub fn rooms() -> Vec<RoomName> {
    get(ROOMS)
        .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| RoomName::new(n).ok())
        .collect()
}

pub fn set_rooms<'a>(rooms: impl Iterator<Item = &'a RoomName>) {
    let names: Vec<&str> = rooms.map(RoomName::as_str).collect();
    if let Ok(text) = serde_json::to_string(&names) {
        set(ROOMS, &text);
    }
}

/// Where `name`'s unconfirmed messages are kept: per name, so a name change on a
/// shared browser does not send one person's words as another's.
fn outbox_key(name: &UserName) -> String {
    format!("confab.outbox.{name}")
}

pub type Saved = Vec<(RoomName, ClientId, MessageBody)>;

pub fn outbox(name: &UserName) -> Saved {
    get(&outbox_key(name))
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn set_outbox(name: &UserName, saved: &Saved) {
    if let Ok(text) = serde_json::to_string(saved) {
        set(&outbox_key(name), &text);
    }
}

pub fn current() -> Option<RoomName> {
    get(CURRENT).and_then(|n| RoomName::new(n).ok())
}

pub fn set_current(room: &RoomName) {
    set(CURRENT, room.as_str());
}
