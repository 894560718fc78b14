//! Shutdown and restart: sockets are told 1001, and the database outlives the server.

mod common;

use common::{TestServer, seqs};
use confab_shared::ServerMsg;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn shutdown_closes_sockets_with_1001_and_run_returns_ok() {
    let mut server = TestServer::start().await;
    let mut client = server.client("alice").await;
    client.join("general", None).await;

    server.begin_shutdown();
    assert_eq!(client.recv_close().await, 1001, "going away");
    let (result, _dir) = server.join().await;
    assert!(result.is_ok(), "run returns Ok: {result:?}");
}

#[tokio::test]
async fn restart_on_the_same_database_keeps_history_and_seqs() {
    let server = TestServer::start().await;
    let mut alice = server.client("alice").await;
    alice.join("general", None).await;
    let mut sent = Vec::new();
    for n in 1..=3 {
        alice
            .send_chat("general", &format!("g{n}"), &format!("before restart {n}"))
            .await;
        sent.push(alice.recv_message().await);
        alice.recv_ack(&format!("g{n}")).await;
    }
    assert_eq!(seqs(&sent), [1, 2, 3]);
    alice.join("other", None).await;
    alice.send_acked("other", "o1", "elsewhere").await;
    drop(alice);

    let server = server.restart().await;

    let mut bob = server.client("bob").await;
    let joined = bob.join("general", None).await;
    assert_eq!(joined.last_seq, 3);
    assert_eq!(joined.replay, sent, "the same messages, ids and timestamps");

    let (seq, id) = bob.send_acked("general", "b1", "after restart").await;
    assert_eq!(seq, 4, "seqs continue where they stopped");
    let newest_id = sent.iter().map(|m| m.id).max().expect("three messages");
    assert!(id > newest_id, "ids stay unique: {id} after {newest_id}");

    assert_eq!(
        bob.join("other", None).await.last_seq,
        1,
        "every room survives"
    );
    server.stop().await;
}

#[tokio::test]
async fn every_ack_sent_before_shutdown_survives_a_restart() {
    let mut server = TestServer::start().await;
    let mut alice = server.client("alice").await;
    alice.join("general", None).await;
    for n in 0..100 {
        alice
            .send_chat("general", &format!("m{n}"), &format!("message {n}"))
            .await;
    }
    // Shut down while the sends are still being stored and acknowledged.
    let mut acked = vec![alice.recv_ack("m0").await];
    server.begin_shutdown();
    loop {
        match alice.next_frame().await {
            Message::Close(_) => break,
            Message::Text(text) => {
                if let ServerMsg::Ack { seq, id, .. } = serde_json::from_str(text.as_str()).unwrap()
                {
                    acked.push((seq, id));
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    let server = server.restart().await;
    let mut bob = server.client("bob").await;
    let stored = bob.join("general", Some(0)).await.replay;
    let last = stored.last().map_or(0, |m| m.seq);
    assert_eq!(seqs(&stored), (1..=last).collect::<Vec<_>>(), "gapless");
    for (seq, id) in &acked {
        assert!(
            stored.iter().any(|m| (m.seq, m.id) == (*seq, *id)),
            "acked message {seq} (id {id}) was lost; stored up to {last}"
        );
    }
    server.stop().await;
}

/// RFC 6455 section 5.5.1: a close the client starts is answered with a close frame
/// echoing its code, so both sides end cleanly (a browser reports `wasClean`).
#[tokio::test]
async fn a_close_from_the_client_is_answered_with_the_same_code() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

    let server = TestServer::start().await;
    for code in [1000_u16, 1001, 4000] {
        let mut socket = common::try_connect(&server.ws_url("?v=2&name=ann"))
            .await
            .expect("ann connects");
        // Something first, as the conformance suite's cases do.
        socket
            .send(Message::text(r#"{"type":"ping"}"#))
            .await
            .expect("a ping goes");
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: "bye".into(),
        };
        socket.close(Some(frame)).await.expect("the close goes");
        let answer = tokio::time::timeout(common::TIMEOUT, async {
            loop {
                match socket.next().await {
                    Some(Ok(Message::Close(frame))) => return Ok(frame),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Err(error.to_string()),
                    None => return Err("ended without a close frame".to_owned()),
                }
            }
        })
        .await
        .expect("answered in time");
        let frame = answer.unwrap_or_else(|why| panic!("close {code}: {why}"));
        assert_eq!(
            frame.map(|f| u16::from(f.code)),
            Some(code),
            "the answer echoes the code"
        );
    }
    server.stop().await;
}
