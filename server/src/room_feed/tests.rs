use std::sync::Arc;
use std::time::Duration;

use confab_shared::{
    ClientId, EventKind, MemberChange, MessageBody, Role, RoomEvent, RoomName, Seq, UserId,
    UserName,
};
use tokio_util::sync::CancellationToken;

use super::{Origin, RoomFeed};
use crate::hub::Hub;
use crate::identity::Identity;
use crate::outbox::{Outbound, Outbox, Queue};
use crate::rooms::Directory;
use crate::store::{Appended, MemoryStore, NewMessage, Store};

fn general() -> RoomName {
    RoomName::new("general").unwrap()
}

/// Stores `n` messages in `general` straight into the store, as another node would;
/// gives their events.
async fn stored_elsewhere(store: &MemoryStore, n: usize, tag: &str) -> Vec<RoomEvent> {
    let batch: Arc<[NewMessage]> = (0..n)
        .map(|i| NewMessage {
            room: general(),
            author: UserName::new("ann").unwrap(),
            author_id: UserId::new("guest:ann").unwrap(),
            client_id: ClientId::new(format!("{tag}{i}")).unwrap(),
            body: MessageBody::new("hi").unwrap(),
            thread: None,
            in_room: false,
            refused: None,
        })
        .collect();
    store
        .append(batch)
        .await
        .unwrap()
        .into_iter()
        .map(|appended| match appended {
            Appended::New(m) | Appended::Duplicate(m) => RoomEvent::message(m),
            Appended::Refused(denied) => panic!("refused: {denied:?}"),
        })
        .collect()
}

/// A feed over `store`, and a member of `general` listening on this node.
async fn feed_with_member(store: &Arc<MemoryStore>) -> (Arc<RoomFeed>, Queue) {
    let hub = Arc::new(Hub::default());
    let (outbox, queue) = Outbox::channel(1024);
    hub.join(
        &general(),
        hub.next_conn_id(),
        &Arc::new(Identity::guest(UserName::new("bob").unwrap())),
        &outbox,
        &Directory::default(),
    );
    let store: Arc<dyn Store> = store.clone();
    let feed = RoomFeed::start(hub, store, Arc::default(), Arc::default())
        .await
        .unwrap();
    (feed, queue)
}

/// The seqs the member got, waiting up to 10 s for `n` of them.
async fn seqs(queue: &mut Queue, n: usize) -> Vec<Seq> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while got.len() < n {
        let batch = tokio::time::timeout_at(deadline, queue.recv_batch(64))
            .await
            .unwrap_or_else(|_| panic!("only {got:?} of {n} within 10 s"));
        for item in batch {
            if let Outbound::Room(frame) = item {
                got.push(frame.seq.expect("a log event has a seq"));
            }
        }
    }
    got
}

#[tokio::test]
async fn events_reach_the_room_once_and_in_order_whatever_order_they_come_in() {
    let store = Arc::new(MemoryStore::new());
    let (feed, mut queue) = feed_with_member(&store).await;
    let events = stored_elsewhere(&store, 4, "a").await;
    // 2 and 3 before 1 (another node's commit finished first); 1 twice.
    feed.offer(events[1].clone(), None, Origin::Remote);
    feed.offer(events[2].clone(), None, Origin::Remote);
    assert!(queue.try_recv().is_none(), "nothing before seq 1");
    feed.offer(events[0].clone(), None, Origin::Local);
    feed.offer(events[0].clone(), None, Origin::Remote);
    feed.offer(events[3].clone(), None, Origin::Local);
    assert_eq!(seqs(&mut queue, 4).await, vec![1, 2, 3, 4]);
    assert!(queue.try_recv().is_none(), "nothing twice");
    assert_eq!(feed.cursor(&general()), 4);
}

#[tokio::test]
async fn a_gap_the_broker_never_fills_is_read_from_the_store() {
    let store = Arc::new(MemoryStore::new());
    let (feed, mut queue) = feed_with_member(&store).await;
    let stop = CancellationToken::new();
    let task = tokio::spawn(Arc::clone(&feed).run(false, stop.clone()));
    let events = stored_elsewhere(&store, 5, "b").await;
    // Only the last reaches this node: 1 to 4 were lost on the way.
    feed.offer(events[4].clone(), None, Origin::Remote);
    assert_eq!(seqs(&mut queue, 5).await, vec![1, 2, 3, 4, 5]);
    stop.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn a_lost_tail_is_caught_up_from_the_store() {
    let store = Arc::new(MemoryStore::new());
    let (feed, mut queue) = feed_with_member(&store).await;
    stored_elsewhere(&store, 3, "c").await;
    // Nothing was heard at all (the last events of a quiet room, lost with Redis).
    feed.catch_up().await;
    assert_eq!(seqs(&mut queue, 3).await, vec![1, 2, 3]);
    feed.catch_up().await;
    assert!(queue.try_recv().is_none(), "caught up once");
}

#[tokio::test]
async fn another_nodes_membership_changes_reach_this_nodes_directory() {
    let store = Arc::new(MemoryStore::new());
    let (feed, _queue) = feed_with_member(&store).await;
    let carol = UserId::new("u:7").unwrap();
    let change = MemberChange {
        user: UserName::new("carol").unwrap(),
        user_id: carol.clone(),
        by: None,
        role: Some(Role::Moderator),
        ts: String::new(),
    };
    let joined = RoomEvent {
        room: general(),
        seq: 1,
        kind: EventKind::MemberJoined(change.clone()),
    };
    // The same event from this node's own writer is not folded again (its writer
    // did); from another node it is.
    feed.offer(joined, None, Origin::Remote);
    let directory = store.rooms().directory();
    let access = directory.access(&general(), &carol).unwrap();
    assert_eq!(access.standing.role, Some(Role::Moderator));
    let kicked = RoomEvent {
        room: general(),
        seq: 2,
        kind: EventKind::MemberKicked(change),
    };
    feed.offer(kicked, None, Origin::Remote);
    let access = directory.access(&general(), &carol).unwrap();
    assert_eq!(access.standing.role, None);
}

#[tokio::test]
async fn a_resends_ack_waits_for_its_message_to_reach_the_room() {
    use crate::room_feed::Ack;
    let store = Arc::new(MemoryStore::new());
    let (feed, mut queue) = feed_with_member(&store).await;
    let events = stored_elsewhere(&store, 2, "d").await;
    // A resend of seq 2, which another node stored and this one has not heard.
    let (sender, mut acks) = Outbox::channel(16);
    let ack = Ack {
        to: sender,
        frame: "ack of 2".into(),
    };
    feed.ack_after(&general(), 2, ack);
    assert!(acks.try_recv().is_none(), "not before its message");
    feed.offer(events[0].clone(), None, Origin::Remote);
    assert!(acks.try_recv().is_none(), "seq 1 is not its message");
    feed.offer(events[1].clone(), None, Origin::Remote);
    assert_eq!(seqs(&mut queue, 2).await, vec![1, 2]);
    assert!(matches!(acks.try_recv(), Some(Outbound::Reply(f)) if f.as_str() == "ack of 2"));
}
