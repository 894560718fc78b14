//! The members list asks a page at a time and searches by name: ann, bob and cat
//! are members of general; typing "b" in the list's search box leaves bob alone,
//! clearing it brings everyone back.

use confab_e2e::{Person, Scene, eventually};
use fantoccini::Locator;

/// The names in the members list.
async fn members(person: &Person) -> Vec<String> {
    person
        .eval(
            "the members listed",
            "return [...document.querySelectorAll('aside.members-panel li .member-name')]\
             .map(e => e.firstChild.textContent)",
        )
        .await
}

async fn wait_members(person: &Person, what: &str, wanted: &[&str]) {
    eventually(what, || async {
        (members(person).await == wanted).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_members_list_is_searched_by_name() {
    let scene = Scene::with_accounts(&["ann", "bob", "cat"]).await;
    let ann = &scene.people[0];
    ann.click(Locator::Css("button.online-count")).await;
    wait_members(ann, "everyone", &["ann", "bob", "cat"]).await;
    let more: usize = ann
        .eval(
            "the show more button",
            "return document.querySelectorAll('.members-panel .show-more').length",
        )
        .await;
    assert_eq!(more, 0, "one page holds them all");
    let search = ann.find(Locator::Css("input#members-query")).await;
    search.send_keys("b").await.expect("type a name");
    wait_members(ann, "bob alone", &["bob"]).await;
    search
        .send_keys("\u{E003}")
        .await
        .expect("clear the search");
    wait_members(ann, "everyone again", &["ann", "bob", "cat"]).await;
    scene.end().await;
}
