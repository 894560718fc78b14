//! "alice is typing…" in the other window, gone when she sends or clears the box.

use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

/// The typing line under `person`'s message box.
async fn typing_line(person: &Person) -> String {
    person
        .eval(
            "the typing line",
            "const p = document.querySelector('p.typing'); \
             return p ? p.textContent : '(none)';",
        )
        .await
}

async fn wait_line(person: &Person, what: &str, wanted: &str) {
    eventually(what, || async {
        (typing_line(person).await == wanted).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typing_shows_in_the_other_window_and_goes() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    let composer = alice.find(Locator::Css("textarea#message")).await;
    // Typing reaches a room only from someone who has written there.
    composer.send_keys("hi\u{E007}").await.expect("send");
    bob.wait_bodies("bob gets alice's first message", |b| b == ["hi"])
        .await;
    composer.send_keys("hel").await.expect("type");
    wait_line(bob, "bob sees alice typing", "alice is typing…").await;
    assert_eq!(typing_line(alice).await, "", "nobody else types for alice");
    let hidden: Option<String> = bob
        .eval(
            "is the line hidden from screen readers",
            "return document.querySelector('p.typing').getAttribute('aria-hidden');",
        )
        .await;
    assert_eq!(hidden.as_deref(), Some("true"));

    // Sent: the line goes.
    composer.send_keys("lo\u{E007}").await.expect("send");
    bob.wait_bodies("bob gets the message", |b| b == ["hi", "hello"])
        .await;
    wait_line(bob, "the line goes once alice sent", "").await;

    // Typed, then cleared: it comes and goes.
    composer.send_keys("and").await.expect("type again");
    wait_line(bob, "bob sees alice typing again", "alice is typing…").await;
    composer.clear().await.expect("clear the box");
    // WebDriver's clear fires no input event: delete by keys as a person would.
    composer
        .send_keys("x\u{E003}\u{E003}")
        .await
        .expect("erase");
    wait_line(bob, "the line goes once alice cleared the box", "").await;
    scene.end().await;
}
