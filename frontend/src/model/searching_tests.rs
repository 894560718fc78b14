//! Search on the page: the latest request's answer is shown (an older one dropped),
//! its words marked; a refusal is said; opening a result further back than what is
//! loaded asks for the page around it, then the list goes to it and its line is
//! marked (the gap that page leaves: `history_tests.rs`).

use confab_shared::{ClientMsg, ErrorCode, RequestId, SearchHit, ServerMsg};

use super::tests::{chat, chat_message, newest_of_general, room};
use super::window::Window;

fn request_of(frame: &Option<ClientMsg>) -> Option<RequestId> {
    match frame {
        Some(ClientMsg::Search { request_id, .. }) => request_id.clone(),
        other => panic!("expected a search, got {other:?}"),
    }
}

fn results(request: Option<RequestId>, seq: u64, body_matches: Vec<[u32; 2]>) -> ServerMsg {
    let mut message = chat_message("random", seq, "bob", &format!("r{seq}"));
    message.body = confab_shared::MessageBody::new("the budget plan").unwrap();
    ServerMsg::SearchResults {
        request_id: request,
        results: vec![SearchHit {
            message,
            matches: body_matches,
        }],
        older_than: None,
    }
}

#[test]
fn the_latest_answer_is_shown_with_its_words_marked() {
    let mut chat = chat();
    let first = request_of(&chat.search("budget", false));
    let second = request_of(&chat.search("budget plan", false));
    assert_ne!(first, second);
    // The first one's answer comes late: dropped.
    chat.apply(results(first, 3, vec![[4, 10]]));
    assert!(chat.search_view().lines.is_empty());
    assert!(chat.search_view().loading);
    chat.apply(results(second, 5, vec![[4, 10], [11, 15]]));
    let view = chat.search_view();
    assert!(!view.loading && !view.more);
    assert_eq!(view.lines.len(), 1);
    assert_eq!(
        view.lines[0].pieces,
        [
            ("the ".to_owned(), false),
            ("budget".to_owned(), true),
            (" ".to_owned(), false),
            ("plan".to_owned(), true),
        ]
    );
    // A refusal of the latest is said.
    let third = request_of(&chat.search("ok", false));
    chat.apply(ServerMsg::Error {
        code: ErrorCode::BadRequest,
        message: "search for a word of three letters or more".to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: None,
        request_id: third,
    });
    assert!(
        chat.search_view()
            .refused
            .is_some_and(|r| r.contains("three letters"))
    );
    assert!(chat.notice.is_none(), "said in the list, not as a notice");
}

#[test]
fn opening_a_result_further_back_loads_the_page_around_it_then_goes_to_it() {
    let mut chat = chat();
    chat.apply(newest_of_general(300, 201..=250, true));
    let frames = chat.open_result(room("general"), 120, None);
    assert!(
        matches!(
            frames.as_slice(),
            [ClientMsg::History {
                around: Some(120),
                before: None,
                ..
            }]
        ),
        "{frames:?}"
    );
    assert_eq!(chat.go_to_opened(), None, "not loaded yet");
    chat.apply(ServerMsg::History {
        room: room("general"),
        messages: (70..=169)
            .map(|s| chat_message("general", s, "bob", &format!("c{s}")))
            .collect(),
        has_more: true,
        request_id: RequestId::new("around").ok(),
        has_newer: true,
        thread: None,
        root: None,
        tombstones: Vec::new(),
    });
    assert!(chat.take_outgoing().is_empty(), "there now: one request");
    assert_eq!(chat.go_to_opened(), Some(120));
    chat.went_to_opened();
    assert_eq!(chat.go_to_opened(), None);
    let marked: Vec<u64> = chat
        .rows_in(Window::ALL)
        .iter()
        .filter(|r| r.found)
        .map(|r| r.seq)
        .collect();
    assert_eq!(marked, [120]);
}

#[test]
fn a_reply_found_opens_in_its_thread() {
    let mut chat = chat();
    let request = request_of(&chat.search("budget", false));
    let mut hit = results(request, 9, vec![[4, 10]]);
    if let ServerMsg::SearchResults { results, .. } = &mut hit {
        results[0].message.thread = Some(confab_shared::Thread {
            root: 4,
            replies: 2,
            last_reply_at: None,
            in_room: false,
        });
    }
    chat.apply(hit);
    let line = chat.search_view().lines.remove(0);
    assert_eq!(line.thread, Some(4));
    let frames = chat.open_result(line.room, line.seq, line.thread);
    assert!(
        frames.iter().any(|f| matches!(
            f,
            ClientMsg::History {
                thread: Some(4),
                ..
            }
        )),
        "{frames:?}"
    );
    assert_eq!(chat.thread.as_ref().map(|t| t.root), Some(4));
}
