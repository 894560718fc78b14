//! One browser, two people in turn: what the page kept for the first (open rooms,
//! the current room, unsent messages, notices) is forgotten when she signs out, so
//! the next person to sign up there is never joined to her rooms, never told the
//! name of her private room, and never sends her words.

use confab_e2e::rooms::create_room;
use confab_e2e::{Driver, Person, Server, eventually};
use fantoccini::Locator;

const UNSENT: &str = "ann's words, never sent";

/// Everything the page keeps in the browser, as one string.
async fn stored(person: &Person) -> String {
    person
        .eval(
            "read localStorage",
            "return JSON.stringify(Object.assign({}, localStorage))",
        )
        .await
}

async fn room_names(person: &Person) -> Vec<String> {
    person
        .eval(
            "the rooms listed",
            "return [...document.querySelectorAll('.rooms .room-name')].map(e => e.textContent)",
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_person_gets_nothing_of_the_first() {
    let server = Server::start().await;
    let url = server.url();
    let driver = Driver::start().await;
    // A guest in general sees whatever is posted there.
    let gil = driver.person().await;
    gil.arrive(&url, "gil").await;
    let ann = driver.person().await;
    ann.try_account(&url, "ann", "correct horse", "Sign up")
        .await;
    ann.wait_connected().await;
    create_room(&ann, "annsecret", true).await;
    create_room(&ann, "annpublic", false).await;
    ann.click(Locator::XPath(
        "//button[@class='room-link'][contains(., 'general')]",
    ))
    .await;

    // The server goes away; what ann writes now waits in the page.
    let down = server.go_down().await;
    ann.find(Locator::Css(".status:not([data-link=online])"))
        .await;
    ann.say(UNSENT).await;
    ann.wait_bodies("ann's message waits", |b| b.iter().any(|m| m == UNSENT))
        .await;
    eventually("the page keeps ann's rooms and message", || async {
        let kept = stored(&ann).await;
        (kept.contains(UNSENT) && kept.contains("annsecret")).then_some(())
    })
    .await;

    // Signing out asks first (a message is unsent), then forgets it all.
    ann.click(Locator::XPath(
        "//footer[@class='me']//button[normalize-space()='Sign out']",
    ))
    .await;
    let question = eventually("the page asks before discarding", || async {
        ann.client.get_alert_text().await.ok()
    })
    .await;
    assert!(question.contains("not been sent"), "{question}");
    ann.client.accept_alert().await.expect("accept");
    ann.find(Locator::Css("form#account")).await;
    let kept = stored(&ann).await;
    for gone in [UNSENT, "annsecret", "annpublic"] {
        assert!(!kept.contains(gone), "{gone:?} still kept: {kept}");
    }

    // The server is back; bob signs up in the same window.
    let server = down.come_back().await;
    let bob = ann;
    bob.fill_account("bob", "correct horse", "Sign up").await;
    bob.wait_connected().await;
    bob.find(Locator::XPath("//footer[@class='me']//strong[.='bob']"))
        .await;
    assert_eq!(room_names(&bob).await, ["general"], "none of ann's rooms");
    bob.say("bob is here").await;
    gil.wait_bodies("bob's message reaches general", |b| {
        b.iter().any(|m| m == "bob is here")
    })
    .await;
    // Anything of ann's would have gone before bob's first message.
    let seen = gil.bodies().await;
    assert!(!seen.iter().any(|m| m == UNSENT), "sent as bob: {seen:?}");
    assert!(!bob.bodies().await.iter().any(|m| m == UNSENT));
    let notices: Vec<String> = bob
        .eval(
            "notices",
            "return [...document.querySelectorAll('.notice')].map(e => e.textContent)",
        )
        .await;
    assert!(notices.is_empty(), "bob was told {notices:?}");
    // Nor after a reload.
    bob.client.refresh().await.expect("reload");
    bob.wait_connected().await;
    assert_eq!(room_names(&bob).await, ["general"]);
    let kept = stored(&bob).await;
    assert!(
        !kept.contains("annsecret") && !kept.contains(UNSENT),
        "{kept}"
    );

    bob.close().await;
    gil.close().await;
    server.stop().await;
}
