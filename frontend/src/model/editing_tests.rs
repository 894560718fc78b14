//! Editing one's own message: only one's own, the newest by Up arrow, a save sends
//! `edit_message` only for a changed text, and the text changes when the server says.

use confab_shared::{ClientId, ClientMsg, Edit, EventKind, MessageBody, RoomEvent, ServerMsg};

use super::tests::{chat, message, room};
use super::window::Window;

fn body(text: &str) -> MessageBody {
    MessageBody::new(text).unwrap()
}

/// The server's word that message `id` now reads `text` (edit `client`, at `seq`).
fn edited(seq: u64, id: i64, client: &str, text: &str) -> ServerMsg {
    ServerMsg::Event(RoomEvent {
        room: room("general"),
        seq,
        kind: EventKind::MessageEdited(Edit {
            id,
            body: body(text),
            edited_at: "2026-12-03T10:00:00Z".to_owned(),
            client_id: ClientId::new(client).unwrap(),
        }),
    })
}

#[test]
fn one_edits_ones_own_newest_by_up_arrow_and_a_save_sends_the_change() {
    let mut chat = chat();
    for frame in [
        message("general", 1, "me", "a"),
        message("general", 2, "me", "b"),
        message("general", 3, "bob", "c"),
    ] {
        chat.apply(frame);
    }
    chat.take_changed();
    assert!(!chat.start_editing(3), "bob's");
    assert!(chat.edit_last(), "mine: the newest");
    assert_eq!(chat.editing(), Some(2));
    let changed = chat.take_changed();
    assert!(changed.messages.contains(&2) && changed.lines.contains(&room("general")));
    let rows = chat.rows_in(Window::ALL);
    let editing: Vec<bool> = rows.iter().map(|r| r.editing).collect();
    assert_eq!(editing, [false, true, false]);

    // The same text: nothing to send; the editor closes.
    assert!(
        chat.save_edit(ClientId::new("e1").unwrap(), body("m2"))
            .is_none()
    );
    assert_eq!(chat.editing(), None);
    assert!(chat.start_editing(1));
    let frame = chat.save_edit(ClientId::new("e2").unwrap(), body("first, fixed"));
    assert_eq!(
        frame,
        Some(ClientMsg::EditMessage {
            room: room("general"),
            id: 1,
            client_id: ClientId::new("e2").unwrap(),
            body: body("first, fixed"),
        })
    );
    // The text changes when the server says so.
    assert_eq!(chat.rows_in(Window::ALL)[0].body.as_str(), "m1");
    chat.apply(edited(4, 1, "e2", "first, fixed"));
    let first = &chat.rows_in(Window::ALL)[0];
    assert_eq!(first.body.as_str(), "first, fixed");
    assert!(first.edited && !first.editing);
}

#[test]
fn nothing_to_edit_and_leaving_the_room_closes_the_editor() {
    let mut chat = chat();
    assert!(!chat.edit_last(), "nothing of mine here");
    chat.apply(message("general", 1, "me", "a"));
    assert!(chat.edit_last());
    chat.open_room(room("random"));
    assert_eq!(chat.editing(), None);
}

#[test]
fn an_unconfirmed_edit_is_sent_again_after_a_reconnect_until_it_lands() {
    let mut chat = chat();
    chat.apply(message("general", 1, "me", "a"));
    chat.apply(message("general", 2, "me", "b"));
    let edits = |chat: &super::Chat| -> Vec<ClientMsg> {
        chat.resume()
            .into_iter()
            .filter(|m| matches!(m, ClientMsg::EditMessage { .. }))
            .collect()
    };
    assert!(chat.start_editing(1));
    let first = chat
        .save_edit(ClientId::new("e1").unwrap(), body("one"))
        .unwrap();
    assert!(chat.start_editing(2));
    let second = chat
        .save_edit(ClientId::new("e2").unwrap(), body("two"))
        .unwrap();
    // The connection dropped: both go again, after the joins, in order.
    let resume = chat.resume();
    let at = |frame: &ClientMsg| resume.iter().position(|m| m == frame).unwrap();
    assert!(at(&first) < at(&second));
    assert!(matches!(resume[0], ClientMsg::Join { .. }));
    // The first lands; the second is refused (deleted meanwhile) and said.
    chat.apply(edited(3, 1, "e1", "one"));
    assert_eq!(edits(&chat), [second]);
    chat.apply(ServerMsg::Error {
        code: confab_shared::ErrorCode::NotFound,
        message: "no such message of yours in this room".to_owned(),
        client_id: Some(ClientId::new("e2").unwrap()),
        retry_after_ms: None,
        room: None,
        request_id: None,
    });
    assert!(edits(&chat).is_empty());
    assert_eq!(
        chat.notice.as_deref(),
        Some("Your edit was not saved: no such message of yours in this room")
    );
}
