//! Personal API tokens (docs/api.md): made by a signed-in owner, shown once, used as
//! `Authorization: Bearer` on the socket, and revoked, which closes their sockets.

mod common;

use common::{TestServer, http_get, http_post, http_request, try_connect_with};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Error, Message};

fn body(response: &common::HttpResponse) -> Value {
    serde_json::from_slice(&response.body).expect("a JSON body")
}

/// Registers `username` and gives its session cookie.
async fn session(server: &TestServer, username: &str) -> String {
    let form = json!({ "username": username, "password": "correct horse" }).to_string();
    let registered = http_post(server.addr, "/api/register", &[], &form).await;
    assert_eq!(registered.status, 201);
    let set = registered.header("set-cookie").expect("a cookie");
    set.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn a_bot_connects_with_its_token_until_it_is_revoked() {
    let server = TestServer::start().await;
    let ann = session(&server, "ann").await;
    let made = http_post(
        server.addr,
        "/api/tokens",
        &[("Cookie", &ann)],
        &json!({ "name": "deploy bot" }).to_string(),
    )
    .await;
    assert_eq!(made.status, 201);
    let made = body(&made);
    let token = made["token"]
        .as_str()
        .expect("the token, shown once")
        .to_owned();
    assert!(token.starts_with("cfb_") && token.len() > 40, "{token}");

    // Listed by name, never with the token itself; nobody else sees it.
    let listed = http_get(server.addr, "/api/tokens", &[("Cookie", &ann)]).await;
    assert_eq!(listed.status, 200);
    let listed = body(&listed);
    assert_eq!(listed[0]["name"], "deploy bot");
    assert!(!listed.to_string().contains(&token));
    let bob = session(&server, "bob").await;
    let bobs = http_get(server.addr, "/api/tokens", &[("Cookie", &bob)]).await;
    assert_eq!(body(&bobs), json!([]));
    assert_eq!(http_get(server.addr, "/api/tokens", &[]).await.status, 401);

    // The socket with the token is ann's.
    let bearer = format!("Bearer {token}");
    let mut bot = try_connect_with(&server.ws_url("?v=2"), &[("Authorization", &bearer)])
        .await
        .expect("the token opens a socket");
    let welcome = loop {
        match bot.next().await.expect("a frame").expect("no error") {
            Message::Text(text) => break text.to_string(),
            _ => continue,
        }
    };
    assert!(welcome.contains(r#""user_id":"u:1""#), "{welcome}");

    // Bob cannot revoke it; ann can, and its socket closes with 4401.
    let id = made["id"].as_i64().expect("an id");
    let path = format!("/api/tokens/{id}");
    let refused = http_request(server.addr, "DELETE", &path, &[("Cookie", &bob)], b"").await;
    assert_eq!(refused.status, 404);
    let revoked = http_request(server.addr, "DELETE", &path, &[("Cookie", &ann)], b"").await;
    assert_eq!(revoked.status, 204);
    let closed = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            match bot.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("closed within 20 s");
    assert_eq!(closed, Some(4401));

    // A revoked (or made-up) token opens nothing, not even as a guest.
    for bearer in [bearer.as_str(), "Bearer cfb_made_up"] {
        let url = server.ws_url("?v=2&name=sneaky");
        match try_connect_with(&url, &[("Authorization", bearer)]).await {
            Err(Error::Http(response)) => assert_eq!(response.status(), 401, "{bearer}"),
            other => panic!("{bearer}: {other:?}"),
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn token_names_are_checked() {
    let server = TestServer::start().await;
    let ann = session(&server, "ann").await;
    for name in [json!(""), json!("x".repeat(65)), json!(12)] {
        let made = http_post(
            server.addr,
            "/api/tokens",
            &[("Cookie", &ann)],
            &json!({ "name": name }).to_string(),
        )
        .await;
        assert_eq!(made.status, 400, "{name}");
    }
    server.stop().await;
}
