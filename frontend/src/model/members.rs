//! The members list of the current room, a page at a time: asked with a `limit` (a
//! room may have thousands), by name, the next page after the last name shown
//! ("Show more" while the server says `has_more`), or only the names beginning with
//! what is typed in the list's search box. The room's membership events are folded
//! into what is shown (`model/moderation.rs`).

use confab_shared::{ClientMsg, MemberInfo, RoomName, UserName};

use super::Chat;

/// Members asked for at a time.
pub const PAGE: u32 = 100;

/// Where a room's members list stands.
#[derive(Debug, Clone, Default)]
pub struct Paging {
    /// The search the list shows (empty: everyone).
    pub query: String,
    /// The last name of the last page (the next page comes after it).
    last: Option<UserName>,
    /// The server holds more after it.
    pub has_more: bool,
    /// The next answer continues the list (asked for more), rather than starting it.
    continuing: bool,
}

impl Chat {
    /// Asks for the first page of the current room's members (with the search the
    /// list shows).
    pub fn ask_members(&mut self) -> ClientMsg {
        let query = self
            .current_room()
            .map(|r| r.paging.query.clone())
            .unwrap_or_default();
        self.search_members(&query)
    }

    /// Asks for the first page of the current room's members whose names begin with
    /// `query`.
    pub fn search_members(&mut self, query: &str) -> ClientMsg {
        let query = query.trim().to_owned();
        let room = self.current.clone();
        if let Some(state) = self.rooms.get_mut(&room) {
            state.paging.query = query.clone();
            state.paging.continuing = false;
        }
        ClientMsg::Members {
            room,
            limit: Some(PAGE),
            after: None,
            query,
            request_id: None,
        }
    }

    /// "Show more": the next page, if the server holds one.
    pub fn more_members(&mut self) -> Option<ClientMsg> {
        let room = self.current.clone();
        let paging = &mut self.rooms.get_mut(&room)?.paging;
        if !paging.has_more {
            return None;
        }
        paging.continuing = true;
        Some(ClientMsg::Members {
            room,
            limit: Some(PAGE),
            after: paging.last.clone(),
            query: paging.query.clone(),
            request_id: None,
        })
    }

    /// Whether the current room's list has more to show.
    pub fn members_has_more(&self) -> bool {
        self.current_room().is_some_and(|r| r.paging.has_more)
    }

    /// The server's `members` answer: the list starts with it, or goes on with it.
    pub(super) fn members_frame(
        &mut self,
        room: RoomName,
        members: Vec<MemberInfo>,
        has_more: bool,
    ) {
        let Some(state) = self.rooms.get_mut(&room) else {
            return;
        };
        // The list says whether this person is muted here, when it holds them.
        if let Some(me) = members.iter().find(|m| m.user_id == self.me_id)
            && state.muted != me.muted
        {
            state.muted = me.muted;
            self.changed.rooms = true;
        }
        let paging = &mut state.paging;
        paging.has_more = has_more;
        if let Some(last) = members.last() {
            paging.last = Some(last.user.clone());
        }
        let mut list = match (paging.continuing, state.members.take()) {
            (true, Some(mut shown)) => {
                shown.extend(
                    members
                        .into_iter()
                        .filter(|m| !shown.iter().any(|s| s.user_id == m.user_id))
                        .collect::<Vec<_>>(),
                );
                shown
            }
            _ => members,
        };
        paging.continuing = false;
        // Shown as the whole list is: owner, moderators, members, each by name.
        list.sort_by(|a, b| b.role.cmp(&a.role).then_with(|| a.user.cmp(&b.user)));
        state.members = Some(list);
        self.changed.members.insert(room);
    }
}
