//! Several nodes on one PostgreSQL database, hearing each other through Redis (both
//! real, started by the tests): people spread over the nodes see one room in one
//! order; a private room made on one node is private on all, and a kick there ends
//! the stream on another; a sign-out on one node closes the session's sockets on the
//! others; Redis restarting under load loses nothing (what pub/sub dropped is read
//! from the database).

mod common;

use std::time::{Duration, Instant};

use common::{Client, TIMEOUT, TestServer, http_get, http_post};
use confab_shared::{ChatMessage, ErrorCode, EventKind, ServerMsg, close};
use confab_testkit::{Redis, postgres};
use serde_json::json;

/// Nodes sharing one new database and one Redis, each hearing the others.
async fn cluster(nodes: usize) -> (Vec<TestServer>, Redis) {
    let redis = Redis::start();
    let database = postgres().database();
    let mut started = Vec::new();
    for _ in 0..nodes {
        let node = TestServer::start_node(&database, &redis.url()).await;
        ready(&node).await;
        started.push(node);
    }
    (started, redis)
}

/// Waits until `node` says it is ready: its store answers and it hears the others.
async fn ready(node: &TestServer) {
    let started = Instant::now();
    while http_get(node.addr, "/readyz", &[]).await.status != 200 {
        assert!(
            started.elapsed() < TIMEOUT,
            "a node not ready within {TIMEOUT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The next `n` messages a client gets.
async fn messages(client: &mut Client, n: usize) -> Vec<ChatMessage> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        let posted = client.recv_until(common::is_posted).await;
        got.extend(common::posted(posted));
    }
    got
}

/// The next `n` messages a client gets, checking that each of its own `acks` came
/// after its message (as on one node, even when the message waited for another
/// node's before it).
async fn messages_before_acks(client: &mut Client, n: usize, acks: usize) -> Vec<ChatMessage> {
    let mut got: Vec<ChatMessage> = Vec::with_capacity(n);
    let mut acked = 0;
    while got.len() < n || acked < acks {
        match client.recv_any().await {
            ServerMsg::Ack { client_id, .. } => {
                assert!(
                    got.iter().any(|m| m.client_id == client_id),
                    "{}: the ack of {client_id} came before its message",
                    client.name
                );
                acked += 1;
            }
            other => got.extend(common::posted(other)),
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_on_three_nodes_see_one_room_in_one_order() {
    let (nodes, _redis) = cluster(3).await;
    let mut people = Vec::new();
    for (node, name) in nodes.iter().zip(["ann", "bob", "cat"]) {
        let mut client = node.client(name).await;
        assert_eq!(client.join("general", None).await.last_seq, 0);
        people.push(client);
    }
    // Everyone writes at once, each on their own node: three writers, one room.
    const EACH: usize = 20;
    for i in 0..EACH {
        for person in &mut people {
            let id = format!("{}{i}", person.name);
            person.send_chat("general", &id, &id).await;
        }
    }
    let mut seen = Vec::new();
    for person in &mut people {
        let got = messages_before_acks(person, 3 * EACH, EACH).await;
        let seqs: Vec<u64> = got.iter().map(|m| m.seq).collect();
        let expected: Vec<u64> = (1..=3 * EACH as u64).collect();
        assert_eq!(
            seqs, expected,
            "{} got every seq once, in order",
            person.name
        );
        seen.push(
            got.iter()
                .map(|m| (m.seq, m.client_id.to_string()))
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(seen[0], seen[1], "ann and bob saw the same room");
    assert_eq!(seen[0], seen[2], "ann and cat saw the same room");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_room_stays_private_across_nodes_and_a_kick_reaches_every_node() {
    let (nodes, _redis) = cluster(3).await;
    let mut ann = Client::sign_up(&nodes[0], "ann").await;
    let mut bob = Client::sign_up(&nodes[1], "bob").await;
    let mut cat = Client::sign_up(&nodes[2], "cat").await;
    ann.send_json(json!({ "type": "create_room", "room": "plans", "private": true }))
        .await;
    ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
    ann.join("plans", None).await;
    ann.send_json(json!({ "type": "invite", "room": "plans", "user": "bob" }))
        .await;
    ann.recv_until(
        |m| matches!(m, ServerMsg::Event(e) if matches!(e.kind, EventKind::MemberJoined(_))),
    )
    .await;

    // bob, on another node, hears of it at once, and may join there.
    bob.recv_until(|m| matches!(m, ServerMsg::Room(info) if info.room.as_str() == "plans"))
        .await;
    let started = Instant::now();
    loop {
        bob.send_join("plans", None).await;
        match bob
            .recv_until(|m| matches!(m, ServerMsg::Joined { .. } | ServerMsg::Error { .. }))
            .await
        {
            ServerMsg::Joined { .. } => break,
            refused => assert!(
                started.elapsed() < TIMEOUT,
                "bob could not join on his node: {refused:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // cat, on a third node, may not, and is not told it exists.
    cat.send_join("plans", None).await;
    match cat
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NotFound),
        _ => unreachable!(),
    }

    ann.send_acked("plans", "a1", "for members only").await;
    assert_eq!(bob.recv_message().await.body.as_str(), "for members only");

    // A kick on ann's node ends bob's stream on his.
    ann.send_json(json!({ "type": "moderate", "room": "plans", "user": "bob", "action": "kick" }))
        .await;
    bob.recv_until(
        |m| matches!(m, ServerMsg::Event(e) if matches!(e.kind, EventKind::MemberKicked(_))),
    )
    .await;
    ann.send_acked("plans", "a2", "after bob left").await;
    bob.expect_quiet(Duration::from_millis(500)).await;
    // And his node knows he is out.
    bob.send_join("plans", None).await;
    match bob
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::NotFound),
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_news_reaches_their_sockets_on_every_node() {
    let (nodes, _redis) = cluster(2).await;
    let mut ann = Client::sign_up(&nodes[0], "ann").await;
    let cookie = ann.cookie.clone().expect("a session");
    let mut elsewhere = Client::with_cookie(&nodes[1], "ann", &cookie).await;
    let mut bob = Client::sign_up(&nodes[1], "bob").await;
    ann.join("general", None).await;
    elsewhere.join("general", None).await;
    bob.join("general", None).await;
    let (seq, _) = bob.send_acked("general", "b1", "hi ann").await;
    // Read on one node: the marker moves on her socket on the other.
    ann.send_json(json!({ "type": "read", "room": "general", "seq": seq }))
        .await;
    elsewhere
        .recv_until(|m| matches!(m, ServerMsg::Read { seq: at, unread: 0, .. } if *at == seq))
        .await;
    // A conversation bob starts on his node reaches both of her sockets.
    bob.send_json(json!({ "type": "start_conversation", "with": ["ann"] }))
        .await;
    for socket in [&mut ann, &mut elsewhere] {
        socket
            .recv_until(|m| matches!(m, ServerMsg::Room(info) if info.room.is_conversation()))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_on_one_node_closes_the_sessions_sockets_on_the_others() {
    let (nodes, _redis) = cluster(2).await;
    let ann = Client::sign_up(&nodes[0], "ann").await;
    let cookie = ann.cookie.clone().expect("a session");
    let mut elsewhere = Client::with_cookie(&nodes[1], "ann", &cookie).await;
    let out = http_post(nodes[0].addr, "/api/logout", &[("Cookie", &cookie)], "").await;
    assert_eq!(out.status, 204);
    assert_eq!(elsewhere.recv_close().await, close::SIGN_IN_AGAIN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarting_under_load_loses_nothing_for_those_who_stay() {
    let (nodes, mut redis) = cluster(3).await;
    let mut ann = nodes[0].client("ann").await;
    let mut bob = nodes[1].client("bob").await;
    let mut cat = nodes[2].client("cat").await;
    for person in [&mut ann, &mut bob, &mut cat] {
        person.join("general", None).await;
    }
    const SENT: usize = 120;
    for i in 0..SENT {
        if i == SENT / 3 {
            // Everything Redis had is gone; until it is back nothing is carried.
            redis.restart();
        }
        ann.send_acked("general", &format!("m{i}"), &format!("message {i}"))
            .await;
    }
    for reader in [&mut bob, &mut cat] {
        let got = messages(reader, SENT).await;
        let bodies: Vec<String> = got.iter().map(|m| m.body.to_string()).collect();
        let expected: Vec<String> = (0..SENT).map(|i| format!("message {i}")).collect();
        assert_eq!(
            bodies, expected,
            "{} got every message once, in order",
            reader.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_typing_reach_people_on_other_nodes() {
    let (nodes, _redis) = cluster(2).await;
    let mut ann = nodes[0].client("ann").await;
    ann.join("general", None).await;
    let mut bob = nodes[1].client("bob").await;
    let joined = bob.join("general", None).await;
    // Each sees the other, who is on another node, come online.
    ann.recv_until(|m| {
        matches!(m, ServerMsg::Presence { joined, .. } if joined.iter().any(|n| n.as_str() == "bob"))
    })
    .await;
    if !joined.online.iter().any(|n| n.as_str() == "ann") {
        bob.recv_until(|m| {
            matches!(m, ServerMsg::Presence { joined, .. } if joined.iter().any(|n| n.as_str() == "ann"))
        })
        .await;
    }
    // bob writes, then types: ann sees him typing; his next message ends it.
    bob.send_acked("general", "b1", "hello").await;
    bob.send_json(json!({ "type": "typing", "room": "general" }))
        .await;
    ann.recv_until(|m| {
        matches!(m, ServerMsg::Typing { people, .. } if people.iter().any(|p| p.user.as_str() == "bob"))
    })
    .await;
    bob.send_acked("general", "b2", "done typing").await;
    ann.recv_until(|m| matches!(m, ServerMsg::Typing { count: 0, .. }))
        .await;
    // bob goes: ann sees him leave.
    bob.close().await;
    ann.recv_until(|m| {
        matches!(m, ServerMsg::Presence { left, .. } if left.iter().any(|n| n.as_str() == "bob"))
    })
    .await;
}

/// The status `people` frames give `user`, skipping other frames.
async fn status_of(client: &mut Client, user: &confab_shared::UserId) -> confab_shared::Status {
    match client
        .recv_until(|m| matches!(m, ServerMsg::People { people } if people.iter().any(|p| p.user_id == *user)))
        .await
    {
        ServerMsg::People { people } => people
            .into_iter()
            .find(|p| p.user_id == *user)
            .map(|p| p.status)
            .expect("found"),
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_on_one_node_is_online_away_and_offline_on_the_others() {
    use confab_shared::Status;
    let (nodes, _redis) = cluster(2).await;
    let mut ann = Client::sign_up(&nodes[0], "ann").await;
    let mut bob = Client::sign_up(&nodes[1], "bob").await;
    ann.join("general", None).await;
    bob.join("general", None).await;
    bob.send_acked("general", "b1", "hello").await;
    let bob_id = messages(&mut ann, 1).await.remove(0).author_id;
    // ann may see bob (he wrote where she is); his node says he is online.
    let started = Instant::now();
    loop {
        ann.send_json(json!({ "type": "watch_people", "users": [bob_id] }))
            .await;
        if status_of(&mut ann, &bob_id).await == Status::Online {
            break;
        }
        assert!(started.elapsed() < TIMEOUT, "bob never online for ann");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bob.send_json(json!({ "type": "status", "away": true }))
        .await;
    // (A `people` frame saying online may still be on its way: the first watch
    // was answered before bob's node had said so.)
    while status_of(&mut ann, &bob_id).await != Status::Away {}
    bob.close().await;
    assert_eq!(status_of(&mut ann, &bob_id).await, Status::Offline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cap_on_a_persons_sockets_holds_across_nodes() {
    let redis = Redis::start();
    let database = postgres().database();
    let limits = confab_server::Limits {
        sockets_per_user: 2,
        ..confab_server::Limits::off()
    };
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let node = TestServer::start_node_with(&database, &redis.url(), limits.clone()).await;
        ready(&node).await;
        nodes.push(node);
    }
    let ann = Client::sign_up(&nodes[0], "ann").await;
    let cookie = ann.cookie.clone().expect("a session");
    let _second = Client::with_cookie(&nodes[1], "ann", &cookie).await;
    // A third, on the first node: refused once it has heard of the second.
    let url = nodes[0].ws_url("?v=2");
    let started = Instant::now();
    loop {
        match common::try_connect_with(&url, &[("Cookie", &cookie)]).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 429);
                break;
            }
            Ok(_third) => assert!(started.elapsed() < TIMEOUT, "a third socket in all"),
            Err(other) => panic!("{other}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
