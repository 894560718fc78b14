//! Threads on the page: a reply folds into its root's summary and stays out of the
//! room's list (and its unread count) unless also sent to the room; the open
//! thread's lines are its root, its replies and this person's unsent ones; a
//! deleted or edited reply shows so there; unsent replies keep their thread across
//! a reload.

use confab_shared::{
    ChatMessage, ClientId, ClientMsg, Deletion, Edit, EventKind, MessageBody, RoomEvent, ServerMsg,
    Thread,
};

use super::tests::{chat_message, room, signed_in, snapshot, user};
use super::window::Window;

/// A reply by `author` (a guest) at `seq` in the thread of message 1 of general,
/// which has `replies` then.
fn reply(seq: u64, author: &str, replies: u32, in_room: bool) -> ChatMessage {
    let mut m = chat_message("general", seq, author, &format!("r{seq}"));
    m.thread = Some(Thread {
        root: 1,
        replies,
        last_reply_at: Some(m.ts.clone()),
        in_room,
    });
    m
}

fn event(m: ChatMessage) -> ServerMsg {
    ServerMsg::Event(RoomEvent::message(m))
}

/// Signed in, general holding message 1 (by bob), read up to it.
fn with_root() -> super::Chat {
    let mut c = signed_in();
    c.apply(snapshot(
        "general",
        1,
        vec![chat_message("general", 1, "bob", "c1")],
        false,
    ));
    c
}

fn root_thread(c: &super::Chat) -> Option<Thread> {
    c.rows_in(Window::ALL)
        .iter()
        .find(|r| r.id == Some(1))
        .and_then(|r| r.thread.clone())
}

#[test]
fn a_reply_counts_on_its_root_and_stays_in_its_thread() {
    let mut c = with_root();
    let changed = c.apply(event(reply(2, "cat", 1, false)));
    assert!(changed.messages.contains(&1), "the root's line draws again");
    let thread = root_thread(&c).expect("the root shows its thread");
    assert_eq!(thread.replies, 1);
    // Not in the room's list, not unread there.
    assert_eq!(c.rows_in(Window::ALL).len(), 1);
    assert_eq!(c.rooms[&room("general")].reading.unread, 0);
    // Also sent to the room: in the list, and counted.
    c.apply(event(reply(3, "cat", 2, true)));
    let rows = c.rows_in(Window::ALL);
    assert_eq!(rows.len(), 2);
    assert!(rows[1].thread.as_ref().is_some_and(|t| t.is_reply(3)));
    assert_eq!(root_thread(&c).map(|t| t.replies), Some(2));
    assert_eq!(c.rooms[&room("general")].reading.unread, 1);
}

#[test]
fn the_open_thread_shows_its_root_replies_and_unsent_ones() {
    let mut c = with_root();
    let ask = c.open_thread(1).expect("asks for the thread");
    assert!(matches!(
        ask,
        ClientMsg::History {
            thread: Some(1),
            ..
        }
    ));
    c.apply(ServerMsg::History {
        room: room("general"),
        messages: vec![reply(2, "cat", 1, false)],
        has_more: false,
        request_id: None,
        has_newer: false,
        thread: Some(1),
        root: Some(Box::new(chat_message("general", 1, "bob", "c1"))),
        tombstones: Vec::new(),
    });
    let lines: Vec<Option<i64>> = c.thread_rows().iter().map(|r| r.id).collect();
    assert_eq!(lines, vec![Some(1), Some(2)]);
    // A reply written here: in the thread at once, never in the room's list.
    let frame = c
        .queue_reply(
            ClientId::new("mine1").unwrap(),
            MessageBody::new("agreed").unwrap(),
            false,
        )
        .expect("a frame");
    assert!(matches!(
        frame,
        ClientMsg::Send {
            thread: Some(1),
            in_room: false,
            ..
        }
    ));
    assert_eq!(c.thread_rows().len(), 3);
    assert_eq!(c.rows_in(Window::ALL).len(), 1);
    // Kept across a reload with its thread.
    let saved = c.outbox();
    assert_eq!(saved[0].thread, Some(1));
    // It comes back stored: one line, not two.
    let mut mine = reply(3, "me", 2, false);
    mine.client_id = ClientId::new("mine1").unwrap();
    mine.author_id = c.me_id.clone();
    mine.author = user("me");
    c.apply(event(mine));
    let rows = c.thread_rows();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.delivery.is_none()));
    assert!(c.outbox().is_empty());

    // Edited, then deleted: the thread shows each, the root's count follows.
    c.apply(ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq: 4,
        kind: EventKind::MessageEdited(Edit {
            id: 2,
            body: MessageBody::new("yes, friday").unwrap(),
            edited_at: "2026-11-26T13:05:00.000Z".to_owned(),
            client_id: ClientId::new("e1").unwrap(),
        }),
    }));
    assert_eq!(c.thread_rows()[1].body.as_str(), "yes, friday");
    c.apply(ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq: 5,
        kind: EventKind::MessageDeleted(Deletion {
            id: 2,
            by: user("cat"),
            ts: String::new(),
            thread: Some(Thread {
                root: 1,
                replies: 1,
                last_reply_at: None,
                in_room: false,
            }),
            tombstone: None,
        }),
    }));
    assert_eq!(c.thread_rows().len(), 2);
    assert_eq!(root_thread(&c).map(|t| t.replies), Some(1));
    // Leaving the room closes it.
    c.open_room(room("random"));
    assert!(c.thread.is_none());
}

#[test]
fn a_deleted_root_closes_its_box() {
    let mut c = with_root();
    c.open_thread(1);
    c.apply(ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq: 2,
        kind: EventKind::MessageDeleted(Deletion {
            id: 1,
            by: user("bob"),
            ts: String::new(),
            thread: None,
            tombstone: None,
        }),
    }));
    assert!(c.thread.as_ref().is_some_and(|t| t.gone));
    assert!(
        c.queue_reply(
            ClientId::new("late").unwrap(),
            MessageBody::new("too late").unwrap(),
            false
        )
        .is_none()
    );
}

#[test]
fn unread_replies_count_with_the_room_and_opening_the_thread_reads_them() {
    let mut c = with_root();
    let told = |unread: u32, seq: u64| ServerMsg::ThreadRead {
        room: room("general"),
        thread: confab_shared::ThreadUnread {
            root: 1,
            seq,
            unread,
        },
    };
    c.apply(event(reply(2, "cat", 1, false)));
    let changed = c.apply(told(1, 0));
    assert!(changed.counts && changed.messages.contains(&1));
    // One who took part is notified of the reply, as of a conversation's message.
    let alerts = c.take_alerts();
    assert_eq!(
        alerts.iter().map(|a| (a.id, a.thread)).collect::<Vec<_>>(),
        vec![(2, Some(1))]
    );
    let general = &c.rooms[&room("general")];
    assert_eq!((general.reading.unread, general.reading.total()), (0, 1));
    let root_row = c.rows_in(Window::ALL).remove(0);
    assert_eq!(root_row.thread_unread, 1);
    assert_eq!(c.title_count(), 1);

    // Opened: once its replies are in, the page says it read them.
    c.open_thread(1);
    c.apply(ServerMsg::History {
        room: room("general"),
        messages: vec![reply(2, "cat", 1, false)],
        has_more: false,
        request_id: None,
        has_newer: false,
        thread: Some(1),
        root: Some(Box::new(chat_message("general", 1, "bob", "c1"))),
        tombstones: Vec::new(),
    });
    assert_eq!(
        c.take_outgoing(),
        vec![ClientMsg::Read {
            room: room("general"),
            seq: 2,
            thread: Some(1),
        }]
    );
    c.apply(told(0, 2));
    assert_eq!(c.rooms[&room("general")].reading.total(), 0);
    // A reply arriving while it is open is read at once, once the server counts it.
    c.apply(event(reply(3, "cat", 2, false)));
    c.apply(told(1, 2));
    assert_eq!(
        c.take_outgoing(),
        vec![ClientMsg::Read {
            room: room("general"),
            seq: 3,
            thread: Some(1),
        }]
    );
}
