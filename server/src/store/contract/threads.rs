//! The contract for threads, which every store keeps: a reply goes into its root's
//! thread, whose summary (replies not deleted, the newest one's time) every read
//! carries as it is now; the room's list (snapshots, history, unread counts) holds
//! roots and replies also sent to the room, never the others; a thread's page holds
//! its replies and its root; a deleted reply leaves the thread one shorter, said by
//! its deletion, live and replayed; a deleted root whose thread has replies keeps
//! its place in the list (a tombstone), said by its deletion and read beside pages.

use std::sync::Arc;

use confab_shared::{
    ClientId, EventKind, MessageBody, MessageId, RoomName, Thread, Tombstone, Topic,
};

use crate::room_log::record;
use crate::rooms::{Change, Person, Room, RoomChange};
use crate::store::{NewMessage, Store};

use super::person;

fn post(room: &RoomName, who: &Person, client: &str, reply_to: Option<MessageId>) -> NewMessage {
    NewMessage {
        room: room.clone(),
        author: who.name.clone(),
        author_id: who.id.clone(),
        client_id: ClientId::new(client).unwrap(),
        body: MessageBody::new(format!("text of {client}")).unwrap(),
        thread: reply_to,
        in_room: client.ends_with("-also"),
        refused: None,
    }
}

pub(in crate::store) async fn threads(store: &dyn Store) {
    let ann = person("u:1", "ann");
    let bob = person("u:2", "bob");
    let room = Room::new(RoomName::new("threads").unwrap(), Topic::default(), false);
    let name = room.name.clone();
    store.rooms().create_room(&room, Some(&ann)).await.unwrap();
    let root = store
        .append(Arc::from(vec![post(&name, &ann, "root", None)]))
        .await
        .unwrap()[0]
        .message()
        .unwrap()
        .clone();
    assert_eq!(root.thread, None, "no replies yet");
    let out = store
        .append(Arc::from(vec![
            post(&name, &bob, "r1", Some(root.id)),
            post(&name, &ann, "r2-also", Some(root.id)),
        ]))
        .await
        .unwrap();
    let (r1, r2) = (
        out[0].message().unwrap().clone(),
        out[1].message().unwrap().clone(),
    );
    // Each reply carries its thread as of it.
    let as_of = |replies: u32, ts: &str, in_room: bool| Thread {
        root: root.id,
        replies,
        last_reply_at: Some(ts.to_owned()),
        in_room,
    };
    assert_eq!(r1.thread, Some(as_of(1, &r1.ts, false)));
    assert_eq!(r2.thread, Some(as_of(2, &r2.ts, true)));

    // A reply to a reply goes into the same thread; a message gone, nowhere.
    assert_eq!(store.replied_to(&name, r1.id).await.unwrap(), Some(root.id));
    assert_eq!(
        store.replied_to(&name, root.id).await.unwrap(),
        Some(root.id)
    );
    assert_eq!(store.replied_to(&name, r2.id + 100).await.unwrap(), None);

    // The room's list: the root with its thread now, and the reply also sent there.
    let snapshot = store.snapshot(&name, 50).await.unwrap();
    let listed: Vec<(MessageId, Option<Thread>)> = snapshot
        .messages
        .iter()
        .map(|m| (m.id, m.thread.clone()))
        .collect();
    let root_now = Thread {
        root: root.id,
        replies: 2,
        last_reply_at: Some(r2.ts.clone()),
        in_room: false,
    };
    let r2_now = Thread {
        in_room: true,
        ..root_now.clone()
    };
    assert_eq!(
        listed,
        vec![
            (root.id, Some(root_now.clone())),
            (r2.id, Some(r2_now.clone()))
        ]
    );
    let history = store.history(&name, None, 50).await.unwrap();
    assert_eq!(history.messages, snapshot.messages);
    // A page from before the replies shows the root's thread as it is now.
    let before = store.history(&name, Some(r1.seq), 50).await.unwrap();
    let listed: Vec<(MessageId, Option<Thread>)> = before
        .messages
        .iter()
        .map(|m| (m.id, m.thread.clone()))
        .collect();
    assert_eq!(listed, vec![(root.id, Some(root_now.clone()))]);
    // Unread in the room counts what its list shows: bob's reply stays in its thread.
    let unread = store
        .reading()
        .unread(&ann.id, &ann.name, &name, 0)
        .await
        .unwrap();
    assert_eq!(
        unread.unread, 0,
        "ann wrote the root and r2; r1 is in the thread"
    );
    let unread = store
        .reading()
        .unread(&bob.id, &bob.name, &name, 0)
        .await
        .unwrap();
    assert_eq!(unread.unread, 2, "the root and r2, also sent to the room");

    // The thread's page: its replies, oldest first, and its root.
    let (page, top) = store.thread(&name, root.id, None, 10).await.unwrap();
    let ids: Vec<MessageId> = page.messages.iter().map(|m| m.id).collect();
    assert_eq!(ids, vec![r1.id, r2.id]);
    assert!(!page.has_more);
    assert_eq!(top.map(|m| m.thread), Some(Some(root_now.clone())));
    let (page, _) = store.thread(&name, root.id, Some(r2.seq), 1).await.unwrap();
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.messages[0].id, r1.id);

    // A replay gives every reply with its thread as it is now.
    let replay = store.replay(&name, 0, 100).await.unwrap();
    let posted_threads: Vec<Option<Thread>> = replay
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Message(posted) => Some(posted.thread.clone()),
            _ => None,
        })
        .collect();
    let r1_now = Thread {
        in_room: false,
        ..root_now.clone()
    };
    assert_eq!(
        posted_threads,
        vec![Some(root_now.clone()), Some(r1_now), Some(r2_now)]
    );

    // Deleting a reply: the thread is one shorter, its newest the reply left.
    let deleted = record(
        store,
        &RoomChange {
            room: name.clone(),
            change: Change::Delete {
                id: r2.id,
                by: ann.clone(),
            },
        },
    )
    .await
    .unwrap();
    let shorter = Thread {
        root: root.id,
        replies: 1,
        last_reply_at: Some(r1.ts.clone()),
        in_room: false,
    };
    let EventKind::MessageDeleted(deletion) = &deleted[0].kind else {
        panic!("{deleted:?}")
    };
    assert_eq!(deletion.thread, Some(shorter.clone()));
    // Replayed, the reply's own seq and its deletion both say so.
    let replay = store.replay(&name, 0, 100).await.unwrap();
    let deletions: Vec<Option<Thread>> = replay
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MessageDeleted(d) => Some(d.thread.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletions,
        vec![Some(shorter.clone()), Some(shorter.clone())]
    );
    let snapshot = store.snapshot(&name, 50).await.unwrap();
    assert_eq!(snapshot.messages.len(), 1);
    assert_eq!(snapshot.messages[0].thread, Some(shorter.clone()));
    // The root gone: no reply goes to it.
    let deleted = record(
        store,
        &RoomChange {
            room: name.clone(),
            change: Change::Delete {
                id: root.id,
                by: ann.clone(),
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(store.replied_to(&name, root.id).await.unwrap(), None);
    assert_eq!(
        store.replied_to(&name, r1.id).await.unwrap(),
        None,
        "nor through a reply of it"
    );
    let (page, top) = store.thread(&name, root.id, None, 10).await.unwrap();
    assert!(top.is_none());
    assert_eq!(page.messages.len(), 1, "its reply is still there");
    // Its thread still has a reply: the room's list keeps its place, a tombstone,
    // said by its deletion live and replayed, and read beside the list.
    let kept = Tombstone {
        seq: root.seq,
        id: root.id,
        thread: shorter,
    };
    let EventKind::MessageDeleted(deletion) = &deleted[0].kind else {
        panic!("{deleted:?}")
    };
    assert_eq!(deletion.tombstone, Some(kept.clone()));
    assert_eq!(deletion.thread, None, "not a reply");
    let replay = store.replay(&name, 0, 100).await.unwrap();
    let kept_by: Vec<(u64, Option<Tombstone>)> = replay
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MessageDeleted(d) if d.id == root.id => Some((e.seq, d.tombstone.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        kept_by,
        vec![
            (root.seq, Some(kept.clone())),
            (deleted[0].seq, Some(kept.clone()))
        ]
    );
    assert_eq!(
        store.tombstones(&name, 0, u64::MAX).await.unwrap(),
        vec![kept.clone()]
    );
    assert_eq!(
        store.tombstones(&name, root.seq, root.seq).await.unwrap(),
        vec![kept]
    );
    assert!(
        store
            .tombstones(&name, root.seq + 1, u64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    // Its last reply deleted: nothing to keep.
    let deleted = record(
        store,
        &RoomChange {
            room: name.clone(),
            change: Change::Delete {
                id: r1.id,
                by: bob.clone(),
            },
        },
    )
    .await
    .unwrap();
    let EventKind::MessageDeleted(deletion) = &deleted[0].kind else {
        panic!("{deleted:?}")
    };
    assert_eq!(deletion.thread.as_ref().map(|t| t.replies), Some(0));
    assert!(
        store
            .tombstones(&name, 0, u64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    let replay = store.replay(&name, 0, 100).await.unwrap();
    assert!(
        replay.events.iter().all(|e| match &e.kind {
            EventKind::MessageDeleted(d) => d.tombstone.is_none(),
            _ => true,
        }),
        "replayed as it is now"
    );
}

/// Thread read state: who took part (the root's author and each replier), each
/// one's marker (a replier's at their reply), what is unread after it (replies by
/// others, not deleted), and the threads with unread replies by room.
pub(in crate::store) async fn thread_reads(store: &dyn Store) {
    let ann = person("u:1", "ann");
    let bob = person("u:2", "bob");
    let cat = person("u:3", "cat");
    let room = Room::new(RoomName::new("reads").unwrap(), Topic::default(), false);
    let name = room.name.clone();
    store.rooms().create_room(&room, Some(&ann)).await.unwrap();
    let root = store
        .append(Arc::from(vec![post(&name, &ann, "reads-root", None)]))
        .await
        .unwrap()[0]
        .message()
        .unwrap()
        .clone();
    let reading = store.reading();
    assert!(
        reading
            .thread_people(&name, root.id)
            .await
            .unwrap()
            .is_empty()
    );
    let out = store
        .append(Arc::from(vec![
            post(&name, &bob, "reads-r1", Some(root.id)),
            post(&name, &cat, "reads-r2", Some(root.id)),
        ]))
        .await
        .unwrap();
    let (r1, r2) = (
        out[0].message().unwrap().clone(),
        out[1].message().unwrap().clone(),
    );
    let mut people = reading.thread_people(&name, root.id).await.unwrap();
    people.sort();
    assert_eq!(people, vec![ann.id.clone(), bob.id.clone(), cat.id.clone()]);

    let now = |who: &Person| {
        let who = who.id.clone();
        let name = name.clone();
        async move { reading.thread_read(&who, &name, root.id, 0).await.unwrap() }
    };
    let ann_now = now(&ann).await;
    assert_eq!((ann_now.seq, ann_now.unread), (0, 2), "ann read nothing");
    let bob_now = now(&bob).await;
    assert_eq!(
        (bob_now.seq, bob_now.unread),
        (r1.seq, 1),
        "cat's came after bob's"
    );
    // Through another room, nothing is said of this thread (nor is it read).
    let other = Room::new(
        RoomName::new("reads-other").unwrap(),
        Topic::default(),
        false,
    );
    store.rooms().create_room(&other, Some(&bob)).await.unwrap();
    for who in [&ann, &bob] {
        let elsewhere = reading
            .thread_read(&who.id, &other.name, root.id, r2.seq)
            .await
            .unwrap();
        assert_eq!((elsewhere.seq, elsewhere.unread), (0, 0), "{}", who.name);
    }
    assert_eq!(now(&ann).await.unread, 2, "ann's marker did not move");
    let cat_now = now(&cat).await;
    assert_eq!((cat_now.seq, cat_now.unread), (r2.seq, 0));

    let unread = reading.threads_unread(&ann.id).await.unwrap();
    assert_eq!(unread.get(&name), Some(&vec![ann_now.clone()]));
    assert!(reading.threads_unread(&cat.id).await.unwrap().is_empty());

    // Reading moves forward only, and no further than the newest reply.
    let read = reading
        .thread_read(&ann.id, &name, root.id, r2.seq + 100)
        .await
        .unwrap();
    assert_eq!((read.seq, read.unread), (r2.seq, 0));
    let read = reading
        .thread_read(&ann.id, &name, root.id, r1.seq)
        .await
        .unwrap();
    assert_eq!(read.seq, r2.seq);
    assert!(reading.threads_unread(&ann.id).await.unwrap().is_empty());

    // A deleted reply is unread no more.
    record(
        store,
        &RoomChange {
            room: name.clone(),
            change: Change::Delete {
                id: r2.id,
                by: cat.clone(),
            },
        },
    )
    .await
    .unwrap();
    assert_eq!(now(&bob).await.unread, 0);
}
