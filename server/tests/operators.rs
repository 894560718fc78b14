//! Operators' commands reach a running server (docs/api.md, "Operators"): the CLI
//! changes the database under a server running as a process of its own, and the
//! server follows the account change feed within a second or two: names, tokens,
//! sessions and open sockets.

mod common;

use common::process::{ServerProcess, confab_user, free_port};
use common::{
    account_form as form, close_code, http_get, http_post, session_cookie as cookie,
    sign_up_with_token, try_connect_with,
};
use tokio_tungstenite::tungstenite::Error;

/// Polls `check` until it holds; fails after the tests' patience.
async fn eventually<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + common::TIMEOUT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The status a socket upgrade gets (101 when it opens).
async fn upgrade_status(url: &str, headers: &[(&'static str, &str)]) -> u16 {
    match try_connect_with(url, headers).await {
        Ok(_) => 101,
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("the upgrade failed: {other}"),
    }
}

#[tokio::test]
async fn operator_commands_reach_a_running_server() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = ServerProcess::start(dir.path(), free_port()).await;
    let addr = server.addr;
    let ws = format!("ws://{addr}/ws?v=2");
    let guest_name = |name: &'static str| async move {
        http_get(addr, &format!("/api/guest-names/{name}"), &[])
            .await
            .status
    };

    // A name made on the command line is refused to guests, look-alikes too.
    assert_eq!(guest_name("adm").await, 204);
    let (ok, said) = confab_user(dir.path(), &["create", "adm", "--admin"], "adm password\n");
    assert!(ok, "{said}");
    eventually("the new account's name is taken", || async {
        guest_name("adm").await == 409
    })
    .await;
    assert_eq!(guest_name("%EF%BD%81dm").await, 409, "fullwidth a");
    assert_eq!(upgrade_status(&format!("{ws}&name=ADM"), &[]).await, 409);

    // Bob signs up on the page and makes a token for a bot; both connect.
    let (bob, bearer) = sign_up_with_token(addr, "bob").await;
    let mut tab = try_connect_with(&ws, &[("Cookie", &bob)])
        .await
        .expect("tab");
    let mut bot = try_connect_with(&ws, &[("Authorization", &bearer)])
        .await
        .expect("bot");

    // Banned on the command line: both close with 4403, the token stops working.
    let (ok, said) = confab_user(dir.path(), &["ban", "bob"], "");
    assert!(ok, "{said}");
    assert_eq!(close_code(&mut tab).await, Some(4403), "the tab");
    assert_eq!(close_code(&mut bot).await, Some(4403), "the bot");
    assert_eq!(
        upgrade_status(&ws, &[("Authorization", &bearer)]).await,
        401
    );

    // Unbanned: the token works again.
    let (ok, said) = confab_user(dir.path(), &["unban", "bob"], "");
    assert!(ok, "{said}");
    eventually("the token works again", || async {
        upgrade_status(&ws, &[("Authorization", &bearer)]).await == 101
    })
    .await;

    // Deleted: the bot's socket closes with 4401, and the token is dead for good.
    let mut bot = try_connect_with(&ws, &[("Authorization", &bearer)])
        .await
        .expect("bot again");
    let (ok, said) = confab_user(dir.path(), &["delete", "bob"], "");
    assert!(ok, "{said}");
    assert_eq!(
        close_code(&mut bot).await,
        Some(4401),
        "the deleted account's bot"
    );
    assert_eq!(
        upgrade_status(&ws, &[("Authorization", &bearer)]).await,
        401
    );
    assert_eq!(guest_name("bob").await, 204, "the name is free again");

    // A password reset ends the sessions and closes their sockets with 4401.
    let signed_up = http_post(addr, "/api/register", &[], &form("cat", "correct horse")).await;
    let cat = cookie(&signed_up);
    let mut phone = try_connect_with(&ws, &[("Cookie", &cat)])
        .await
        .expect("phone");
    let (ok, said) = confab_user(dir.path(), &["reset-password", "cat"], "a new password\n");
    assert!(ok, "{said}");
    assert_eq!(close_code(&mut phone).await, Some(4401), "cat's phone");
    assert_eq!(
        http_get(addr, "/api/me", &[("Cookie", &cat)]).await.status,
        401,
        "the session ended"
    );
    server.terminate().await;
}
