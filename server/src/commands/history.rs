//! `history`: a page of older messages of a joined room's list, or (with `around`)
//! the messages around one seq, as the page asks when it opens a search result in
//! context, or (with `thread`) a page of a thread's replies with its root.

use confab_shared::{
    ChatMessage, ErrorCode, MessageId, RequestId, RoomName, Seq, ServerMsg, Tombstone,
};

use super::authz::{self, Action};
use super::{Reply, Session, denied_request};
use crate::store::{Page, Store, StoreError};

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
                tombstones: Vec::new(),
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
    // The page's span: from its first message (from the room's start without
    // older ones) to what it was asked before, or its last when newer ones follow.
    let read = match read {
        Ok((page, has_newer)) => {
            let through = match (around, page.messages.last()) {
                (Some(_), Some(last)) if has_newer => last.seq,
                (None, _) => before.map_or(Seq::MAX, |seq| seq.saturating_sub(1)),
                _ => Seq::MAX,
            };
            tombstones(
                store.as_ref(),
                &room,
                &page.messages,
                page.has_more,
                through,
            )
            .await
            .map(|tombstones| (page, has_newer, tombstones))
        }
        Err(error) => Err(error),
    };
    match read {
        Ok((page, has_newer, tombstones)) => Reply::frame(&ServerMsg::History {
            room,
            messages: page.messages,
            has_more: page.has_more,
            request_id,
            has_newer,
            thread: None,
            root: None,
            tombstones,
        }),
        Err(error) => {
            tracing::error!(conn = session.conn, %error, "reading history failed");
            refused(ErrorCode::Internal, "history is unavailable")
        }
    }
}

/// The places kept for deleted roots in the span of a page or snapshot of `room`:
/// from its first message (from the room's start when nothing older is left)
/// through `through`.
pub(super) async fn tombstones(
    store: &dyn Store,
    room: &RoomName,
    messages: &[ChatMessage],
    has_more: bool,
    through: Seq,
) -> Result<Vec<Tombstone>, StoreError> {
    let from = match messages.first() {
        Some(first) if has_more => first.seq,
        None if has_more => return Ok(Vec::new()),
        _ => 0,
    };
    store.tombstones(room, from, through).await
}
