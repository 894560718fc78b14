//! Typing from outside (docs/protocol.md, `typing`): gathered and sent at most twice
//! a second to each member however many type, naming at most three and counting
//! all; gone when a typist sends, stops, closes their socket, or is not heard from
//! for 6 s; dropped from a connection that has not joined, and from someone who has
//! not yet written in the room (a reader who never writes stays unseen).

mod common;

use std::time::Duration;

use common::{Client, TestServer};
use confab_shared::{ServerMsg, Typist};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// The `typing` frames `client` gets within `window` (skipping everything else).
async fn typing_frames(client: &mut Client, window: Duration) -> Vec<(Vec<Typist>, u32)> {
    let until = tokio::time::Instant::now() + window;
    let mut frames = Vec::new();
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let Some(frame) = client.next_frame_within(left).await else {
            return frames;
        };
        if let Message::Text(text) = frame
            && let Ok(ServerMsg::Typing { people, count, .. }) = serde_json::from_str(&text)
        {
            frames.push((people, count));
        }
    }
}

/// Waits for a `typing` frame that `wanted` accepts; gives it.
async fn typing_until(client: &mut Client, wanted: impl Fn(&[Typist], u32) -> bool) -> u32 {
    match client
        .recv_until(
            |msg| matches!(msg, ServerMsg::Typing { people, count, .. } if wanted(people, *count)),
        )
        .await
    {
        ServerMsg::Typing { count, .. } => count,
        _ => unreachable!(),
    }
}

async fn typing(client: &mut Client, room: &str, stop: bool) {
    client
        .send_json(json!({ "type": "typing", "room": room, "stop": stop }))
        .await;
}

#[tokio::test]
async fn two_hundred_typists_cost_each_member_at_most_two_frames_a_second() {
    let server = TestServer::start().await;
    let mut watcher = server.client("watcher").await;
    watcher.join("busy", None).await;
    let mut typists = Vec::new();
    for n in 0..200 {
        let mut typist = server.client(&format!("t{n}")).await;
        typist.join("busy", None).await;
        typist.send_acked("busy", "hello", "hello").await;
        typists.push(typist);
    }
    for typist in &mut typists {
        typing(typist, "busy", false).await;
    }
    // Named at most three, counted all, and no more than two frames a second.
    assert_eq!(
        typing_until(&mut watcher, |_, count| count == 200).await,
        200
    );
    for typist in &mut typists[..50] {
        typing(typist, "busy", false).await;
        typing(typist, "busy", true).await;
        typing(typist, "busy", false).await;
    }
    let window = Duration::from_secs(3);
    let frames = typing_frames(&mut watcher, window).await;
    assert!(
        frames.len() <= 7,
        "{} typing frames in {window:?}",
        frames.len()
    );
    assert!(frames.iter().all(|(people, _)| people.len() <= 3));

    // A typist who closes their socket is gone at once (not after 6 s).
    let gone = typists.pop().expect("a typist");
    gone.close().await;
    assert_eq!(
        typing_until(&mut watcher, |_, count| count == 199).await,
        199
    );
    // Nobody types again: all forgotten after 6 s.
    assert_eq!(typing_until(&mut watcher, |_, count| count == 0).await, 0);
    server.stop().await;
}

#[tokio::test]
async fn sending_or_stopping_ends_typing_and_strangers_are_not_heard() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    let mut bob = server.client("bob").await;
    bob.join("general", None).await;
    bob.send_acked("general", "b0", "hi").await;

    typing(&mut bob, "general", false).await;
    typing_until(&mut ann, |people, count| {
        count == 1 && people.iter().map(|p| p.user.as_str()).eq(["bob"])
    })
    .await;
    bob.send_acked("general", "b1", "hello").await;
    assert_eq!(
        typing_until(&mut ann, |_, count| count == 0).await,
        0,
        "sent"
    );

    typing(&mut bob, "general", false).await;
    typing_until(&mut ann, |_, count| count == 1).await;
    typing(&mut bob, "general", true).await;
    assert_eq!(
        typing_until(&mut ann, |_, count| count == 0).await,
        0,
        "stopped"
    );

    // Someone who has not joined the room is not heard, nor someone who joined but
    // has not written there yet.
    let mut eve = server.client("eve").await;
    typing(&mut eve, "general", false).await;
    let mut dan = server.client("dan").await;
    dan.join("general", None).await;
    typing(&mut dan, "general", false).await;
    let heard = typing_frames(&mut ann, Duration::from_millis(1500)).await;
    assert!(heard.is_empty(), "{heard:?}");
    server.stop().await;
}

#[tokio::test]
async fn nobody_sees_the_typing_of_someone_who_blocked_them() {
    let server = TestServer::start().await;
    let mut bob = Client::sign_up(&server, "bob").await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut cat = Client::sign_up(&server, "cat").await;
    for who in [&mut bob, &mut ann, &mut cat] {
        who.send_join("general", None).await;
        who.recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
            .await;
    }
    let cookie = bob.cookie.clone().unwrap();
    let body = json!({ "username": "ann" }).to_string();
    let blocked =
        common::http_post(server.addr, "/api/blocks", &[("Cookie", &cookie)], &body).await;
    assert_eq!(blocked.status, 200);
    bob.send_acked("general", "b0", "hi").await;
    cat.send_acked("general", "c0", "hi").await;

    typing(&mut bob, "general", false).await;
    typing(&mut cat, "general", false).await;
    // Cat sees both; ann sees cat alone, counted without bob.
    let both = |people: &[Typist], count: u32| count == 2 && people.len() == 2;
    assert_eq!(typing_until(&mut cat, both).await, 2);
    let frames = typing_frames(&mut ann, Duration::from_millis(1500)).await;
    assert!(!frames.is_empty(), "ann hears of cat");
    for (people, count) in &frames {
        assert!(
            people.iter().all(|t| t.user.as_str() != "bob"),
            "bob's typing reached ann: {frames:?}"
        );
        assert!(*count <= 1, "bob counted for ann: {frames:?}");
    }
    server.stop().await;
}
