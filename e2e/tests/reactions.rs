//! Reactions in a real browser: one person reacts from the picker, the other window
//! shows the chip with the count and who; a click on the chip adds one's own
//! (highlighted), another takes it away; any emoji may be typed into the picker.

use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";

/// Each chip's label ("🎉 2: alice and bob") and whether it is one's own.
async fn chips(person: &Person) -> Vec<(String, bool)> {
    person
        .eval(
            "read the reactions",
            "return [...document.querySelectorAll('[role=log] .chip')]\
               .map((c) => [c.getAttribute('aria-label'), c.classList.contains('mine')]);",
        )
        .await
}

async fn wait_chips(person: &Person, what: &str, want: &[(&str, bool)]) {
    eventually(what, || async {
        let now = chips(person).await;
        let same = now.len() == want.len()
            && now
                .iter()
                .zip(want)
                .all(|((l, m), (wl, wm))| l == wl && m == wm);
        same.then_some(())
    })
    .await;
}

/// Opens the picker of the first message.
async fn open_picker(person: &Person) {
    let _: Option<bool> = person
        .eval(
            "open the first message's reaction picker",
            "document.querySelector('article.msg button.react').click(); return null;",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reaction_shows_in_the_other_window_and_a_chip_toggles_ones_own() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    alice.say("lunch at noon?").await;
    bob.wait_bodies("bob gets it", |b| b == ["lunch at noon?"])
        .await;

    // Bob picks 🎉 from the picker; alice sees it, with who.
    open_picker(bob).await;
    bob.click(Locator::Css("button[aria-label='React with 🎉']"))
        .await;
    wait_chips(alice, "alice sees bob's 🎉", &[("🎉 1: bob", false)]).await;
    wait_chips(bob, "bob's own is highlighted", &[("🎉 1: bob", true)]).await;

    // Alice adds hers with a click on the chip; bob sees two.
    alice.click(Locator::Css("[role=log] .chip")).await;
    wait_chips(bob, "bob sees two", &[("🎉 2: bob and alice", true)]).await;
    // Any emoji typed in.
    open_picker(alice).await;
    let field = alice
        .find(Locator::Css("input[aria-label='Any emoji']"))
        .await;
    field
        .send_keys(&format!("🦀{ENTER}"))
        .await
        .expect("type an emoji");
    wait_chips(
        bob,
        "bob sees the crab",
        &[("🎉 2: bob and alice", true), ("🦀 1: alice", false)],
    )
    .await;
    bob.screenshot("reactions").await;
    // Bob takes his away.
    bob.click(Locator::Css("[role=log] .chip.mine")).await;
    wait_chips(
        alice,
        "alice sees bob's gone",
        &[("🎉 1: alice", true), ("🦀 1: alice", true)],
    )
    .await;
    // The message's text is untouched by all of it.
    assert_eq!(alice.bodies().await, ["lunch at noon?"]);
    scene.end().await;
}
