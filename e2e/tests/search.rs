//! Search in a real browser: the search dialog (the header's button) finds a message
//! from far back in the room's history, marks the words found, and a click opens it
//! in context: the page around it loads (one request, however far back), the list
//! goes to its line and marks it, and below it offers the newest; a two-character
//! Chinese word said in the room is found too.

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

    // Opening it: above the newest 50, so the page around it loads first.
    reader
        .click(Locator::Css(".search-results button.result"))
        .await;
    assert_eq!(marked_line(reader).await, "seed 417");

    // Further back still (the oldest result, some 480 messages up): only the page
    // around it loads. Below it the list offers what follows, and the newest.
    reader.click(Locator::Css("button.search-toggle")).await;
    search_for(reader, "seed 17").await;
    eventually("the results again", || async {
        (results(reader).await.len() >= 3).then_some(())
    })
    .await;
    reader
        .click(Locator::Css(".search-results li:last-child button.result"))
        .await;
    assert_eq!(marked_line(reader).await, "seed 17");
    reader.screenshot("search-in-context").await;
    reader
        .eval::<()>(
            "scroll to the end of that page",
            "const list = document.querySelector('[role=log]'); list.scrollTop = list.scrollHeight;",
        )
        .await;
    // The page: up to 51 messages at or before it, 49 after (docs/protocol.md).
    let last = reader.bodies().await.pop().unwrap_or_default();
    let seed: u64 = last.trim_start_matches("seed ").parse().unwrap_or(u64::MAX);
    assert!(seed < 100, "the page around it ends near it, at {last:?}");
    reader.click(Locator::Css(".load-newer button.jump")).await;
    reader
        .wait_bodies("the newest again", |b| {
            b.last().is_some_and(|last| last == "明天的会议在三楼")
        })
        .await;

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

/// The text of the line marked as the result opened, once it is in view.
async fn marked_line(person: &Person) -> String {
    let marked: (String, bool) = eventually("the result's line, marked and in view", || async {
        let line: Option<(String, bool)> = person
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
    marked.0
}
