//! Read state in the model: counts from the server's frames, kept between them by
//! the server's rule, what the page tells the server it has seen, and the "New
//! messages" line.

use confab_shared::{
    ChatMessage, ClientId, ClientMsg, MessageBody, Notify, Role, RoomEvent, RoomInfo, ServerMsg,
    Topic, UserId,
};

use super::tests::{joined, room, signed_in, snapshot, user};
use super::*;

/// A `rooms` entry for `name` with this read state.
fn entry(name: &str, read: Option<u64>, unread: u32, mentions: u32) -> RoomInfo {
    RoomInfo {
        read,
        unread,
        mentions,
        ..RoomInfo::room(room(name), Topic::default(), false, Some(Role::Member))
    }
}

fn rooms(entries: Vec<RoomInfo>) -> ServerMsg {
    ServerMsg::Rooms { rooms: entries }
}

fn said(room_name: &str, seq: u64, author: &str, body: &str) -> ChatMessage {
    ChatMessage {
        room: room(room_name),
        seq,
        id: seq as i64,
        client_id: ClientId::new(format!("c{seq}")).unwrap(),
        author: user(author),
        author_id: UserId::new(format!("u:{author}")).unwrap(),
        body: MessageBody::new(body).unwrap(),
        ts: "2026-12-03T09:00:00.000Z".to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }
}

fn posted(room_name: &str, seq: u64, author: &str, body: &str) -> ServerMsg {
    ServerMsg::Event(RoomEvent::message(said(room_name, seq, author, body)))
}

fn deleted(room_name: &str, seq: u64, id: i64) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room(room_name),
        seq,
        kind: confab_shared::EventKind::MessageDeleted(confab_shared::Deletion {
            id,
            by: user("bob"),
            ts: String::new(),
            thread: None,
            tombstone: None,
        }),
    })
}

fn counts(c: &Chat, name: &str) -> (u32, u32) {
    let reading = &c.rooms[&room(name)].reading;
    (reading.unread, reading.mentions)
}

#[test]
fn the_servers_counts_are_kept_and_live_messages_added_by_its_rule() {
    let mut c = signed_in();
    let mut quiet = entry("random", Some(4), 2, 0);
    quiet.notify = Notify::None;
    let changed = c.apply(rooms(vec![entry("general", Some(10), 3, 1), quiet]));
    assert!(changed.counts);
    assert_eq!(counts(&c, "general"), (3, 1));
    assert_eq!(
        c.title_count(),
        3,
        "a room set to nothing stays out of the title"
    );
    c.apply(joined("general", 12));
    // Replayed by the join: in the server's counts already.
    c.apply(posted("general", 11, "bob", "old"));
    c.apply(posted("general", 12, "bob", "@me old"));
    assert_eq!(counts(&c, "general"), (3, 1));
    // Live: by someone else after the marker, once; a mention of me twice over.
    assert!(c.apply(posted("general", 13, "bob", "hi @me")).counts);
    c.apply(posted("general", 13, "bob", "hi @me"));
    c.apply(posted("general", 14, "me", "mine"));
    c.apply(posted("general", 15, "bob", "hi @meg"));
    assert_eq!(counts(&c, "general"), (5, 2));
    // A deletion of an unread message takes it away.
    assert!(c.apply(deleted("general", 16, 13)).counts);
    assert_eq!(counts(&c, "general"), (4, 1));
}

#[test]
fn the_count_stops_at_the_cap_and_shows_99_plus() {
    let mut c = signed_in();
    c.apply(rooms(vec![entry("general", Some(0), 99, 0)]));
    c.apply(joined("general", 0));
    c.apply(posted("general", 1, "bob", "a"));
    c.apply(posted("general", 2, "bob", "b"));
    assert_eq!(counts(&c, "general"), (100, 0));
    assert_eq!(shown(100), "99+");
    assert_eq!(shown(7), "7");
}

#[test]
fn a_read_frame_from_another_tab_replaces_the_counts() {
    let mut c = signed_in();
    c.apply(rooms(vec![entry("random", Some(2), 5, 2)]));
    let changed = c.apply(ServerMsg::Read {
        room: room("random"),
        seq: 7,
        unread: 0,
        mentions: 0,
    });
    assert!(changed.counts);
    assert_eq!(counts(&c, "random"), (0, 0));
    assert_eq!(c.rooms[&room("random")].reading.marker, Some(7));
    // At or below the marker now: no news.
    c.apply(joined("random", 7));
    assert!(!c.apply(posted("random", 6, "bob", "old")).counts);
}

#[test]
fn what_is_seen_clears_the_count_and_is_told_once_with_the_newest_seq() {
    let mut c = signed_in();
    c.apply(rooms(vec![entry("general", Some(1), 0, 0)]));
    let first = vec![said("general", 1, "bob", "a")];
    c.apply(snapshot("general", 1, first, false));
    c.apply(posted("general", 2, "bob", "b"));
    c.apply(posted("general", 3, "bob", "c"));
    assert_eq!(counts(&c, "general"), (2, 0));
    // Seeing the older of the two: told, the server's answer brings the count.
    c.seen(2);
    assert_eq!(counts(&c, "general"), (2, 0));
    c.seen(1);
    assert_eq!(
        c.take_reads(),
        [ClientMsg::Read {
            room: room("general"),
            seq: 2,
            thread: None,
        }],
        "the newest seen, once"
    );
    assert!(c.take_reads().is_empty(), "told already");
    // Seeing the newest clears it at once.
    c.seen(3);
    assert_eq!(counts(&c, "general"), (0, 0));
    assert_eq!(c.take_reads().len(), 1);
    assert!(c.take_changed().counts);
}

#[test]
fn a_room_frame_without_read_state_asks_for_it() {
    let mut c = signed_in();
    let started = RoomInfo::room(room("plans"), Topic::default(), false, Some(Role::Member));
    c.apply(ServerMsg::Room(started.clone()));
    assert_eq!(
        c.take_outgoing(),
        [
            ClientMsg::Join {
                room: room("plans"),
                after: None
            },
            // Seq 0 moves nothing and is answered with the marker and the counts.
            ClientMsg::Read {
                room: room("plans"),
                seq: 0,
                thread: None,
            },
        ]
    );
    c.apply(ServerMsg::Read {
        room: room("plans"),
        seq: 3,
        unread: 1,
        mentions: 0,
    });
    assert_eq!(counts(&c, "plans"), (1, 0));
    // Known now: another frame without it (a notify change carries it) keeps it.
    c.apply(ServerMsg::Room(started));
    assert!(c.take_outgoing().is_empty());
    assert_eq!(counts(&c, "plans"), (1, 0));
    let mut quiet = entry("plans", Some(3), 1, 0);
    quiet.notify = Notify::Mentions;
    assert!(c.apply(ServerMsg::Room(quiet)).counts);
    assert_eq!(c.rooms[&room("plans")].reading.notify, Notify::Mentions);
}

#[test]
fn opening_a_room_puts_the_new_messages_line_where_the_marker_was() {
    let mut c = signed_in();
    c.apply(rooms(vec![
        entry("general", Some(5), 0, 0),
        entry("random", Some(2), 2, 0),
    ]));
    let held = vec![
        said("random", 1, "bob", "a"),
        said("random", 2, "me", "b"),
        said("random", 3, "me", "c"),
        said("random", 4, "bob", "d"),
        said("random", 5, "bob", "e"),
    ];
    c.apply(snapshot("random", 5, held, false));
    assert_eq!(c.first_new(), None, "general has nothing unread");
    c.open_room(room("random"));
    // The first message by someone else after the marker.
    assert_eq!(c.first_new(), Some(4));
    let rows = c.rows_in(Window::ALL);
    let flagged: Vec<u64> = rows.iter().filter(|r| r.first_new).map(|r| r.seq).collect();
    assert_eq!(flagged, [4]);
    // Reading does not move the line while the room is open...
    c.seen(5);
    assert_eq!(c.first_new(), Some(4));
    // ...leaving takes it away, and nothing is unread when coming back.
    c.open_room(room("general"));
    c.open_room(room("random"));
    assert_eq!(c.first_new(), None);
}

#[test]
fn the_room_open_as_the_page_loads_gets_its_line_from_the_rooms_frame() {
    let mut c = signed_in();
    c.apply(rooms(vec![entry("general", None, 1, 0)]));
    let held = vec![said("general", 1, "bob", "a")];
    c.apply(snapshot("general", 1, held, false));
    // Nothing read yet: everything is new.
    assert_eq!(c.first_new(), Some(1));
}

#[test]
fn mark_as_read_and_mark_all_as_read() {
    let mut c = signed_in();
    c.apply(rooms(vec![
        entry("general", Some(1), 1, 0),
        entry("random", Some(1), 4, 1),
    ]));
    c.apply(snapshot("general", 2, Vec::new(), false));
    c.apply(snapshot("random", 9, Vec::new(), false));
    assert_eq!(
        c.mark_read(),
        [ClientMsg::Read {
            room: room("general"),
            seq: 2,
            thread: None,
        }]
    );
    assert_eq!(
        c.mark_all_read(),
        [ClientMsg::Read {
            room: room("random"),
            seq: 9,
            thread: None,
        }]
    );
    assert_eq!(c.title_count(), 0);
    assert_eq!(c.current, room("general"), "still reading general");
}

#[test]
fn mark_unread_moves_the_marker_back_and_what_is_on_screen_stays_unread_until_reopened() {
    let mut c = signed_in();
    c.apply(rooms(vec![
        entry("general", Some(0), 0, 0),
        entry("random", None, 0, 0),
    ]));
    c.apply(joined("general", 0));
    for seq in 1..=3 {
        c.apply(posted("general", seq, "bob", "news"));
    }
    c.seen(3);
    assert_eq!(c.take_reads().len(), 1, "read up to 3");
    let frame = c.mark_unread_from(2);
    assert_eq!(
        frame,
        Some(ClientMsg::MarkUnread {
            room: room("general"),
            seq: 2
        })
    );
    // The server counts and says so; the line goes above the message.
    c.apply(ServerMsg::Read {
        room: room("general"),
        seq: 1,
        unread: 2,
        mentions: 0,
    });
    assert_eq!(counts(&c, "general"), (2, 0));
    assert_eq!(c.first_new(), Some(2));
    // Still on screen: not read again.
    c.seen(3);
    assert!(c.take_reads().is_empty());
    assert_eq!(counts(&c, "general"), (2, 0));
    // Opened anew: what is seen is read.
    c.open_room(room("random"));
    c.open_room(room("general"));
    c.seen(3);
    assert_eq!(
        c.take_reads(),
        [ClientMsg::Read {
            room: room("general"),
            seq: 3,
            thread: None,
        }]
    );
}
