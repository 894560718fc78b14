//! Notifications in the browser: ann turns them on from the sidebar (the page never
//! asks on its own); a message in her conversation with bob, mentioning her, raises
//! one while her tab is hidden ("New message from bob", the text only once she
//! chose so), none while it is shown; clicking it opens the conversation. The
//! browser's Notification is replaced by a recorder in ann's page.

use std::time::Duration;

use confab_e2e::rooms::wait_in_room;
use confab_e2e::tab::set_hidden;
use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";

/// Records notifications instead of showing them; permission is asked of nobody
/// and granted.
const RECORDER: &str = "
    window.__notes = [];
    class Recorder {
      constructor(title, options) {
        this.title = title;
        this.body = (options && options.body) || '';
        this.tag = (options && options.tag) || '';
        window.__notes.push(this);
      }
      close() { this.closed = true; }
    }
    Recorder.permission = 'default';
    Recorder.requestPermission = () => {
      Recorder.permission = 'granted';
      return Promise.resolve('granted');
    };
    window.Notification = Recorder;
    return null;";

/// The notifications raised so far: title, body, tag.
async fn notes(person: &Person) -> Vec<(String, String, String)> {
    person
        .eval(
            "the notifications",
            "return window.__notes.map(n => [n.title, n.body, n.tag])",
        )
        .await
}

async fn wait_notes(person: &Person, count: usize) -> Vec<(String, String, String)> {
    eventually(&format!("{count} notifications"), || async {
        let raised = notes(person).await;
        (raised.len() >= count).then_some(raised)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mention_in_a_hidden_tab_raises_a_notification_that_opens_the_conversation() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    let permission: String = ann
        .eval("the permission", "return Notification.permission")
        .await;
    assert_eq!(permission, "default", "nothing asked on load");
    let _: Option<bool> = ann.eval("record notifications", RECORDER).await;
    ann.click(Locator::Css("button.notify-on")).await;
    ann.find(Locator::Css(".notify-text input[type=checkbox]"))
        .await;

    // Bob starts a conversation with ann.
    bob.click(Locator::Css("button.new-conversation-toggle"))
        .await;
    let to = bob.find(Locator::Css("input#new-conversation-to")).await;
    to.send_keys(&format!("ann{ENTER}"))
        .await
        .expect("type ann");
    wait_in_room(bob, "ann").await;
    bob.say("first").await;
    ann.find(Locator::XPath(
        "//section[contains(@class,'direct-messages')]//span[@class='room-name'][.='bob']",
    ))
    .await;

    // Ann's tab hidden: bob's mention raises one, without the text.
    set_hidden(ann, true).await;
    bob.say("hey @ann, look").await;
    let raised = wait_notes(ann, 1).await;
    let (title, body, tag) = &raised[0];
    assert_eq!(title, "New message from bob");
    assert_eq!(body, "", "the text only when asked for");
    assert!(tag.starts_with("confab-"), "{tag}");

    // Shown: none (the page shows it itself).
    set_hidden(ann, false).await;
    bob.say("and now?").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(notes(ann).await.len(), 1);

    // With the text, once ann chose so.
    ann.click(Locator::Css(".notify-text input[type=checkbox]"))
        .await;
    set_hidden(ann, true).await;
    bob.say("@ann the text").await;
    let raised = wait_notes(ann, 2).await;
    assert_eq!(raised[1].1, "@ann the text");

    // Clicking it opens the conversation at the message.
    let heading: String = ann
        .eval(
            "the heading",
            "return document.querySelector('main h1').textContent",
        )
        .await;
    assert!(heading.ends_with("general"), "{heading}");
    set_hidden(ann, false).await;
    let _: Option<bool> = ann
        .eval(
            "click the notification",
            "window.__notes[1].onclick(); return null;",
        )
        .await;
    wait_in_room(ann, "bob").await;
    ann.wait_bodies("the conversation", |b| {
        b.last().is_some_and(|m| m == "@ann the text")
    })
    .await;

    // Seen there: its count goes.
    eventually("the conversation read", || async {
        let badges: usize = ann
            .eval(
                "the conversation's count",
                "return document.querySelectorAll('.direct-messages .badge').length",
            )
            .await;
        (badges == 0).then_some(())
    })
    .await;

    // Set to nothing from the room's menu: no more notifications from it.
    ann.click(Locator::Css("button.room-more")).await;
    ann.click(Locator::Css("button.notify-level[data-level=none]"))
        .await;
    ann.click(Locator::Css("button.room-more")).await;
    let checked: String = ann
        .eval(
            "the level chosen",
            "return document.querySelector('button.notify-level[aria-checked=true]').dataset.level",
        )
        .await;
    assert_eq!(checked, "none");
    set_hidden(ann, true).await;
    bob.say("@ann quiet").await;
    ann.wait_bodies("the quiet one arrives", |b| {
        b.last().is_some_and(|m| m == "@ann quiet")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        notes(ann).await.len(),
        2,
        "nothing from a room set to nothing"
    );
    scene.end().await;
}
