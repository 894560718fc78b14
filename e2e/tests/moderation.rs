//! Moderation in the browser: the owner deletes a message from its menu by keyboard
//! alone, sees the members and their roles, and kicks someone, whose page lets the
//! room go and says who did it; the moderation log says who did what.

use confab_e2e::rooms::{create_room, join_room};
use confab_e2e::{Scene, eventually};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_deletes_and_kicks_from_the_page() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    // Ann makes a public room (she owns it); bob opens it by name.
    create_room(ann, "town", false).await;
    join_room(bob, "town").await;
    bob.say("buy cheap watches").await;
    ann.wait_bodies("bob's message reaches ann", |b| {
        b.iter().any(|m| m == "buy cheap watches")
    })
    .await;

    // By keyboard: focus the message's actions button, Enter opens the menu, Enter
    // on "Delete message" deletes it, for everyone.
    let _: Option<bool> = ann
        .eval(
            "focus the message's actions",
            "document.querySelector('article.msg button.more').focus(); return null;",
        )
        .await;
    let more = ann.find(Locator::Css("article.msg button.more")).await;
    more.send_keys(ENTER).await.expect("press Enter on ⋯");
    let delete = ann
        .find(Locator::XPath(
            "//div[@role='menu']//button[normalize-space()='Delete message']",
        ))
        .await;
    delete
        .send_keys(ENTER)
        .await
        .expect("press Enter on Delete");
    for (person, who) in [(ann, "ann"), (bob, "bob")] {
        person
            .wait_bodies(&format!("the message is gone for {who}"), |b| {
                !b.iter().any(|m| m.contains("watches"))
            })
            .await;
    }

    // The members list: ann the owner, bob a member; ann kicks bob.
    ann.click(Locator::Css("button.online-count")).await;
    let owner = ann
        .find(Locator::XPath(
            "//aside[@aria-label='Members']//li[contains(., 'ann')]",
        ))
        .await;
    let text = owner.text().await.expect("ann's line");
    assert!(text.contains("Owner"), "{text}");
    // Muted, bob's message box says so and takes nothing; unmuted, it is back.
    let bobs = |button: &str| {
        format!(
            "//aside[@aria-label='Members']//li[contains(., 'bob')]//button[normalize-space()='{button}']"
        )
    };
    ann.click(Locator::XPath(&bobs("Mute"))).await;
    bob.find(Locator::Css("textarea#message:disabled")).await;
    ann.click(Locator::XPath(&bobs("Unmute"))).await;
    bob.find(Locator::Css("textarea#message:enabled")).await;
    ann.click(Locator::XPath(&bobs("Kick"))).await;
    let notice = bob.find(Locator::Css(".notice")).await;
    let said = notice.text().await.expect("the notice");
    assert!(said.contains("ann removed you from #town"), "{said}");
    eventually("town leaves bob's list", || async {
        let names: Vec<String> = bob
            .eval(
                "bob's rooms",
                "return [...document.querySelectorAll('.rooms .room-name')].map(e => e.textContent)",
            )
            .await;
        (!names.iter().any(|r| r == "town")).then_some(())
    })
    .await;
    eventually("bob leaves ann's members list", || async {
        let names: Vec<String> = ann
            .eval(
                "ann's members",
                "return [...document.querySelectorAll('.members-panel .member-name')].map(e => e.textContent)",
            )
            .await;
        (names.len() == 1).then_some(())
    })
    .await;

    // The moderation log says who did what.
    ann.click(Locator::Css("button.log-toggle")).await;
    let lines = eventually("the moderation log lists the kick", || async {
        let lines: Vec<String> = ann
            .eval(
                "ann's moderation log",
                "return [...document.querySelectorAll('.audit li span')].map(e => e.textContent)",
            )
            .await;
        lines.iter().any(|l| l == "ann kicked bob").then_some(lines)
    })
    .await;
    assert!(
        lines.iter().any(|l| l == "ann deleted a message"),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l == "bob joined"), "{lines:?}");

    scene.end().await;
}
