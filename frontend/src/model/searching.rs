//! Search in the page's state: the query asked (with whether public rooms are
//! included), the results of the latest request (an answer to an older one is
//! dropped), the next page, a refusal in words; and opening a result in context:
//! the room opens, the page around the message loads (`model/history.rs`), the list
//! goes to its line and marks it.

use confab_shared::{ClientMsg, MessageId, RequestId, RoomName, SearchHit, Seq, UserName};

use super::Chat;

/// What the search shows.
#[derive(Debug, Clone, Default)]
pub struct Searching {
    query: String,
    public: bool,
    /// The request whose answer is awaited or shown.
    asked: Option<RequestId>,
    /// Requests made on this page, for their ids.
    made: u32,
    hits: Vec<SearchHit>,
    older_than: Option<MessageId>,
    loading: bool,
    refused: Option<String>,
    /// The result being opened, or last opened: its line is marked.
    pub(super) opened: Option<(RoomName, Seq)>,
    /// The list should go to the opened line once it is loaded.
    pub(super) go: bool,
}

/// One result as the search list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    pub room: RoomName,
    /// The room's name or a conversation's people.
    pub place: String,
    pub author: UserName,
    pub ts: String,
    /// The text in pieces, each marked if a term matched there.
    pub pieces: Vec<(String, bool)>,
    pub seq: Seq,
    pub id: MessageId,
    /// A reply kept in its thread: that thread's root (it opens there).
    pub thread: Option<MessageId>,
}

/// The search list: its results, and whether more, loading, or a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchView {
    pub lines: Vec<ResultLine>,
    pub more: bool,
    pub loading: bool,
    pub refused: Option<String>,
    /// A search was asked (an empty list then means "nothing found").
    pub asked: bool,
}

impl Chat {
    /// Searches for `query` (public rooms too, with `public`): the frame to send.
    pub fn search(&mut self, query: &str, public: bool) -> Option<ClientMsg> {
        let query = query.trim();
        if query.is_empty() {
            self.searching = Searching {
                made: self.searching.made,
                opened: self.searching.opened.take(),
                ..Searching::default()
            };
            self.changed.browsing = true;
            return None;
        }
        self.searching.query = query.to_owned();
        self.searching.public = public;
        self.searching.hits.clear();
        self.searching.older_than = None;
        self.ask_search(None)
    }

    /// The next page of the search shown.
    pub fn search_more(&mut self) -> Option<ClientMsg> {
        let older_than = self.searching.older_than?;
        if self.searching.loading {
            return None;
        }
        self.ask_search(Some(older_than))
    }

    fn ask_search(&mut self, older_than: Option<MessageId>) -> Option<ClientMsg> {
        let s = &mut self.searching;
        s.made += 1;
        let request_id = RequestId::new(format!("search-{}", s.made)).ok()?;
        s.asked = Some(request_id.clone());
        s.loading = true;
        s.refused = None;
        self.changed.browsing = true;
        Some(ClientMsg::Search {
            request_id: Some(request_id),
            query: s.query.clone(),
            room: None,
            from: None,
            after: None,
            before: None,
            public: s.public,
            older_than,
            limit: None,
        })
    }

    /// The server's `search_results`.
    pub(super) fn search_results(
        &mut self,
        request_id: Option<RequestId>,
        hits: Vec<SearchHit>,
        older_than: Option<MessageId>,
    ) {
        let s = &mut self.searching;
        if request_id.is_none() || request_id != s.asked {
            return;
        }
        s.hits.extend(hits);
        s.older_than = older_than;
        s.loading = false;
        self.changed.browsing = true;
    }

    /// A refusal of the search shown (said in the list); gives whether it was one.
    pub(super) fn search_refused(&mut self, request_id: &RequestId, why: &str) -> bool {
        let s = &mut self.searching;
        if s.asked.as_ref() != Some(request_id) {
            return false;
        }
        s.loading = false;
        s.refused = Some(why.to_owned());
        self.changed.browsing = true;
        true
    }

    /// What the search list shows.
    pub fn search_view(&self) -> SearchView {
        let s = &self.searching;
        SearchView {
            lines: s
                .hits
                .iter()
                .map(|hit| {
                    let m = &hit.message;
                    ResultLine {
                        room: m.room.clone(),
                        place: if m.room.is_conversation() {
                            self.title(&m.room)
                        } else {
                            format!("#{}", m.room)
                        },
                        author: m.author.clone(),
                        ts: m.ts.clone(),
                        pieces: marked(m.body.as_str(), &hit.matches),
                        seq: m.seq,
                        id: m.id,
                        thread: m
                            .thread
                            .as_ref()
                            .filter(|t| t.is_reply(m.id) && !t.in_room)
                            .map(|t| t.root),
                    }
                })
                .collect(),
            more: s.older_than.is_some(),
            loading: s.loading,
            refused: s.refused.clone(),
            asked: s.asked.is_some(),
        }
    }

    /// Opens result `seq` of `room` in context: the room opens (joined if new), and
    /// the messages around it load. The frames to send.
    pub fn open_result(
        &mut self,
        room: RoomName,
        seq: Seq,
        thread: Option<MessageId>,
    ) -> Vec<ClientMsg> {
        let mut frames: Vec<ClientMsg> = self.open_room(room.clone()).into_iter().collect();
        // A reply kept in its thread opens there, beside the room.
        if let Some(root) = thread {
            frames.extend(self.open_thread(root));
            return frames;
        }
        if let Some(old) = self.searching.opened.replace((room.clone(), seq)) {
            self.changed.lines.insert(old.0);
        }
        self.searching.go = true;
        self.changed.lines.insert(room);
        frames.extend(self.reach_opened());
        frames
    }

    /// The opened result's line, once the list should go to it (it is loaded).
    pub fn go_to_opened(&self) -> Option<Seq> {
        let (room, seq) = self.searching.opened.as_ref()?;
        let state = self.rooms.get(room)?;
        let here = *room == self.current && self.searching.go && state.holds(*seq);
        here.then_some(*seq)
    }

    /// The list went to the opened line.
    pub fn went_to_opened(&mut self) {
        self.searching.go = false;
    }

    /// The opened line of `room`, if one is: marked in the list.
    pub(super) fn opened_in(&self, room: &RoomName) -> Option<Seq> {
        self.searching
            .opened
            .as_ref()
            .filter(|(r, _)| r == room)
            .map(|(_, seq)| *seq)
    }

    /// The page around the opened result to ask for, if it is not loaded yet (after
    /// a join's snapshot, or any page).
    pub(super) fn reach_opened(&mut self) -> Option<ClientMsg> {
        let (room, seq) = self.searching.opened.clone()?;
        if !self.searching.go || room != self.current {
            return None;
        }
        // Not joined yet (no snapshot): the join's answer asks again.
        self.rooms.get(&room)?.last_seq?;
        self.load_around(seq)
    }
}

/// `text` in pieces at `matches` (character offsets), each marked if matched.
fn marked(text: &str, matches: &[[u32; 2]]) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0usize;
    for [start, end] in matches {
        let (start, end) = (*start as usize, (*end as usize).min(chars.len()));
        if start < at || start >= end {
            continue;
        }
        if start > at {
            pieces.push((chars[at..start].iter().collect(), false));
        }
        pieces.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    if at < chars.len() {
        pieces.push((chars[at..].iter().collect(), false));
    }
    pieces
}
