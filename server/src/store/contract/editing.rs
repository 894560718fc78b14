//! The contract for edits, which every store keeps: an edit gives a message not
//! deleted its new text, once, and only if it is later (by its time-first client id)
//! than the message's last edit; snapshots, history and replays serve the current
//! text with when it was edited, and a replayed edit never carries a text edited or
//! deleted away. The audit log leaves edits out.

use std::sync::Arc;

use confab_shared::{ClientId, EventKind, MessageBody, RoomName, Topic};

use crate::room_log::record;
use crate::rooms::{Change, Person, Room, RoomChange};
use crate::store::{NewMessage, Store};

use super::person;

fn edit(room: &RoomName, id: i64, client: &str, body: &str) -> RoomChange {
    RoomChange {
        room: room.clone(),
        change: Change::Edit {
            id,
            client_id: ClientId::new(client).unwrap(),
            body: MessageBody::new(body).unwrap(),
        },
    }
}

fn delete(room: &RoomName, id: i64, by: &Person) -> RoomChange {
    RoomChange {
        room: room.clone(),
        change: Change::Delete { id, by: by.clone() },
    }
}

/// The text an event shows, if it shows one.
fn text(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::Message(posted) => Some(posted.body.as_str()),
        EventKind::MessageEdited(edit) => Some(edit.body.as_str()),
        _ => None,
    }
}

pub(in crate::store) async fn editing(store: &dyn Store) {
    let ann = person("u:1", "ann");
    let room = Room::new(RoomName::new("drafts").unwrap(), Topic::default(), false);
    let name = room.name.clone();
    store.rooms().create_room(&room, Some(&ann)).await.unwrap();
    let sent = |client: &str, body: &str| NewMessage {
        room: name.clone(),
        author: ann.name.clone(),
        author_id: ann.id.clone(),
        client_id: ClientId::new(client).unwrap(),
        body: MessageBody::new(body).unwrap(),
        thread: None,
        in_room: false,
        refused: None,
    };
    let out = store
        .append(Arc::from(vec![
            sent("s1", "teh plan"),
            sent("s2", "doomed"),
        ]))
        .await
        .unwrap();
    let (first, doomed) = (
        out[0].message().unwrap().clone(),
        out[1].message().unwrap().id,
    );

    let edited = record(store, &edit(&name, first.id, "e2", "the plan"))
        .await
        .unwrap();
    assert_eq!(edited.len(), 1);
    let EventKind::MessageEdited(made) = &edited[0].kind else {
        panic!("{edited:?}")
    };
    assert_eq!(made.body.as_str(), "the plan");
    // A resend of it, and an older edit arriving late, change nothing.
    assert!(
        record(store, &edit(&name, first.id, "e2", "the plan"))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        record(store, &edit(&name, first.id, "e1", "teh plann"))
            .await
            .unwrap()
            .is_empty()
    );
    let later = record(store, &edit(&name, first.id, "e3", "the plan, v3"))
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    // A deleted message takes no edit.
    record(store, &delete(&name, doomed, &ann)).await.unwrap();
    assert!(
        record(store, &edit(&name, doomed, "e4", "back"))
            .await
            .unwrap()
            .is_empty()
    );
    // Nor a message that is not there.
    assert!(
        record(store, &edit(&name, 9999, "e5", "x"))
            .await
            .unwrap()
            .is_empty()
    );

    // Served as it is now.
    let snapshot = store.snapshot(&name, 50).await.unwrap();
    assert_eq!(snapshot.messages.len(), 1);
    assert_eq!(snapshot.messages[0].body.as_str(), "the plan, v3");
    assert_eq!(
        snapshot.messages[0].edited_at.as_deref(),
        Some(later_edited_at(&later[0].kind))
    );
    let page = store.history(&name, None, 50).await.unwrap();
    assert_eq!(page.messages[0].body.as_str(), "the plan, v3");
    // A replay from the start: every seq in its current state, no old text.
    let replay = store.replay(&name, 0, 100).await.unwrap();
    let texts: Vec<Option<&str>> = replay.events.iter().map(|e| text(&e.kind)).collect();
    assert!(
        texts.iter().flatten().all(|t| *t == "the plan, v3"),
        "only the current text: {texts:?}"
    );
    let kinds: Vec<&str> = replay
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Message(_) => "message",
            EventKind::MessageEdited(_) => "edited",
            EventKind::MessageDeleted(_) => "deleted",
            _ => "other",
        })
        .collect();
    // The two messages (the second now its deletion), two edits, the deletion.
    assert_eq!(kinds, ["message", "deleted", "edited", "edited", "deleted"]);
    let seqs: Vec<u64> = replay.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=5).collect::<Vec<u64>>(), "gapless");
    // Edits are no moderation.
    let audit = store.audit(&name, None, 50).await.unwrap();
    assert!(
        audit
            .iter()
            .all(|e| !matches!(e.kind, EventKind::MessageEdited(_))),
        "{audit:?}"
    );
}

fn later_edited_at(kind: &EventKind) -> &str {
    match kind {
        EventKind::MessageEdited(edit) => &edit.edited_at,
        other => panic!("{other:?}"),
    }
}
