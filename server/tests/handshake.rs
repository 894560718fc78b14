//! The WebSocket upgrade: a missing or invalid name is an HTTP 400, not a socket.

mod common;

use common::{TestServer, try_connect, user};
use confab_shared::{ServerMsg, UserId};
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::{Error, Message};

async fn assert_refused_with_400(server: &TestServer, query: &str) {
    match try_connect(&server.ws_url(query)).await {
        Err(Error::Http(response)) => {
            assert_eq!(response.status(), 400, "status for {query:?}");
        }
        Err(other) => panic!("{query:?}: expected HTTP 400, got {other}"),
        Ok(_) => panic!("{query:?}: expected HTTP 400, but the socket opened"),
    }
}

#[tokio::test]
async fn missing_or_invalid_name_is_http_400() {
    let server = TestServer::start().await;
    for query in [
        "?v=2",
        "?v=2&",
        "?v=2&nom=alice",
        "?v=2&name=",
        "?v=2&name=a%20b",
        "?v=2&name=%3Cscript%3E",
    ] {
        assert_refused_with_400(&server, query).await;
    }
    server.stop().await;
}

#[tokio::test]
async fn url_encoded_valid_name_is_welcomed() {
    let server = TestServer::start().await;
    let mut socket = common::Client::connect_raw(&server, "zo%C3%AB").await;
    assert_eq!(
        socket.recv().await,
        ServerMsg::Welcome {
            user: user("zoë"),
            user_id: UserId::new("guest:zoë").unwrap(),
            epoch: server.epoch(),
            protocol: 2,
        }
    );
    server.stop().await;
}

/// docs/protocol.md: a client that names no version (or an older one than 2) is told
/// with close code 4426 to load a newer client; a version that is not a number is an
/// HTTP 400.
#[tokio::test]
async fn a_client_too_old_is_told_to_reload() {
    let server = TestServer::start().await;
    for query in ["?name=old", "?v=1&name=old"] {
        let mut socket = try_connect(&server.ws_url(query))
            .await
            .unwrap_or_else(|e| panic!("{query}: the upgrade is made: {e}"));
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("closed within 10 s");
        match frame {
            Some(Ok(Message::Close(Some(close)))) => {
                assert_eq!(u16::from(close.code), 4426, "{query}");
                assert!(close.reason.contains("reload"), "{query}: {close:?}");
            }
            other => panic!("{query}: expected a close frame, got {other:?}"),
        }
    }
    assert_refused_with_400(&server, "?v=two&name=ann").await;
    server.stop().await;
}

#[tokio::test]
async fn welcome_names_the_protocol_version() {
    let server = TestServer::start().await;
    let mut socket = common::Client::connect_raw(&server, "ann").await;
    match socket.recv().await {
        ServerMsg::Welcome { protocol, .. } => assert_eq!(protocol, 2),
        other => panic!("expected welcome, got {other:?}"),
    }
    server.stop().await;
}
