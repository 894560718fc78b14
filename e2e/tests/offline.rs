//! Messages written while the server is down, then a reload, arrive once, in order.

use confab_e2e::{Scene, eventually};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn messages_typed_offline_survive_a_reload_and_arrive_once() {
    let Scene {
        server,
        driver: _driver,
        people,
    } = Scene::with(&["erin", "frank"]).await;
    let [erin, frank] = &people[..] else {
        unreachable!("two names, two people")
    };
    erin.say("before the outage").await;
    frank
        .wait_bodies("frank sees the first message", |b| {
            b == ["before the outage"]
        })
        .await;
    // The offline page is cached by the service worker once it controls the page.
    eventually("the service worker controls the page", || async {
        let controlled = erin
            .client
            .execute("return !!navigator.serviceWorker.controller", vec![])
            .await
            .ok()?;
        (controlled == serde_json::Value::Bool(true)).then_some(())
    })
    .await;

    let down = server.go_down().await;
    erin.find(Locator::Css(".status[data-link=offline]")).await;
    erin.say("typed while offline").await;
    erin.say("and another one").await;
    let pending = erin
        .client
        .find_all(Locator::Css("article.msg.pending"))
        .await
        .unwrap();
    assert_eq!(pending.len(), 2, "both wait, marked as sending");

    // A reload while the server is still down: the page opens from the cache and
    // still holds both messages.
    erin.client.refresh().await.unwrap();
    erin.wait_bodies("unsent messages kept across the reload", |b| {
        b == ["typed while offline", "and another one"]
    })
    .await;

    let server = down.come_back().await;
    let expected = [
        "before the outage",
        "typed while offline",
        "and another one",
    ];
    for person in [erin, frank] {
        person
            .wait_bodies("everyone sees every message once, in order", |b| {
                b == expected
            })
            .await;
    }
    let pending = erin
        .client
        .find_all(Locator::Css("article.msg.pending"))
        .await
        .unwrap();
    assert!(pending.is_empty(), "nothing is left pending");

    for person in people {
        person.close().await;
    }
    server.stop().await;
}
