//! Editing one's own message in a real browser: Up arrow in the empty message box
//! opens the newest of one's own in place, Enter saves, and the other window shows
//! the new text marked "(edited)"; the message's menu opens it too, and Escape
//! leaves it as it was.

use confab_e2e::Scene;
use fantoccini::Locator;

/// WebDriver's keys: Enter, Escape, the up arrow.
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const UP: &str = "\u{E013}";

#[tokio::test(flavor = "multi_thread")]
async fn an_author_edits_by_the_up_arrow_and_the_menu_and_the_other_window_follows() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    alice.say("teh plan").await;
    alice.say("second thought").await;
    bob.wait_bodies("bob gets both", |b| b == ["teh plan", "second thought"])
        .await;

    // Up arrow edits the newest of one's own; Enter saves.
    let composer = alice.find(Locator::Css("textarea#message")).await;
    composer.send_keys(UP).await.expect("press Up");
    let editor = alice.find(Locator::Css("textarea#edit-message")).await;
    let was = editor.prop("value").await.expect("read the editor");
    assert_eq!(
        was.as_deref(),
        Some("second thought"),
        "the newest, as it is"
    );
    editor.clear().await.expect("clear the editor");
    editor
        .send_keys(&format!("second thought, better{ENTER}"))
        .await
        .expect("type and save");
    for (who, what) in [(alice, "alice"), (bob, "bob")] {
        who.wait_bodies(&format!("{what} sees the edit"), |b| {
            b == ["teh plan", "second thought, better (edited)"]
        })
        .await;
    }

    // The menu opens the first one; Escape leaves it as it was.
    let open_editor = || async {
        let _: Option<bool> = alice
            .eval(
                "open the first message's actions",
                "document.querySelector('article.msg button.more').click(); return null;",
            )
            .await;
        alice
            .click(Locator::XPath(
                "//div[@role='menu']//button[normalize-space()='Edit message']",
            ))
            .await;
        alice.find(Locator::Css("textarea#edit-message")).await
    };
    let editor = open_editor().await;
    editor
        .send_keys(&format!("scrapped{ESCAPE}"))
        .await
        .expect("type, then Escape");
    alice
        .wait_bodies("nothing changed", |b| {
            b == ["teh plan", "second thought, better (edited)"]
        })
        .await;
    let editor = open_editor().await;
    editor.clear().await.expect("clear");
    editor
        .send_keys(&format!("the plan{ENTER}"))
        .await
        .expect("save");
    bob.wait_bodies("bob sees the first one fixed", |b| {
        b == ["the plan (edited)", "second thought, better (edited)"]
    })
    .await;
    // Nobody but the author is offered it (a guest has no menu on alice's at all).
    let _: Option<bool> = bob
        .eval(
            "open a message's actions, if it has any",
            "document.querySelector('article.msg button.more')?.click(); return null;",
        )
        .await;
    let offered: bool = bob
        .eval(
            "is Edit offered",
            "return [...document.querySelectorAll('div[role=menu] button')]\
               .some(b => b.textContent === 'Edit message') \
               || document.querySelector('textarea#edit-message') !== null;",
        )
        .await;
    assert!(!offered, "alice's messages are not bob's to edit");
    scene.end().await;
}
