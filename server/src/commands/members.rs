//! `members`: who belongs to a room, with their roles; for anyone who may read it.
//! Whole (owner first, then moderators, then members, each by name), or, asked with
//! `limit`, one page by name after `after`, of those whose names begin with `query`,
//! so a client of a large room never has to take the whole list.

use confab_shared::protocol::MEMBERS_PAGE_LIMIT;
use confab_shared::{RequestId, RoomName, ServerMsg, UserName};

use super::authz::{self, Action};
use super::{Reply, Session, denied_request};

/// What a `members` request asks for beyond the room.
pub(super) struct Page {
    pub(super) limit: Option<u32>,
    pub(super) after: Option<UserName>,
    pub(super) query: String,
    /// Echoed by the reply, or by the refusal.
    pub(super) request_id: Option<RequestId>,
}

pub(super) fn run(session: Session<'_>, room: RoomName, page: Page) -> Reply {
    let directory = session.state.store.rooms().directory();
    let access = directory.access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied_request(denial, &room, page.request_id);
    }
    let mut members = directory.members(&room);
    let Some(limit) = page.limit else {
        return Reply::frame(&ServerMsg::Members {
            room,
            members,
            has_more: false,
            request_id: page.request_id.clone(),
        });
    };
    let limit = usize::try_from(limit.clamp(1, MEMBERS_PAGE_LIMIT)).unwrap_or(1);
    let query = page.query.to_lowercase();
    members.retain(|m| {
        let after = page.after.as_ref().is_none_or(|after| m.user > *after);
        after && (query.is_empty() || m.user.as_str().to_lowercase().starts_with(&query))
    });
    members.sort_by(|a, b| a.user.cmp(&b.user));
    let has_more = members.len() > limit;
    members.truncate(limit);
    Reply::frame(&ServerMsg::Members {
        room,
        members,
        has_more,
        request_id: page.request_id,
    })
}
