//! Accounts over HTTP (docs/api.md) and a signed-in socket, from outside.

mod common;

use common::{
    HttpResponse, TestServer, account_form as form, http_get, http_post, session_cookie as cookie,
    try_connect_with,
};
use confab_shared::ServerMsg;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Error, Message};

/// Registers `username` with the password every test here uses.
async fn register(server: &TestServer, username: &str) -> HttpResponse {
    http_post(
        server.addr,
        "/api/register",
        &[],
        &form(username, "correct horse"),
    )
    .await
}

fn body(response: &HttpResponse) -> Value {
    serde_json::from_slice(&response.body).expect("a JSON body")
}

#[tokio::test]
async fn register_sign_in_and_out() {
    let server = TestServer::start().await;
    let registered = register(&server, "Ann").await;
    assert_eq!(registered.status, 201);
    assert_eq!(
        body(&registered),
        json!({ "id": "u:1", "username": "Ann", "admin": false })
    );
    let set = registered.header("set-cookie").expect("a session cookie");
    for part in ["confab_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "no TLS here: {set}");
    let session = cookie(&registered);

    let me = http_get(server.addr, "/api/me", &[("Cookie", &session)]).await;
    assert_eq!(
        (me.status, body(&me)),
        (
            200,
            json!({ "id": "u:1", "username": "Ann", "admin": false })
        )
    );
    let anonymous = http_get(server.addr, "/api/me", &[]).await;
    assert_eq!(anonymous.status, 401);
    assert!(body(&anonymous)["error"].is_string());

    let taken = http_post(
        server.addr,
        "/api/register",
        &[],
        &form("ann", "another one"),
    )
    .await;
    assert_eq!(taken.status, 409, "usernames are taken in any case");

    let wrong = http_post(server.addr, "/api/login", &[], &form("Ann", "wrong horse")).await;
    let nobody = http_post(server.addr, "/api/login", &[], &form("Zed", "wrong horse")).await;
    assert_eq!((wrong.status, nobody.status), (401, 401));
    assert_eq!(
        body(&wrong),
        body(&nobody),
        "a wrong name reads like a wrong password"
    );
    let again = http_post(
        server.addr,
        "/api/login",
        &[],
        &form("ANN", "correct horse"),
    )
    .await;
    assert_eq!(again.status, 200);
    let second = cookie(&again);
    assert_ne!(second, session, "a new session");

    let out = http_post(server.addr, "/api/logout", &[("Cookie", &session)], "").await;
    assert_eq!(out.status, 204);
    assert!(
        out.header("set-cookie")
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    let gone = http_get(server.addr, "/api/me", &[("Cookie", &session)]).await;
    assert_eq!(gone.status, 401, "signed out");
    let other = http_get(server.addr, "/api/me", &[("Cookie", &second)]).await;
    assert_eq!(other.status, 200, "the other session goes on");
    server.stop().await;
}

/// docs/api.md: passwords are stored as Argon2id PHC strings at OWASP's parameters.
#[tokio::test]
async fn the_stored_hash_is_argon2id_at_19_mib_and_2_passes() {
    let server = TestServer::start().await;
    let registered = register(&server, "ann").await;
    assert_eq!(registered.status, 201);
    let db = rusqlite::Connection::open(server.database()).expect("open the database");
    let hash: String = db
        .query_row(
            "SELECT password_hash FROM users WHERE username = 'ann'",
            [],
            |r| r.get(0),
        )
        .expect("the account's row");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("correct horse"));
    let sessions: String = db
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .expect("the session's row");
    let token = cookie(&registered);
    let token = token.trim_start_matches("confab_session=");
    assert_ne!(sessions, token, "only the token's hash is stored");
    drop(db);
    server.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_refusal() {
    let server = TestServer::start().await;
    for (payload, why) in [
        ("not json".to_owned(), "not JSON"),
        (form("ann", "short"), "a short password"),
        (form("a b", "long enough"), "a bad username"),
        (form("ann", &"x".repeat(257)), "a password too long"),
    ] {
        let refused = http_post(server.addr, "/api/register", &[], &payload).await;
        assert_eq!(refused.status, 400, "{why}");
        assert!(body(&refused)["error"].is_string(), "{why}");
    }
    let huge = http_post(server.addr, "/api/register", &[], &"x".repeat(5 * 1024)).await;
    assert_eq!(huge.status, 413, "bodies over 4 KiB");
    server.stop().await;
}

/// docs/api.md: a body that is not declared JSON gets 415 (a form post, `curl -d`),
/// and nothing is done; a JSON type with parameters is JSON.
#[tokio::test]
async fn bodies_must_be_declared_json() {
    let server = TestServer::start().await;
    let body = form("ann", "correct horse");
    for kind in [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
    ] {
        let refused = common::http_request(
            server.addr,
            "POST",
            "/api/register",
            &[("Content-Type", kind)],
            body.as_bytes(),
        )
        .await;
        assert_eq!(refused.status, 415, "{kind}");
        assert!(
            self::body(&refused)["error"].is_string(),
            "{kind}: said why"
        );
    }
    let untyped =
        common::http_request(server.addr, "POST", "/api/register", &[], body.as_bytes()).await;
    assert_eq!(untyped.status, 415, "no Content-Type");
    let json = common::http_request(
        server.addr,
        "POST",
        "/api/register",
        &[("Content-Type", "Application/JSON; charset=utf-8")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(json.status, 201, "nothing was made by the refused ones");
    // Signing out needs no body, and so no type.
    let out = common::http_request(server.addr, "POST", "/api/logout", &[], b"").await;
    assert_eq!(out.status, 204);
    server.stop().await;
}

#[tokio::test]
async fn other_sites_pages_cannot_post() {
    let server = TestServer::start().await;
    let evil = [("Origin", "https://evil.example")];
    let refused = http_post(
        server.addr,
        "/api/register",
        &evil,
        &form("ann", "correct horse"),
    )
    .await;
    assert_eq!(refused.status, 403);
    let cross = [("Sec-Fetch-Site", "cross-site")];
    let refused = http_post(
        server.addr,
        "/api/login",
        &cross,
        &form("ann", "correct horse"),
    )
    .await;
    assert_eq!(refused.status, 403);
    let own = format!("http://{}", server.addr);
    let same = [("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")];
    let taken = http_post(
        server.addr,
        "/api/register",
        &same,
        &form("ann", "correct horse"),
    )
    .await;
    assert_eq!(taken.status, 201);
    server.stop().await;
}

#[tokio::test]
async fn a_signed_in_socket_is_its_account_and_guests_cannot_take_its_name() {
    let server = TestServer::start().await;
    let registered = register(&server, "Ann").await;
    let session = cookie(&registered);

    let url = server.ws_url("?v=2");
    let mut socket = try_connect_with(&url, &[("Cookie", &session)])
        .await
        .expect("a signed-in socket needs no name");
    let welcome = loop {
        match socket.next().await.expect("a frame").expect("no error") {
            Message::Text(text) => break serde_json::from_str::<ServerMsg>(&text).expect("JSON"),
            _ => continue,
        }
    };
    match welcome {
        ServerMsg::Welcome { user, user_id, .. } => {
            assert_eq!((user.as_str(), user_id.as_str()), ("Ann", "u:1"));
        }
        other => panic!("expected welcome, got {other:?}"),
    }

    let taken = http_get(server.addr, "/api/guest-names/aNN", &[]).await;
    assert_eq!(taken.status, 409, "the page asks before connecting");
    assert!(
        body(&taken)["error"]
            .as_str()
            .is_some_and(|e| e.contains("sign in"))
    );
    let free = http_get(server.addr, "/api/guest-names/bob", &[]).await;
    assert_eq!(free.status, 204);
    let bad = http_get(server.addr, "/api/guest-names/a%20b", &[]).await;
    assert_eq!(bad.status, 400);
    for name in ["Ann", "ann"] {
        match try_connect_with(&server.ws_url(&format!("?v=2&name={name}")), &[]).await {
            Err(Error::Http(response)) => assert_eq!(response.status(), 409, "{name}"),
            other => panic!("{name}: a guest took an account's name: {other:?}"),
        }
    }
    server.stop().await;
}

/// docs/api.md: signing out closes that session's sockets, in every tab, with 4401;
/// another session of the same account goes on.
#[tokio::test]
async fn signing_out_closes_the_session_s_sockets() {
    let server = TestServer::start().await;
    let registered = register(&server, "ann").await;
    let session = cookie(&registered);
    let other = cookie(
        &http_post(
            server.addr,
            "/api/login",
            &[],
            &form("ann", "correct horse"),
        )
        .await,
    );
    let url = server.ws_url("?v=2");
    let mut tabs = Vec::new();
    for _ in 0..2 {
        let tab = try_connect_with(&url, &[("Cookie", &session)])
            .await
            .expect("a tab");
        tabs.push(tab);
    }
    let mut phone = try_connect_with(&url, &[("Cookie", &other)])
        .await
        .expect("another device");
    // Each is welcomed before the sign-out.
    for socket in tabs.iter_mut().chain(std::iter::once(&mut phone)) {
        let first = socket.next().await.expect("a frame").expect("no error");
        assert!(
            first.to_text().is_ok_and(|t| t.contains("welcome")),
            "{first:?}"
        );
    }

    let out = http_post(server.addr, "/api/logout", &[("Cookie", &session)], "").await;
    assert_eq!(out.status, 204);
    for (i, tab) in tabs.iter_mut().enumerate() {
        assert_eq!(common::close_code(tab).await, Some(4401), "tab {i}");
    }
    // The other session's socket still answers.
    phone
        .send(Message::text(json!({"type": "ping"}).to_string()))
        .await
        .expect("send a ping");
    // (The list of rooms after the welcome comes first.)
    let pong = loop {
        match phone.next().await.expect("a frame").expect("no error") {
            Message::Text(text) if !text.as_str().contains(r#""type":"rooms""#) => {
                break text.to_string();
            }
            _ => continue,
        }
    };
    assert!(pong.contains("pong"), "{pong}");
    server.stop().await;
}

/// docs/api.md: `GET /api/server` tells the first screen whether guests may join,
/// with no session, under either setting.
#[tokio::test]
async fn the_server_says_whether_guests_may_join() {
    for guests in [true, false] {
        let server = TestServer::start_with_options(confab_server::Options {
            guests,
            ..confab_server::Options::default()
        })
        .await;
        let answer = http_get(server.addr, "/api/server", &[]).await;
        assert_eq!(answer.status, 200, "guests {guests}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "guests {guests}: {:?}",
            answer.header("content-type")
        );
        assert_eq!(body(&answer), json!({ "guests": guests }));
        server.stop().await;
    }
}

/// docs/api.md: without `--guests`, only accounts may connect.
#[tokio::test]
async fn without_guests_only_accounts_connect() {
    let server = TestServer::start_with_options(confab_server::Options::default()).await;
    match try_connect_with(&server.ws_url("?v=2&name=gil"), &[]).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("a guest got in: {other:?}"),
    }
    let asked = http_get(server.addr, "/api/guest-names/gil", &[]).await;
    assert_eq!(asked.status, 403, "the page is told guests are not allowed");
    let registered = register(&server, "ann").await;
    let session = cookie(&registered);
    try_connect_with(&server.ws_url("?v=2"), &[("Cookie", &session)])
        .await
        .expect("an account connects");
    server.stop().await;
}
