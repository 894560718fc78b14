use serde_json::{Value, json};

use crate::outbox::Queue;

use super::*;

/// A guest's identity, as a connection holds it.
fn guest(name: &str) -> Arc<Identity> {
    Arc::new(Identity::guest(UserName::new(name).unwrap()))
}

/// A directory where nobody blocked anyone.
fn nobody() -> Directory {
    Directory::default()
}

fn name(s: &str) -> UserName {
    UserName::new(s).unwrap()
}

fn frames(rx: &mut Queue) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(item) = rx.try_recv() {
        let text = match item {
            Outbound::Room(f) | Outbound::Removed(f) => f.frame.to_string(),
            Outbound::Reply(f) | Outbound::Direct(f) => f.to_string(),
        };
        out.push(serde_json::from_str(&text).unwrap());
    }
    out
}

#[test]
fn presence_is_gathered_and_counts_people_not_connections() {
    let hub = Hub::default();
    let room = RoomName::new("general").unwrap();
    let (a, mut a_rx) = Outbox::channel(16);
    let (b1, mut b1_rx) = Outbox::channel(16);
    let (b2, _b2_rx) = Outbox::channel(16);

    assert_eq!(
        hub.join(&room, 1, &guest("ann"), &a, &nobody()).names,
        [name("ann")]
    );
    let online = hub.join(&room, 2, &guest("bob"), &b1, &nobody());
    assert_eq!(
        (online.names, online.count),
        (vec![name("ann"), name("bob")], 2)
    );
    assert!(
        frames(&mut a_rx).is_empty(),
        "nothing is sent before the flush"
    );

    assert_eq!(hub.flush_presence(&nobody()), 1);
    let expected =
        json!({"type": "presence", "room": "general", "online_count": 2, "joined": ["ann", "bob"]});
    assert_eq!(frames(&mut a_rx), std::slice::from_ref(&expected));
    assert_eq!(frames(&mut b1_rx), [expected]);
    assert_eq!(hub.flush_presence(&nobody()), 0, "nothing new");

    // Bob's second tab changes nothing anyone needs to hear.
    hub.join(&room, 3, &guest("bob"), &b2, &nobody());
    assert!(hub.leave(&room, 3));
    assert_eq!(hub.flush_presence(&nobody()), 0);

    // Coming and going within one flush: the latest state is announced.
    let (c, _c_rx) = Outbox::channel(16);
    hub.join(&room, 4, &guest("cat"), &c, &nobody());
    assert!(hub.leave(&room, 4));
    assert!(hub.leave(&room, 2));
    hub.flush_presence(&nobody());
    assert_eq!(
        frames(&mut a_rx),
        [json!({"type": "presence", "room": "general", "online_count": 1, "left": ["bob", "cat"]})]
    );
    assert!(!hub.leave(&room, 2), "already gone");
    assert!(hub.leave(&room, 1));
    assert_eq!(hub.online(&room).count, 0);
    assert!(hub.lock().rooms.is_empty(), "empty rooms are dropped");
}

#[test]
fn big_rooms_get_counts_and_the_list_comes_back_when_they_shrink() {
    let hub = Hub::default();
    let room = RoomName::new("town-square").unwrap();
    let (watcher, mut rx) = Outbox::channel(4096);
    hub.join(&room, 0, &guest("watcher"), &watcher, &nobody());
    let mut keep = Vec::new();
    for i in 1..=101 {
        // docs/protocol.md: names for at most 100 people
        let (outbox, inbox) = Outbox::channel(4096);
        hub.join(&room, i, &guest(&format!("p{i}")), &outbox, &nobody());
        keep.push(inbox);
    }
    let online = hub.online(&room);
    assert_eq!(
        (online.names.len(), online.count),
        (0, 102),
        "no names over the limit"
    );
    hub.flush_presence(&nobody());
    assert_eq!(
        frames(&mut rx),
        [json!({"type": "presence", "room": "town-square", "online_count": 102})]
    );

    hub.leave(&room, 1);
    hub.leave(&room, 2);
    hub.flush_presence(&nobody());
    let back = frames(&mut rx);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["online_count"], 100);
    assert_eq!(
        back[0]["online"].as_array().unwrap().len(),
        100,
        "the whole list, once"
    );
    assert!(back[0].get("left").is_none());
}
