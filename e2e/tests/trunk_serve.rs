//! The README's development flow: the page under `trunk serve`, which proxies what
//! the page calls (`/api`, `/ws`) to the server. A person signs up, chats, reloads
//! and is still signed in, all through trunk's port.

use confab_e2e::trunk::{self, TrunkServe};
use confab_e2e::{Driver, Server};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_and_chat_through_trunk_serve() {
    let port = trunk::free_port();
    let server = Server::start_allowing(&format!("http://127.0.0.1:{port}")).await;
    let trunk = TrunkServe::start(server.addr, port).await;
    // The API answers through trunk's port as it does on the server's own.
    assert_eq!(
        trunk::status(trunk.addr, "/api/me").await,
        Some(401),
        "GET /api/me through trunk is the server's answer (not signed in)"
    );

    let driver = Driver::start().await;
    let ann = driver.person().await;
    ann.try_account(&trunk.url(), "ann", "correct horse", "Sign up")
        .await;
    ann.wait_connected().await;
    ann.say("hello through trunk").await;
    ann.wait_bodies("ann's message is shown", |b| b == ["hello through trunk"])
        .await;
    // Delivered: the server stored it and said so.
    ann.find(Locator::Css("article.msg .delivery.sent")).await;
    ann.client.refresh().await.expect("reload");
    ann.wait_connected().await;
    ann.wait_bodies("history after a reload", |b| b == ["hello through trunk"])
        .await;

    ann.close().await;
    server.stop().await;
}
