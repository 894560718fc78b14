//! "There is no room #x you can join" goes once an invite to #x arrives and the room
//! opens: the notice is out of date then.

use confab_e2e::rooms::{create_room, type_room_name};
use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

async fn notices(person: &Person) -> Vec<String> {
    person
        .eval(
            "notices",
            "return [...document.querySelectorAll('.notice')].map(e => e.textContent)",
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_no_such_room_notice_goes_when_an_invite_opens_the_room() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };

    // Bob asks for a room nobody has made: he is told so.
    type_room_name(bob, "plans").await;
    eventually("bob is told there is no such room", || async {
        notices(bob)
            .await
            .iter()
            .any(|n| n.contains("no room #plans"))
            .then_some(())
    })
    .await;

    // Ann makes it, private, and invites him: it appears in his sidebar...
    create_room(ann, "plans", true).await;
    let invite = ann.find(Locator::Css("input#invite-name")).await;
    invite
        .send_keys("bob\u{E007}")
        .await
        .expect("type a username");
    bob.find(Locator::XPath(
        "//button[@class='room-link'][contains(., 'plans')]",
    ))
    .await;
    // ...and the notice that said it was not there is gone.
    let left = eventually("the stale notice goes", || async {
        let shown = notices(bob).await;
        (!shown.iter().any(|n| n.contains("#plans"))).then_some(shown)
    })
    .await;
    assert!(left.is_empty(), "{left:?}");

    scene.end().await;
}
