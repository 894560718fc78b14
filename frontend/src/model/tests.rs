use confab_shared::{
    ChatMessage, ClientId, ClientMsg, ErrorCode, EventKind, MessageBody, RequestId, Role,
    RoomEvent, RoomInfo, RoomName, ServerMsg, Topic, UserId, UserName,
};

use super::*;

pub(super) fn room(name: &str) -> RoomName {
    RoomName::new(name).unwrap()
}

pub(super) fn user(name: &str) -> UserName {
    UserName::new(name).unwrap()
}

fn id(text: &str) -> ClientId {
    ClientId::new(text).unwrap()
}

pub(super) fn chat_message(
    room_name: &str,
    seq: u64,
    author: &str,
    client_id: &str,
) -> ChatMessage {
    ChatMessage {
        room: room(room_name),
        seq,
        id: seq as i64,
        client_id: id(client_id),
        author: user(author),
        author_id: UserId::guest(&user(author)),
        body: MessageBody::new(format!("m{seq}")).unwrap(),
        ts: "2026-11-26T13:00:00.000Z".to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }
}

/// The event that posts a message.
pub(super) fn message(room_name: &str, seq: u64, author: &str, client_id: &str) -> ServerMsg {
    ServerMsg::Event(RoomEvent::message(chat_message(
        room_name, seq, author, client_id,
    )))
}

/// The `joined` of a resume: events follow.
pub(super) fn joined(room_name: &str, last_seq: u64) -> ServerMsg {
    ServerMsg::Joined {
        room: room(room_name),
        last_seq,
        online: vec![user("me")],
        online_count: 1,
        truncated: false,
        messages: None,
        has_more: false,
        tombstones: Vec::new(),
    }
}

/// The `joined` of a join without `after` (or a truncated resume): a snapshot.
pub(super) fn snapshot(
    room_name: &str,
    last_seq: u64,
    messages: Vec<ChatMessage>,
    has_more: bool,
) -> ServerMsg {
    ServerMsg::Joined {
        room: room(room_name),
        last_seq,
        online: vec![user("me")],
        online_count: 1,
        truncated: false,
        messages: Some(messages),
        has_more,
        tombstones: Vec::new(),
    }
}

/// A snapshot of `general` whose newest messages are `seqs` (bob's "c<seq>").
pub(super) fn newest_of_general(
    last_seq: u64,
    seqs: std::ops::RangeInclusive<u64>,
    has_more: bool,
) -> ServerMsg {
    let messages = seqs
        .map(|s| chat_message("general", s, "bob", &format!("c{s}")))
        .collect();
    snapshot("general", last_seq, messages, has_more)
}

pub(super) fn chat() -> Chat {
    Chat::new(
        user("me"),
        [room("general"), room("random")],
        room("general"),
    )
}

/// An account's user id: `u:` and the name.
pub(super) fn user_id(name: &str) -> UserId {
    UserId::new(format!("u:{name}")).unwrap()
}

/// [`chat`] of "me" signed in as the account `u:me`, with nothing left to send.
pub(super) fn signed_in() -> Chat {
    let mut c = chat();
    c.apply(ServerMsg::Welcome {
        user: user("me"),
        user_id: user_id("me"),
        epoch: "e1".to_owned(),
        protocol: 2,
    });
    c.take_outgoing();
    c
}

#[test]
fn duplicates_are_kept_once_and_resume_continues_after_the_newest() {
    let mut c = chat();
    assert_eq!(
        c.resume(),
        [
            ClientMsg::Join {
                room: room("general"),
                after: None
            },
            ClientMsg::Join {
                room: room("random"),
                after: None
            },
        ]
    );
    c.apply(joined("general", 3));
    for seq in [1, 2, 3, 3, 2] {
        c.apply(message("general", seq, "ann", &format!("a{seq}")));
    }
    assert_eq!(c.rows_in(Window::ALL).len(), 3);
    assert_eq!(
        c.resume()[0],
        ClientMsg::Join {
            room: room("general"),
            after: Some(3)
        }
    );
}

#[test]
fn a_sent_message_is_pending_until_it_comes_back_and_is_resent_after_reconnect() {
    let mut c = chat();
    let frame = c
        .queue_send(id("x1"), MessageBody::new("hi").unwrap())
        .unwrap();
    assert!(matches!(frame, ClientMsg::Send { .. }));
    let rows = c.rows_in(Window::ALL);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].delivery, Some(Delivery::Sending));
    assert!(c.resume().contains(&frame), "unconfirmed sends are resent");

    c.apply(message("general", 1, "me", "x1"));
    let rows = c.rows_in(Window::ALL);
    assert_eq!(rows.len(), 1, "the stored copy replaces the pending one");
    assert_eq!(rows[0].delivery, None);
    assert_eq!(
        rows[0].key, "guest:me/x1",
        "same key, so the line is not rebuilt elsewhere"
    );
    assert!(!c.resume().contains(&frame));
}

#[test]
fn a_refused_message_fails_and_can_be_retried() {
    let mut c = chat();
    c.queue_send(id("x1"), MessageBody::new("hi").unwrap());
    c.apply(ServerMsg::Error {
        code: ErrorCode::Internal,
        message: "could not store".to_owned(),
        client_id: Some(id("x1")),
        retry_after_ms: None,
        room: None,
        request_id: None,
    });
    assert_eq!(
        c.rows_in(Window::ALL)[0].delivery,
        Some(Delivery::Failed("could not store".to_owned()))
    );
    assert!(
        c.resume().len() == 2,
        "failed messages wait for a retry, not a reconnect"
    );
    assert!(matches!(c.retry(&id("x1")), Some(ClientMsg::Send { .. })));
    assert_eq!(c.rows_in(Window::ALL)[0].delivery, Some(Delivery::Sending));

    c.apply(ServerMsg::Error {
        code: ErrorCode::BadRequest,
        message: "general trouble".to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: None,
        request_id: None,
    });
    assert_eq!(c.notice.as_deref(), Some("general trouble"));
}

#[test]
fn a_guests_page_counts_unread_until_seen() {
    let mut c = chat();
    let first = vec![
        chat_message("random", 1, "ann", "r1"),
        chat_message("random", 2, "ann", "r2"),
    ];
    c.apply(snapshot("random", 2, first, false));
    assert_eq!(
        c.rooms[&room("random")].reading.unread,
        0,
        "a first snapshot is not news"
    );
    c.apply(message("random", 3, "ann", "r3"));
    assert_eq!(c.rooms[&room("random")].reading.unread, 1);
    assert_eq!(c.open_room(room("random")), None, "already joined");
    assert_eq!(
        c.rooms[&room("random")].reading.unread,
        1,
        "opened, not yet seen"
    );
    c.seen(3);
    assert!(
        c.take_reads().is_empty(),
        "a guest tells the server nothing"
    );
    assert_eq!(c.rooms[&room("random")].reading.unread, 0);
}

#[test]
fn opening_and_closing_rooms() {
    let mut c = chat();
    assert_eq!(
        c.open_room(room("dev")),
        Some(ClientMsg::Join {
            room: room("dev"),
            after: None
        }),
        "opening a room joins it and makes nothing"
    );
    assert_eq!(c.current, room("dev"));
    assert_eq!(
        c.close_room(&room("dev")),
        Some(ClientMsg::Leave { room: room("dev") })
    );
    assert_ne!(c.current, room("dev"));
    assert_eq!(c.close_room(&room("dev")), None);
    c.close_room(&room("random"));
    assert_eq!(
        c.close_room(&room("general")),
        None,
        "the last room stays open"
    );
    assert_eq!(c.current, room("general"));
}

#[test]
fn earlier_pages_and_grouping() {
    let mut c = chat();
    let newest = (11..=60)
        .map(|seq| {
            let author = if seq % 2 == 0 { "ann" } else { "bob" };
            chat_message("general", seq, author, &format!("c{seq}"))
        })
        .collect();
    c.apply(snapshot("general", 60, newest, true));
    assert!(c.current_room().unwrap().has_earlier());
    assert_eq!(
        c.load_earlier(11),
        Some(ClientMsg::History {
            room: room("general"),
            before: Some(11),
            limit: 100, // the most one history request may ask for (docs/protocol.md)
            around: None,
            request_id: RequestId::new("earlier").ok(),
            thread: None,
        })
    );
    assert_eq!(c.load_earlier(11), None, "one request at a time");
    let older = (1..=10).map(|seq| chat_message("general", seq, "ann", &format!("c{seq}")));
    c.apply(ServerMsg::History {
        room: room("general"),
        messages: older.collect(),
        has_more: false,
        request_id: RequestId::new("earlier").ok(),
        has_newer: false,
        thread: None,
        root: None,
        tombstones: Vec::new(),
    });
    let rows = c.rows_in(Window::ALL);
    assert_eq!(rows.len(), 60);
    assert!(!c.current_room().unwrap().has_earlier());
    assert!(
        rows[0].starts_group && !rows[1].starts_group,
        "ann's run 1..=10 is one group"
    );
    assert!(rows[10].starts_group, "bob's 11 starts a group");
}

#[test]
fn a_truncated_resume_replaces_the_view_with_its_snapshot() {
    let mut c = chat();
    c.apply(joined("general", 0));
    c.apply(message("general", 1, "ann", "a"));
    c.apply(message("general", 2, "ann", "b"));
    c.queue_send(id("mine"), MessageBody::new("unsent").unwrap());
    c.apply(ServerMsg::Joined {
        room: room("general"),
        last_seq: 3000,
        online: vec![],
        online_count: 0,
        truncated: true,
        messages: Some(
            (2951..=3000)
                .map(|seq| chat_message("general", seq, "bob", &format!("z{seq}")))
                .collect(),
        ),
        has_more: true,
        tombstones: Vec::new(),
    });
    let rows = c.rows_in(Window::ALL);
    let seqs: Vec<u64> = rows.iter().map(|r| r.seq).collect();
    let mut expected: Vec<u64> = (2951..=3000).collect();
    expected.push(0);
    assert_eq!(seqs, expected, "the snapshot, then the unsent line");
    assert!(c.current_room().unwrap().has_earlier());
    assert_eq!(
        c.resume()[0],
        ClientMsg::Join {
            room: room("general"),
            after: Some(3000)
        },
        "the next resume goes on from the snapshot"
    );
}

#[test]
fn events_of_unknown_kinds_move_the_resume_point_and_show_nothing() {
    let mut c = chat();
    c.apply(joined("general", 0));
    c.apply(message("general", 1, "ann", "a"));
    c.apply(ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq: 2,
        kind: EventKind::Unknown,
    }));
    c.apply(ServerMsg::Unknown);
    assert_eq!(c.rows_in(Window::ALL).len(), 1);
    assert_eq!(
        c.resume()[0],
        ClientMsg::Join {
            room: room("general"),
            after: Some(2)
        }
    );
}

#[test]
fn a_new_epoch_starts_over_but_keeps_unconfirmed_messages() {
    let mut c = chat();
    let welcome = |epoch: &str| ServerMsg::Welcome {
        user: user("me"),
        user_id: UserId::guest(&user("me")),
        epoch: epoch.to_owned(),
        protocol: 2,
    };
    c.apply(welcome("one"));
    c.apply(joined("general", 1));
    c.apply(message("general", 1, "ann", "a"));
    c.queue_send(id("x1"), MessageBody::new("hi").unwrap());
    c.apply(welcome("one"));
    assert_eq!(
        c.resume()[0],
        ClientMsg::Join {
            room: room("general"),
            after: Some(1)
        }
    );

    c.apply(welcome("two"));
    let frames = c.resume();
    assert_eq!(
        frames[0],
        ClientMsg::Join {
            room: room("general"),
            after: None
        }
    );
    assert!(
        frames
            .iter()
            .any(|f| matches!(f, ClientMsg::Send { client_id, .. } if *client_id == id("x1")))
    );
    assert_eq!(
        c.rows_in(Window::ALL).len(),
        1,
        "only the pending message is left"
    );
}

#[test]
fn the_outbox_survives_a_reload() {
    let mut c = chat();
    c.queue_send(id("x1"), MessageBody::new("one").unwrap());
    c.open_room(room("dev"));
    c.queue_send(id("x2"), MessageBody::new("two").unwrap());
    let saved = c.outbox();

    let mut fresh = chat();
    fresh.restore_outbox(saved.clone());
    fresh.restore_outbox(saved);
    let sends: Vec<_> = fresh
        .resume()
        .into_iter()
        .filter_map(|f| match f {
            ClientMsg::Send {
                room, client_id, ..
            } => Some((room, client_id)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sends,
        [(room("dev"), id("x2")), (room("general"), id("x1"))]
    );
}

#[test]
fn presence_diffs_and_crowds() {
    let mut c = chat();
    c.apply(joined("general", 0));
    let presence =
        |count: u32, joined: &[&str], left: &[&str], online: Option<&[&str]>| ServerMsg::Presence {
            room: room("general"),
            online_count: count,
            joined: joined.iter().map(|n| user(n)).collect(),
            left: left.iter().map(|n| user(n)).collect(),
            online: online.map(|o| o.iter().map(|n| user(n)).collect()),
        };
    let names = |c: &Chat| -> Vec<String> {
        c.current_room()
            .unwrap()
            .online
            .iter()
            .map(|n| n.to_string())
            .collect()
    };
    c.apply(presence(3, &["ann", "bob", "me"], &[], None));
    assert_eq!(names(&c), ["ann", "bob", "me"]);
    c.apply(presence(2, &[], &["bob"], None));
    assert_eq!(names(&c), ["ann", "me"]);
    c.apply(presence(150, &[], &[], None));
    assert!(names(&c).is_empty(), "a crowd has a count, not names");
    assert_eq!(c.current_room().unwrap().online_count, 150);
    c.apply(presence(2, &[], &[], Some(&["ann", "zed"])));
    assert_eq!(names(&c), ["ann", "zed"]);
}

#[test]
fn mine_is_who_wrote_it_not_the_name_it_shows() {
    let mut c = chat();
    c.apply(ServerMsg::Welcome {
        user: user("me"),
        user_id: UserId::new("u:7").unwrap(),
        epoch: "e".to_owned(),
        protocol: 2,
    });
    c.apply(joined("general", 0));
    c.queue_send(id("x1"), MessageBody::new("hi").unwrap());
    // Someone else showing the same name: not mine, and my pending line stays.
    c.apply(message("general", 1, "me", "x1"));
    // Mine, under the id the welcome gave.
    let mut own = chat_message("general", 2, "me", "x1");
    own.author_id = UserId::new("u:7").unwrap();
    let before = c.rows_in(Window::ALL);
    assert_eq!(before.len(), 2, "one stored, one pending: {before:?}");
    assert!(!before[0].mine && before[1].mine);
    c.apply(ServerMsg::Event(RoomEvent::message(own)));
    let rows = c.rows_in(Window::ALL);
    let mine: Vec<(u64, bool)> = rows.iter().map(|r| (r.seq, r.mine)).collect();
    assert_eq!(
        mine,
        [(1, false), (2, true)],
        "the pending line became line 2"
    );
    assert!(rows[1].starts_group, "another author than line 1");
}

#[test]
fn a_rate_limited_message_waits_and_goes_again() {
    let mut c = chat();
    c.queue_send(id("x1"), MessageBody::new("hi").unwrap());
    c.queue_send(id("x2"), MessageBody::new("again").unwrap());
    for (client_id, wait) in [("x1", 300), ("x2", 500)] {
        c.apply(ServerMsg::Error {
            code: ErrorCode::RateLimited,
            message: "too fast".to_owned(),
            client_id: Some(id(client_id)),
            retry_after_ms: Some(wait),
            room: None,
            request_id: None,
        });
    }
    let rows = c.rows_in(Window::ALL);
    assert!(
        rows.iter().all(|r| r.delivery == Some(Delivery::Sending)),
        "not shown as failed: {rows:?}"
    );
    assert_eq!(c.notice, None);
    assert_eq!(
        c.take_resend_delay(),
        Some(500),
        "waits for the later of the two"
    );
    assert_eq!(c.take_resend_delay(), None);
    assert_eq!(c.resends().len(), 2);
    assert!(c.resends().is_empty(), "each goes again once");
}

#[test]
fn the_rooms_a_person_belongs_to_are_shown_and_joined() {
    let mut c = chat();
    let info = |name: &str, private: bool| {
        RoomInfo::room(room(name), Topic::default(), private, Some(Role::Member))
    };
    c.apply(ServerMsg::Rooms {
        rooms: vec![info("general", false), info("secret", true)],
    });
    assert_eq!(
        c.take_outgoing(),
        [ClientMsg::Join {
            room: room("secret"),
            after: None
        }],
        "only the room this page did not have"
    );
    assert!(c.rooms[&room("secret")].private);
    // Invited while online: shown and joined at once.
    c.apply(ServerMsg::Room(info("plans", true)));
    assert_eq!(c.take_outgoing().len(), 1);
    assert!(c.take_outgoing().is_empty());
}

#[test]
fn a_room_opened_by_name_that_is_not_there_goes_away() {
    let mut c = chat();
    c.open_room(room("hidden"));
    c.apply(ServerMsg::Error {
        code: ErrorCode::NotFound,
        message: "no such room".to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: Some(room("hidden")),
        request_id: None,
    });
    assert!(!c.rooms.contains_key(&room("hidden")));
    assert_ne!(c.current, room("hidden"));
    assert!(c.notice.as_deref().is_some_and(|n| n.contains("#hidden")));
}
