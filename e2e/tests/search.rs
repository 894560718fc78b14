//! Search in a real browser: the search dialog (the header's button) finds a message
//! from far back in the room's history, marks the words found, and a click opens it
//! in context: the earlier pages load, the list goes to its line and marks it; a
//! two-character Chinese word said in the room is found too.

use confab_e2e::{Person, Scene, Server, eventually};
use fantoccini::Locator;

/// The results listed: each one's text and its marked words.
async fn results(person: &Person) -> Vec<(String, Vec<String>)> {
    person
        .eval(
            "read the results",
            "return [...document.querySelectorAll('.search-results .result-text')]\
               .map((r) => [r.textContent, [...r.querySelectorAll('mark')].map((m) => m.textContent)]);",
        )
        .await
}

async fn search_for(person: &Person, words: &str) {
    let field = person.find(Locator::Css("input#search-query")).await;
    field.clear().await.expect("clear the search box");
    field.send_keys(words).await.expect("type the words");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_result_far_back_opens_in_context_and_cjk_is_found() {
    let server = Server::start_with_history("general", 500).await;
    let scene = Scene::on(server, &["reader"]).await;
    let reader = &scene.people[0];
    reader
        .wait_bodies("the newest history", |b| {
            b.last().is_some_and(|last| last.starts_with("seed 500"))
        })
        .await;
    reader.say("明天的会议在三楼").await;

    reader.click(Locator::Css("button.search-toggle")).await;
    search_for(reader, "seed 17").await;
    let found = eventually("the results for 'seed 17'", || async {
        let now = results(reader).await;
        (now.len() >= 3).then_some(now)
    })
    .await;
    // Newest first, every word marked: 417 is the newest holding both.
    assert_eq!(found[0].0, "seed 417");
    assert_eq!(found[0].1, ["seed", "17"]);

    // Opening it: far above the newest 50, so earlier pages load first.
    reader
        .click(Locator::Css(".search-results button.result"))
        .await;
    let marked: (String, bool) = eventually("the result's line, marked and in view", || async {
        let line: Option<(String, bool)> = reader
            .eval(
                "find the marked line",
                "const line = document.querySelector('[role=log] article.msg.found');\
                 if (!line) return null;\
                 const list = document.querySelector('[role=log]').getBoundingClientRect();\
                 const box = line.getBoundingClientRect();\
                 return [line.querySelector('.body').textContent,\
                         box.top >= list.top && box.bottom <= list.bottom];",
            )
            .await;
        line.filter(|(_, visible)| *visible)
    })
    .await;
    assert_eq!(marked.0, "seed 417");

    // Chinese: a two-character word.
    reader.click(Locator::Css("button.search-toggle")).await;
    search_for(reader, "会议").await;
    eventually("the Chinese word found", || async {
        let now = results(reader).await;
        (now == [("明天的会议在三楼".to_owned(), vec!["会议".to_owned()])]).then_some(())
    })
    .await;
    reader.screenshot("search").await;
    scene.end().await;
}
