//! Private conversations in the model: kept from `rooms` and `room` frames, joined,
//! named by their other people, ordered by activity, started and opened.

use confab_shared::{
    ChatMessage, ClientId, ClientMsg, ErrorCode, MessageBody, Participant, Role, RoomEvent,
    RoomInfo, RoomKind, ServerMsg, Topic, UserId,
};

use super::tests::{joined, room, signed_in, user};
use super::*;

fn person(name: &str) -> Participant {
    Participant {
        user: user(name),
        user_id: UserId::new(format!("u:{name}")).unwrap(),
    }
}

/// The conversation `name` (of 26 more characters after "dm-") of me and `others`.
fn conversation(name: &str, others: &[&str], last_at: Option<&str>) -> RoomInfo {
    let mut members: Vec<Participant> = others.iter().map(|o| person(o)).collect();
    members.push(person("me"));
    members.sort();
    RoomInfo {
        kind: RoomKind::Conversation,
        members,
        last_at: last_at.map(str::to_owned),
        ..RoomInfo::room(room(&dm(name)), Topic::default(), true, Some(Role::Member))
    }
}

/// A conversation's room name: "dm-" and `tag` padded to 26 characters.
fn dm(tag: &str) -> String {
    format!("dm-{tag:a<26}")
}

/// A message by `author` in `room_name` at `ts`.
fn posted(room_name: &str, seq: u64, author: &str, ts: &str) -> ServerMsg {
    ServerMsg::Event(RoomEvent::message(ChatMessage {
        room: room(room_name),
        seq,
        id: seq as i64,
        client_id: ClientId::new(format!("c{seq}")).unwrap(),
        author: user(author),
        author_id: UserId::new(format!("u:{author}")).unwrap(),
        body: MessageBody::new("hi").unwrap(),
        ts: ts.to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }))
}

fn titles(c: &Chat) -> Vec<String> {
    c.direct_messages().into_iter().map(|l| l.title).collect()
}

#[test]
fn conversations_from_the_rooms_list_are_kept_and_joined() {
    let mut c = signed_in();
    let changed = c.apply(ServerMsg::Rooms {
        rooms: vec![
            RoomInfo::room(room("general"), Topic::default(), false, Some(Role::Member)),
            conversation("bob", &["bob"], Some("2026-12-03T09:00:00.000Z")),
            conversation("empty", &["cat"], None),
        ],
    });
    assert!(changed.conversations);
    let joins = c.take_outgoing();
    for name in [dm("bob"), dm("empty")] {
        assert!(
            joins.contains(&ClientMsg::Join {
                room: room(&name),
                after: None
            }),
            "{name} is joined: {joins:?}"
        );
    }
    let kept = c.conversation(&room(&dm("bob"))).unwrap();
    assert_eq!(kept.members.len(), 2);
    assert_eq!(kept.last_at.as_deref(), Some("2026-12-03T09:00:00.000Z"));
    // Nobody wrote to cat yet, and it was not started here: not listed.
    assert_eq!(titles(&c), ["bob"]);
    // Still the current room: general.
    assert_eq!(c.current, room("general"));
    // A reconnect rejoins them with the rooms.
    let resumed = c.resume();
    assert!(resumed.iter().any(|m| matches!(
        m, ClientMsg::Join { room: r, .. } if *r == room(&dm("empty"))
    )));
}

#[test]
fn a_conversation_is_named_by_its_other_people() {
    let mut c = signed_in();
    c.apply(ServerMsg::Room(conversation("one", &["bob"], None)));
    c.apply(ServerMsg::Room(conversation(
        "group",
        &["cat", "bob"],
        None,
    )));
    assert_eq!(c.title(&room(&dm("one"))), "bob");
    assert_eq!(c.title(&room(&dm("group"))), "bob, cat");
    c.open_room(room(&dm("group")));
    assert_eq!(c.direct_messages()[0].others, 2);
    assert_eq!(c.title(&room("general")), "general");
    // Remembered from the last visit, before the rooms list says who is in it.
    assert_eq!(c.title(&room(&dm("unknown"))), "Conversation");
}

#[test]
fn conversations_are_listed_newest_activity_first() {
    let mut c = signed_in();
    c.apply(ServerMsg::Rooms {
        rooms: vec![
            conversation("bob", &["bob"], Some("2026-12-03T09:00:00.000Z")),
            conversation("cat", &["cat"], Some("2026-12-03T10:00:00.000Z")),
            conversation("dan", &["dan"], None),
        ],
    });
    assert_eq!(titles(&c), ["cat", "bob"]);
    // Bob writes: his conversation goes to the top, and dan's appears once written in.
    c.apply(joined(&dm("bob"), 0));
    let changed = c.apply(posted(&dm("bob"), 1, "bob", "2026-12-03T11:00:00.000Z"));
    assert!(changed.conversations);
    assert_eq!(titles(&c), ["bob", "cat"]);
    let listed = c.direct_messages();
    assert_eq!((listed[0].unread, listed[0].others), (1, 1));
    c.apply(joined(&dm("dan"), 0));
    c.apply(posted(&dm("dan"), 1, "dan", "2026-12-03T12:00:00.000Z"));
    assert_eq!(titles(&c), ["dan", "bob", "cat"]);
    // An older message (history) changes nothing.
    let changed = c.apply(posted(&dm("cat"), 1, "cat", "2026-12-01T00:00:00.000Z"));
    assert!(!changed.conversations);
    // A rooms list after a reconnect older than what came live keeps the newer.
    c.apply(ServerMsg::Room(conversation(
        "bob",
        &["bob"],
        Some("2026-12-03T09:00:00.000Z"),
    )));
    assert_eq!(titles(&c), ["dan", "bob", "cat"]);
}

#[test]
fn an_empty_conversation_is_listed_while_open() {
    let mut c = signed_in();
    c.apply(ServerMsg::Room(conversation("cat", &["cat"], None)));
    assert!(titles(&c).is_empty());
    c.open_room(room(&dm("cat")));
    assert_eq!(titles(&c), ["cat"]);
    assert!(c.direct_messages()[0].current);
    assert!(c.in_conversation());
}

#[test]
fn starting_a_conversation_opens_it_when_the_server_answers() {
    let mut c = signed_in();
    let frame = c.start_conversation(vec![user("Bob")]);
    assert_eq!(
        frame,
        Some(ClientMsg::StartConversation {
            with: vec![user("Bob")]
        })
    );
    // Someone else's new conversation comes first: joined, not opened.
    c.apply(ServerMsg::Room(conversation("cat", &["cat"], None)));
    assert_eq!(c.current, room("general"));
    // The one asked for (names as the server spells them): opened and listed.
    let changed = c.apply(ServerMsg::Room(conversation("bob", &["bob"], None)));
    assert!(changed.rooms);
    assert_eq!(c.current, room(&dm("bob")));
    assert_eq!(titles(&c), ["bob"]);
    assert!(c.take_outgoing().contains(&ClientMsg::Join {
        room: room(&dm("bob")),
        after: None
    }));
    // Back in general, it stays listed (started here), and starting it again opens
    // it at once, with nothing to ask.
    c.open_room(room("general"));
    assert_eq!(titles(&c), ["bob"]);
    assert_eq!(c.start_conversation(vec![user("bob")]), None);
    assert_eq!(c.current, room(&dm("bob")));
}

#[test]
fn a_group_opens_only_for_exactly_its_people() {
    let mut c = signed_in();
    c.start_conversation(vec![user("bob"), user("cat")]);
    c.apply(ServerMsg::Room(conversation("bob", &["bob"], None)));
    assert_eq!(c.current, room("general"));
    c.apply(ServerMsg::Room(conversation(
        "group",
        &["bob", "cat"],
        None,
    )));
    assert_eq!(c.current, room(&dm("group")));
}

#[test]
fn a_refusal_is_said_and_nothing_opens_after_it() {
    let mut c = signed_in();
    c.start_conversation(vec![user("nobody")]);
    c.apply(ServerMsg::Error {
        code: ErrorCode::NotFound,
        message: "no account has the name nobody".to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: None,
        request_id: None,
    });
    assert_eq!(c.notice.as_deref(), Some("No account has the name nobody"));
    // The same people arriving later (someone else started it) do not open it.
    c.apply(ServerMsg::Room(conversation("x", &["nobody"], None)));
    assert_eq!(c.current, room("general"));
}

#[test]
fn typed_names_are_read_as_people() {
    let me = user("me");
    let names = |text: &str| {
        parse_people(text, &me).map(|v| v.iter().map(|u| u.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(names("bob").unwrap(), ["bob"]);
    assert_eq!(
        names(" bob, cat  @dan,,bob Me").unwrap(),
        ["bob", "cat", "dan"]
    );
    assert!(names("").is_err());
    assert!(names("me").is_err());
    assert!(names("bob, no/slash").unwrap_err().contains("no/slash"));
    let nine = (1..=9)
        .map(|n| format!("p{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(names(&nine).is_err());
    let eight = (1..=8)
        .map(|n| format!("p{n}"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(names(&eight).unwrap().len(), MAX_OTHERS);
}

#[test]
fn known_people_are_those_seen_accounts_only_and_not_me() {
    let mut c = signed_in();
    c.apply(joined("general", 0));
    c.apply(posted("general", 1, "ann", "2026-12-03T09:00:00.000Z"));
    c.apply(posted("general", 2, "me", "2026-12-03T09:00:01.000Z"));
    c.apply(super::tests::message("general", 3, "guesty", "g1"));
    c.apply(ServerMsg::Room(conversation("z", &["zed"], None)));
    c.apply(ServerMsg::Members {
        room: room("general"),
        members: vec![confab_shared::MemberInfo {
            user: user("bob"),
            user_id: UserId::new("u:bob").unwrap(),
            role: Role::Member,
            muted: false,
        }],
        has_more: false,
        request_id: None,
    });
    let known: Vec<String> = c.known_people().iter().map(|u| u.to_string()).collect();
    assert_eq!(known, ["ann", "bob", "zed"]);
}

#[test]
fn suggestions_complete_the_name_being_typed() {
    let known = [user("ann"), user("bob"), user("cat")];
    assert_eq!(suggestions("", &known), ["ann", "bob", "cat"]);
    assert_eq!(suggestions("b", &known), ["ann", "bob", "cat"]);
    assert_eq!(suggestions("bob, c", &known), ["bob, ann", "bob, cat"]);
    assert_eq!(suggestions("Bob cat ", &known), ["Bob cat ann"]);
}
