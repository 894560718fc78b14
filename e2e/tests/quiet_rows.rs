//! The page's state is as fine as what changes: people coming and going (presence
//! frames) leave every row of the message list untouched, and deleting one message
//! changes that message's row alone. Watched with a MutationObserver on the list.

use confab_e2e::bot::Bot;
use confab_e2e::{Person, Scene, eventually};
use serde::Deserialize;

/// Starts recording every change under the message list, and marks the rows shown,
/// so that a row drawn anew (a new element) is told from one left in place.
const WATCH: &str = r#"
const list = document.querySelector('[role=log]');
if (window.watcher) window.watcher.disconnect();
window.changes = [];
window.watcher = new MutationObserver((records) => window.changes.push(...records));
window.watcher.observe(list, { subtree: true, childList: true, attributes: true, characterData: true });
for (const row of list.querySelectorAll('article.msg, .room-note')) row.kept = true;
return null;
"#;

/// What was recorded since [`WATCH`], leaving out changes inside `window.target`
/// (the row being deleted) and its removal; and whether every row shown is one that
/// was there when watching began.
const SEEN: &str = r#"
const list = document.querySelector('[role=log]');
const target = window.target;
const records = window.changes.concat(window.watcher.takeRecords());
const describe = (node) => node.nodeType === 1
  ? `${node.tagName.toLowerCase()}.${node.className}` : `#${node.nodeName}`;
const removesTarget = (r) => r.type === 'childList' && r.addedNodes.length === 0
  && r.removedNodes.length > 0 && [...r.removedNodes].every((n) => n === target);
const stray = records
  .filter((r) => !(target && (target.contains(r.target) || removesTarget(r))))
  .map((r) => `${r.type} ${describe(r.target)} ${r.attributeName || ''}`
    + ` +${[...r.addedNodes].map(describe)} -${[...r.removedNodes].map(describe)}`);
const rows = [...list.querySelectorAll('article.msg, .room-note')];
return {
  stray,
  removed: records.some(removesTarget),
  kept: rows.every((row) => row.kept),
  rows: rows.length,
};
"#;

#[derive(Debug, Deserialize)]
struct Seen {
    /// Changes outside the deleted row, described.
    stray: Vec<String>,
    /// The deleted row was taken out of the list.
    removed: bool,
    /// Every row shown was there before.
    kept: bool,
    rows: usize,
}

async fn online(person: &Person, count: u32) {
    let script = "return document.querySelector('.online-count .count').textContent;";
    eventually(&format!("{count} online"), || async {
        let shown: String = person.eval("read the online count", script).await;
        (shown.trim() == count.to_string()).then_some(())
    })
    .await;
}

/// Waits for two animation frames, so that whatever the page would redraw is drawn.
async fn settle(person: &Person) {
    let script = "const done = arguments[0];\
                  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 200)));";
    person
        .client
        .execute_async(script, vec![])
        .await
        .expect("wait for frames");
}

#[tokio::test(flavor = "multi_thread")]
async fn presence_leaves_the_rows_alone_and_a_deletion_changes_one_row() {
    let scene = Scene::with(&["ann"]).await;
    let ann = &scene.people[0];
    let addr = scene.server.addr;
    let mut bob = Bot::join(addr, "bob", "general").await;
    bob.say("one").await;
    ann.wait_bodies("bob's message", |b| b.iter().any(|m| m == "one"))
        .await;
    ann.say("two").await;
    ann.wait_bodies("ann's message", |b| b.iter().any(|m| m == "two"))
        .await;
    let mut cat = Bot::join(addr, "cat", "general").await;
    cat.say("three").await;
    ann.wait_bodies("all three", |b| {
        b.ends_with(&["one".into(), "two".into(), "three".into()])
    })
    .await;
    // Ann's message is settled (stored, with its menu) before watching begins.
    eventually("ann's message is stored", || async {
        let script = "return [...document.querySelectorAll('article.msg')]\
                      .some((a) => a.querySelector('.body').textContent === 'two' \
                      && a.querySelector('button.more') !== null);";
        ann.eval::<bool>("find ann's menu", script)
            .await
            .then_some(())
    })
    .await;
    online(ann, 3).await;
    settle(ann).await;

    // People come and go: the header says so, the list does not move.
    let _: Option<bool> = ann.eval("watch the list", WATCH).await;
    cat.leave().await;
    online(ann, 2).await;
    bob.leave().await;
    online(ann, 1).await;
    let bob = Bot::join(addr, "bob", "general").await;
    online(ann, 2).await;
    let cat = Bot::join(addr, "cat", "general").await;
    online(ann, 3).await;
    settle(ann).await;
    let seen: Seen = ann.eval("what presence changed", SEEN).await;
    assert!(
        seen.stray.is_empty(),
        "presence changed the list: {:?}",
        seen.stray
    );
    assert!(seen.kept, "a row was drawn anew: {seen:?}");

    // Ann deletes her message: its row goes, the others stay as they were.
    let _: Option<bool> = ann.eval("watch the list", WATCH).await;
    let open = r#"
        const row = [...document.querySelectorAll('article.msg')]
          .find((a) => a.querySelector('.body').textContent === 'two');
        window.target = row;
        row.querySelector('button.more').click();
        return null;
    "#;
    let _: Option<bool> = ann.eval("open the message's menu", open).await;
    let delete = r#"
        const item = [...window.target.querySelectorAll('[role=menu] button')]
          .find((b) => b.textContent === 'Delete message');
        if (!item) return false;
        item.click();
        return true;
    "#;
    eventually("the Delete item", || async {
        ann.eval::<bool>("press Delete", delete).await.then_some(())
    })
    .await;
    ann.wait_bodies("the message is gone", |b| !b.iter().any(|m| m == "two"))
        .await;
    settle(ann).await;
    let seen: Seen = ann.eval("what the deletion changed", SEEN).await;
    assert!(seen.removed, "the deleted row was not removed: {seen:?}");
    assert!(
        seen.stray.is_empty(),
        "the deletion changed other rows: {:?}",
        seen.stray
    );
    assert!(seen.kept, "a row was drawn anew: {seen:?}");
    assert!(seen.rows >= 2, "{seen:?}");

    bob.leave().await;
    cat.leave().await;
    scene.end().await;
}
