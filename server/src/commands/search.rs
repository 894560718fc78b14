//! `search`: the messages of the rooms this person may search (their rooms and
//! conversations, the rooms this connection follows, and the public rooms if they
//! ask) that hold every term, newest
//! first, a page at a time, each with where its terms are; answered by
//! `search_results` with the request's id.

use confab_shared::{ErrorCode, MessageId, RequestId, RoomName, ServerMsg, UserName, search_terms};

use super::{Reply, Session};
use crate::rooms::PostDenied;
use crate::store::SearchQuery;

/// What a `search` asks for (checked when it was decoded).
pub(super) struct Ask {
    pub(super) request_id: Option<RequestId>,
    pub(super) query: String,
    pub(super) room: Option<RoomName>,
    pub(super) from: Option<UserName>,
    pub(super) after: Option<String>,
    pub(super) before: Option<String>,
    pub(super) public: bool,
    pub(super) older_than: Option<MessageId>,
    pub(super) limit: Option<u32>,
}

pub(super) async fn run(session: Session<'_>, ask: Ask) -> Reply {
    let user = &session.identity.user;
    let directory = session.state.store.rooms().directory();
    // One room, if it is one of theirs (or public, when public rooms are asked
    // for): else the same answer as for no room at all.
    let mut rooms = directory.searchable(user, ask.public || ask.room.is_some());
    // And the rooms this connection follows (a guest's rooms are those it joined),
    // unless since banned from them.
    for room in session.joined.keys() {
        let gone = matches!(
            directory.may_post(room, user),
            Err(PostDenied::Banned | PostDenied::NotFound)
        );
        if !gone && !rooms.contains(room) {
            rooms.push(room.clone());
        }
    }
    if let Some(only) = &ask.room {
        let may = rooms.contains(only)
            && (ask.public
                || directory
                    .access(only, user)
                    .is_some_and(|a| a.standing.role.is_some() || !a.room.private));
        if !may {
            return Reply::refusal_of(ErrorCode::NotFound, "no such room", ask.request_id);
        }
        rooms = vec![only.clone()];
    }
    let query = SearchQuery {
        rooms,
        terms: search_terms(&ask.query),
        from: ask.from,
        after: ask.after,
        before: ask.before,
        older_than: ask.older_than,
        limit: ask.limit.unwrap_or(confab_shared::protocol::SEARCH_LIMIT),
    };
    match session.state.store.search(&query).await {
        Ok(found) => Reply::frame(&ServerMsg::SearchResults {
            request_id: ask.request_id,
            results: found.hits,
            older_than: found.next,
        }),
        Err(error) => {
            tracing::error!(conn = session.conn, %error, "searching failed");
            Reply::refusal_of(
                ErrorCode::Internal,
                "search is unavailable; try again",
                ask.request_id,
            )
        }
    }
}
