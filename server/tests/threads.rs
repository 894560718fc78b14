//! Threads from outside (docs/protocol.md, `send` with `thread`, `history` with
//! `thread`): replies reach everyone with their thread's summary, a client that was
//! away converges on the same summary when it resumes, a fresh join's list holds the
//! root (with its summary) and replies sent also to the room but not the others, a
//! thread's page holds its replies and its root, a deleted root whose thread has
//! replies keeps its place (a tombstone), and a reply to a message that is not
//! there is refused.

mod common;

use common::{Client, TestServer};
use confab_shared::protocol::fold_thread;
use confab_shared::{ChatMessage, ErrorCode, EventKind, RoomEvent, ServerMsg, Thread};
use serde_json::json;

async fn reply(client: &mut Client, root: i64, client_id: &str, body: &str, in_room: bool) {
    client
        .send_json(json!({
            "type": "send", "room": "general", "client_id": client_id, "body": body,
            "thread": root, "in_room": in_room
        }))
        .await;
}

/// Folds the thread an event tells of into `root`, as a reader does.
fn fold(root: &mut ChatMessage, event: &RoomEvent) {
    let thread = match &event.kind {
        EventKind::Message(posted) => posted.thread.as_ref(),
        EventKind::MessageDeleted(deletion) => deletion.thread.as_ref(),
        _ => None,
    };
    if let Some(thread) = thread {
        fold_thread(root, thread);
    }
}

async fn next_event(client: &mut Client) -> RoomEvent {
    match client
        .recv_until(|m| matches!(m, ServerMsg::Event(_) | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Event(event) => event,
        other => panic!("{}: expected an event, got {other:?}", client.name),
    }
}

#[tokio::test]
async fn replies_reach_everyone_and_a_client_that_was_away_converges() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    let mut cat = server.client("cat").await;
    for who in [&mut ann, &mut bob, &mut cat] {
        who.join("general", None).await;
    }
    ann.send_chat("general", "m1", "shall we ship friday?")
        .await;
    let mut online = ann.next_message().await;
    let root_seq = online.seq;
    bob.next_message().await;
    cat.next_message().await;
    cat.close().await;

    reply(&mut bob, online.id, "r1", "yes", false).await;
    let first = next_event(&mut ann).await;
    fold(&mut online, &first);
    let first_reply = first.clone().into_message().expect("a reply");
    assert_eq!(
        first_reply.thread,
        Some(Thread {
            root: online.id,
            replies: 1,
            last_reply_at: Some(first_reply.ts.clone()),
            in_room: false,
        })
    );
    // A reply to a reply goes into the root's thread.
    reply(&mut ann, first_reply.id, "r2", "then friday it is", true).await;
    let second = next_event(&mut ann).await;
    fold(&mut online, &second);
    let second_reply = second.into_message().expect("a reply");
    assert_eq!(
        second_reply
            .thread
            .as_ref()
            .map(|t| (t.root, t.replies, t.in_room)),
        Some((online.id, 2, true))
    );
    // Bob takes his back.
    bob.send_json(json!({ "type": "delete_message", "room": "general", "id": first_reply.id }))
        .await;
    for _ in 0..2 {
        next_event(&mut bob).await;
    }
    let deletion = next_event(&mut ann).await;
    fold(&mut online, &deletion);
    let now = Thread {
        root: online.id,
        replies: 1,
        last_reply_at: Some(second_reply.ts.clone()),
        in_room: false,
    };
    assert_eq!(online.thread, Some(now.clone()));

    // Cat resumes after the root: the same summary.
    let mut cat = server.client("cat").await;
    cat.send_join("general", Some(root_seq)).await;
    cat.recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await;
    let mut resumed = online.clone();
    resumed.thread = None;
    for _ in 0..3 {
        let event = next_event(&mut cat).await;
        fold(&mut resumed, &event);
    }
    assert_eq!(resumed.thread, online.thread);

    // A fresh join: the root with its summary and the reply sent to the room too.
    let mut dan = server.client("dan").await;
    let joined = dan.join("general", None).await;
    let listed: Vec<(i64, Option<Thread>)> = joined
        .replay
        .iter()
        .map(|m| (m.id, m.thread.clone()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (online.id, Some(now.clone())),
            (
                second_reply.id,
                Some(Thread {
                    in_room: true,
                    ..now.clone()
                })
            )
        ]
    );

    // The thread's page: its replies and its root, the request's id echoed.
    dan.send_json(json!({
        "type": "history", "room": "general", "thread": online.id, "limit": 50,
        "request_id": "t1"
    }))
    .await;
    match dan
        .recv_until(|m| matches!(m, ServerMsg::History { .. }))
        .await
    {
        ServerMsg::History {
            messages,
            thread,
            root,
            request_id,
            has_more,
            ..
        } => {
            assert_eq!(thread, Some(online.id));
            assert_eq!(request_id.as_ref().map(|r| r.as_str()), Some("t1"));
            assert_eq!(
                messages.iter().map(|m| m.id).collect::<Vec<_>>(),
                vec![second_reply.id]
            );
            assert!(!has_more);
            assert_eq!(root.map(|r| r.thread), Some(Some(now)));
        }
        _ => unreachable!(),
    }
    server.stop().await;
}

#[tokio::test]
async fn a_reply_to_a_message_that_is_not_there_is_refused() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    let (_, id) = ann.send_acked("general", "m1", "soon gone").await;
    reply(&mut ann, id + 100, "r1", "to nothing", false).await;
    assert_eq!(
        ann.recv_error(ErrorCode::NotFound).await.as_deref(),
        Some("r1")
    );
    ann.send_json(json!({ "type": "delete_message", "room": "general", "id": id }))
        .await;
    next_event(&mut ann).await;
    reply(&mut ann, id, "r2", "to the deleted", false).await;
    assert_eq!(
        ann.recv_error(ErrorCode::NotFound).await.as_deref(),
        Some("r2")
    );
    // Not joined: refused before anything else.
    let mut bob = server.client("bob").await;
    reply(&mut bob, id, "r3", "from outside", false).await;
    assert_eq!(
        bob.recv_error(ErrorCode::NotJoined).await.as_deref(),
        Some("r3")
    );
    server.stop().await;
}

#[tokio::test]
async fn a_deleted_root_with_replies_keeps_its_place_for_everyone() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    let mut bob = server.client("bob").await;
    ann.join("general", None).await;
    bob.join("general", None).await;
    let (root_seq, root) = ann.send_acked("general", "m1", "plans?").await;
    bob.next_message().await;
    reply(&mut bob, root, "r1", "mine", false).await;
    bob.next_message().await;
    ann.next_message().await;
    ann.send_json(json!({ "type": "delete_message", "room": "general", "id": root }))
        .await;
    // Live: the deletion says where the list keeps the root's place.
    let deleted = next_event(&mut bob).await;
    let EventKind::MessageDeleted(deletion) = deleted.kind else {
        panic!("expected the root's deletion, got {deleted:?}");
    };
    let kept = deletion
        .tombstone
        .expect("a tombstone: its thread has a reply");
    assert_eq!(
        (kept.seq, kept.id, kept.thread.replies),
        (root_seq, root, 1)
    );
    // A fresh join's snapshot and a page of history keep it too.
    let mut cat = server.client("cat").await;
    let joined = cat.join("general", None).await;
    assert!(joined.replay.iter().all(|m| m.id != root), "no text of it");
    assert_eq!(joined.tombstones, vec![kept.clone()]);
    cat.send_json(json!({ "type": "history", "room": "general", "before": deleted.seq }))
        .await;
    let page = cat
        .recv_until(|m| matches!(m, ServerMsg::History { .. }))
        .await;
    let ServerMsg::History { tombstones, .. } = page else {
        unreachable!()
    };
    assert_eq!(tombstones, vec![kept]);
    // Its reply is still read in its thread.
    cat.send_json(json!({ "type": "history", "room": "general", "thread": root }))
        .await;
    let page = cat
        .recv_until(|m| matches!(m, ServerMsg::History { .. }))
        .await;
    let ServerMsg::History {
        messages,
        root: top,
        ..
    } = page
    else {
        unreachable!()
    };
    assert_eq!(messages.len(), 1);
    assert!(top.is_none(), "the root itself is gone");
    server.stop().await;
}

/// The next `thread_read` frame: (root, seq, unread).
async fn next_thread_read(client: &mut Client) -> (i64, u64, u32) {
    match client
        .recv_until(|m| matches!(m, ServerMsg::ThreadRead { .. } | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::ThreadRead { thread, .. } => (thread.root, thread.seq, thread.unread),
        other => panic!("{}: expected thread_read, got {other:?}", client.name),
    }
}

#[tokio::test]
async fn people_in_a_thread_hear_of_its_replies_and_read_it_on_every_device() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    ann.join("general", None).await;
    bob.join("general", None).await;
    let (_, root) = ann.send_acked("general", "m1", "plans for friday?").await;

    // Bob replies: ann wrote the root, so she took part; one reply unread for her,
    // none for bob, whose own reply reads the thread up to it.
    bob.send_json(json!({
        "type": "send", "room": "general", "client_id": "r1", "body": "picnic", "thread": root
    }))
    .await;
    let (reply_seq, _) = bob.recv_ack("r1").await;
    assert_eq!(next_thread_read(&mut ann).await, (root, 0, 1));
    assert_eq!(next_thread_read(&mut bob).await, (root, reply_seq, 0));

    // Ann's other device hears of it in its rooms list.
    let mut phone = Client::sign_in(&server, "ann").await;
    let rooms = match phone
        .recv_until(|m| matches!(m, ServerMsg::Rooms { .. }))
        .await
    {
        ServerMsg::Rooms { rooms } => rooms,
        _ => unreachable!(),
    };
    let general = rooms
        .iter()
        .find(|r| r.room.as_str() == "general")
        .expect("general is ann's");
    let listed: Vec<(i64, u64, u32)> = general
        .threads
        .iter()
        .map(|t| (t.root, t.seq, t.unread))
        .collect();
    assert_eq!(listed, vec![(root, 0, 1)]);
    // The room's own count leaves the reply out.
    assert_eq!(general.unread, 0);

    // Ann reads the thread: both her sockets hear that nothing is unread.
    ann.send_json(json!({ "type": "read", "room": "general", "seq": reply_seq, "thread": root }))
        .await;
    assert_eq!(next_thread_read(&mut ann).await, (root, reply_seq, 0));
    assert_eq!(next_thread_read(&mut phone).await, (root, reply_seq, 0));
    server.stop().await;
}
