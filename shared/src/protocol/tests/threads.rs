//! Threads on the wire: a reply's `send`, a thread's page, a message's thread, a
//! deleted reply's, and thread read state.

use serde_json::json;

use super::{assert_client_json, assert_server_json, room, sample_message, user};
use crate::protocol::*;

#[test]
fn threads_on_the_wire() {
    assert_client_json(
        ClientMsg::Send {
            room: room("general"),
            client_id: ClientId::new("c-2").unwrap(),
            body: MessageBody::new("yes").unwrap(),
            thread: Some(42),
            in_room: true,
        },
        json!({"type": "send", "room": "general", "client_id": "c-2", "body": "yes",
               "thread": 42, "in_room": true}),
    );
    // `in_room` means nothing without a thread.
    let plain = ClientMsg::decode(
        &json!({"type": "send", "room": "general", "client_id": "c-3", "body": "hi",
                "in_room": true})
        .to_string(),
    )
    .unwrap();
    assert!(matches!(
        plain,
        ClientMsg::Send {
            thread: None,
            in_room: false,
            ..
        }
    ));
    assert_client_json(
        ClientMsg::History {
            room: room("general"),
            before: None,
            limit: 50,
            around: None,
            request_id: None,
            thread: Some(42),
        },
        json!({"type": "history", "room": "general", "limit": 50, "thread": 42}),
    );
    assert_client_json(
        ClientMsg::Read {
            room: room("general"),
            seq: 9,
            thread: Some(42),
        },
        json!({"type": "read", "room": "general", "seq": 9, "thread": 42}),
    );

    // A reply: its thread as of the event, beside the message's fields.
    let mut reply = sample_message();
    reply.id = 43;
    reply.seq = 8;
    reply.thread = Some(Thread {
        root: 42,
        replies: 1,
        last_reply_at: Some("2026-11-26T13:00:00.000Z".to_owned()),
        in_room: false,
    });
    assert_server_json(
        ServerMsg::Event(RoomEvent::message(reply)),
        json!({"type": "event", "room": "general", "seq": 8, "kind": "message", "id": 43,
               "client_id": "c-1", "author": "alice", "author_id": "guest:alice",
               "body": "hello <b>world</b>", "ts": "2026-11-26T13:00:00.000Z",
               "thread": {"root": 42, "replies": 1,
                          "last_reply_at": "2026-11-26T13:00:00.000Z"}}),
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("general"),
            seq: 9,
            kind: EventKind::MessageDeleted(Deletion {
                id: 43,
                by: user("alice"),
                ts: "2026-11-26T13:01:00.000Z".to_owned(),
                thread: Some(Thread {
                    root: 42,
                    replies: 0,
                    last_reply_at: None,
                    in_room: false,
                }),
                tombstone: None,
            }),
        }),
        json!({"type": "event", "room": "general", "seq": 9, "kind": "message_deleted",
               "id": 43, "by": "alice", "ts": "2026-11-26T13:01:00.000Z",
               "thread": {"root": 42, "replies": 0}}),
    );
    // A root deleted while its thread has replies: where the list keeps its place.
    let kept = Tombstone {
        seq: 7,
        id: 42,
        thread: Thread {
            root: 42,
            replies: 1,
            last_reply_at: Some("2026-11-26T13:00:00.000Z".to_owned()),
            in_room: false,
        },
    };
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("general"),
            seq: 10,
            kind: EventKind::MessageDeleted(Deletion {
                id: 42,
                by: user("alice"),
                ts: "2026-11-26T13:02:00.000Z".to_owned(),
                thread: None,
                tombstone: Some(kept.clone()),
            }),
        }),
        json!({"type": "event", "room": "general", "seq": 10, "kind": "message_deleted",
               "id": 42, "by": "alice", "ts": "2026-11-26T13:02:00.000Z",
               "tombstone": {"seq": 7, "id": 42, "thread": {"root": 42, "replies": 1,
                             "last_reply_at": "2026-11-26T13:00:00.000Z"}}}),
    );
    assert_server_json(
        ServerMsg::Joined {
            room: room("general"),
            last_seq: 10,
            online: vec![],
            online_count: 0,
            truncated: false,
            messages: Some(vec![]),
            has_more: false,
            tombstones: vec![kept],
        },
        json!({"type": "joined", "room": "general", "last_seq": 10, "online": [],
               "online_count": 0, "messages": [],
               "tombstones": [{"seq": 7, "id": 42, "thread": {"root": 42, "replies": 1,
                               "last_reply_at": "2026-11-26T13:00:00.000Z"}}]}),
    );
    assert_server_json(
        ServerMsg::ThreadRead {
            room: room("general"),
            thread: ThreadUnread {
                root: 42,
                seq: 8,
                unread: 2,
            },
        },
        json!({"type": "thread_read", "room": "general", "root": 42, "seq": 8, "unread": 2}),
    );
}

#[test]
fn a_thread_folds_into_its_root_alone() {
    let mut root = sample_message();
    let thread = |root: MessageId, replies: u32| Thread {
        root,
        replies,
        last_reply_at: Some("2026-11-26T13:00:00.000Z".to_owned()),
        in_room: true,
    };
    assert!(
        !fold_thread(&mut root, &thread(7, 3)),
        "another message's thread"
    );
    assert!(fold_thread(&mut root, &thread(42, 2)));
    assert_eq!(
        root.thread.as_ref().map(|t| (t.replies, t.in_room)),
        Some((2, false))
    );
    assert!(
        !fold_thread(&mut root, &thread(42, 2)),
        "the same again changes nothing"
    );
    assert!(fold_thread(&mut root, &thread(42, 0)));
    assert_eq!(root.thread, None, "no replies left: no thread shown");
}
