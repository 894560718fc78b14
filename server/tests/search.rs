//! Search from outside (docs/protocol.md, `search`): every term, without case,
//! anywhere in a message's current text, newest first, in pages; never a message of
//! a room the searcher cannot read, nor a deleted one, nor a word edited away; a
//! two-character Chinese word and a longer one are found; the index catches up after
//! a restart; the reply carries the request's id; `history` with `around` gives the
//! messages around a search result.

mod common;

use std::time::{Duration, Instant};

use common::{Client, TestServer};
use confab_shared::{ErrorCode, SearchHit, ServerMsg};
use serde_json::{Value, json};

/// Asks `search` (the fields of `ask` beside `type` and `request_id`); gives the
/// results' texts and the next page's `older_than`.
async fn search(client: &mut Client, ask: Value) -> (Vec<SearchHit>, Option<i64>) {
    let mut frame = ask;
    frame["type"] = json!("search");
    frame["request_id"] = json!("q1");
    client.send_json(frame).await;
    match client
        .recv_until(|m| matches!(m, ServerMsg::SearchResults { .. } | ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::SearchResults {
            request_id,
            results,
            older_than,
        } => {
            assert_eq!(request_id.as_ref().map(|r| r.as_str()), Some("q1"));
            (results, older_than)
        }
        other => panic!("{}: expected results, got {other:?}", client.name),
    }
}

fn texts(hits: &[SearchHit]) -> Vec<String> {
    hits.iter().map(|h| h.message.body.to_string()).collect()
}

/// Searches until the texts found are `want` (the index trails commits by a moment).
async fn until_found(client: &mut Client, ask: Value, want: &[&str]) -> Vec<SearchHit> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (hits, _) = search(client, ask.clone()).await;
        if texts(&hits) == want {
            return hits;
        }
        assert!(
            Instant::now() < deadline,
            "{}: {ask} found {:?}, not {want:?}",
            client.name,
            texts(&hits)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn search_finds_every_term_in_rooms_one_may_read_as_the_text_is_now() {
    let server = TestServer::start().await;
    let mut ann = Client::sign_up(&server, "ann").await;
    let mut bob = Client::sign_up(&server, "bob").await;
    ann.send_json(json!({ "type": "create_room", "room": "vault", "private": true }))
        .await;
    ann.recv_until(|m| matches!(m, ServerMsg::Room(_))).await;
    ann.send_join("vault", None).await;
    ann.recv_until(|m| matches!(m, ServerMsg::Joined { .. }))
        .await;
    ann.join("general", None).await;
    bob.join("general", None).await;
    ann.send_acked("vault", "v1", "the budget plan is secret")
        .await;
    ann.send_acked("general", "g1", "The Budget PLAN for next year")
        .await;
    let (_, doomed) = ann
        .send_acked("general", "g2", "budget plan draft, delete me")
        .await;
    let (_, edited) = ann.send_acked("general", "g3", "budget plan, typo").await;
    bob.send_acked("general", "g4", "明天的会议在三楼").await;
    bob.send_acked("general", "g5", "会議室はどこですか").await;

    // Ann reads both rooms; every term, any case, newest first.
    until_found(
        &mut ann,
        json!({ "query": "plan BUDGET" }),
        &[
            "budget plan, typo",
            "budget plan draft, delete me",
            "The Budget PLAN for next year",
            "the budget plan is secret",
        ],
    )
    .await;
    // Bob is no member of the private room: never its messages.
    until_found(
        &mut bob,
        json!({ "query": "budget plan" }),
        &[
            "budget plan, typo",
            "budget plan draft, delete me",
            "The Budget PLAN for next year",
        ],
    )
    .await;
    bob.send_json(
        json!({ "type": "search", "request_id": "q2", "query": "secret", "room": "vault" }),
    )
    .await;
    match bob
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error {
            code, request_id, ..
        } => {
            assert_eq!(code, ErrorCode::NotFound);
            assert_eq!(request_id.map(|r| r.to_string()).as_deref(), Some("q2"));
        }
        _ => unreachable!(),
    }

    // Deleted, and edited away: gone from search; the new word is found.
    ann.send_json(json!({ "type": "delete_message", "room": "general", "id": doomed }))
        .await;
    ann.send_json(json!({
        "type": "edit_message", "room": "general", "id": edited,
        "client_id": "e1", "body": "forecast, fixed"
    }))
    .await;
    until_found(
        &mut bob,
        json!({ "query": "budget plan" }),
        &["The Budget PLAN for next year"],
    )
    .await;
    until_found(
        &mut bob,
        json!({ "query": "forecast" }),
        &["forecast, fixed"],
    )
    .await;

    // Chinese and Japanese: two characters, and more; the matches as offsets.
    let hits = until_found(&mut ann, json!({ "query": "会议" }), &["明天的会议在三楼"]).await;
    assert_eq!(hits[0].matches, [[3, 5]]);
    until_found(
        &mut ann,
        json!({ "query": "会議室" }),
        &["会議室はどこですか"],
    )
    .await;
    // Filters: a room, an author, a time.
    until_found(
        &mut ann,
        json!({ "query": "plan", "room": "vault" }),
        &["the budget plan is secret"],
    )
    .await;
    until_found(&mut ann, json!({ "query": "三楼", "from": "ann" }), &[]).await;
    until_found(
        &mut ann,
        json!({ "query": "三楼", "from": "bob" }),
        &["明天的会议在三楼"],
    )
    .await;
    until_found(
        &mut ann,
        json!({ "query": "plan", "before": "2000-01-01" }),
        &[],
    )
    .await;

    // Too short to look up: refused, saying why, with the request's id.
    ann.send_json(json!({ "type": "search", "request_id": "q3", "query": "ok" }))
        .await;
    match ann
        .recv_until(|m| matches!(m, ServerMsg::Error { .. }))
        .await
    {
        ServerMsg::Error {
            code, request_id, ..
        } => {
            assert_eq!(code, ErrorCode::BadRequest);
            assert_eq!(request_id.map(|r| r.to_string()).as_deref(), Some("q3"));
        }
        _ => unreachable!(),
    }
    server.stop().await;
}

#[tokio::test]
async fn results_come_in_pages_the_index_survives_a_restart_and_history_opens_one_in_context() {
    let server = TestServer::start().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    let mut seqs = Vec::new();
    for n in 1..=12 {
        let body = if n % 2 == 0 {
            format!("lunch #{n}")
        } else {
            format!("work #{n}")
        };
        seqs.push(ann.send_acked("general", &format!("m{n}"), &body).await.0);
    }
    let server = server.restart().await;
    let mut ann = server.client("ann").await;
    ann.join("general", None).await;
    let first = until_found(
        &mut ann,
        json!({ "query": "lunch", "public": true, "limit": 4 }),
        &["lunch #12", "lunch #10", "lunch #8", "lunch #6"],
    )
    .await;
    let (_, older_than) = search(
        &mut ann,
        json!({ "query": "lunch", "public": true, "limit": 4 }),
    )
    .await;
    assert_eq!(older_than, Some(first[3].message.id));
    let (rest, older_than) = search(
        &mut ann,
        json!({ "query": "lunch", "public": true, "limit": 4, "older_than": first[3].message.id }),
    )
    .await;
    assert_eq!(texts(&rest), ["lunch #4", "lunch #2"]);
    assert_eq!(older_than, None, "the last page");

    // Opening "lunch #6" in context: the messages around it.
    let around = first[3].message.seq;
    ann.send_json(json!({
        "type": "history", "room": "general", "around": around, "limit": 5, "request_id": "h1"
    }))
    .await;
    match ann
        .recv_until(|m| matches!(m, ServerMsg::History { .. }))
        .await
    {
        ServerMsg::History {
            messages,
            has_more,
            has_newer,
            request_id,
            ..
        } => {
            let got: Vec<u64> = messages.iter().map(|m| m.seq).collect();
            assert_eq!(got, [seqs[3], seqs[4], seqs[5], seqs[6], seqs[7]]);
            assert!(has_more && has_newer);
            assert_eq!(request_id.map(|r| r.to_string()).as_deref(), Some("h1"));
        }
        _ => unreachable!(),
    }
    server.stop().await;
}
