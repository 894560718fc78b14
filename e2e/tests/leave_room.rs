//! Leaving a room for good, from its members list: the room goes from the sidebar,
//! stays gone after a reload, and goes from the person's other device too; closing a
//! room in the sidebar is only this tab's view.

use confab_e2e::rooms::{create_room, join_room};
use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

/// The rooms in `person`'s sidebar.
async fn rooms(person: &Person) -> Vec<String> {
    person
        .eval(
            "the sidebar's rooms",
            "return [...document.querySelectorAll('.rooms .room-name')].map(e => e.textContent)",
        )
        .await
}

async fn wait_gone(person: &Person, what: &str, room: &str) {
    eventually(what, || async {
        let listed = rooms(person).await;
        (!listed.iter().any(|r| r == room)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn leaving_a_room_ends_it_on_every_device() {
    let scene = Scene::with(&[]).await;
    let url = scene.server.url();
    let laptop = scene.driver.person().await;
    let phone = scene.driver.person().await;
    laptop
        .try_account(&url, "ann", "correct horse", "Sign up")
        .await;
    laptop.wait_connected().await;
    phone
        .try_account(&url, "ann", "correct horse", "Sign in")
        .await;
    phone.wait_connected().await;
    let bob = scene.driver.person().await;
    bob.try_account(&url, "bob", "correct horse", "Sign up")
        .await;
    bob.wait_connected().await;

    create_room(&bob, "plans", false).await;
    join_room(&laptop, "plans").await;
    join_room(&phone, "plans").await;

    // From the members list: "Leave room", confirmed.
    laptop.click(Locator::Css("button.online-count")).await;
    laptop.click(Locator::Css("button.leave-room")).await;
    laptop.client.accept_alert().await.expect("confirm leaving");
    wait_gone(&laptop, "plans leaves the laptop's sidebar", "plans").await;
    wait_gone(&phone, "plans leaves the phone's sidebar too", "plans").await;
    bob.find(Locator::XPath(
        "//*[contains(@class, 'room-note')][contains(., 'ann left')]",
    ))
    .await;

    // Still gone after a reload: the membership ended, not the view.
    laptop.client.refresh().await.expect("reload");
    laptop.wait_connected().await;
    let listed = rooms(&laptop).await;
    assert!(listed.iter().any(|r| r == "general"), "{listed:?}");
    assert!(!listed.iter().any(|r| r == "plans"), "{listed:?}");

    bob.close().await;
    phone.close().await;
    laptop.close().await;
    scene.end().await;
}
