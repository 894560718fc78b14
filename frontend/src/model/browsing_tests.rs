//! The room browser: asked with a query, answered with the public rooms, those open
//! here marked.

use confab_shared::protocol::PublicRoom;
use confab_shared::{ClientMsg, ServerMsg, Topic};

use super::tests::{chat, room};

#[test]
fn public_rooms_are_listed_and_those_open_here_marked() {
    let mut c = chat();
    assert_eq!(c.found_rooms(), None, "nothing asked yet");
    assert_eq!(
        c.browse(" des "),
        ClientMsg::PublicRooms {
            query: "des".to_owned()
        }
    );
    let changed = c.apply(ServerMsg::PublicRooms {
        rooms: vec![
            PublicRoom {
                room: room("design"),
                topic: Topic::new("pixels").unwrap(),
                members: 12,
            },
            PublicRoom {
                room: room("general"),
                topic: Topic::default(),
                members: 3,
            },
        ],
    });
    assert!(changed.browsing);
    let found = c.found_rooms().unwrap();
    let lines: Vec<(&str, &str, u32, bool)> = found
        .iter()
        .map(|f| (f.room.as_str(), f.topic.as_str(), f.members, f.open))
        .collect();
    assert_eq!(
        lines,
        [("design", "pixels", 12, false), ("general", "", 3, true)]
    );
    // Joining one is opening it.
    assert!(c.open_room(room("design")).is_some());
    assert!(c.found_rooms().unwrap()[0].open);
}
