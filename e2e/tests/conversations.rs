//! Private conversations in the browser: ann starts one with bob from the sidebar's
//! "New message" box and writes; bob finds it under "Direct messages" and answers;
//! starting from a name (the members list, a message's menu) opens the same one;
//! the room-only controls are not offered there; axe-core finds nothing grave.

use confab_e2e::rooms::wait_in_room;
use confab_e2e::{Person, Scene, axe, eventually};
use fantoccini::Locator;

const ENTER: &str = "\u{E007}";

/// The names listed under "Direct messages", in order.
async fn direct_messages(person: &Person) -> Vec<String> {
    person
        .eval(
            "the direct messages",
            "return [...document.querySelectorAll('.direct-messages .room-name')]\
             .map(e => e.textContent)",
        )
        .await
}

/// The room shown: the page's heading, as read aloud.
async fn heading(person: &Person) -> String {
    person
        .eval(
            "the heading",
            "return document.querySelector('main h1').textContent",
        )
        .await
}

/// Opens the conversation named `name` from the sidebar.
async fn open_direct(person: &Person, name: &str) {
    let xpath = format!(
        "//section[contains(@class,'direct-messages')]//button[.//span[@class='room-name'][.='{name}']]"
    );
    person.click(Locator::XPath(&xpath)).await;
    wait_in_room(person, name).await;
}

/// Opens `room` (a room, by its name) from the sidebar.
async fn open_room(person: &Person, room: &str) {
    let xpath = format!("//ul[@class='rooms']//button[@class='room-link'][contains(., '{room}')]");
    person.click(Locator::XPath(&xpath)).await;
    wait_in_room(person, room).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_started_from_the_sidebar_reaches_the_other_person() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };

    // Ann starts one from "New message" (by keyboard: type, Enter).
    ann.click(Locator::Css("button.new-conversation-toggle"))
        .await;
    let to = ann.find(Locator::Css("input#new-conversation-to")).await;
    to.send_keys(&format!("bob{ENTER}"))
        .await
        .expect("type bob");
    wait_in_room(ann, "bob").await;
    let said = heading(ann).await;
    assert!(said.ends_with("Conversation with bob"), "{said}");
    assert_eq!(direct_messages(ann).await, ["bob"]);
    let placeholder: String = ann
        .eval(
            "the message box's placeholder",
            "return document.querySelector('textarea#message').placeholder",
        )
        .await;
    assert_eq!(placeholder, "Message bob");
    let invite: bool = ann
        .eval(
            "an invite box",
            "return document.querySelector('form.invite') !== null",
        )
        .await;
    assert!(!invite, "nobody is invited to a conversation");
    ann.say("hello bob").await;
    ann.wait_bodies("ann's message", |b| b == ["hello bob"])
        .await;

    // Bob's page lists it (it has a message now) and shows the message.
    eventually("the conversation is listed for bob", || async {
        (direct_messages(bob).await == ["ann"]).then_some(())
    })
    .await;
    open_direct(bob, "ann").await;
    bob.wait_bodies("bob reads ann", |b| b == ["hello bob"])
        .await;
    bob.say("hi ann").await;
    ann.wait_bodies("ann reads bob's answer", |b| b == ["hello bob", "hi ann"])
        .await;

    // The members list of a conversation: its two people, no moderation, no leaving.
    bob.click(Locator::Css("button.online-count")).await;
    bob.find(Locator::XPath(
        "//aside[@aria-label='Members']//li[contains(., 'ann')]",
    ))
    .await;
    let room_only: usize = bob
        .eval(
            "room-only controls in the members list",
            "return [...document.querySelectorAll('aside.members-panel button')]\
             .filter(b => /Kick|Ban|Mute|Leave room|Moderation log/.test(b.textContent)).length",
        )
        .await;
    assert_eq!(room_only, 0);
    bob.click(Locator::Css("aside.members-panel header button"))
        .await;

    axe::assert_no_grave_violations(ann, "a conversation open").await;

    // In general: bob starts from ann's message's menu (by keyboard), which opens
    // the conversation they have.
    open_room(ann, "general").await;
    open_room(bob, "general").await;
    ann.say("in general").await;
    bob.wait_bodies("ann's message in general", |b| {
        b.iter().any(|m| m == "in general")
    })
    .await;
    let _: Option<bool> = bob
        .eval(
            "focus the message's actions",
            "document.querySelector('article.msg button.more').focus(); return null;",
        )
        .await;
    let more = bob.find(Locator::Css("article.msg button.more")).await;
    more.send_keys(ENTER).await.expect("press Enter on ⋯");
    let message = bob
        .find(Locator::XPath(
            "//div[@role='menu']//button[normalize-space()='Message ann']",
        ))
        .await;
    message.send_keys(ENTER).await.expect("press Enter on it");
    wait_in_room(bob, "ann").await;
    bob.wait_bodies("the same conversation", |b| b == ["hello bob", "hi ann"])
        .await;

    // Ann starts from the members list of general, with the form open beside it.
    ann.click(Locator::Css("button.new-conversation-toggle"))
        .await;
    ann.find(Locator::Css("form#new-conversation")).await;
    let suggested: Vec<String> = ann
        .eval(
            "the names suggested",
            "return [...document.querySelectorAll('datalist#known-people option')].map(o => o.value)",
        )
        .await;
    assert!(suggested.iter().any(|n| n == "bob"), "{suggested:?}");
    axe::assert_no_grave_violations(ann, "the new message form").await;
    ann.click(Locator::Css("form#new-conversation button.cancel"))
        .await;
    ann.click(Locator::Css("button.online-count")).await;
    ann.click(Locator::XPath(
        "//aside[@aria-label='Members']//li[contains(., 'bob')]//button[starts-with(normalize-space(), 'Message')]",
    ))
    .await;
    wait_in_room(ann, "bob").await;
    ann.wait_bodies("the same conversation for ann", |b| {
        b == ["hello bob", "hi ann"]
    })
    .await;
    assert_eq!(direct_messages(ann).await, ["bob"]);

    scene.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_nobody_has_is_said() {
    let scene = Scene::with_accounts(&["ann"]).await;
    let ann = &scene.people[0];
    ann.click(Locator::Css("button.new-conversation-toggle"))
        .await;
    let to = ann.find(Locator::Css("input#new-conversation-to")).await;
    to.send_keys(&format!("nobody{ENTER}"))
        .await
        .expect("type a name");
    let notice = ann.find(Locator::Css(".notice")).await;
    let said = notice.text().await.expect("the notice");
    assert!(said.contains("No account has the name nobody"), "{said}");
    assert!(direct_messages(ann).await.is_empty());
    let said = heading(ann).await;
    assert!(said.ends_with("general"), "{said}");
    scene.end().await;
}
