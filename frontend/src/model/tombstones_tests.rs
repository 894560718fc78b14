//! A deleted root whose thread has replies keeps its place in the list, as a line
//! that opens its thread: from its deletion (live, or replayed for a root the page
//! never held), from a snapshot; it follows its thread and goes with its last reply.

use confab_shared::{ChatMessage, Deletion, EventKind, RoomEvent, ServerMsg, Thread, Tombstone};

use super::tests::{chat_message, room, signed_in, snapshot, user};
use super::{Row, Window, is_tombstone};

fn thread(replies: u32) -> Thread {
    Thread {
        root: 1,
        replies,
        last_reply_at: (replies > 0).then(|| "2026-11-26T13:00:00.000Z".to_owned()),
        in_room: false,
    }
}

/// The `message_deleted` event at `seq` of message `id` (1, the root; 2, a reply).
fn deleted(seq: u64, id: i64, thread: Option<Thread>, tombstone: Option<Tombstone>) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind: EventKind::MessageDeleted(Deletion {
            id,
            by: user("bob"),
            ts: "2026-11-26T13:05:00.000Z".to_owned(),
            thread,
            tombstone,
        }),
    })
}

/// The root's deletion, its thread then holding `replies`.
fn root_deleted(seq: u64, replies: u32) -> ServerMsg {
    let kept = (replies > 0).then(|| Tombstone {
        seq: 1,
        id: 1,
        thread: thread(replies),
    });
    deleted(seq, 1, None, kept)
}

/// A reply's deletion, `left` replies then.
fn reply_deleted(seq: u64, left: u32) -> ServerMsg {
    deleted(seq, 2, Some(thread(left)), None)
}

fn root(replies: u32) -> ChatMessage {
    let mut m = chat_message("general", 1, "bob", "c1");
    m.thread = (replies > 0).then(|| thread(replies));
    m
}

/// The lines of the list as it opens (its newest lines, a window).
fn lines(c: &super::Chat) -> Vec<(u64, bool, Option<u32>)> {
    let Some(room) = c.current_room() else {
        return Vec::new();
    };
    c.rows_in(Window::newest(room, 150))
        .iter()
        .map(|r: &Row| (r.seq, is_tombstone(r), r.thread.as_ref().map(|t| t.replies)))
        .collect()
}

#[test]
fn a_root_deleted_with_replies_keeps_a_line_until_its_last_reply_goes() {
    let mut c = signed_in();
    let later = chat_message("general", 3, "ann", "c3");
    c.apply(snapshot("general", 3, vec![root(1), later], false));
    c.apply(root_deleted(4, 1));
    assert_eq!(lines(&c), [(1, true, Some(1)), (3, false, None)]);
    let line = c.rows_in(Window::ALL).remove(0);
    assert_eq!(line.body.as_str(), "This message was deleted.");
    assert_eq!(line.id, Some(1), "it opens the root's thread");
    // Its last reply deleted: nothing left to open.
    c.apply(reply_deleted(5, 0));
    assert_eq!(lines(&c), [(3, false, None)]);
}

#[test]
fn a_deleted_root_without_replies_leaves_no_line() {
    let mut c = signed_in();
    c.apply(snapshot("general", 1, vec![root(0)], false));
    c.apply(root_deleted(2, 0));
    assert!(lines(&c).is_empty());
}

#[test]
fn a_replay_or_a_snapshot_gives_the_line_of_a_root_never_held() {
    // Resumed: the root's own seq replays as its deletion, with its place.
    let mut c = signed_in();
    c.apply(snapshot("general", 0, vec![], false));
    c.apply(root_deleted(1, 2));
    c.apply(root_deleted(5, 2));
    assert_eq!(
        lines(&c),
        [(1, true, Some(2))],
        "one line, at the root's seq"
    );
    // A fresh join: the snapshot says so.
    let mut fresh = signed_in();
    fresh.apply(ServerMsg::Joined {
        room: room("general"),
        last_seq: 5,
        online: vec![],
        online_count: 0,
        truncated: false,
        messages: Some(vec![chat_message("general", 3, "ann", "c3")]),
        has_more: false,
        tombstones: vec![Tombstone {
            seq: 1,
            id: 1,
            thread: thread(2),
        }],
    });
    assert_eq!(lines(&fresh), [(1, true, Some(2)), (3, false, None)]);
}
