//! Who uses the page: an account (signed in through the HTTP API, docs/api.md, and
//! remembered by the browser's session cookie) or a guest (a name picked here, kept
//! in localStorage). The only module that calls the API.

use confab_shared::{UserId, UserName};
use gloo_net::http::Request;
use serde::Deserialize;

use crate::storage::{self, Member};

/// Who the chat is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// Signed in: the socket needs no name, the session cookie says who.
    Member(Member),
    /// A guest: the socket carries the name.
    Guest(UserName),
}

impl Who {
    pub fn name(&self) -> &UserName {
        match self {
            Who::Member(member) => &member.username,
            Who::Guest(name) => name,
        }
    }

    /// The person's stable id: what the page keeps for them is kept under it.
    pub fn id(&self) -> UserId {
        match self {
            Who::Member(member) => member.id.clone(),
            Who::Guest(name) => UserId::guest(name),
        }
    }

    pub fn is_guest(&self) -> bool {
        matches!(self, Who::Guest(_))
    }
}

#[derive(Deserialize)]
struct Refusal {
    error: String,
}

/// Who was using the page: the account of a live session, else the guest name kept
/// from last time. When the server cannot be asked (it is down; the page opened
/// from the offline copy), the account it last had.
pub async fn who_was_here() -> Option<Who> {
    // Signed out while the server was down: end that session before asking.
    if storage::sign_out_pending() && !end_session().await {
        return storage::name().map(Who::Guest);
    }
    match Request::get("/api/me").send().await {
        Ok(response) if response.ok() => match response.json::<Member>().await {
            Ok(me) => {
                storage::set_member(Some(&me));
                Some(Who::Member(me))
            }
            Err(_) => storage::name().map(Who::Guest),
        },
        Ok(_) => {
            storage::set_member(None);
            storage::name().map(Who::Guest)
        }
        Err(_) => storage::member()
            .map(Who::Member)
            .or_else(|| storage::name().map(Who::Guest)),
    }
}

#[derive(Deserialize)]
struct ServerInfo {
    guests: bool,
}

/// Whether this server lets guests in (`GET /api/server`); no when it cannot say.
pub async fn guests_allowed() -> bool {
    match Request::get("/api/server").send().await {
        Ok(response) if response.ok() => response
            .json::<ServerInfo>()
            .await
            .is_ok_and(|info| info.guests),
        _ => false,
    }
}

/// Why signing up or in did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// For people: the server's reason, or why it could not be asked.
    pub why: String,
    /// Signing in met no such account or a wrong password (401): perhaps the person
    /// is new here and meant to sign up.
    pub unknown: bool,
}

/// Signs up (a new account) or in; gives the account, or why not.
pub async fn sign_in(new: bool, username: &str, password: &str) -> Result<Member, Refused> {
    let refused = |why: String| Refused {
        why,
        unknown: false,
    };
    let path = if new { "/api/register" } else { "/api/login" };
    let body = serde_json::json!({ "username": username, "password": password });
    let response = Request::post(path)
        .json(&body)
        .map_err(|e| refused(e.to_string()))?
        .send()
        .await
        .map_err(|_| refused("The server cannot be reached; try again in a moment.".to_owned()))?;
    if response.ok() {
        let me: Member = response
            .json()
            .await
            .map_err(|_| refused("The server's answer was unreadable.".to_owned()))?;
        storage::set_member(Some(&me));
        // The cookie is this account's now: no earlier sign-out is pending.
        storage::set_sign_out_pending(false);
        return Ok(me);
    }
    let unknown = !new && response.status() == 401;
    let refusal = response.json::<Refusal>().await.ok();
    Err(Refused {
        why: refusal.map_or_else(
            || format!("Refused ({}).", response.status()),
            |r| capitalised(&r.error),
        ),
        unknown,
    })
}

/// Whether a guest may use `name`: an account's name is refused with the reason.
/// When the server cannot be asked, yes (the socket will say if not).
pub async fn guest_may_use(name: &UserName) -> Result<(), String> {
    let path = format!(
        "/api/guest-names/{}",
        String::from(js_sys::encode_uri_component(name.as_str()))
    );
    match Request::get(&path).send().await {
        // 409: an account's name; 400: no valid name; 403: no guests on this server.
        Ok(response) if matches!(response.status(), 400 | 403 | 409) => {
            let refusal = response.json::<Refusal>().await.ok();
            Err(refusal.map_or_else(
                || "Choose another name.".to_owned(),
                |r| capitalised(&r.error),
            ))
        }
        _ => Ok(()),
    }
}

/// Ends this browser's session. When the server cannot be reached, the page
/// remembers to end it on its next load (the cookie is out of the page's reach).
pub async fn sign_out() {
    storage::set_member(None);
    storage::set_sign_out_pending(true);
    if !end_session().await {
        web_sys::console::warn_1(&"could not reach the server to sign out; will retry".into());
    }
}

/// Asks the server to end the session; whether it did.
async fn end_session() -> bool {
    let ended = Request::post("/api/logout")
        .send()
        .await
        .is_ok_and(|r| r.ok());
    if ended {
        storage::set_sign_out_pending(false);
    }
    ended
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[derive(Deserialize)]
struct BlockedPerson {
    user_id: confab_shared::UserId,
}

#[derive(Deserialize)]
struct BlockedList {
    blocked: Vec<BlockedPerson>,
}

/// Whom this account blocked (empty when it cannot be asked).
pub async fn blocked() -> Vec<confab_shared::UserId> {
    match Request::get("/api/blocks").send().await {
        Ok(response) if response.ok() => response
            .json::<BlockedList>()
            .await
            .map(|list| list.blocked.into_iter().map(|b| b.user_id).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Blocks (`on`) or unblocks `user`; the server's reason if it refused.
pub async fn set_blocked(user: &UserName, on: bool) -> Result<(), String> {
    let sent = if on {
        let body = serde_json::json!({ "username": user.as_str() });
        Request::post("/api/blocks")
            .json(&body)
            .map_err(|e| e.to_string())?
            .send()
            .await
    } else {
        let path = format!(
            "/api/blocks/{}",
            String::from(js_sys::encode_uri_component(user.as_str()))
        );
        Request::delete(&path).send().await
    };
    let response = sent.map_err(|_| "The server cannot be reached; try again.".to_owned())?;
    if response.ok() {
        return Ok(());
    }
    let refusal = response.json::<Refusal>().await.ok();
    Err(refusal.map_or_else(
        || format!("Refused ({}).", response.status()),
        |r| capitalised(&r.error),
    ))
}

#[derive(Deserialize)]
struct AuditPage {
    entries: Vec<confab_shared::RoomEvent>,
}

/// The newest entries of `room`'s audit log (for its moderators), or why not.
pub async fn audit(
    room: &confab_shared::RoomName,
) -> Result<Vec<confab_shared::RoomEvent>, String> {
    let path = format!(
        "/api/rooms/{}/audit",
        String::from(js_sys::encode_uri_component(room.as_str()))
    );
    let response = Request::get(&path)
        .send()
        .await
        .map_err(|_| "The server cannot be reached; try again.".to_owned())?;
    if response.ok() {
        return response
            .json::<AuditPage>()
            .await
            .map(|page| page.entries)
            .map_err(|_| "The server's answer was unreadable.".to_owned());
    }
    let refusal = response.json::<Refusal>().await.ok();
    Err(refusal.map_or_else(
        || format!("Refused ({}).", response.status()),
        |r| capitalised(&r.error),
    ))
}
