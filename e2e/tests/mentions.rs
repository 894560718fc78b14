//! Mentions in the browser: bob types "@a", is offered ann's name and takes it with
//! Tab; ann's page marks the message and her name in it, bob's shows the name
//! picked out but nothing of his own; axe-core finds nothing grave in either.

use confab_e2e::{Scene, axe, eventually};
use fantoccini::Locator;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

#[tokio::test(flavor = "multi_thread")]
async fn a_mention_is_completed_and_marked_for_the_one_it_names() {
    let scene = Scene::with(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    let composer = bob.find(Locator::Css("textarea#message")).await;
    composer.send_keys("hi @a").await.expect("type");
    let offered: Vec<String> = eventually("ann's name is offered", || async {
        let names: Vec<String> = bob
            .eval(
                "the names offered",
                "return [...document.querySelectorAll('#mention-offer [role=option]')]\
                 .map(o => o.textContent)",
            )
            .await;
        (!names.is_empty()).then_some(names)
    })
    .await;
    assert_eq!(offered, ["@ann"]);
    axe::assert_no_grave_violations(bob, "names offered for a mention").await;
    composer.send_keys(TAB).await.expect("take it");
    let typed: String = bob
        .eval(
            "the box",
            "return document.querySelector('textarea#message').value",
        )
        .await;
    assert_eq!(typed, "hi @ann ");
    composer
        .send_keys(&format!("look{ENTER}"))
        .await
        .expect("send");
    ann.wait_bodies("ann gets it", |b| b == ["hi @ann look"])
        .await;

    let marks = "const a = document.querySelector('article.msg');\
                 const m = a.querySelector('.body .at-name');\
                 return [a.classList.contains('mentions-me'), m.textContent, \
                         m.classList.contains('at-me')];";
    let (marked, name, mine): (bool, String, bool) = ann.eval("ann's marks", marks).await;
    assert_eq!((marked, name.as_str(), mine), (true, "@ann", true));
    bob.wait_bodies("bob's own", |b| b == ["hi @ann look"])
        .await;
    let (marked, name, mine): (bool, String, bool) = bob.eval("bob's marks", marks).await;
    assert_eq!((marked, name.as_str(), mine), (false, "@ann", false));
    axe::assert_no_grave_violations(ann, "a message that mentions the reader").await;
    scene.end().await;
}
