//! The room browser: bob lists the public rooms (most members first, with topics
//! and member counts), filters them by typing, and joins one in one click; a
//! private room is not listed; axe-core finds nothing grave in the dialog.

use confab_e2e::rooms::{create_room, wait_in_room};
use confab_e2e::{Person, Scene, axe, eventually};
use fantoccini::Locator;

/// The rooms listed: name, topic, members.
async fn listed(person: &Person) -> Vec<(String, String, String)> {
    person
        .eval(
            "the rooms listed",
            "return [...document.querySelectorAll('.found-rooms li')].map(li => [\
               li.querySelector('.found-name').textContent,\
               li.querySelector('.found-topic')?.textContent ?? '',\
               li.querySelector('.found-members').textContent])",
        )
        .await
}

async fn wait_listed(person: &Person, what: &str, names: &[&str]) -> Vec<(String, String, String)> {
    eventually(what, || async {
        let rooms = listed(person).await;
        let shown: Vec<&str> = rooms.iter().map(|r| r.0.as_str()).collect();
        (shown == names).then_some(rooms)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn public_rooms_are_browsed_filtered_and_joined() {
    let scene = Scene::with_accounts(&["ann", "bob"]).await;
    let [ann, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    // Ann makes "design" with a topic, "devops", and a private "secret".
    ann.click(Locator::Css("button.new-room-toggle")).await;
    let name = ann.find(Locator::Css("input#new-room-name")).await;
    name.send_keys("design").await.expect("type the name");
    let topic = ann.find(Locator::Css("input#new-room-topic")).await;
    topic
        .send_keys("pixels and type")
        .await
        .expect("type the topic");
    ann.click(Locator::Css("form#new-room button[type=submit]"))
        .await;
    wait_in_room(ann, "design").await;
    create_room(ann, "devops", false).await;
    create_room(ann, "secret", true).await;

    bob.click(Locator::Css("button.browse-rooms-toggle")).await;
    let rooms = wait_listed(
        bob,
        "every public room",
        &["#general", "#design", "#devops"],
    )
    .await;
    assert_eq!(
        rooms[..2],
        [
            ("#general".to_owned(), String::new(), "2 members".to_owned()),
            (
                "#design".to_owned(),
                "pixels and type".to_owned(),
                "1 member".to_owned()
            ),
        ]
    );
    axe::assert_no_grave_violations(bob, "the room browser").await;

    // Typing filters, by name or topic.
    let search = bob.find(Locator::Css("input#room-browser-query")).await;
    search.send_keys("pix").await.expect("type a query");
    wait_listed(bob, "the rooms whose topic matches", &["#design"]).await;

    // One click joins it.
    bob.click(Locator::Css(".found-rooms button.join-found"))
        .await;
    wait_in_room(bob, "design").await;
    let dialog: bool = bob
        .eval(
            "the dialog",
            "return document.querySelector('[role=dialog]') !== null",
        )
        .await;
    assert!(!dialog, "the dialog closes");
    bob.say("hello design").await;
    ann.click(Locator::XPath(
        "//ul[@class='rooms']//button[@class='room-link'][contains(., 'design')]",
    ))
    .await;
    ann.wait_bodies("ann reads bob in design", |b| b == ["hello design"])
        .await;
    scene.end().await;
}
