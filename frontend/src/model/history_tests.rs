//! A page opened far back (a search result) is an island below a gap: the list's
//! windows stay on one side of it, the reader loads it from either side until it
//! closes, another result opened further back replaces the island, and a snapshot
//! forgets it.

use confab_shared::{ClientMsg, RequestId, Seq, ServerMsg};

use super::tests::{chat, chat_message, newest_of_general, room};
use super::{Chat, Gap, Window};

fn page(
    seqs: impl Iterator<Item = Seq>,
    asked: &str,
    has_more: bool,
    has_newer: bool,
) -> ServerMsg {
    ServerMsg::History {
        room: room("general"),
        messages: seqs
            .map(|s| chat_message("general", s, "bob", &format!("c{s}")))
            .collect(),
        has_more,
        request_id: RequestId::new(asked).ok(),
        has_newer,
        thread: None,
        root: None,
        tombstones: Vec::new(),
    }
}

fn seqs(chat: &Chat, window: Window) -> Vec<Seq> {
    chat.rows_in(window).iter().map(|r| r.seq).collect()
}

/// The newest 201..=250 loaded, and the page around 120 (70..=169) opened.
fn island() -> Chat {
    let mut chat = chat();
    chat.apply(newest_of_general(300, 201..=250, true));
    chat.open_result(room("general"), 120, None);
    chat.apply(page(70..=169, "around", true, true));
    chat
}

fn gap(chat: &Chat) -> Option<Gap> {
    chat.current_room().and_then(|r| r.gap)
}

#[test]
fn the_page_around_a_result_leaves_a_gap_that_windows_do_not_cross() {
    let chat = island();
    assert_eq!(
        gap(&chat),
        Some(Gap {
            after: 169,
            before: 201
        })
    );
    let room = chat.current_room().unwrap();
    let at_result = Window::from_line(room, 120, 10, 150);
    assert_eq!(seqs(&chat, at_result), (110..=169).collect::<Vec<_>>());
    assert!(at_result.newer_to_load(room), "the gap is below");
    assert!(
        at_result.later(room, 25, 150).newer_to_load(room),
        "and stays below"
    );
    let newest = Window::newest(room, 150);
    assert_eq!(seqs(&chat, newest), (201..=250).collect::<Vec<_>>());
    assert!(newest.earlier_to_load(room), "the gap is above");
    assert!(!newest.newer_to_load(room));
    assert_eq!(
        newest.earlier(room, 25, 150).lo,
        201,
        "no line past the gap"
    );
}

#[test]
fn the_gap_loads_from_below_until_it_closes() {
    let mut chat = island();
    assert!(matches!(
        chat.load_newer(),
        Some(ClientMsg::History {
            around: Some(169),
            before: None,
            ..
        })
    ));
    assert_eq!(chat.load_newer(), None, "one request at a time");
    chat.apply(page(119..=200, "newer", true, true));
    assert_eq!(
        gap(&chat),
        Some(Gap {
            after: 200,
            before: 201
        }),
        "nothing said it is empty"
    );
    assert!(chat.load_newer().is_some());
    chat.apply(page(150..=250, "newer", true, false));
    assert_eq!(gap(&chat), None);
    assert_eq!(seqs(&chat, Window::ALL), (70..=250).collect::<Vec<_>>());
    assert_eq!(chat.load_newer(), None, "nothing left between");
}

#[test]
fn the_gap_loads_from_above_until_it_closes() {
    let mut chat = island();
    assert!(matches!(
        chat.load_earlier(201),
        Some(ClientMsg::History {
            before: Some(201),
            around: None,
            ..
        })
    ));
    chat.apply(page(180..=200, "earlier", true, false));
    assert_eq!(
        gap(&chat),
        Some(Gap {
            after: 169,
            before: 180
        })
    );
    assert!(
        chat.current_room().unwrap().has_earlier(),
        "older than the island too"
    );
    assert!(matches!(
        chat.load_earlier(180),
        Some(ClientMsg::History {
            before: Some(180),
            ..
        })
    ));
    chat.apply(page(100..=179, "earlier", true, false));
    assert_eq!(gap(&chat), None);
    // Above the island: the room's earlier history, as before.
    assert!(matches!(
        chat.load_earlier(70),
        Some(ClientMsg::History {
            before: Some(70),
            ..
        })
    ));
}

#[test]
fn a_result_further_back_replaces_the_island_and_a_snapshot_forgets_it() {
    let mut chat = island();
    let frames = chat.open_result(room("general"), 130, None);
    assert!(frames.is_empty(), "in the island: no request, {frames:?}");
    assert_eq!(chat.go_to_opened(), Some(130));
    chat.went_to_opened();
    let frames = chat.open_result(room("general"), 30, None);
    assert!(
        matches!(
            frames.as_slice(),
            [ClientMsg::History {
                around: Some(30),
                ..
            }]
        ),
        "{frames:?}"
    );
    chat.apply(page(1..=60, "around", false, true));
    assert_eq!(
        gap(&chat),
        Some(Gap {
            after: 60,
            before: 201
        })
    );
    assert!(
        !chat.current_room().unwrap().has_earlier(),
        "the room's first message is here"
    );
    let held: Vec<Seq> = chat
        .current_room()
        .unwrap()
        .messages
        .keys()
        .copied()
        .collect();
    assert_eq!(held, (1..=60).chain(201..=250).collect::<Vec<_>>());
    chat.apply(newest_of_general(400, 351..=400, true));
    assert_eq!(gap(&chat), None);
    assert_eq!(seqs(&chat, Window::ALL), (351..=400).collect::<Vec<_>>());
}

#[test]
fn a_page_around_a_result_near_the_newest_joins_them() {
    let mut chat = chat();
    chat.apply(newest_of_general(300, 201..=250, true));
    chat.open_result(room("general"), 190, None);
    chat.apply(page(140..=239, "around", true, true));
    assert_eq!(gap(&chat), None);
    assert_eq!(seqs(&chat, Window::ALL), (140..=250).collect::<Vec<_>>());
}
