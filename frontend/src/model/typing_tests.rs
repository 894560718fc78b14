//! Typing as the page keeps, says and sends it.

use confab_shared::protocol::Typist;
use confab_shared::{ClientMsg, ServerMsg, UserId};

use super::tests::{chat, room, user};

fn typists(names: &[&str]) -> Vec<Typist> {
    names
        .iter()
        .map(|n| Typist {
            user: user(n),
            user_id: UserId::guest(&user(n)),
        })
        .collect()
}

fn typing(names: &[&str], count: u32) -> ServerMsg {
    ServerMsg::Typing {
        room: room("general"),
        people: typists(names),
        count,
    }
}

#[test]
fn the_line_names_others_and_leaves_this_person_out() {
    let mut chat = chat();
    let me = chat.me.to_string();
    assert_eq!(chat.typing_line(), None);
    let changed = chat.apply(typing(&["bob"], 1));
    assert!(changed.live.contains(&room("general")), "live state only");
    assert!(changed.lines.is_empty(), "the message list is not touched");
    assert_eq!(chat.typing_line().as_deref(), Some("bob is typing…"));
    chat.apply(typing(&["bob", "ann"], 2));
    assert_eq!(
        chat.typing_line().as_deref(),
        Some("bob and ann are typing…")
    );
    chat.apply(typing(&[me.as_str(), "bob"], 2));
    assert_eq!(
        chat.typing_line().as_deref(),
        Some("bob is typing…"),
        "not me"
    );
    chat.apply(typing(&["bob", "ann", "cat"], 7));
    assert_eq!(
        chat.typing_line().as_deref(),
        Some("Several people are typing…")
    );
    chat.apply(typing(&[me.as_str()], 1));
    assert_eq!(chat.typing_line(), None, "only me");
    chat.apply(typing(&[], 0));
    assert_eq!(chat.typing_line(), None);
}

#[test]
fn the_server_is_told_at_most_every_3_s_and_once_the_box_is_cleared() {
    let mut chat = chat();
    let typing = |stop| ClientMsg::Typing {
        room: room("general"),
        stop,
    };
    assert_eq!(chat.typed(false, 0), None, "nothing to stop");
    assert_eq!(chat.typed(true, 1_000), Some(typing(false)));
    assert_eq!(chat.typed(true, 2_000), None);
    assert_eq!(chat.typed(true, 3_999), None);
    assert_eq!(chat.typed(true, 4_000), Some(typing(false)), "3 s later");
    assert_eq!(chat.typed(false, 4_500), Some(typing(true)), "cleared");
    assert_eq!(chat.typed(false, 4_600), None, "once");
    // Sending ends it (the server tells the others): no stop after it.
    assert_eq!(chat.typed(true, 5_000), Some(typing(false)));
    let body = confab_shared::MessageBody::new("hi").unwrap();
    let id = confab_shared::ClientId::new("c1").unwrap();
    chat.queue_send(id, body);
    assert_eq!(chat.typed(false, 5_100), None);
}
