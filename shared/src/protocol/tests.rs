//! Exact JSON of every frame, both directions, and the error code of each bad input.

use serde_json::{Value, json};

use super::*;

mod threads;
mod topics;

fn room(name: &str) -> RoomName {
    RoomName::new(name).unwrap()
}

fn user(name: &str) -> UserName {
    UserName::new(name).unwrap()
}

fn sample_message() -> ChatMessage {
    ChatMessage {
        room: room("general"),
        seq: 7,
        id: 42,
        client_id: ClientId::new("c-1").unwrap(),
        author: user("alice"),
        author_id: UserId::new("guest:alice").unwrap(),
        body: MessageBody::new("hello <b>world</b>").unwrap(),
        ts: "2026-11-26T13:00:00.000Z".to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }
}

/// Serializes `msg`, compares with `expected`, and reads it back.
fn assert_server_json(msg: ServerMsg, expected: Value) {
    let text = serde_json::to_string(&msg).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), msg);
}

fn assert_client_json(msg: ClientMsg, expected: Value) {
    let text = serde_json::to_string(&msg).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    assert_eq!(ClientMsg::decode(&text).unwrap(), msg);
}

#[test]
fn client_frames() {
    assert_client_json(
        ClientMsg::Join {
            room: room("general"),
            after: Some(12),
        },
        json!({"type": "join", "room": "general", "after": 12}),
    );
    assert_client_json(
        ClientMsg::Join {
            room: room("general"),
            after: None,
        },
        json!({"type": "join", "room": "general"}),
    );
    assert_client_json(
        ClientMsg::Leave {
            room: room("random"),
        },
        json!({"type": "leave", "room": "random"}),
    );
    assert_client_json(
        ClientMsg::Send {
            room: room("general"),
            client_id: ClientId::new("abc").unwrap(),
            body: MessageBody::new("hi").unwrap(),
            thread: None,
            in_room: false,
        },
        json!({"type": "send", "room": "general", "client_id": "abc", "body": "hi"}),
    );
    assert_client_json(ClientMsg::Ping, json!({"type": "ping"}));
    assert_client_json(
        ClientMsg::History {
            room: room("general"),
            before: Some(100),
            limit: 25,
            around: None,
            request_id: None,
            thread: None,
        },
        json!({"type": "history", "room": "general", "before": 100, "limit": 25}),
    );
}

#[test]
fn server_frames() {
    assert_server_json(
        ServerMsg::Welcome {
            user: user("alice"),
            user_id: UserId::new("guest:alice").unwrap(),
            epoch: "9f86d081884c7d65".to_owned(),
            protocol: 2,
        },
        json!({"type": "welcome", "user": "alice", "user_id": "guest:alice", "epoch": "9f86d081884c7d65", "protocol": 2}),
    );
    assert_server_json(ServerMsg::Pong, json!({"type": "pong"}));
    assert_server_json(
        ServerMsg::Joined {
            room: room("general"),
            last_seq: 3,
            online: vec![user("alice"), user("bob")],
            online_count: 2,
            truncated: false,
            messages: None,
            has_more: false,
            tombstones: Vec::new(),
        },
        json!({"type": "joined", "room": "general", "last_seq": 3, "online": ["alice", "bob"], "online_count": 2}),
    );
    assert_server_json(
        ServerMsg::Joined {
            room: room("general"),
            last_seq: 3000,
            online: vec![],
            online_count: 150,
            truncated: true,
            messages: Some(vec![]),
            has_more: true,
            tombstones: Vec::new(),
        },
        json!({"type": "joined", "room": "general", "last_seq": 3000, "online": [], "online_count": 150, "truncated": true, "messages": [], "has_more": true}),
    );
    let message = json!({
        "room": "general", "seq": 7, "id": 42, "client_id": "c-1", "author": "alice",
        "author_id": "guest:alice", "body": "hello <b>world</b>", "ts": "2026-11-26T13:00:00.000Z"
    });
    assert_server_json(
        ServerMsg::Joined {
            room: room("general"),
            last_seq: 7,
            online: vec![user("alice")],
            online_count: 1,
            truncated: false,
            messages: Some(vec![sample_message()]),
            has_more: false,
            tombstones: Vec::new(),
        },
        json!({"type": "joined", "room": "general", "last_seq": 7, "online": ["alice"], "online_count": 1, "messages": [message]}),
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent::message(sample_message())),
        json!({
            "type": "event", "room": "general", "seq": 7, "kind": "message", "id": 42,
            "client_id": "c-1", "author": "alice", "author_id": "guest:alice",
            "body": "hello <b>world</b>", "ts": "2026-11-26T13:00:00.000Z"
        }),
    );
    assert_eq!(
        RoomEvent::message(sample_message()).into_message(),
        Some(sample_message())
    );
    assert_server_json(
        ServerMsg::Ack {
            room: room("general"),
            client_id: ClientId::new("c-1").unwrap(),
            seq: 7,
            id: 42,
        },
        json!({"type": "ack", "room": "general", "client_id": "c-1", "seq": 7, "id": 42}),
    );
    assert_server_json(
        ServerMsg::History {
            room: room("general"),
            messages: vec![sample_message()],
            has_more: true,
            request_id: None,
            has_newer: false,
            thread: None,
            root: None,
            tombstones: Vec::new(),
        },
        json!({"type": "history", "room": "general", "messages": [message], "has_more": true}),
    );
    assert_server_json(
        ServerMsg::Presence {
            room: room("general"),
            online_count: 2,
            joined: vec![user("bob")],
            left: vec![user("carol")],
            online: None,
        },
        json!({"type": "presence", "room": "general", "online_count": 2, "joined": ["bob"], "left": ["carol"]}),
    );
    assert_server_json(
        ServerMsg::Presence {
            room: room("general"),
            online_count: 5000,
            joined: vec![],
            left: vec![],
            online: None,
        },
        json!({"type": "presence", "room": "general", "online_count": 5000}),
    );
    assert_server_json(
        ServerMsg::Presence {
            room: room("general"),
            online_count: 1,
            joined: vec![],
            left: vec![],
            online: Some(vec![user("bob")]),
        },
        json!({"type": "presence", "room": "general", "online_count": 1, "online": ["bob"]}),
    );
    assert_server_json(
        ServerMsg::Error {
            code: ErrorCode::NotJoined,
            message: "join the room first".to_owned(),
            client_id: None,
            retry_after_ms: None,
            room: None,
            request_id: None,
        },
        json!({"type": "error", "code": "not_joined", "message": "join the room first"}),
    );
    assert_server_json(
        ServerMsg::Error {
            code: ErrorCode::InvalidBody,
            message: "x".to_owned(),
            client_id: Some(ClientId::new("c-9").unwrap()),
            retry_after_ms: None,
            room: None,
            request_id: None,
        },
        json!({"type": "error", "code": "invalid_body", "message": "x", "client_id": "c-9"}),
    );
}

fn decode_err(text: &str) -> DecodeError {
    ClientMsg::decode(text).expect_err(text)
}

#[test]
fn bad_frames_get_their_codes() {
    for text in [
        "not json",
        "{}",
        "[1,2]",
        r#"{"type":"join"}"#,
        r#"{"type":"join","room":"general","after":-1}"#,
        r#"{"type":"send","room":"general","body":"hi"}"#,
        r#"{"type":"history","room":"general","limit":101}"#,
        r#"{"type":"history","room":"general","limit":0}"#,
    ] {
        assert_eq!(decode_err(text).code, ErrorCode::BadRequest, "{text}");
    }
    assert_eq!(decode_err("not json").message, "frame is not valid JSON");
    assert_eq!(
        decode_err(r#"{"type":"dance"}"#).code,
        ErrorCode::UnknownType
    );
    assert!(!decode_err(r#"{"type":"join"}"#).message.contains("line"));

    let err = decode_err(r#"{"type":"join","room":"Not A Room"}"#);
    assert_eq!((err.code, err.client_id), (ErrorCode::InvalidRoom, None));

    let err = decode_err(r#"{"type":"send","room":"general","client_id":"c1","body":"  "}"#);
    assert_eq!(err.code, ErrorCode::InvalidBody);
    assert_eq!(err.client_id, Some(ClientId::new("c1").unwrap()));

    let err = decode_err(r#"{"type":"send","room":"BAD","client_id":"c1","body":"x"}"#);
    assert_eq!(err.code, ErrorCode::InvalidRoom);
    assert_eq!(err.client_id, Some(ClientId::new("c1").unwrap()));

    let err = decode_err(r#"{"type":"send","room":"general","client_id":"no spaces","body":"x"}"#);
    assert_eq!(err.code, ErrorCode::InvalidClientId);
}

#[test]
fn unknown_fields_are_ignored_and_history_limit_defaults() {
    let msg = ClientMsg::decode(r#"{"type":"history","room":"a","future":true}"#).unwrap();
    assert_eq!(
        msg,
        ClientMsg::History {
            room: room("a"),
            before: None,
            limit: 50, // the documented default
            around: None,
            request_id: None,
            thread: None,
        }
    );
}

#[test]
fn server_frames_with_invalid_names_are_refused() {
    let text = r#"{"type":"presence","room":"general","online_count":1,"joined":["bad name"]}"#;
    assert!(serde_json::from_str::<ServerMsg>(text).is_err());
}

/// A newer server's additions: a frame type, an event kind, an error code and fields
/// this client does not know are read, not refused.
#[test]
fn what_a_newer_server_adds_is_ignored() {
    let parse = |text: &str| serde_json::from_str::<ServerMsg>(text).unwrap();
    assert_eq!(
        parse(r#"{"type":"receipts","room":"general","who":["bob"]}"#),
        ServerMsg::Unknown
    );
    assert_eq!(
        parse(r#"{"type":"event","room":"general","seq":9,"kind":"reaction","emoji":"+1"}"#),
        ServerMsg::Event(RoomEvent {
            room: room("general"),
            seq: 9,
            kind: EventKind::Unknown,
        })
    );
    assert_eq!(
        parse(r#"{"type":"error","code":"slow_mode","message":"slow down","retry_ms":500}"#),
        ServerMsg::Error {
            code: ErrorCode::Unknown,
            message: "slow down".to_owned(),
            client_id: None,
            retry_after_ms: None,
            room: None,
            request_id: None,
        }
    );
    let with_extra = r#"{"type":"event","room":"general","seq":7,"kind":"message","edited":true,
        "id":42,"client_id":"c-1","author":"alice","author_id":"guest:alice",
        "body":"hello <b>world</b>","ts":"2026-11-26T13:00:00.000Z","reactions":[]}"#;
    assert_eq!(
        parse(with_extra),
        ServerMsg::Event(RoomEvent::message(sample_message()))
    );
}

/// docs/protocol.md, "create_room", "invite", "rooms", "room", "invited".
#[test]
fn room_frames() {
    assert_client_json(
        ClientMsg::CreateRoom {
            room: room("plans"),
            topic: Topic::new("what we build next").unwrap(),
            private: true,
        },
        json!({"type": "create_room", "room": "plans", "topic": "what we build next", "private": true}),
    );
    assert_eq!(
        ClientMsg::decode(r#"{"type":"create_room","room":"lobby"}"#).unwrap(),
        ClientMsg::CreateRoom {
            room: room("lobby"),
            topic: Topic::default(),
            private: false,
        },
        "topic and private are optional"
    );
    assert_client_json(
        ClientMsg::Invite {
            room: room("plans"),
            user: user("bob"),
        },
        json!({"type": "invite", "room": "plans", "user": "bob"}),
    );
    let bad = decode_err(r#"{"type":"create_room","room":"x","topic":"two\nlines"}"#);
    assert_eq!(bad.code, ErrorCode::BadRequest);
    assert_eq!(
        decode_err(r#"{"type":"invite","room":"x","user":"no spaces"}"#).code,
        ErrorCode::BadRequest
    );
    let plans = RoomInfo::room(
        room("plans"),
        Topic::new("what we build next").unwrap(),
        true,
        Some(Role::Owner),
    );
    assert_server_json(
        ServerMsg::Rooms {
            rooms: vec![plans.clone()],
        },
        json!({"type": "rooms", "rooms": [{"room": "plans", "topic": "what we build next", "private": true, "role": "owner"}]}),
    );
    assert_server_json(
        ServerMsg::Room(RoomInfo {
            role: None,
            ..plans
        }),
        json!({"type": "room", "room": "plans", "topic": "what we build next", "private": true}),
    );
    assert_server_json(
        ServerMsg::Invited {
            room: room("plans"),
            user: user("bob"),
        },
        json!({"type": "invited", "room": "plans", "user": "bob"}),
    );
    assert_server_json(
        ServerMsg::Error {
            code: ErrorCode::NotFound,
            message: "no such room".to_owned(),
            client_id: None,
            retry_after_ms: None,
            room: Some(room("plans")),
            request_id: None,
        },
        json!({"type": "error", "code": "not_found", "message": "no such room", "room": "plans"}),
    );
}

/// docs/protocol.md, "Moderation": the commands, `members`, and the log's events.
#[test]
fn moderation_frames() {
    assert_client_json(
        ClientMsg::DeleteMessage {
            room: room("plans"),
            id: 42,
        },
        json!({"type": "delete_message", "room": "plans", "id": 42}),
    );
    assert_client_json(
        ClientMsg::Moderate {
            room: room("plans"),
            user: user("bob"),
            action: ModAction::Mute,
        },
        json!({"type": "moderate", "room": "plans", "user": "bob", "action": "mute"}),
    );
    assert_client_json(
        ClientMsg::SetRole {
            room: room("plans"),
            user: user("bob"),
            role: Role::Owner,
        },
        json!({"type": "set_role", "room": "plans", "user": "bob", "role": "owner"}),
    );
    for bad in [
        r#"{"type":"moderate","room":"plans","user":"bob","action":"smite"}"#,
        r#"{"type":"set_role","room":"plans","user":"bob","role":"king"}"#,
        r#"{"type":"delete_message","room":"plans","id":"x"}"#,
    ] {
        assert_eq!(decode_err(bad).code, ErrorCode::BadRequest, "{bad}");
    }
    assert_server_json(
        ServerMsg::Members {
            room: room("plans"),
            members: vec![
                MemberInfo {
                    user: user("ann"),
                    user_id: UserId::new("u:1").unwrap(),
                    role: Role::Owner,
                    muted: false,
                },
                MemberInfo {
                    user: user("bob"),
                    user_id: UserId::new("u:2").unwrap(),
                    role: Role::Member,
                    muted: true,
                },
            ],
            has_more: false,
            request_id: None,
        },
        json!({"type": "members", "room": "plans", "members": [
            {"user": "ann", "user_id": "u:1", "role": "owner"},
            {"user": "bob", "user_id": "u:2", "role": "member", "muted": true}]}),
    );
    let change = MemberChange {
        user: user("bob"),
        user_id: UserId::new("u:2").unwrap(),
        by: Some(user("ann")),
        role: None,
        ts: "2026-12-02T14:00:00.000Z".to_owned(),
    };
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 9,
            kind: EventKind::MemberKicked(change.clone()),
        }),
        json!({"type": "event", "room": "plans", "seq": 9, "kind": "member_kicked",
            "user": "bob", "user_id": "u:2", "by": "ann", "ts": "2026-12-02T14:00:00.000Z"}),
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 10,
            kind: EventKind::RoleChanged(MemberChange {
                role: Some(Role::Moderator),
                ..change
            }),
        }),
        json!({"type": "event", "room": "plans", "seq": 10, "kind": "role_changed",
            "user": "bob", "user_id": "u:2", "by": "ann", "role": "moderator",
            "ts": "2026-12-02T14:00:00.000Z"}),
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 11,
            kind: EventKind::MessageDeleted(Deletion {
                id: 42,
                by: user("ann"),
                ts: "2026-12-02T14:00:00.000Z".to_owned(),
                thread: None,
                tombstone: None,
            }),
        }),
        json!({"type": "event", "room": "plans", "seq": 11, "kind": "message_deleted", "id": 42,
            "by": "ann", "ts": "2026-12-02T14:00:00.000Z"}),
    );
    assert_server_json(
        ServerMsg::Error {
            code: ErrorCode::Muted,
            message: "muted".to_owned(),
            client_id: Some(ClientId::new("c-1").unwrap()),
            retry_after_ms: None,
            room: Some(room("plans")),
            request_id: None,
        },
        json!({"type": "error", "code": "muted", "message": "muted", "client_id": "c-1", "room": "plans"}),
    );
}

#[test]
fn edits_on_the_wire() {
    assert_client_json(
        ClientMsg::EditMessage {
            room: room("plans"),
            id: 42,
            client_id: ClientId::new("e-1").unwrap(),
            body: MessageBody::new("fixed").unwrap(),
        },
        json!({"type": "edit_message", "room": "plans", "id": 42, "client_id": "e-1", "body": "fixed"}),
    );
    let empty = r#"{"type":"edit_message","room":"plans","id":42,"client_id":"e-1","body":""}"#;
    let refused = decode_err(empty);
    assert_eq!(refused.code, ErrorCode::InvalidBody);
    assert_eq!(refused.client_id, Some(ClientId::new("e-1").unwrap()));
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 12,
            kind: EventKind::MessageEdited(Edit {
                id: 42,
                body: MessageBody::new("fixed").unwrap(),
                edited_at: "2026-12-03T14:00:00.000Z".to_owned(),
                client_id: ClientId::new("e-1").unwrap(),
            }),
        }),
        json!({"type": "event", "room": "plans", "seq": 12, "kind": "message_edited", "id": 42,
            "body": "fixed", "edited_at": "2026-12-03T14:00:00.000Z", "client_id": "e-1"}),
    );
    // A message says when it was edited only if it was.
    let mut message = sample_message();
    let plain = serde_json::to_value(&message).unwrap();
    assert!(plain.get("edited_at").is_none(), "{plain}");
    message.edited_at = Some("2026-12-03T14:00:00.000Z".to_owned());
    let edited = serde_json::to_value(&message).unwrap();
    assert_eq!(edited["edited_at"], "2026-12-03T14:00:00.000Z");
}

#[test]
fn reactions_on_the_wire() {
    let emoji = |e: &str| Emoji::new(e).unwrap();
    for (msg, kind) in [
        (
            ClientMsg::AddReaction {
                room: room("plans"),
                id: 42,
                emoji: emoji("👍🏽"),
                client_id: ClientId::new("r-1").unwrap(),
            },
            "add_reaction",
        ),
        (
            ClientMsg::RemoveReaction {
                room: room("plans"),
                id: 42,
                emoji: emoji("👍🏽"),
                client_id: ClientId::new("r-1").unwrap(),
            },
            "remove_reaction",
        ),
    ] {
        assert_client_json(
            msg,
            json!({"type": kind, "room": "plans", "id": 42, "emoji": "👍🏽", "client_id": "r-1"}),
        );
    }
    for bad in ["", "ab", "👍👍", " "] {
        let frame = json!({"type": "add_reaction", "room": "plans", "id": 42, "emoji": bad,
            "client_id": "r-2"});
        let refused = decode_err(&frame.to_string());
        assert_eq!(refused.code, ErrorCode::BadRequest, "{bad:?}");
        assert_eq!(refused.client_id, Some(ClientId::new("r-2").unwrap()));
    }
    let reaction = Reaction {
        id: 42,
        emoji: emoji("🎉"),
        user: user("bob"),
        user_id: UserId::new("u:2").unwrap(),
        client_id: ClientId::new("r-1").unwrap(),
    };
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 13,
            kind: EventKind::ReactionAdded(reaction.clone()),
        }),
        json!({"type": "event", "room": "plans", "seq": 13, "kind": "reaction_added", "id": 42,
            "emoji": "🎉", "user": "bob", "user_id": "u:2", "client_id": "r-1"}),
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 14,
            kind: EventKind::ReactionRemoved(reaction),
        }),
        json!({"type": "event", "room": "plans", "seq": 14, "kind": "reaction_removed", "id": 42,
            "emoji": "🎉", "user": "bob", "user_id": "u:2", "client_id": "r-1"}),
    );
    // A message in a snapshot carries its reactions, only if it has some.
    let mut message = sample_message();
    assert!(
        serde_json::to_value(&message)
            .unwrap()
            .get("reactions")
            .is_none()
    );
    message.reactions = vec![Reactions {
        emoji: emoji("🎉"),
        users: vec![Reactor {
            user: user("bob"),
            user_id: UserId::new("u:2").unwrap(),
        }],
    }];
    assert_eq!(
        serde_json::to_value(&message).unwrap()["reactions"],
        json!([{"emoji": "🎉", "users": [{"user": "bob", "user_id": "u:2"}]}])
    );
}

#[test]
fn reactions_fold_idempotently() {
    let reaction = |who: &str| Reaction {
        id: 1,
        emoji: Emoji::new("👍").unwrap(),
        user: user(who),
        user_id: UserId::new(format!("u:{who}")).unwrap(),
        client_id: ClientId::new("r").unwrap(),
    };
    let mut reactions = Vec::new();
    fold_reaction(&mut reactions, &reaction("ann"), true);
    fold_reaction(&mut reactions, &reaction("ann"), true);
    fold_reaction(&mut reactions, &reaction("bob"), true);
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].users.len(), 2, "ann once, then bob");
    fold_reaction(&mut reactions, &reaction("ann"), false);
    fold_reaction(&mut reactions, &reaction("ann"), false);
    assert_eq!(reactions[0].users[0].user.as_str(), "bob");
    fold_reaction(&mut reactions, &reaction("bob"), false);
    assert!(reactions.is_empty(), "an emoji nobody has goes");
}

#[test]
fn search_on_the_wire() {
    let ask = r#"{"type":"search","request_id":"q-1","query":"Budget plan","room":"plans",
        "from":"ann","after":"2026-12-01","before":"2026-12-03T14:00:00Z","older_than":900}"#;
    assert_eq!(
        ClientMsg::decode(ask).unwrap(),
        ClientMsg::Search {
            request_id: Some(RequestId::new("q-1").unwrap()),
            query: "Budget plan".to_owned(),
            room: Some(room("plans")),
            from: Some(user("ann")),
            after: Some("2026-12-01".to_owned()),
            before: Some("2026-12-03T14:00:00Z".to_owned()),
            public: false,
            older_than: Some(900),
            limit: Some(SEARCH_LIMIT),
        }
    );
    // Refusals carry the request's id.
    for bad in [
        r#"{"type":"search","request_id":"q-2","query":"ok"}"#,
        r#"{"type":"search","request_id":"q-2","query":"plan","after":"yesterday"}"#,
        r#"{"type":"search","request_id":"q-2","query":"plan","limit":51}"#,
        r#"{"type":"search","request_id":"q-2","query":"a b c d e f g h plan"}"#,
    ] {
        let refused = decode_err(bad);
        assert_eq!(refused.code, ErrorCode::BadRequest, "{bad}");
        assert_eq!(
            refused.request_id,
            Some(RequestId::new("q-2").unwrap()),
            "{bad}"
        );
    }
    assert!(
        ClientMsg::decode(r#"{"type":"search","query":"会议"}"#).is_ok(),
        "two Chinese characters may be looked up"
    );
    let mut message = sample_message();
    message.body = MessageBody::new("the plan").unwrap();
    assert_server_json(
        ServerMsg::SearchResults {
            request_id: Some(RequestId::new("q-1").unwrap()),
            results: vec![SearchHit {
                message,
                matches: vec![[4, 8]],
            }],
            older_than: Some(42),
        },
        json!({"type": "search_results", "request_id": "q-1", "older_than": 42, "results": [
            {"message": {"room": "general", "seq": 7, "id": 42, "client_id": "c-1",
              "author": "alice", "author_id": "guest:alice", "body": "the plan",
              "ts": "2026-11-26T13:00:00.000Z"},
             "matches": [[4, 8]]}]}),
    );
}

#[test]
fn typing_frames() {
    assert_client_json(
        ClientMsg::Typing {
            room: room("general"),
            stop: false,
        },
        json!({"type": "typing", "room": "general"}),
    );
    assert_client_json(
        ClientMsg::Typing {
            room: room("general"),
            stop: true,
        },
        json!({"type": "typing", "room": "general", "stop": true}),
    );
    assert_eq!(
        ClientMsg::decode(r#"{"type":"typing","room":"general"}"#).unwrap(),
        ClientMsg::Typing {
            room: room("general"),
            stop: false
        }
    );
    assert_eq!(
        decode_err(r#"{"type":"typing","room":"Not a room"}"#).code,
        ErrorCode::InvalidRoom
    );
    assert_server_json(
        ServerMsg::Typing {
            room: room("general"),
            people: vec![Typist {
                user: user("bob"),
                user_id: UserId::new("u:2").unwrap(),
            }],
            count: 4,
        },
        json!({"type": "typing", "room": "general",
               "people": [{"user": "bob", "user_id": "u:2"}], "count": 4}),
    );
    // The contract's numbers.
    assert_eq!(
        (TYPING_EVERY_MS, TYPING_EXPIRES_MS, TYPING_NAMES),
        (3000, 6000, 3)
    );
}

#[test]
fn conversation_frames() {
    assert_client_json(
        ClientMsg::StartConversation {
            with: vec![user("bob"), user("cat")],
        },
        json!({"type": "start_conversation", "with": ["bob", "cat"]}),
    );
    // At most 9 people with the starter: 8 named.
    let nine: Vec<String> = (1..=9).map(|n| format!("p{n}")).collect();
    let text = json!({"type": "start_conversation", "with": nine}).to_string();
    assert_eq!(decode_err(&text).code, ErrorCode::BadRequest);
    let text = json!({"type": "start_conversation", "with": ["bad name"]}).to_string();
    assert_eq!(decode_err(&text).code, ErrorCode::BadRequest);

    let people = |names: &[&str]| -> Vec<crate::Participant> {
        names
            .iter()
            .enumerate()
            .map(|(n, name)| crate::Participant {
                user: user(name),
                user_id: UserId::new(format!("u:{}", n + 1)).unwrap(),
            })
            .collect()
    };
    let dm = RoomInfo {
        kind: crate::RoomKind::Conversation,
        members: people(&["ann", "bob"]),
        last_at: Some("2026-12-03T09:00:00.000Z".to_owned()),
        ..RoomInfo::room(
            room("dm-abcdefghijklmnopqrstuvwxyz"),
            Topic::default(),
            true,
            Some(Role::Member),
        )
    };
    assert!(dm.room.is_conversation() && dm.is_conversation());
    assert_server_json(
        ServerMsg::Room(dm),
        json!({"type": "room", "room": "dm-abcdefghijklmnopqrstuvwxyz", "topic": "",
               "private": true, "role": "member", "kind": "conversation",
               "members": [{"user": "ann", "user_id": "u:1"}, {"user": "bob", "user_id": "u:2"}],
               "last_at": "2026-12-03T09:00:00.000Z"}),
    );
    // A kind a newer server adds reads as unknown.
    let newer = json!({"type": "room", "room": "x", "kind": "channel"}).to_string();
    let ServerMsg::Room(info) = serde_json::from_str(&newer).unwrap() else {
        panic!("a room frame");
    };
    assert_eq!(info.kind, crate::RoomKind::Unknown);
}

#[test]
fn people_frames() {
    let ids =
        |ids: &[&str]| -> Vec<UserId> { ids.iter().map(|i| UserId::new(*i).unwrap()).collect() };
    assert_client_json(
        ClientMsg::WatchPeople {
            users: ids(&["u:2", "u:3"]),
        },
        json!({"type": "watch_people", "users": ["u:2", "u:3"]}),
    );
    assert_client_json(
        ClientMsg::Status { away: true },
        json!({"type": "status", "away": true}),
    );
    let too_many: Vec<String> = (0..=200).map(|n| format!("u:{n}")).collect();
    let text = json!({"type": "watch_people", "users": too_many}).to_string();
    assert_eq!(decode_err(&text).code, ErrorCode::BadRequest, "at most 200");
    assert_server_json(
        ServerMsg::People {
            people: vec![
                crate::PersonStatus {
                    user_id: UserId::new("u:2").unwrap(),
                    status: crate::Status::Online,
                },
                crate::PersonStatus {
                    user_id: UserId::new("u:3").unwrap(),
                    status: crate::Status::Away,
                },
            ],
        },
        json!({"type": "people", "people": [{"user_id": "u:2", "status": "online"}, {"user_id": "u:3", "status": "away"}]}),
    );
    let newer = r#"{"type":"people","people":[{"user_id":"u:2","status":"in_a_call"}]}"#;
    let ServerMsg::People { people } = serde_json::from_str(newer).unwrap() else {
        panic!("a people frame");
    };
    assert_eq!(people[0].status, crate::Status::Unknown);
}

#[test]
fn read_state_frames() {
    assert_client_json(
        ClientMsg::Read {
            room: room("general"),
            seq: 120,
            thread: None,
        },
        json!({"type": "read", "room": "general", "seq": 120}),
    );
    assert_client_json(
        ClientMsg::MarkUnread {
            room: room("general"),
            seq: 118,
        },
        json!({"type": "mark_unread", "room": "general", "seq": 118}),
    );
    assert_server_json(
        ServerMsg::Read {
            room: room("general"),
            seq: 120,
            unread: 3,
            mentions: 1,
        },
        json!({"type": "read", "room": "general", "seq": 120, "unread": 3, "mentions": 1}),
    );
    let general = RoomInfo {
        read: Some(120),
        unread: 3,
        mentions: 1,
        ..RoomInfo::room(room("general"), Topic::default(), false, Some(Role::Member))
    };
    assert_server_json(
        ServerMsg::Rooms {
            rooms: vec![general],
        },
        json!({"type": "rooms", "rooms": [{"room": "general", "topic": "", "private": false,
               "role": "member", "read": 120, "unread": 3, "mentions": 1}]}),
    );
}

#[test]
fn finding_and_notify_frames() {
    assert_client_json(
        ClientMsg::Members {
            room: room("plans"),
            limit: Some(100),
            after: Some(user("bob")),
            query: "b".to_owned(),
            request_id: None,
        },
        json!({"type": "members", "room": "plans", "limit": 100, "after": "bob", "query": "b"}),
    );
    assert_client_json(
        ClientMsg::Members {
            room: room("plans"),
            limit: None,
            after: None,
            query: String::new(),
            request_id: None,
        },
        json!({"type": "members", "room": "plans"}),
    );
    assert_client_json(
        ClientMsg::Notify {
            room: room("plans"),
            notify: crate::Notify::Mentions,
        },
        json!({"type": "notify", "room": "plans", "notify": "mentions"}),
    );
    assert_client_json(
        ClientMsg::PublicRooms {
            query: "gard".to_owned(),
        },
        json!({"type": "public_rooms", "query": "gard"}),
    );
    let long = "x".repeat(101);
    let text = json!({"type": "public_rooms", "query": long}).to_string();
    assert_eq!(decode_err(&text).code, ErrorCode::BadRequest);
    assert_server_json(
        ServerMsg::PublicRooms {
            rooms: vec![crate::protocol::PublicRoom {
                room: room("gardening"),
                topic: Topic::new("plants").unwrap(),
                members: 12,
            }],
        },
        json!({"type": "public_rooms", "rooms": [{"room": "gardening", "topic": "plants", "members": 12}]}),
    );
    assert_server_json(
        ServerMsg::Members {
            room: room("plans"),
            members: Vec::new(),
            has_more: true,
            request_id: None,
        },
        json!({"type": "members", "room": "plans", "members": [], "has_more": true}),
    );
    let quiet = RoomInfo {
        notify: crate::Notify::None,
        ..RoomInfo::room(room("plans"), Topic::default(), false, Some(Role::Member))
    };
    assert_server_json(
        ServerMsg::Room(quiet),
        json!({"type": "room", "room": "plans", "topic": "", "private": false, "role": "member", "notify": "none"}),
    );
}
