//! People's presence in the model: whom the page watches (the people on screen,
//! each once, accounts only, at most 200), their statuses, and away/back.

use confab_shared::{
    ChatMessage, ClientId, ClientMsg, MemberInfo, MessageBody, PersonStatus, Role, RoomEvent,
    ServerMsg, Status, UserId,
};

use super::tests::{chat, signed_in, user, user_id};
use super::*;

fn posted(seq: u64, author: &str, author_id: UserId) -> ServerMsg {
    ServerMsg::Event(RoomEvent::message(ChatMessage {
        room: RoomName::new("general").unwrap(),
        seq,
        id: seq as i64,
        client_id: ClientId::new(format!("c{seq}")).unwrap(),
        author: user(author),
        author_id,
        body: MessageBody::new("hi").unwrap(),
        ts: "2026-12-03T09:00:00.000Z".to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }))
}

fn member(name: &str) -> MemberInfo {
    MemberInfo {
        user: user(name),
        user_id: user_id(name),
        role: Role::Member,
        muted: false,
    }
}

#[test]
fn the_page_watches_the_people_on_screen_once_each_and_again_when_they_change() {
    let mut c = signed_in();
    c.apply(posted(1, "bob", user_id("bob")));
    c.apply(posted(2, "me", user_id("me")));
    c.apply(posted(3, "cat", user_id("cat")));
    c.apply(posted(4, "bob", user_id("bob")));
    c.apply(posted(5, "gus", UserId::guest(&user("gus"))));
    assert_eq!(
        c.people_on_screen(),
        [user_id("bob"), user_id("cat")],
        "newest first"
    );
    assert_eq!(
        c.watch_people(),
        Some(ClientMsg::WatchPeople {
            users: vec![user_id("bob"), user_id("cat")]
        })
    );
    assert_eq!(c.watch_people(), None, "the same people");
    c.apply(ServerMsg::Members {
        room: RoomName::new("general").unwrap(),
        members: vec![member("ann"), member("me")],
        has_more: false,
        request_id: None,
    });
    assert_eq!(
        c.watch_people(),
        Some(ClientMsg::WatchPeople {
            users: vec![user_id("ann"), user_id("bob"), user_id("cat")]
        })
    );
    // A new connection watches nobody: asked again.
    c.apply(ServerMsg::Welcome {
        user: user("me"),
        user_id: user_id("me"),
        epoch: "e1".to_owned(),
        protocol: 2,
    });
    assert!(c.watch_people().is_some());
}

#[test]
fn at_most_200_people_are_watched() {
    let mut c = signed_in();
    for n in 1..=250 {
        let name = format!("p{n}");
        c.apply(posted(n, &name, user_id(&name)));
    }
    let watched = c.people_on_screen();
    assert_eq!(watched.len(), 200);
    assert_eq!(watched[0], user_id("p250"), "the newest authors first");
}

#[test]
fn statuses_as_the_server_says_an_unknown_one_online() {
    let mut c = signed_in();
    assert_eq!(c.status_of(&user_id("bob")), Status::Offline);
    let changed = c.apply(ServerMsg::People {
        people: vec![
            PersonStatus {
                user_id: user_id("bob"),
                status: Status::Away,
            },
            PersonStatus {
                user_id: user_id("cat"),
                status: Status::Unknown,
            },
        ],
    });
    assert_eq!(
        changed,
        Changed {
            people: true,
            ..Changed::default()
        },
        "presence touches nothing else"
    );
    assert_eq!(c.status_of(&user_id("bob")), Status::Away);
    assert_eq!(c.status_of(&user_id("cat")), Status::Online);
    let again = c.apply(ServerMsg::People {
        people: vec![PersonStatus {
            user_id: user_id("bob"),
            status: Status::Away,
        }],
    });
    assert!(again.is_empty(), "no change");
}

#[test]
fn away_and_back_are_said_once_and_away_again_after_a_reconnect() {
    let mut c = signed_in();
    assert_eq!(c.set_away(false), None, "not away to begin with");
    assert_eq!(c.set_away(true), Some(ClientMsg::Status { away: true }));
    assert_eq!(c.set_away(true), None);
    assert!(c.resume().contains(&ClientMsg::Status { away: true }));
    assert_eq!(c.set_away(false), Some(ClientMsg::Status { away: false }));
    assert!(!c.resume().contains(&ClientMsg::Status { away: true }));
    // A guest's page says nothing: guests have no presence.
    let mut guest = chat();
    assert_eq!(guest.set_away(true), None);
    assert_eq!(guest.watch_people(), None);
}
