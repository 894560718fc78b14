//! A private room in the browser: made from the sidebar, a member invited from the
//! room's header, and a third person who can neither see nor open it.

use confab_e2e::rooms::{create_room, type_room_name};
use confab_e2e::{Scene, eventually};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn a_private_room_is_invisible_to_a_third_person() {
    let scene = Scene::with_accounts(&["ann", "bob", "cat"]).await;
    let [ann, bob, cat] = &scene.people[..] else {
        unreachable!("three names, three people")
    };

    // Ann makes a private room and posts in it.
    create_room(ann, "secret", true).await;
    ann.say("for members only").await;
    ann.wait_bodies("ann's message in secret", |b| b == ["for members only"])
        .await;

    // She invites bob: the room appears in his sidebar, with the message.
    let invite = ann.find(Locator::Css("input#invite-name")).await;
    invite
        .send_keys("bob\u{E007}")
        .await
        .expect("type a username");
    bob.click(Locator::XPath(
        "//button[@class='room-link'][contains(., 'secret')]",
    ))
    .await;
    bob.wait_bodies("bob reads the private room", |b| b == ["for members only"])
        .await;

    // Cat has no such room in the list, and opening it by name gets nowhere.
    let listed: Vec<String> = cat
        .eval(
            "cat's rooms",
            "return [...document.querySelectorAll('.rooms .room-name')].map(e => e.textContent)",
        )
        .await;
    assert!(!listed.iter().any(|r| r == "secret"), "{listed:?}");
    type_room_name(cat, "secret").await;
    let listed = eventually("the room is gone from cat's list", || async {
        let names: Vec<String> = cat
            .eval(
                "cat's rooms",
                "return [...document.querySelectorAll('.rooms .room-name')].map(e => e.textContent)",
            )
            .await;
        (!names.iter().any(|r| r == "secret")).then_some(names)
    })
    .await;
    assert!(listed.iter().any(|r| r == "general"), "{listed:?}");
    let bodies = cat.bodies().await;
    assert!(
        !bodies.iter().any(|b| b.contains("members only")),
        "cat saw {bodies:?}"
    );

    scene.end().await;
}
