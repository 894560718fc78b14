use confab_shared::{
    ChatMessage, ClientId, MessageBody, RoomEvent, RoomName, ServerMsg, UserId, UserName,
};

use super::*;
use crate::model::{Chat, Row};

const SIZE: usize = 150;
const STEP: usize = 50;

fn stored(seq: Seq) -> ChatMessage {
    // Runs of three lines per author, so grouping crosses window edges.
    let author = ["ann", "bob", "me"][(seq / 3 % 3) as usize];
    ChatMessage {
        room: RoomName::new("general").unwrap(),
        seq,
        id: seq as i64,
        client_id: ClientId::new(format!("c{seq}")).unwrap(),
        author: UserName::new(author).unwrap(),
        author_id: UserId::guest(&UserName::new(author).unwrap()),
        body: MessageBody::new(format!("m{seq}")).unwrap(),
        ts: "2026-11-26T13:00:00.000Z".to_owned(),
        edited_at: None,
        reactions: Vec::new(),
        thread: None,
    }
}

/// A chat whose current room holds `seqs`.
fn chat_with(seqs: impl IntoIterator<Item = Seq>) -> Chat {
    let general = RoomName::new("general").unwrap();
    let mut c = Chat::new(UserName::new("me").unwrap(), [], general);
    for seq in seqs {
        c.apply(ServerMsg::Event(RoomEvent::message(stored(seq))));
    }
    c
}

fn room(c: &Chat) -> &Room {
    c.current_room().unwrap()
}

fn seqs(rows: &[Row]) -> Vec<Seq> {
    rows.iter().map(|r| r.seq).collect()
}

#[test]
fn a_window_shows_the_same_lines_as_the_whole_list() {
    // A hole at 500..=509 (a cut-short resume) and a pending line at the end.
    let mut c = chat_with((1..500).chain(510..=1000));
    c.queue_send(
        ClientId::new("p1").unwrap(),
        MessageBody::new("hi").unwrap(),
    );
    let all = c.rows_in(Window::ALL);
    for (lo, hi) in [
        (1, Some(3)),
        (4, Some(4)),
        (300, Some(520)),
        (505, Some(512)),
    ] {
        let part: Vec<Row> = all
            .iter()
            .filter(|r| r.seq >= lo && hi.is_some_and(|hi| r.seq <= hi))
            .cloned()
            .collect();
        assert_eq!(c.rows_in(Window { lo, hi }), part, "{lo}..={hi:?}");
    }
    let tail = c.rows_in(Window { lo: 990, hi: None });
    assert_eq!(
        tail,
        all[all.len() - 12..],
        "the newest and the pending line"
    );
    assert_eq!(tail.last().unwrap().seq, 0);
}

#[test]
fn the_newest_lines_and_a_walk_to_the_oldest_and_back() {
    let c = chat_with(1..=10_000);
    let newest = Window::newest(room(&c), SIZE);
    assert_eq!(newest, Window { lo: 9851, hi: None });
    assert!(!newest.shows_oldest(room(&c)));

    let mut window = newest;
    let mut moves = 0;
    while !window.shows_oldest(room(&c)) {
        let next = window.earlier(room(&c), STEP, SIZE);
        let (before, after) = (seqs(&c.rows_in(window)), seqs(&c.rows_in(next)));
        assert!(after.len() <= SIZE);
        assert_eq!(
            after[STEP..],
            before[..after.len() - STEP],
            "lines kept where they were"
        );
        window = next;
        moves += 1;
    }
    assert_eq!(
        window,
        Window {
            lo: 1,
            hi: Some(150)
        }
    );
    assert_eq!(moves, 197);
    assert_eq!(
        window.earlier(room(&c), STEP, SIZE),
        window,
        "nothing older"
    );

    while window.hi.is_some() {
        let next = window.later(room(&c), STEP, SIZE);
        assert!(c.rows_in(next).len() <= SIZE);
        assert!(next.lo > window.lo);
        window = next;
    }
    assert_eq!(window, newest);
    assert_eq!(window.later(room(&c), STEP, SIZE), window, "nothing newer");
}

#[test]
fn a_pinned_window_leaves_new_lines_out_until_moved_on() {
    let mut c = chat_with(1..=100);
    let window = Window::newest(room(&c), SIZE).pinned(room(&c));
    assert_eq!(
        window,
        Window {
            lo: 1,
            hi: Some(100)
        }
    );
    c.apply(ServerMsg::Event(RoomEvent::message(stored(101))));
    assert_eq!(c.rows_in(window).len(), 100, "the new line is not shown");
    let on = window.later(room(&c), STEP, SIZE);
    assert_eq!(on, Window { lo: 1, hi: None });
    assert_eq!(c.rows_in(on).len(), 101);
}

#[test]
fn older_lines_arriving_leave_the_window_in_place() {
    let mut c = chat_with(101..=200);
    let window = Window::newest(room(&c), SIZE);
    assert!(window.shows_oldest(room(&c)));
    c.apply(ServerMsg::History {
        room: RoomName::new("general").unwrap(),
        messages: (1..=100).map(stored).collect(),
        has_more: false,
        request_id: None,
        has_newer: false,
        thread: None,
        root: None,
        tombstones: Vec::new(),
    });
    assert_eq!(seqs(&c.rows_in(window)), (101..=200).collect::<Vec<_>>());
    assert!(!window.shows_oldest(room(&c)));
    let up = window.earlier(room(&c), STEP, SIZE);
    assert_eq!(
        up,
        Window { lo: 51, hi: None },
        "150 lines reach the newest"
    );
}

#[test]
fn an_empty_room() {
    let c = chat_with([]);
    let window = Window::newest(room(&c), SIZE);
    assert_eq!(window, Window::ALL);
    assert!(window.shows_oldest(room(&c)));
    assert!(c.rows_in(window).is_empty());
}

#[test]
fn a_window_from_the_first_unread_line() {
    let c = chat_with(1..=1000);
    let w = Window::from_line(room(&c), 500, 10, SIZE);
    assert_eq!(w.lo, 490, "ten lines of what came before");
    assert_eq!(w.hi, Some(639));
    // Near the newest: the window reaches it, so new lines come into it.
    let w = Window::from_line(room(&c), 990, 10, SIZE);
    assert_eq!((w.lo, w.hi), (980, None));
    let w = Window::from_line(room(&c), 3, 10, SIZE);
    assert_eq!(w.lo, 1);
}
