//! People's presence in the browser: ann sees a green dot beside bob's name on his
//! message and in the members list while his window is open, a hollow one while his
//! tab is hidden (away), and none once he closes it; read out as words.

use confab_e2e::tab::set_hidden;
use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

/// The presence shown beside bob's name on his message: its class, and its words.
async fn dot_on_message(person: &Person) -> Option<(String, String)> {
    person
        .eval(
            "the dot on bob's message",
            "const a = [...document.querySelectorAll('article.msg')]\
               .find(a => a.querySelector('.author')?.textContent === 'bob');\
             const dot = a && a.querySelector('header .presence');\
             return dot ? [dot.className, dot.textContent] : null;",
        )
        .await
}

async fn wait_dot(person: &Person, wanted: Option<&str>, what: &str) {
    eventually(what, || async {
        let dot = dot_on_message(person).await;
        (dot.as_ref().map(|(class, _)| class.as_str()) == wanted).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dot_shows_who_is_online_and_goes_when_they_leave() {
    let mut scene = Scene::with_accounts(&["ann", "bob"]).await;
    let bob = scene.people.pop().expect("bob");
    let ann = &scene.people[0];
    bob.say("hi ann").await;
    ann.wait_bodies("bob's message", |b| b == ["hi ann"]).await;
    wait_dot(ann, Some("presence online"), "bob shows online").await;
    let (_, said) = dot_on_message(ann).await.expect("a dot");
    assert_eq!(said, " (online)", "said in words");

    // In the members list too.
    ann.click(Locator::Css("button.online-count")).await;
    ann.find(Locator::XPath(
        "//aside[@aria-label='Members']//li[contains(., 'bob')]//span[@class='presence online']",
    ))
    .await;

    // Bob's tab hidden: away.
    set_hidden(&bob, true).await;
    wait_dot(ann, Some("presence away"), "bob shows away").await;
    set_hidden(&bob, false).await;
    // Back on his next input with the tab shown.
    bob.find(Locator::Css("textarea#message"))
        .await
        .send_keys("x")
        .await
        .expect("type");
    wait_dot(ann, Some("presence online"), "bob is back").await;

    // Bob closes his window: the dot goes.
    bob.close().await;
    wait_dot(ann, None, "bob's dot goes").await;
    scene.end().await;
}
