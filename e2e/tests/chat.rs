//! A person's view of Confab: real Chromium windows on the built page.

use confab_e2e::Scene;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn two_people_chat() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    // The page booted under its Content-Security-Policy (the people are connected);
    // from here on, anything the policy blocks is counted.
    alice
        .eval::<()>(
            "watch for CSP violations",
            "window.cspViolations = []; document.addEventListener('securitypolicyviolation', \
             (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI)); \
             return null;",
        )
        .await;

    // Each sees the other online.
    alice
        .find(Locator::XPath(
            "//ul[@class='online']/li[contains(., 'bob')]",
        ))
        .await;

    alice.say("hello bob").await;
    bob.wait_bodies("bob sees alice's message", |b| b == ["hello bob"])
        .await;
    // Shift+Enter makes a new line; \u{E000} releases Shift.
    bob.say("hi alice\u{E008}\u{E007}\u{E000}second line").await;
    let seen = alice
        .wait_bodies("alice sees bob's reply", |b| b.len() == 2)
        .await;
    assert_eq!(seen, ["hello bob", "hi alice\nsecond line"]);

    // Nothing is left pending once the server has confirmed it.
    let pending = alice
        .client
        .find_all(Locator::Css("article.msg.pending"))
        .await
        .unwrap();
    assert!(pending.is_empty());

    // Each line and person has its colour (a palette class of the stylesheet), and
    // the policy blocked nothing.
    let colours: Vec<String> = alice
        .eval(
            "read the lines' colours",
            "return Array.from(document.querySelectorAll('article.msg, ul.online li')) \
             .map((e) => getComputedStyle(e).getPropertyValue('--name').trim());",
        )
        .await;
    assert!(colours.len() >= 4, "two lines, two people: {colours:?}");
    assert!(colours.iter().all(|c| c.starts_with('#')), "{colours:?}");
    let blocked: Vec<String> = alice
        .eval("read CSP violations", "return window.cspViolations;")
        .await;
    assert!(blocked.is_empty(), "the page's policy blocked: {blocked:?}");
    // And the policy is in force: a script put into the page runs no more than one in a
    // message would.
    let ran: bool = alice
        .eval(
            "try an injected inline script",
            "const s = document.createElement('script'); s.textContent = 'window.cspProbe = 1'; \
             document.body.appendChild(s); return window.cspProbe === 1;",
        )
        .await;
    assert!(
        !ran,
        "an inline script without the page's hash must not run"
    );

    scene.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reload_keeps_name_and_history() {
    let scene = Scene::with(&["carol"]).await;
    let carol = &scene.people[0];
    for text in ["one", "two", "three"] {
        carol.say(text).await;
    }
    carol.wait_bodies("three messages", |b| b.len() == 3).await;

    carol.client.refresh().await.unwrap();
    // No name prompt: the name is remembered, and the history comes back.
    carol.wait_connected().await;
    let bodies = carol
        .wait_bodies("history after reload", |b| b.len() == 3)
        .await;
    assert_eq!(bodies, ["one", "two", "three"]);
    scene.end().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_in_a_message_is_shown_as_text() {
    let scene = Scene::with(&["mallory", "dave"]).await;
    let [mallory, dave] = &scene.people[..] else {
        unreachable!("two names, two people")
    };

    let attack = "<img src=x onerror=alert(1)>";
    mallory.say(attack).await;
    let bodies = dave
        .wait_bodies("the message arrives", |b| !b.is_empty())
        .await;
    assert_eq!(bodies, [attack]);
    let images = dave
        .client
        .find_all(Locator::Css("[role=log] img"))
        .await
        .unwrap();
    assert!(images.is_empty(), "the markup must not become an element");
    assert!(dave.client.get_alert_text().await.is_err(), "no script ran");

    scene.end().await;
}
