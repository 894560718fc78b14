//! `history`: a page of older messages of a joined room's list, or (with `around`)
//! the messages around one seq, as the page asks when it opens a search result in
//! context, or (with `thread`) a page of a thread's replies with its root.

use confab_shared::{ErrorCode, MessageId, RequestId, RoomName, Seq, ServerMsg};

use super::authz::{self, Action};
use super::{Reply, Session, denied_request};
use crate::store::Page;

/// What a `history` asks for.
pub(super) struct Ask {
    pub(super) room: RoomName,
    pub(super) before: Option<Seq>,
    pub(super) limit: u32,
    pub(super) around: Option<Seq>,
    pub(super) request_id: Option<RequestId>,
    pub(super) thread: Option<MessageId>,
}

pub(super) async fn run(session: Session<'_>, ask: Ask) -> Reply {
    let Ask {
        room,
        before,
        limit,
        around,
        request_id,
        thread,
    } = ask;
    let refused = |code, text: &str| Reply::refusal_of(code, text, request_id.clone());
    if !session.joined.contains_key(&room) {
        return refused(
            ErrorCode::NotJoined,
            "join the room before reading its history",
        );
    }
    let access = session
        .state
        .store
        .rooms()
        .directory()
        .access(&room, &session.identity.user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), Action::Read) {
        return denied_request(denial, &room, request_id);
    }
    let store = &session.state.store;
    if let Some(root) = thread {
        return match store.thread(&room, root, before, limit).await {
            Ok((page, root_message)) => Reply::frame(&ServerMsg::History {
                room,
                messages: page.messages,
                has_more: page.has_more,
                request_id,
                has_newer: false,
                thread: Some(root),
                root: root_message.map(Box::new),
            }),
            Err(error) => {
                tracing::error!(conn = session.conn, %error, "reading a thread failed");
                refused(ErrorCode::Internal, "the thread is unavailable")
            }
        };
    }
    let read = match around {
        None => store
            .history(&room, before, limit)
            .await
            .map(|page| (page, false)),
        // Half before it, it, and the rest after.
        Some(seq) => {
            let older = store
                .history(&room, Some(seq.saturating_add(1)), limit / 2 + 1)
                .await;
            let newer = store.newer(&room, seq, limit - limit / 2 - 1).await;
            older.and_then(|older| {
                newer.map(|newer| {
                    let mut messages = older.messages;
                    messages.extend(newer.messages);
                    let page = Page {
                        messages,
                        has_more: older.has_more,
                    };
                    (page, newer.has_more)
                })
            })
        }
    };
    match read {
        Ok((page, has_newer)) => Reply::frame(&ServerMsg::History {
            room,
            messages: page.messages,
            has_more: page.has_more,
            request_id,
            has_newer,
            thread: None,
            root: None,
        }),
        Err(error) => {
            tracing::error!(conn = session.conn, %error, "reading history failed");
            refused(ErrorCode::Internal, "history is unavailable")
        }
    }
}
