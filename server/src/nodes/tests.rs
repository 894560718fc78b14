use std::sync::Arc;
use std::time::Duration;

use confab_shared::{RoomName, ServerMsg, UserId, UserName};

use super::{Answer, GONE_AFTER, Nodes, Note};
use crate::hub::Hub;
use crate::identity::Identity;
use crate::outbox::{Outbound, Outbox, Queue};
use crate::rooms::Directory;

fn general() -> RoomName {
    RoomName::new("general").unwrap()
}

fn cat() -> (UserId, UserName) {
    (UserId::new("u:3").unwrap(), UserName::new("cat").unwrap())
}

fn presence(node: &str, people: Vec<(UserId, UserName)>) -> Note {
    Note::Presence {
        node: node.to_owned(),
        room: general(),
        people,
    }
}

/// The presence frames queued for a member since last asked: (joined, left, count).
fn heard(hub: &Hub, queue: &mut Queue) -> Vec<(Vec<String>, Vec<String>, u32)> {
    hub.flush_presence(&Directory::default());
    let mut frames = Vec::new();
    while let Some(item) = queue.try_recv() {
        let Outbound::Room(frame) = item else {
            continue;
        };
        if let Ok(ServerMsg::Presence {
            joined,
            left,
            online_count,
            ..
        }) = serde_json::from_str(frame.frame.as_str())
        {
            let names = |v: Vec<UserName>| v.into_iter().map(|n| n.to_string()).collect();
            frames.push((names(joined), names(left), online_count));
        }
    }
    frames
}

/// A node whose hub has bob in `general`, and bob's queue.
fn bob_in_general() -> (Arc<Hub>, Nodes, Queue) {
    let hub = Arc::new(Hub::default());
    let nodes = Nodes::new(Arc::clone(&hub), Arc::default(), Arc::default());
    let (outbox, queue) = Outbox::channel(64);
    let bob = Arc::new(Identity::guest(UserName::new("bob").unwrap()));
    hub.join(
        &general(),
        hub.next_conn_id(),
        &bob,
        &outbox,
        &Directory::default(),
    );
    (hub, nodes, queue)
}

#[tokio::test(start_paused = true)]
async fn another_nodes_people_are_online_here_until_that_node_goes_quiet() {
    let (hub, nodes, mut queue) = bob_in_general();
    heard(&hub, &mut queue);

    // A node this one did not know: hello, and all of this one's presence.
    assert_eq!(nodes.take(presence("n2", vec![cat()])), Answer::Hello);
    assert_eq!(
        heard(&hub, &mut queue),
        vec![(vec!["cat".to_owned()], vec![], 2)]
    );
    // Said again (the periodic repeat): nothing changes.
    assert_eq!(nodes.take(presence("n2", vec![cat()])), Answer::Nothing);
    assert!(heard(&hub, &mut queue).is_empty());
    // Someone joining here now is told cat is online.
    let (other, _q) = Outbox::channel(64);
    let dan = Arc::new(Identity::guest(UserName::new("dan").unwrap()));
    let online = hub.join(
        &general(),
        hub.next_conn_id(),
        &dan,
        &other,
        &Directory::default(),
    );
    assert!(
        online.names.iter().any(|n| n.as_str() == "cat"),
        "{online:?}"
    );

    // That node goes quiet (killed): after the timeout cat is offline here.
    tokio::time::advance(GONE_AFTER + Duration::from_secs(1)).await;
    nodes.expire();
    let frames = heard(&hub, &mut queue);
    assert!(
        frames
            .iter()
            .any(|(_, left, _)| left == &vec!["cat".to_owned()]),
        "{frames:?}"
    );
    assert!(
        hub.online(&general())
            .names
            .iter()
            .all(|n| n.as_str() != "cat")
    );
}

#[tokio::test]
async fn this_nodes_own_notes_change_nothing_and_its_people_are_said_per_room() {
    let hub = Arc::new(Hub::default());
    let nodes = Nodes::new(Arc::clone(&hub), Arc::default(), Arc::default());
    let me = nodes.me().to_owned();
    assert_eq!(
        nodes.take(presence(&me, vec![cat()])),
        Answer::Nothing,
        "its own note"
    );
    assert_eq!(hub.online(&general()).count, 0);

    let (outbox, _queue) = Outbox::channel(64);
    let bob = Arc::new(Identity::guest(UserName::new("bob").unwrap()));
    let conn = hub.next_conn_id();
    hub.join(&general(), conn, &bob, &outbox, &Directory::default());
    let said = nodes.presence_changes(true);
    assert_eq!(said.len(), 1);
    let Note::Presence { people, node, .. } = &said[0] else {
        panic!("{said:?}")
    };
    assert_eq!(node, &me);
    assert_eq!(
        people.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
        ["bob"]
    );
    assert!(nodes.presence_changes(true).is_empty(), "said once");
    hub.leave(&general(), conn);
    let said = nodes.presence_changes(true);
    assert!(
        matches!(&said[..], [Note::Presence { people, .. }] if people.is_empty()),
        "nobody here now: {said:?}"
    );
}

#[test]
fn a_credential_ended_on_another_node_ends_its_sockets_here() {
    use crate::outbox::Revoked;
    use crate::revocations::Revocations;
    let revocations = Arc::new(Revocations::default());
    let nodes = Nodes::new(
        Arc::new(Hub::default()),
        Arc::default(),
        Arc::clone(&revocations),
    );
    let (outbox, _queue) = Outbox::channel(4);
    let session: Arc<str> = Arc::from("hash-of-a-session");
    revocations.register(&session, 1, &outbox);
    nodes.take(Note::Ended {
        node: "n2".to_owned(),
        credential: session.to_string(),
        banned: true,
    });
    assert_eq!(outbox.revoked(), Some(Revoked::Banned));
}

#[test]
fn a_snapshot_heals_what_lost_notes_left_behind() {
    let (hub, nodes, mut queue) = bob_in_general();
    nodes.take(presence("n2", vec![cat()]));
    heard(&hub, &mut queue);
    // cat left, but that note was lost; the node's next snapshot has no room.
    let snapshot = Note::Snapshot {
        node: "n2".to_owned(),
        rooms: Vec::new(),
        people: Vec::new(),
    };
    assert_eq!(nodes.take(snapshot), Answer::Nothing);
    assert_eq!(
        heard(&hub, &mut queue),
        vec![(vec![], vec!["cat".to_owned()], 1)]
    );
    // Asked for everything (another node subscribed again): all of it.
    let hello = Note::Alive {
        node: "n2".to_owned(),
        hello: true,
    };
    assert_eq!(nodes.take(hello), Answer::All);
    let Note::Snapshot { rooms, .. } = nodes.all_presence() else {
        panic!("a snapshot")
    };
    assert_eq!(rooms.len(), 1, "general, with bob");
}
