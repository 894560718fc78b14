//! Roles, moderation and blocking as the page folds them.

use confab_shared::{
    Deletion, EventKind, MemberChange, MemberInfo, ModAction, Role, RoomEvent, RoomInfo, ServerMsg,
    Topic, UserId,
};

use super::tests::{chat, joined, message, room, user};
use super::{Chat, Window};

fn event(seq: u64, kind: EventKind) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind,
    })
}

fn change(who: &str, by: &str, role: Option<Role>) -> MemberChange {
    MemberChange {
        user: user(who),
        user_id: UserId::guest(&user(who)),
        by: Some(user(by)),
        role,
        ts: String::new(),
    }
}

fn member(who: &str, role: Role) -> MemberInfo {
    MemberInfo {
        user: user(who),
        user_id: UserId::guest(&user(who)),
        role,
        muted: false,
    }
}

/// A chat in `general` (and `random`) where "me" has `role`, with the members list.
fn in_general(role: Role) -> Chat {
    let mut chat = chat();
    chat.apply(ServerMsg::Room(RoomInfo::room(
        room("general"),
        Topic::default(),
        false,
        Some(role),
    )));
    chat.apply(joined("general", 0));
    chat.apply(ServerMsg::Members {
        room: room("general"),
        members: vec![member("ann", Role::Owner), member("me", role)],
        has_more: false,
        request_id: None,
    });
    chat
}

fn listed(chat: &Chat) -> Vec<(String, Role, bool)> {
    chat.current_room()
        .and_then(|r| r.members.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|m| (m.user.to_string(), m.role, m.muted))
        .collect()
}

#[test]
fn the_members_list_follows_the_rooms_events() {
    let mut chat = in_general(Role::Member);
    chat.apply(event(
        1,
        EventKind::MemberJoined(change("bob", "ann", Some(Role::Member))),
    ));
    chat.apply(event(
        2,
        EventKind::RoleChanged(change("bob", "ann", Some(Role::Moderator))),
    ));
    chat.apply(event(3, EventKind::MemberMuted(change("me", "bob", None))));
    assert_eq!(
        listed(&chat),
        [
            ("ann".to_owned(), Role::Owner, false),
            ("bob".to_owned(), Role::Moderator, false),
            ("me".to_owned(), Role::Member, true)
        ]
    );
    assert!(chat.current_room().unwrap().muted);
    assert!(chat.notice.take().unwrap().contains("bob muted you"));
    // A fresh members list says so too (after a reload, say).
    let mut members = chat.current_room().unwrap().members.clone().unwrap();
    chat.apply(ServerMsg::Members {
        room: room("general"),
        members: members.clone(),
        has_more: false,
        request_id: None,
    });
    assert!(chat.current_room().unwrap().muted);
    members.iter_mut().for_each(|m| m.muted = false);
    chat.apply(ServerMsg::Members {
        room: room("general"),
        members,
        has_more: false,
        request_id: None,
    });
    assert!(!chat.current_room().unwrap().muted);
    chat.apply(event(3, EventKind::MemberMuted(change("me", "bob", None))));
    chat.apply(event(
        4,
        EventKind::MemberKicked(change("bob", "ann", None)),
    ));
    assert_eq!(listed(&chat).len(), 2);
    assert_eq!(chat.current_room().unwrap().last_seq, Some(4));
    // Promoted, "me" may moderate members but not the owner.
    assert!(!chat.may_moderate(None));
    chat.apply(event(
        5,
        EventKind::RoleChanged(change("me", "ann", Some(Role::Moderator))),
    ));
    assert_eq!(chat.my_role(), Some(Role::Moderator));
    assert!(chat.may_moderate(None));
    assert!(chat.may_moderate(Some(Role::Member)));
    assert!(!chat.may_moderate(Some(Role::Owner)));
    assert_eq!(
        chat.moderate(user("bob"), ModAction::Ban),
        confab_shared::ClientMsg::Moderate {
            room: room("general"),
            user: user("bob"),
            action: ModAction::Ban
        }
    );
}

#[test]
fn removed_from_a_room_the_page_lets_it_go_and_says_who() {
    let mut chat = in_general(Role::Member);
    chat.apply(event(1, EventKind::MemberBanned(change("me", "ann", None))));
    assert!(!chat.rooms.contains_key(&room("general")));
    assert_eq!(chat.current, room("random"));
    assert_eq!(chat.notice.as_deref(), Some("ann banned you from #general"));
}

#[test]
fn leaving_a_room_lets_it_go_on_every_device_and_others_see_it() {
    let mut chat = in_general(Role::Member);
    assert_eq!(
        chat.leave_room(&room("general")),
        confab_shared::ClientMsg::LeaveRoom {
            room: room("general")
        }
    );
    // Someone else left: gone from the members list, said between the messages.
    let left = EventKind::MemberLeft(MemberChange {
        by: None,
        ..change("bob", "bob", None)
    });
    assert_eq!(
        super::moderation::describe(&left).as_deref(),
        Some("bob left")
    );
    chat.apply(event(1, left));
    assert!(
        chat.current_room()
            .and_then(|r| r.members.as_ref())
            .is_some_and(|m| m.iter().all(|m| m.user.as_str() != "bob"))
    );
    assert!(chat.rooms.contains_key(&room("general")));
    // This person left (here or on another device): the room goes.
    let me = EventKind::MemberLeft(MemberChange {
        by: None,
        ..change("me", "me", None)
    });
    chat.apply(event(2, me));
    assert!(!chat.rooms.contains_key(&room("general")));
    assert_eq!(chat.current, room("random"));
    assert_eq!(chat.notice.as_deref(), Some("You left #general"));
}

#[test]
fn deleted_messages_go_and_blocked_people_are_collapsed() {
    let mut chat = in_general(Role::Member);
    chat.apply(message("general", 1, "ann", "a1"));
    chat.apply(message("general", 2, "bob", "b1"));
    chat.apply(message("general", 3, "bob", "b2"));
    chat.apply(event(
        4,
        EventKind::MessageDeleted(Deletion {
            id: 2,
            by: user("bob"),
            ts: String::new(),
            thread: None,
            tombstone: None,
        }),
    ));
    chat.set_blocked(UserId::guest(&user("bob")), true);
    let rows = chat.rows_in(Window::ALL);
    let shown: Vec<(u64, bool)> = rows.iter().map(|r| (r.seq, r.collapsed)).collect();
    assert_eq!(shown, [(1, false), (3, true)]);
    chat.reveal(3);
    assert!(!chat.rows_in(Window::ALL)[1].collapsed);
    chat.set_blocked(UserId::guest(&user("bob")), false);
    assert!(chat.rows_in(Window::ALL).iter().all(|r| !r.collapsed));
}

#[test]
fn the_audit_log_reads_as_sentences() {
    use super::describe;
    let said = |kind| describe(&kind).unwrap_or_default();
    assert_eq!(
        said(EventKind::MemberKicked(change("bob", "ann", None))),
        "ann kicked bob"
    );
    assert_eq!(
        said(EventKind::MemberJoined(change(
            "bob",
            "ann",
            Some(Role::Member)
        ))),
        "ann invited bob"
    );
    let mut joined = change("bob", "ann", Some(Role::Member));
    joined.by = None;
    assert_eq!(said(EventKind::MemberJoined(joined)), "bob joined");
    assert_eq!(
        said(EventKind::RoleChanged(change(
            "bob",
            "ann",
            Some(Role::Moderator)
        ))),
        "ann made bob a moderator"
    );
    assert_eq!(
        said(EventKind::RoleChanged(change(
            "bob",
            "ann",
            Some(Role::Owner)
        ))),
        "ann handed the room to bob"
    );
    assert_eq!(
        said(EventKind::MessageDeleted(Deletion {
            id: 1,
            by: user("ann"),
            ts: String::new(),
            thread: None,
            tombstone: None,
        })),
        "ann deleted a message"
    );
}

#[test]
fn membership_events_are_lines_between_the_messages() {
    let mut chat = in_general(Role::Member);
    chat.apply(message("general", 1, "ann", "a1"));
    chat.apply(event(
        2,
        EventKind::MemberJoined(change("bob", "ann", Some(Role::Member))),
    ));
    chat.apply(message("general", 3, "ann", "a2"));
    chat.apply(event(4, EventKind::MemberMuted(change("bob", "ann", None))));
    let rows = chat.rows_in(Window::ALL);
    let shown: Vec<(u64, bool, bool, String)> = rows
        .iter()
        .map(|r| (r.seq, r.note, r.starts_group, r.body.to_string()))
        .collect();
    assert_eq!(
        shown,
        [
            (1, false, true, "m1".to_owned()),
            (2, true, true, "ann invited bob".to_owned()),
            (3, false, true, "m3".to_owned()),
            (4, true, true, "ann muted bob".to_owned())
        ],
        "a line between two messages of one author starts a new group"
    );
    assert_eq!(chat.current_room().unwrap().last_seq, Some(4));
}

#[test]
fn a_new_topic_shows_in_the_header_and_as_a_line() {
    let mut chat = in_general(Role::Member);
    assert!(!chat.may_set_topic(), "members do not set the topic");
    let changed = chat.apply(event(
        1,
        EventKind::TopicChanged(confab_shared::TopicChange {
            topic: Topic::new("plans for the week").unwrap(),
            by: user("ann"),
            ts: "2026-12-03T10:00:00.000Z".to_owned(),
        }),
    ));
    assert!(changed.rooms, "the header follows the rooms part");
    let general = chat.current_room().unwrap();
    assert_eq!(general.topic.as_str(), "plans for the week");
    let lines: Vec<String> = chat
        .rows_in(Window::ALL)
        .iter()
        .map(|r| r.body.to_string())
        .collect();
    assert_eq!(lines, vec!["ann set the topic: plans for the week"]);

    let mut owner = in_general(Role::Owner);
    assert!(owner.may_set_topic());
    assert!(matches!(
        owner.set_topic("  new topic ".to_owned()),
        Ok(confab_shared::ClientMsg::SetTopic { topic, .. }) if topic.as_str() == "new topic"
    ));
    assert!(owner.set_topic("x".repeat(1000)).is_err());
    owner.apply(event(
        1,
        EventKind::TopicChanged(confab_shared::TopicChange {
            topic: Topic::default(),
            by: user("me"),
            ts: String::new(),
        }),
    ));
    assert_eq!(
        owner.rows_in(Window::ALL)[0].body.as_str(),
        "me cleared the topic"
    );
}
