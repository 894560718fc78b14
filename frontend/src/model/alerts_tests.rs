//! Which messages raise a notification: in a conversation or mentioning this
//! person, by someone else, not blocked, live, as the room's level allows; and
//! setting the level.

use confab_shared::{
    ChatMessage, ClientId, ClientMsg, MessageBody, Notify, Role, RoomEvent, RoomInfo, RoomKind,
    ServerMsg, Topic,
};

use super::tests::{chat, room, signed_in, snapshot, user, user_id};
use super::*;

const DM: &str = "dm-aaaaaaaaaaaaaaaaaaaaaaaaaa";

/// "me" signed in as `u:me`, in general and the conversation `DM` with bob.
fn account() -> Chat {
    let mut c = signed_in();
    let general = RoomInfo {
        read: Some(0),
        ..RoomInfo::room(room("general"), Topic::default(), false, Some(Role::Member))
    };
    let dm = RoomInfo {
        kind: RoomKind::Conversation,
        read: Some(0),
        ..RoomInfo::room(room(DM), Topic::default(), true, Some(Role::Member))
    };
    c.apply(ServerMsg::Rooms {
        rooms: vec![general, dm],
    });
    c.apply(snapshot("general", 0, Vec::new(), false));
    c.apply(snapshot(DM, 0, Vec::new(), false));
    c.take_outgoing();
    c.take_alerts();
    c
}

fn said(room_name: &str, seq: u64, author: &str, body: &str) -> ChatMessage {
    ChatMessage {
        room: room(room_name),
        seq,
        id: seq as i64 + 1000,
        client_id: ClientId::new(format!("c{seq}")).unwrap(),
        author: user(author),
        author_id: user_id(author),
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

fn alerted(c: &mut Chat) -> Vec<(String, u64)> {
    c.take_alerts()
        .into_iter()
        .map(|a| (a.room.to_string(), a.seq))
        .collect()
}

#[test]
fn conversations_and_mentions_raise_one_by_default() {
    let mut c = account();
    c.apply(posted("general", 1, "bob", "hello all"));
    c.apply(posted("general", 2, "bob", "hello @me"));
    c.apply(posted("general", 3, "me", "hi @me"));
    c.apply(posted(DM, 1, "bob", "psst"));
    let alerts = c.take_alerts();
    assert_eq!(
        alerts
            .iter()
            .map(|a| (
                a.room.as_str(),
                a.seq,
                a.author.as_str(),
                a.body.as_str(),
                a.id
            ))
            .collect::<Vec<_>>(),
        [
            ("general", 2, "bob", "hello @me", 1002),
            (DM, 1, "bob", "psst", 1001)
        ]
    );
    // Seen again (a resend of the same event): no second one.
    c.apply(posted(DM, 1, "bob", "psst"));
    assert!(c.take_alerts().is_empty());
}

#[test]
fn the_rooms_level_decides_and_blocked_people_and_history_raise_none() {
    let mut c = account();
    c.open_room(room(DM));
    assert_eq!(
        c.set_notify(Notify::Mentions),
        Some(ClientMsg::Notify {
            room: room(DM),
            notify: Notify::Mentions
        })
    );
    assert_eq!(c.notify_level(), Notify::Mentions);
    c.apply(posted(DM, 1, "bob", "psst"));
    c.apply(posted(DM, 2, "bob", "@me psst"));
    assert_eq!(alerted(&mut c), [(DM.to_owned(), 2)]);
    c.set_notify(Notify::None);
    c.apply(posted(DM, 3, "bob", "@me psst"));
    assert!(alerted(&mut c).is_empty(), "nothing");
    c.open_room(room("general"));
    c.set_blocked(user_id("cat"), true);
    c.apply(posted("general", 1, "cat", "@me"));
    assert!(alerted(&mut c).is_empty(), "blocked");
    // History (a snapshot) is no news.
    c.apply(snapshot(
        "general",
        9,
        vec![said("general", 8, "bob", "@me")],
        false,
    ));
    assert!(alerted(&mut c).is_empty(), "history");
    // A guest sets no level: the server keeps none for guests.
    assert_eq!(chat().set_notify(Notify::None), None);
}
