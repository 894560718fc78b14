//! The contract for reactions, which every store keeps: a reaction comes or goes
//! once, only on a message not deleted, only if its command is later (by its
//! time-first client id) than the person's last for that emoji there, and no message
//! gets more than 20 distinct emoji; snapshots and history carry a message's
//! reactions, each emoji's reactors in the order they came; a replay gives the
//! events; the audit log leaves them out.

use std::sync::Arc;

use confab_shared::{ClientId, Emoji, EventKind, MessageBody, RoomName, Topic};

use crate::room_log::record;
use crate::rooms::{Change, Person, Room, RoomChange};
use crate::store::{NewMessage, Store};

use super::person;

fn react(
    room: &RoomName,
    id: i64,
    who: &Person,
    emoji: &str,
    client: &str,
    added: bool,
) -> RoomChange {
    RoomChange {
        room: room.clone(),
        change: Change::React {
            id,
            emoji: Emoji::new(emoji).unwrap(),
            who: who.clone(),
            client_id: ClientId::new(client).unwrap(),
            added,
        },
    }
}

pub(in crate::store) async fn reactions(store: &dyn Store) {
    let (ann, bob) = (person("u:1", "ann"), person("u:2", "bob"));
    let room = Room::new(RoomName::new("cafe").unwrap(), Topic::default(), false);
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
        .append(Arc::from(vec![sent("c1", "coffee?"), sent("c2", "doomed")]))
        .await
        .unwrap();
    let (id, doomed) = (out[0].message().unwrap().id, out[1].message().unwrap().id);
    let changes = |r: RoomChange| async move { record(store, &r).await.unwrap().len() };

    assert_eq!(changes(react(&name, id, &bob, "☕", "b1", true)).await, 1);
    assert_eq!(changes(react(&name, id, &ann, "☕", "a1", true)).await, 1);
    assert_eq!(changes(react(&name, id, &ann, "👍", "a2", true)).await, 1);
    // A resend, and one already so, change nothing.
    assert_eq!(changes(react(&name, id, &bob, "☕", "b1", true)).await, 0);
    assert_eq!(changes(react(&name, id, &bob, "☕", "b2", true)).await, 0);
    // Bob takes his away; his older command arriving late does not put it back.
    assert_eq!(changes(react(&name, id, &bob, "☕", "b3", false)).await, 1);
    assert_eq!(changes(react(&name, id, &bob, "☕", "b2", true)).await, 0);
    assert_eq!(changes(react(&name, id, &bob, "☕", "b3", false)).await, 0);
    // Taking away what is not there changes nothing.
    assert_eq!(changes(react(&name, id, &bob, "🍵", "b4", false)).await, 0);
    // A deleted message, or none, takes no reaction.
    let delete = RoomChange {
        room: name.clone(),
        change: Change::Delete {
            id: doomed,
            by: ann.clone(),
        },
    };
    record(store, &delete).await.unwrap();
    assert_eq!(
        changes(react(&name, doomed, &bob, "☕", "b5", true)).await,
        0
    );
    assert_eq!(changes(react(&name, 9999, &bob, "☕", "b6", true)).await, 0);

    let seen = |reactions: &[confab_shared::Reactions]| -> Vec<(String, Vec<String>)> {
        reactions
            .iter()
            .map(|r| {
                let users = r.users.iter().map(|u| u.user.to_string()).collect();
                (r.emoji.to_string(), users)
            })
            .collect()
    };
    let want = vec![
        ("☕".to_owned(), vec!["ann".to_owned()]),
        ("👍".to_owned(), vec!["ann".to_owned()]),
    ];
    let snapshot = store.snapshot(&name, 50).await.unwrap();
    assert_eq!(seen(&snapshot.messages[0].reactions), want);
    let page = store.history(&name, None, 50).await.unwrap();
    assert_eq!(seen(&page.messages[0].reactions), want);
    let now = store.reactions(&name, id).await.unwrap().unwrap();
    assert_eq!(seen(&now), want);
    assert!(store.reactions(&name, doomed).await.unwrap().is_none());

    // The replay: the two messages (the second as its deletion), four reactions,
    // the deletion, gapless.
    let replay = store.replay(&name, 0, 100).await.unwrap();
    let kinds: Vec<&str> = replay
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Message(_) => "message",
            EventKind::ReactionAdded(_) => "added",
            EventKind::ReactionRemoved(_) => "removed",
            EventKind::MessageDeleted(_) => "deleted",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "message", "deleted", "added", "added", "added", "removed", "deleted"
        ]
    );
    let seqs: Vec<u64> = replay.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<u64>>());
    let audit = store.audit(&name, None, 50).await.unwrap();
    assert_eq!(audit.len(), 1, "only the deletion: {audit:?}");

    // Twenty distinct emoji at most (two there, eighteen more); one already there
    // may still be added.
    let faces: Vec<String> = ('😀'..='😑').map(String::from).collect();
    assert_eq!(faces.len(), 18);
    for (n, face) in faces.iter().enumerate() {
        let client = format!("f{n:02}");
        assert_eq!(
            changes(react(&name, id, &ann, face, &client, true)).await,
            1
        );
    }
    assert_eq!(store.reactions(&name, id).await.unwrap().unwrap().len(), 20);
    assert_eq!(changes(react(&name, id, &ann, "🙃", "f99", true)).await, 0);
    assert_eq!(changes(react(&name, id, &bob, "☕", "b7", true)).await, 1);
}
