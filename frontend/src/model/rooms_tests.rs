//! Joining a room by name, making one on purpose, and notices that go out of date.

use confab_shared::{ClientMsg, ErrorCode, Role, RoomInfo, ServerMsg, Topic};

use super::tests::{chat, joined, room};

fn refused(code: ErrorCode, about: Option<&str>) -> ServerMsg {
    ServerMsg::Error {
        code,
        message: "refused".to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: about.map(room),
        request_id: None,
    }
}

fn made(name: &str, private: bool) -> ServerMsg {
    ServerMsg::Room(RoomInfo::room(
        room(name),
        Topic::default(),
        private,
        Some(Role::Owner),
    ))
}

#[test]
fn the_no_such_room_notice_goes_when_the_room_appears() {
    let mut c = chat();
    c.open_room(room("plans"));
    c.apply(refused(ErrorCode::NotFound, Some("plans")));
    assert_eq!(
        c.notice.as_deref(),
        Some("There is no room #plans you can join")
    );
    // Invited a moment later: the room opens and the notice is out of date.
    c.apply(ServerMsg::Room(RoomInfo::room(
        room("plans"),
        Topic::default(),
        true,
        Some(Role::Member),
    )));
    assert!(c.rooms.contains_key(&room("plans")));
    assert_eq!(c.notice, None);
}

#[test]
fn the_notice_goes_when_the_room_is_joined_after_all() {
    let mut c = chat();
    c.open_room(room("plans"));
    c.apply(refused(ErrorCode::NotFound, Some("plans")));
    // Someone made it since; opening it again joins it.
    assert!(c.open_room(room("plans")).is_some());
    c.apply(joined("plans", 0));
    assert_eq!(c.notice, None);
}

#[test]
fn another_rooms_appearing_leaves_the_notice() {
    let mut c = chat();
    c.open_room(room("plans"));
    c.apply(refused(ErrorCode::NotFound, Some("plans")));
    c.apply(made("other", false));
    assert!(c.notice.as_deref().is_some_and(|n| n.contains("#plans")));
    // And a newer notice is not taken for it.
    c.notice = Some("something else".to_owned());
    c.apply(made("plans", false));
    assert_eq!(c.notice.as_deref(), Some("something else"));
}

#[test]
fn making_a_room_asks_the_server_and_opens_it_once_made() {
    let mut c = chat();
    let topic = Topic::new("what we build next").unwrap();
    assert_eq!(
        c.create_room(room("plans"), topic.clone(), true),
        Some(ClientMsg::CreateRoom {
            room: room("plans"),
            topic,
            private: true,
        })
    );
    assert!(
        !c.rooms.contains_key(&room("plans")),
        "not shown before it is made"
    );
    c.apply(made("plans", true));
    assert_eq!(c.current, room("plans"));
    assert!(c.rooms[&room("plans")].private);
    assert_eq!(
        c.take_outgoing(),
        [ClientMsg::Join {
            room: room("plans"),
            after: None
        }]
    );
    assert_eq!(c.creating, None);
}

#[test]
fn making_a_room_whose_name_is_taken_says_so_and_joins_nothing() {
    let mut c = chat();
    assert!(
        c.create_room(room("plans"), Topic::default(), false)
            .is_some()
    );
    c.apply(refused(ErrorCode::RoomExists, None));
    assert!(
        c.notice
            .as_deref()
            .is_some_and(|n| n.contains("already a room #plans")),
        "{:?}",
        c.notice
    );
    assert!(!c.rooms.contains_key(&room("plans")));
    assert!(c.take_outgoing().is_empty(), "nothing joined");
    assert_eq!(c.current, room("general"));
    // A later room_exists (a bot's, say) is no news.
    c.notice = None;
    c.apply(refused(ErrorCode::RoomExists, None));
    assert_eq!(c.notice, None);
}

#[test]
fn making_a_room_already_open_only_switches_to_it() {
    let mut c = chat();
    assert_eq!(c.create_room(room("random"), Topic::default(), false), None);
    assert_eq!(c.current, room("random"));
}

#[test]
fn joining_a_name_that_is_no_room_says_so() {
    let mut c = chat();
    assert_eq!(
        c.open_room(room("typo")),
        Some(ClientMsg::Join {
            room: room("typo"),
            after: None
        })
    );
    c.apply(refused(ErrorCode::NotFound, Some("typo")));
    assert!(!c.rooms.contains_key(&room("typo")));
    assert_eq!(c.current, room("general"));
    assert!(c.notice.as_deref().is_some_and(|n| n.contains("#typo")));
}
