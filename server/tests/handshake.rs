//! The WebSocket upgrade: a missing or invalid name is an HTTP 400, not a socket.

mod common;

use common::{TestServer, try_connect, user};
use confab_shared::{ServerMsg, UserId};
use tokio_tungstenite::tungstenite::Error;

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
        "",
        "?",
        "?nom=alice",
        "?name=",
        "?name=a%20b",
        "?name=%3Cscript%3E",
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
        }
    );
    server.stop().await;
}
