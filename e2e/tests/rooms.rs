//! Creating, switching and reading rooms from the sidebar.

use confab_e2e::rooms::{create_room, join_room};
use confab_e2e::{Scene, eventually};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn rooms_keep_their_own_messages_and_count_unread() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };

    create_room(alice, "dev", false).await;
    alice.say("in dev").await;
    alice
        .wait_bodies("alice's message in dev", |b| b == ["in dev"])
        .await;

    join_room(bob, "dev").await;
    bob.wait_bodies("bob reads dev's history", |b| b == ["in dev"])
        .await;

    // Back in general, dev's message is not there; a message in general shows as
    // unread in alice's sidebar, since she is reading dev.
    bob.click(Locator::XPath(
        "//button[@class='room-link'][contains(., 'general')]",
    ))
    .await;
    bob.wait_bodies("general is empty", |b| b.is_empty()).await;
    bob.say("over here").await;
    let badge = alice
        .find(Locator::XPath(
            "//li[contains(., 'general')]//span[@class='badge']",
        ))
        .await;
    assert_eq!(badge.text().await.unwrap(), "1");
    alice
        .click(Locator::XPath(
            "//button[@class='room-link'][contains(., 'general')]",
        ))
        .await;
    alice
        .wait_bodies("alice reads general", |b| b == ["over here"])
        .await;
    // Read once seen on screen (the page looks every second).
    eventually("reading the room clears its count", || async {
        let badges = alice.client.find_all(Locator::Css(".badge")).await.ok()?;
        badges.is_empty().then_some(())
    })
    .await;

    scene.end().await;
}
