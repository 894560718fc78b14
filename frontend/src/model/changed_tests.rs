//! What each frame and action reports as changed: the page notifies exactly that.

use std::collections::BTreeSet;

use confab_shared::{
    ClientId, Deletion, Edit, EventKind, MemberChange, MessageBody, RoomEvent, RoomName, ServerMsg,
    UserId,
};

use super::tests::{chat, joined, message, room, user};
use super::{Changed, Chat, Link};

fn rooms(names: &[&str]) -> BTreeSet<RoomName> {
    names.iter().map(|n| room(n)).collect()
}

/// A chat with two messages in `general` and one in `random`, changes taken.
fn settled() -> Chat {
    let mut chat = chat();
    for frame in [
        message("general", 1, "ann", "a1"),
        message("general", 2, "bob", "b1"),
        message("random", 1, "ann", "a2"),
    ] {
        chat.apply(frame);
    }
    chat.take_changed();
    chat
}

fn presence(joined: &[&str], left: &[&str], count: u32) -> ServerMsg {
    ServerMsg::Presence {
        room: room("general"),
        online_count: count,
        joined: joined.iter().map(|n| user(n)).collect(),
        left: left.iter().map(|n| user(n)).collect(),
        online: None,
    }
}

fn deletion(seq: u64, id: i64) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind: EventKind::MessageDeleted(Deletion {
            id,
            by: user("bob"),
            ts: String::new(),
            thread: None,
            tombstone: None,
        }),
    })
}

#[test]
fn presence_changes_the_rooms_live_state_and_no_lines() {
    let mut chat = settled();
    let changed = chat.apply(presence(&["cat"], &[], 2));
    assert_eq!(
        changed,
        Changed {
            live: rooms(&["general"]),
            ..Changed::default()
        }
    );
    assert!(chat.apply(presence(&[], &["cat"], 1)).lines.is_empty());
}

#[test]
fn a_pong_or_an_unknown_frame_changes_nothing() {
    let mut chat = settled();
    assert!(chat.apply(ServerMsg::Pong).is_empty());
    assert!(chat.apply(ServerMsg::Unknown).is_empty());
}

#[test]
fn a_resume_without_a_snapshot_changes_only_who_is_online() {
    let mut chat = settled();
    let changed = chat.apply(joined("general", 2));
    assert_eq!(
        changed,
        Changed {
            live: rooms(&["general"]),
            ..Changed::default()
        }
    );
}

#[test]
fn a_deletion_changes_one_rooms_lines_and_one_message() {
    let mut chat = settled();
    // Read already: the deletion changes no count.
    chat.seen(2);
    chat.take_changed();
    let changed = chat.apply(deletion(3, 2));
    assert_eq!(
        changed,
        Changed {
            lines: rooms(&["general"]),
            messages: BTreeSet::from([2]),
            ..Changed::default()
        }
    );
    // Deleting what the page does not hold changes nothing it shows.
    assert!(chat.apply(deletion(4, 99)).is_empty());
}

fn edit(seq: u64, id: i64, body: &str) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind: EventKind::MessageEdited(Edit {
            id,
            body: MessageBody::new(body).unwrap(),
            edited_at: "2026-12-03T10:00:00Z".to_owned(),
            client_id: ClientId::new("e-1").unwrap(),
        }),
    })
}

#[test]
fn an_edit_changes_one_message_whose_row_shows_the_new_text() {
    let mut chat = settled();
    chat.seen(2);
    chat.take_changed();
    let changed = chat.apply(edit(3, 2, "b1, better"));
    assert_eq!(
        changed,
        Changed {
            lines: rooms(&["general"]),
            messages: BTreeSet::from([2]),
            ..Changed::default()
        },
        "no count moves: an edit is no new message"
    );
    let rows = chat.rows_in(super::window::Window::ALL);
    let row = rows.iter().find(|r| r.id == Some(2)).expect("bob's row");
    assert_eq!(row.body.as_str(), "b1, better");
    assert!(row.edited);
    assert!(!rows.iter().find(|r| r.id == Some(1)).expect("ann's").edited);
    assert!(chat.apply(edit(4, 99, "nothing here")).is_empty());
}

#[test]
fn a_message_changes_its_rooms_lines_and_the_counts() {
    let mut chat = settled();
    // Unread until seen on screen, in the open room too.
    let here = chat.apply(message("general", 3, "ann", "a3"));
    assert_eq!(
        here,
        Changed {
            lines: rooms(&["general"]),
            counts: true,
            ..Changed::default()
        }
    );
    chat.seen(3);
    assert!(chat.take_changed().counts, "seen: the count clears");
    // Mine never counts.
    let mine = chat.apply(message("general", 4, "me", "m4"));
    assert!(!mine.counts);
    let there = chat.apply(message("random", 2, "bob", "b2"));
    assert_eq!(
        there,
        Changed {
            lines: rooms(&["random"]),
            counts: true,
            ..Changed::default()
        }
    );
    // The same message again is kept once, and unread once.
    assert!(!chat.apply(message("random", 2, "bob", "b2")).counts);
}

#[test]
fn sending_changes_the_lines_and_the_outbox_until_the_message_is_back() {
    let mut chat = settled();
    let body = MessageBody::new("hi").unwrap();
    chat.queue_send(ClientId::new("c1").unwrap(), body);
    let queued = chat.take_changed();
    assert_eq!(
        queued,
        Changed {
            lines: rooms(&["general"]),
            outbox: true,
            ..Changed::default()
        }
    );
    let back = chat.apply(message("general", 3, "me", "c1"));
    assert_eq!(back, queued);
}

#[test]
fn a_membership_event_is_a_line_and_a_change_of_the_members() {
    let mut chat = settled();
    chat.apply(ServerMsg::Members {
        room: room("general"),
        members: Vec::new(),
        has_more: false,
        request_id: None,
    });
    chat.take_changed();
    let changed = chat.apply(ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq: 3,
        kind: EventKind::MemberJoined(MemberChange {
            user: user("cat"),
            user_id: UserId::guest(&user("cat")),
            by: None,
            role: None,
            ts: String::new(),
        }),
    }));
    assert_eq!(
        changed,
        Changed {
            lines: rooms(&["general"]),
            members: rooms(&["general"]),
            ..Changed::default()
        }
    );
}

#[test]
fn revealing_a_message_changes_that_message_and_blocking_every_rooms_lines() {
    let mut chat = settled();
    let bob = UserId::guest(&user("bob"));
    chat.set_blocked(bob.clone(), true);
    let blocked = chat.take_changed();
    assert!(blocked.blocked);
    assert_eq!(blocked.lines, rooms(&["general", "random"]));
    chat.reveal(2);
    assert_eq!(
        chat.take_changed(),
        Changed {
            lines: rooms(&["general"]),
            messages: BTreeSet::from([2]),
            ..Changed::default()
        }
    );
    chat.set_blocked(bob, true);
    assert!(chat.take_changed().is_empty(), "blocked already");
}

#[test]
fn switching_rooms_changes_the_rooms_and_the_new_messages_line() {
    let mut chat = settled();
    chat.apply(message("random", 2, "bob", "b2"));
    chat.take_changed();
    // Opening is not reading: the count stays until the lines are seen; the
    // opened room's lines get the "New messages" line.
    chat.open_room(room("random"));
    assert_eq!(
        chat.take_changed(),
        Changed {
            rooms: true,
            lines: rooms(&["random"]),
            ..Changed::default()
        }
    );
    chat.set_link(Link::Connecting);
    assert!(chat.take_changed().is_empty(), "the link was connecting");
    chat.set_link(Link::Offline);
    assert!(chat.take_changed().link);
}
