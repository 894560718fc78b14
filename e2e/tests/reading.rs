//! Read state in the browser: bob writes in a room ann is not reading; ann's sidebar
//! shows it bold with its count, in both of her windows (one account, signed in
//! twice); opening it shows the "New messages" line, and reading it clears the count
//! in the other window too. A message that comes while ann's tab is hidden stays
//! unread until the tab is shown.

use std::time::Duration;

use confab_e2e::rooms::{create_room, wait_in_room};
use confab_e2e::tab::set_hidden;
use confab_e2e::{PASSWORD, Person, Scene, eventually};
use fantoccini::Locator;

/// What ann's sidebar shows of `room`: whether it is bold (unread), and its count.
async fn unread(person: &Person, room: &str) -> (bool, Option<String>) {
    let script = format!(
        "const li = [...document.querySelectorAll('.rooms li')]\
           .find(l => l.querySelector('.room-name').textContent === '{room}');\
         if (!li) return [false, null];\
         const badge = li.querySelector('.badge:not(.mention)');\
         return [li.classList.contains('unread'), badge ? badge.textContent : null];"
    );
    person.eval("the room's unread count", &script).await
}

async fn wait_unread(person: &Person, room: &str, wanted: Option<&str>, what: &str) {
    eventually(what, || async {
        let (bold, count) = unread(person, room).await;
        (bold == wanted.is_some() && count.as_deref() == wanted).then_some(())
    })
    .await;
}

/// Opens `room` from the sidebar.
async fn open_room(person: &Person, room: &str) {
    let xpath = format!("//ul[@class='rooms']//button[@class='room-link'][contains(., '{room}')]");
    person.click(Locator::XPath(&xpath)).await;
    wait_in_room(person, room).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unread_counts_follow_what_ann_has_seen_in_both_her_windows() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    create_room(ann, "dev", false).await;
    // Ann's second window: the same account, signed in on its own.
    let again = scene.driver.person().await;
    again
        .try_account(&scene.server.url(), "ann", PASSWORD, "Sign in")
        .await;
    again.wait_connected().await;
    open_room(&again, "dev").await;

    // Bob writes in general, where ann is not reading: bold with its count, in
    // both windows, and in the tab's title.
    bob.say("hello @ann").await;
    wait_unread(ann, "general", Some("1"), "ann sees general unread").await;
    wait_unread(&again, "general", Some("1"), "so does her other window").await;
    let mentioned: bool = ann
        .eval(
            "the mention badge",
            "return [...document.querySelectorAll('.rooms li')].some(l => \
               l.textContent.includes('general') && l.querySelector('.badge.mention'))",
        )
        .await;
    assert!(mentioned, "a mention is shown apart");
    let title: String = ann.eval("the title", "return document.title").await;
    assert_eq!(title, "(1) Confab");

    // Opening general: the "New messages" line above bob's message; once seen,
    // the count goes in both windows.
    open_room(ann, "general").await;
    let line: Option<String> = ann
        .eval(
            "the new messages line",
            "const l = document.querySelector('[role=log] article.first-new');\
             return l ? l.querySelector('.body').textContent : null;",
        )
        .await;
    assert_eq!(line.as_deref(), Some("hello @ann"));
    wait_unread(ann, "general", None, "read in the window that opened it").await;
    wait_unread(&again, "general", None, "and in ann's other window").await;
    let title: String = ann.eval("the title", "return document.title").await;
    assert_eq!(title, "Confab");

    // While ann's tab is hidden, what comes stays unread, in general itself...
    set_hidden(ann, true).await;
    bob.say("still there?").await;
    wait_unread(ann, "general", Some("1"), "unread while hidden").await;
    wait_unread(&again, "general", Some("1"), "unread in the other window").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(unread(ann, "general").await, (true, Some("1".to_owned())));
    // ...until the tab is shown.
    set_hidden(ann, false).await;
    wait_unread(ann, "general", None, "read once shown").await;
    wait_unread(&again, "general", None, "in both windows").await;

    // Mark all as read, from the other window (ann's first one hidden again).
    set_hidden(ann, true).await;
    bob.say("one more").await;
    wait_unread(&again, "general", Some("1"), "unread again").await;
    again.click(Locator::Css("button.mark-all")).await;
    wait_unread(&again, "general", None, "marked read").await;

    // "Mark unread" on a message ann is looking at: unread from it on, in both
    // windows, and it stays so while she looks on.
    set_hidden(ann, false).await;
    let _: Option<bool> = ann
        .eval(
            "open the actions of 'still there?'",
            "[...document.querySelectorAll('[role=log] article.msg')]\
               .find(a => a.querySelector('.body')?.textContent === 'still there?')\
               .querySelector('button.more').click(); return null;",
        )
        .await;
    ann.click(Locator::XPath(
        "//div[@role='menu']//button[normalize-space()='Mark unread']",
    ))
    .await;
    wait_unread(ann, "general", Some("2"), "unread from there on").await;
    wait_unread(&again, "general", Some("2"), "in her other window too").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        unread(ann, "general").await,
        (true, Some("2".to_owned())),
        "on screen, but marked unread"
    );
    again.close().await;
    scene.end().await;
}
