//! Threads in a real browser: one person replies in a thread from a message's
//! "Reply in thread" button; the other sees "1 reply" under the message, opens the
//! thread and finds the reply there, not in the room's list; a reply also sent to
//! the room shows in both, marked as a thread's. The reply box offers names for an
//! `@` as the room's box does. A message deleted with replies keeps its place, which
//! still opens its thread.

use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";
const TAB: &str = "\u{E004}";

/// The bodies the open thread shows, its root first.
async fn thread_bodies(person: &Person) -> Vec<String> {
    person
        .eval(
            "read the thread",
            "return [...document.querySelectorAll('.thread-panel article.msg .body')]\
               .map((e) => e.textContent);",
        )
        .await
}

async fn wait_thread(person: &Person, what: &str, want: &[&str]) {
    eventually(what, || async {
        let now = thread_bodies(person).await;
        (now == want).then_some(())
    })
    .await;
}

/// What the room's first message says of its thread ("1 reply"), if anything.
async fn replies_shown(person: &Person) -> Option<String> {
    person
        .eval(
            "read the thread link",
            "const r = document.querySelector('main [role=log] .thread-link .replies');\
             return r ? r.textContent : null;",
        )
        .await
}

async fn reply(person: &Person, text: &str) {
    let field = person.find(Locator::Css("textarea#reply")).await;
    field
        .send_keys(&format!("{text}{ENTER}"))
        .await
        .expect("type a reply");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_in_a_thread_shows_under_its_message_and_in_the_thread() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    alice.say("ship on friday?").await;
    bob.wait_bodies("bob gets it", |b| b == ["ship on friday?"])
        .await;

    // Bob answers in a thread.
    let _: Option<bool> = bob
        .eval(
            "open the thread of the first message",
            "document.querySelector('main article.msg button.reply').click(); return null;",
        )
        .await;
    wait_thread(bob, "bob's thread shows the root", &["ship on friday?"]).await;
    // The reply box completes a name as the room's box does.
    let field = bob.find(Locator::Css("textarea#reply")).await;
    field.send_keys("@al").await.expect("type a name's start");
    let offered: Vec<String> = eventually("alice's name is offered", || async {
        let names: Vec<String> = bob
            .eval(
                "the names offered",
                "return [...document.querySelectorAll('#reply-mention-offer [role=option]')]\
                 .map(o => o.textContent)",
            )
            .await;
        (!names.is_empty()).then_some(names)
    })
    .await;
    assert_eq!(offered, ["@alice"]);
    field.send_keys(TAB).await.expect("take it");
    reply(bob, "yes, after the demo").await;
    wait_thread(
        bob,
        "bob's reply is in the thread",
        &["ship on friday?", "@alice yes, after the demo"],
    )
    .await;

    // Alice sees "1 reply" under her message, and not the reply in the room's list.
    eventually("alice sees one reply", || async {
        (replies_shown(alice).await.as_deref() == Some("1 reply")).then_some(())
    })
    .await;
    assert_eq!(alice.bodies().await, ["ship on friday?"]);
    alice.click(Locator::Css("main .thread-link")).await;
    wait_thread(
        alice,
        "alice's thread holds bob's reply",
        &["ship on friday?", "@alice yes, after the demo"],
    )
    .await;

    // Alice answers, also to the room: bob sees it in both, marked as a thread's.
    alice.click(Locator::Css(".also-in-room input")).await;
    reply(alice, "friday it is").await;
    bob.wait_bodies("the room shows alice's reply", |b| {
        b == ["ship on friday?", "friday it is"]
    })
    .await;
    wait_thread(
        bob,
        "bob's open thread has it too",
        &[
            "ship on friday?",
            "@alice yes, after the demo",
            "friday it is",
        ],
    )
    .await;
    eventually("two replies under the message", || async {
        (replies_shown(bob).await.as_deref() == Some("2 replies")).then_some(())
    })
    .await;
    bob.find(Locator::Css("main .thread-of")).await;
    bob.screenshot("thread").await;

    // Alice deletes her message: its place stays, and still opens the thread.
    alice
        .click(Locator::Css("main article.msg button.more"))
        .await;
    alice
        .click(Locator::XPath(
            "//div[@role='menu']//button[normalize-space()='Delete message']",
        ))
        .await;
    bob.wait_bodies("the message's place stays for bob", |b| {
        b == ["This message was deleted.", "friday it is"]
    })
    .await;
    assert_eq!(replies_shown(bob).await.as_deref(), Some("2 replies"));
    bob.click(Locator::Css("main article.tombstone .thread-link"))
        .await;
    wait_thread(
        bob,
        "the deleted message's thread, still readable",
        &["@alice yes, after the demo", "friday it is"],
    )
    .await;
    bob.screenshot("thread-of-a-deleted-message").await;
}
