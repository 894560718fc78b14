//! The contract for read state, which every store keeps: markers move forward only
//! (but for "mark unread"), never past the room's newest event; unread counts
//! messages by others that are not deleted, up to 100, and those mentioning the
//! reader.

use std::sync::Arc;

use confab_shared::{ClientId, MessageBody, RoomName, Topic};

use crate::reading::{Marker, Unread};
use crate::room_log::record;
use crate::rooms::{Change, Person, Room, RoomChange};
use crate::store::{NewMessage, Store};

use super::person;

fn sent(room: &RoomName, author: &Person, client: &str, body: &str) -> NewMessage {
    NewMessage {
        room: room.clone(),
        author: author.name.clone(),
        author_id: author.id.clone(),
        client_id: ClientId::new(client).unwrap(),
        body: MessageBody::new(body).unwrap(),
        thread: None,
        in_room: false,
        refused: None,
    }
}

pub(in crate::store) async fn reading(store: &dyn Store) {
    let (ann, bob) = (person("u:1", "ann"), person("u:2", "bob"));
    let room = Room::new(RoomName::new("plans").unwrap(), Topic::default(), false);
    let name = room.name.clone();
    store.rooms().create_room(&room, Some(&ann)).await.unwrap();
    let batch: Vec<NewMessage> = vec![
        sent(&name, &bob, "b1", "hello"),
        sent(&name, &bob, "b2", "@ann look"),
        sent(&name, &ann, "a1", "mine, never unread to me"),
        sent(&name, &bob, "b3", "@anna is not ann"),
        sent(&name, &bob, "b4", "deleted soon, @ann"),
    ];
    let out = store.append(Arc::from(batch)).await.unwrap();
    let doomed = out[4].message().unwrap().id;
    let reading = store.reading();
    let unread = |after| reading.unread(&ann.id, &ann.name, &name, after);
    assert_eq!(
        unread(0).await.unwrap(),
        Unread {
            unread: 4,
            mentions: 2
        }
    );
    record(
        store,
        &RoomChange {
            room: name.clone(),
            change: Change::Delete {
                id: doomed,
                by: bob.clone(),
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(
        unread(0).await.unwrap(),
        Unread {
            unread: 3,
            mentions: 1
        },
        "a deleted message is not unread"
    );
    assert_eq!(
        unread(2).await.unwrap(),
        Unread {
            unread: 1,
            mentions: 0
        }
    );

    // Every room of a member at once (what a connecting member's list carries):
    // the same counts, with the marker (none yet).
    let all = reading.all_counts(&ann.id, &ann.name).await.unwrap();
    assert_eq!(all.get(&name), Some(&(None, unread(0).await.unwrap())));
    assert_eq!(all.len(), 1, "ann's rooms only");

    // Forward only; no further than the newest event (the deletion, seq 6).
    let set = |seq, back| reading.set_read(&ann.id, &name, seq, back);
    assert_eq!(
        set(2, false).await.unwrap(),
        Marker {
            seq: 2,
            moved: true
        }
    );
    assert_eq!(
        set(1, false).await.unwrap(),
        Marker {
            seq: 2,
            moved: false
        }
    );
    assert_eq!(
        set(2, false).await.unwrap(),
        Marker {
            seq: 2,
            moved: false
        }
    );
    assert_eq!(
        set(99, false).await.unwrap(),
        Marker {
            seq: 6,
            moved: true
        }
    );
    assert_eq!(
        set(1, true).await.unwrap(),
        Marker {
            seq: 1,
            moved: true
        }
    );
    let markers = reading.markers(&ann.id).await.unwrap();
    assert_eq!(markers.get(&name), Some(&1));
    assert!(reading.markers(&bob.id).await.unwrap().is_empty());
    let nowhere = RoomName::new("nowhere").unwrap();
    let none = reading.set_read(&ann.id, &nowhere, 5, false).await.unwrap();
    assert!(!none.moved, "no such room: nothing kept");

    // Counted up to 100.
    let many: Vec<NewMessage> = (0..150)
        .map(|n| sent(&name, &bob, &format!("m{n}"), "more"))
        .collect();
    store.append(Arc::from(many)).await.unwrap();
    assert_eq!(unread(0).await.unwrap().unread, 100);
    let all = reading.all_counts(&ann.id, &ann.name).await.unwrap();
    assert_eq!(all.get(&name), Some(&(Some(1), unread(1).await.unwrap())));
    assert_eq!(all[&name].1.unread, 100);

    // The reader's own messages, many of them, then a few by others: counted past
    // them (however a store keeps its newest messages), and from a later marker.
    let before_mine = store
        .append(Arc::from(vec![sent(&name, &ann, "a-first", "mine")]))
        .await
        .unwrap()[0]
        .message()
        .unwrap()
        .seq;
    let mine: Vec<NewMessage> = (0..200)
        .map(|n| sent(&name, &ann, &format!("a{n}"), "mine"))
        .chain((0..5).map(|n| sent(&name, &bob, &format!("late{n}"), "@ann late")))
        .collect();
    store.append(Arc::from(mine)).await.unwrap();
    assert_eq!(
        unread(1).await.unwrap(),
        Unread {
            unread: 100,
            mentions: 5
        }
    );
    assert_eq!(
        unread(before_mine).await.unwrap(),
        Unread {
            unread: 5,
            mentions: 5
        }
    );
}
