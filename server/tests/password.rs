//! Changing a password over HTTP (docs/api.md), and the operators' `confab user`
//! commands against a real server process.

mod common;

use common::process::{ServerProcess, confab_user, free_port};
use common::{
    HttpResponse, TestServer, account_form as form, http_get, http_post, session_cookie as cookie,
    try_connect_with,
};
use futures_util::StreamExt;
use serde_json::{Value, json};

fn change(current: &str, new: &str) -> String {
    json!({ "current_password": current, "new_password": new }).to_string()
}

async fn post(addr: std::net::SocketAddr, cookie: Option<&str>, body: String) -> HttpResponse {
    let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
    http_post(addr, "/api/password", &headers, &body).await
}

/// docs/api.md: `POST /api/password` needs the current password, ends the account's
/// other sessions (their sockets close with 4401) and keeps the one that asked.
#[tokio::test]
async fn a_new_password_ends_the_other_sessions() {
    let server = TestServer::start().await;
    let registered = http_post(
        server.addr,
        "/api/register",
        &[],
        &form("ann", "correct horse"),
    )
    .await;
    assert_eq!(registered.status, 201);
    let here = cookie(&registered);
    let there = cookie(
        &http_post(
            server.addr,
            "/api/login",
            &[],
            &form("ann", "correct horse"),
        )
        .await,
    );
    let mut phone = try_connect_with(&server.ws_url("?v=2"), &[("Cookie", &there)])
        .await
        .expect("the other session's socket");
    let first = phone.next().await.expect("a frame").expect("no error");
    assert!(first.to_text().is_ok_and(|t| t.contains("welcome")));

    assert_eq!(
        post(server.addr, None, change("correct horse", "battery staple"))
            .await
            .status,
        401
    );
    assert_eq!(
        post(server.addr, Some(&here), "{}".to_owned()).await.status,
        400
    );
    assert_eq!(
        post(server.addr, Some(&here), change("correct horse", "short"))
            .await
            .status,
        400
    );
    assert_eq!(
        post(
            server.addr,
            Some(&here),
            change("wrong guess!", "battery staple")
        )
        .await
        .status,
        403
    );
    assert_eq!(
        post(
            server.addr,
            Some(&here),
            change("correct horse", "battery staple")
        )
        .await
        .status,
        204
    );

    assert_eq!(
        common::close_code(&mut phone).await,
        Some(4401),
        "the other session's socket"
    );
    assert_eq!(
        http_get(server.addr, "/api/me", &[("Cookie", &there)])
            .await
            .status,
        401
    );
    let me = http_get(server.addr, "/api/me", &[("Cookie", &here)]).await;
    assert_eq!(me.status, 200, "the session that asked goes on");
    let old = http_post(
        server.addr,
        "/api/login",
        &[],
        &form("ann", "correct horse"),
    )
    .await;
    assert_eq!(old.status, 401);
    let new = http_post(
        server.addr,
        "/api/login",
        &[],
        &form("ann", "battery staple"),
    )
    .await;
    assert_eq!(new.status, 200);
    server.stop().await;
}

/// The cookie's own lifetime slides with the session's: `/api/me` sets it again.
#[tokio::test]
async fn asking_who_i_am_renews_the_cookie() {
    let server = TestServer::start().await;
    let registered = http_post(
        server.addr,
        "/api/register",
        &[],
        &form("ann", "correct horse"),
    )
    .await;
    let session = cookie(&registered);
    let me = http_get(server.addr, "/api/me", &[("Cookie", &session)]).await;
    assert_eq!(me.status, 200);
    let renewed = me.header("set-cookie").expect("the cookie is set again");
    assert!(renewed.starts_with(&session), "the same session: {renewed}");
    assert!(
        renewed.contains("Max-Age=2592000"),
        "30 days again: {renewed}"
    );
    let body: Value = serde_json::from_slice(&me.body).expect("JSON");
    assert_eq!(body["admin"], false);
    server.stop().await;
}

/// README: `confab user create --admin`, `reset-password` and `delete`, beside a
/// running server on the same database.
#[tokio::test]
async fn operators_manage_accounts_from_the_command_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (ok, said) = confab_user(
        dir.path(),
        &["create", "root", "--admin"],
        "first password\n",
    );
    assert!(ok, "{said}");
    assert!(said.contains("created site admin root"), "{said}");
    let (ok, said) = confab_user(dir.path(), &["create", "ROOT"], "another password\n");
    assert!(!ok && said.contains("taken"), "{said}");
    let (ok, said) = confab_user(dir.path(), &["create", "bob"], "short\n");
    assert!(!ok && said.contains("8 to 256"), "{said}");

    let server = ServerProcess::start(dir.path(), free_port()).await;
    let login = |name: &'static str, password: &'static str| {
        let addr = server.addr;
        async move { http_post(addr, "/api/login", &[], &form(name, password)).await }
    };
    let signed_in = login("root", "first password").await;
    assert_eq!(signed_in.status, 200);
    let body: Value = serde_json::from_slice(&signed_in.body).expect("JSON");
    assert_eq!(body["admin"], true);
    let old_id = body["id"].clone();

    let (ok, said) = confab_user(dir.path(), &["reset-password", "root"], "second password\n");
    assert!(ok, "{said}");
    assert!(said.contains("1 session(s) ended"), "{said}");
    assert_eq!(
        http_get(server.addr, "/api/me", &[("Cookie", &cookie(&signed_in))])
            .await
            .status,
        401,
        "the old session ended"
    );
    assert_eq!(login("root", "first password").await.status, 401);
    assert_eq!(login("root", "second password").await.status, 200);

    let (ok, said) = confab_user(dir.path(), &["delete", "root"], "");
    assert!(ok, "{said}");
    assert_eq!(login("root", "second password").await.status, 401);
    let (ok, said) = confab_user(dir.path(), &["delete", "root"], "");
    assert!(!ok && said.contains("no account"), "{said}");
    let (ok, said) = confab_user(dir.path(), &["create", "root"], "third password\n");
    assert!(ok, "the name is free again: {said}");
    let again = login("root", "third password").await;
    let body: Value = serde_json::from_slice(&again.body).expect("JSON");
    assert_ne!(body["id"], old_id, "never the deleted account's id");
    server.terminate().await;
}

/// docs/api.md: a site admin bans an account: its sockets close with 4403, it cannot
/// sign in, its tokens stop working; lifting the ban lets it back.
#[tokio::test]
async fn site_admins_ban_and_unban_accounts() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (ok, said) = confab_user(
        dir.path(),
        &["create", "root", "--admin"],
        "root password\n",
    );
    assert!(ok, "{said}");
    let server = ServerProcess::start(dir.path(), free_port()).await;
    let addr = server.addr;
    let root = cookie(&http_post(addr, "/api/login", &[], &form("root", "root password")).await);
    let (bob, bearer) = common::sign_up_with_token(addr, "bob").await;
    let url = format!("ws://{addr}/ws?v=2");
    let mut tab = try_connect_with(&url, &[("Cookie", &bob)])
        .await
        .expect("bob's tab");
    let mut bot = try_connect_with(&url, &[("Authorization", &bearer)])
        .await
        .expect("bob's bot");

    let ban = |who: &'static str| json!({ "username": who }).to_string();
    let by_bob = http_post(addr, "/api/admin/bans", &[("Cookie", &bob)], &ban("root")).await;
    assert_eq!(by_bob.status, 403, "only admins ban");
    let nobody = http_post(
        addr,
        "/api/admin/bans",
        &[("Cookie", &root)],
        &ban("nobody"),
    )
    .await;
    assert_eq!(nobody.status, 404);
    let banned = http_post(addr, "/api/admin/bans", &[("Cookie", &root)], &ban("bob")).await;
    assert_eq!(banned.status, 204);

    assert_eq!(common::close_code(&mut tab).await, Some(4403), "the tab");
    assert_eq!(common::close_code(&mut bot).await, Some(4403), "the bot");
    let login = http_post(addr, "/api/login", &[], &form("bob", "correct horse")).await;
    assert_eq!(login.status, 403);
    assert_eq!(
        http_get(addr, "/api/me", &[("Cookie", &bob)]).await.status,
        401
    );
    match try_connect_with(&url, &[("Authorization", &bearer)]).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401);
        }
        other => panic!("a banned account's token connected: {other:?}"),
    }

    let lifted = common::http_request(
        addr,
        "DELETE",
        "/api/admin/bans/bob",
        &[("Cookie", &root)],
        b"",
    )
    .await;
    assert_eq!(lifted.status, 204);
    let login = http_post(addr, "/api/login", &[], &form("bob", "correct horse")).await;
    assert_eq!(login.status, 200);
    assert!(
        try_connect_with(&url, &[("Authorization", &bearer)])
            .await
            .is_ok(),
        "the token works again"
    );

    let (ok, said) = confab_user(dir.path(), &["ban", "bob"], "");
    assert!(ok && said.contains("banned bob"), "{said}");
    let login = http_post(addr, "/api/login", &[], &form("bob", "correct horse")).await;
    assert_eq!(login.status, 403, "banned from the command line too");
    server.terminate().await;
}
