//! Formatting in a real browser: what one person types as Markdown the other sees
//! formatted (bold, code, a link to the web, a bare URL made a link), while a script
//! tag, an HTML attribute and a `javascript:` link stay text and run nothing.

use confab_e2e::Scene;

#[tokio::test(flavor = "multi_thread")]
async fn markdown_is_formatted_and_a_payload_stays_text() {
    let scene = Scene::with(&["alice", "bob"]).await;
    let [alice, bob] = &scene.people[..] else {
        unreachable!("two names, two people")
    };
    let typed = "**bold** and `x < y`, [docs](https://example.com/docs) or \
                 [click](javascript:window.pwned=1) <img src=x onerror=window.pwned=2> \
                 <script>window.pwned=3</script> see https://example.org/a_(b).";
    alice.say(typed).await;
    let shown = "bold and x < y, docs or click <img src=x onerror=window.pwned=2> \
                 <script>window.pwned=3</script> see https://example.org/a_(b).";
    bob.wait_bodies("bob sees it formatted", |b| b == [shown])
        .await;
    let seen: serde_json::Value = bob
        .eval(
            "read the formatting",
            "const body = document.querySelector('[role=log] article.msg .body');\
             return {\
               strong: [...body.querySelectorAll('strong')].map(e => e.textContent),\
               code: [...body.querySelectorAll('code')].map(e => e.textContent),\
               links: [...body.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.rel, a.target]),\
               elements: [...body.querySelectorAll('script, img, [onerror]')].length,\
               pwned: window.pwned === undefined ? null : window.pwned,\
             };",
        )
        .await;
    assert_eq!(seen["strong"], serde_json::json!(["bold"]));
    assert_eq!(seen["code"], serde_json::json!(["x < y"]));
    assert_eq!(
        seen["links"],
        serde_json::json!([
            ["https://example.com/docs", "noopener noreferrer", "_blank"],
            ["https://example.org/a_(b)", "noopener noreferrer", "_blank"]
        ]),
        "only the web links are links"
    );
    assert_eq!(seen["elements"], 0, "no element made of what was typed");
    assert_eq!(seen["pwned"], serde_json::Value::Null, "nothing ran");
    bob.screenshot("formatting").await;
    scene.end().await;
}
