//! Private conversations in the page's state: the ones this person has (from `rooms`
//! and `room` frames; each is joined like any room, so its messages arrive live),
//! their people and latest activity, how they are named and listed, and starting
//! one: the conversation asked for opens when the server's `room` frame of exactly
//! those people comes.

use std::collections::{BTreeMap, BTreeSet};

use confab_shared::protocol::CONVERSATION_MAX_PEOPLE;
use confab_shared::{ClientMsg, Participant, RoomInfo, RoomName, UserId, UserName};

use super::Chat;

/// One conversation as the page knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Its people, this person included, by name.
    pub members: Vec<Participant>,
    /// When its latest message was posted (RFC 3339 in UTC, always with
    /// milliseconds, so two compare as text); None while it has none.
    pub last_at: Option<String>,
}

/// The conversations this page knows, and the one this person asked to start.
#[derive(Debug, Clone, Default)]
pub struct Conversations {
    known: BTreeMap<RoomName, Conversation>,
    /// The people of the conversation asked for (folded names, this person
    /// included), until the server's `room` frame of them comes (or a refusal).
    asked: Option<BTreeSet<String>>,
    /// Started from this page: listed before anyone wrote in them.
    started: BTreeSet<RoomName>,
}

/// One line of the sidebar's "Direct messages".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listed {
    pub room: RoomName,
    /// The other people's names.
    pub title: String,
    /// How many other people.
    pub others: usize,
    /// The other person, in a conversation of two (whose presence is shown).
    pub with: Option<UserId>,
    pub unread: u32,
    /// Of those, how many mention this person.
    pub mentions: u32,
    /// Set to notify of nothing.
    pub quiet: bool,
    pub current: bool,
}

/// The most people a conversation is started with, its starter aside.
pub const MAX_OTHERS: usize = CONVERSATION_MAX_PEOPLE - 1;

/// Names as the server matches them: "Bob" and "bob" are one account.
fn folded(name: &str) -> String {
    name.to_lowercase()
}

impl Chat {
    /// A room this person belongs to, from a `rooms` or `room` frame: a conversation
    /// is kept with its people and activity. Whether it is the one this person asked
    /// to start (it opens then).
    pub(super) fn know_conversation(&mut self, info: &RoomInfo) -> bool {
        if !info.is_conversation() {
            return false;
        }
        let known = Conversation {
            members: info.members.clone(),
            last_at: info.last_at.clone(),
        };
        let held = self.conversations.known.get(&info.room);
        if held != Some(&known) {
            // What this page saw live may be newer than the frame.
            let last_at = held.and_then(|c| c.last_at.clone()).max(known.last_at);
            self.conversations.known.insert(
                info.room.clone(),
                Conversation {
                    members: known.members,
                    last_at,
                },
            );
            self.changed.conversations = true;
        }
        let people: BTreeSet<String> = info
            .members
            .iter()
            .map(|m| folded(m.user.as_str()))
            .collect();
        if self.conversations.asked.as_ref() != Some(&people) {
            return false;
        }
        self.conversations.asked = None;
        self.conversations.started.insert(info.room.clone());
        self.changed.conversations = true;
        true
    }

    /// A message posted at `ts` came in `room`: a conversation's latest activity.
    pub(super) fn conversation_activity(&mut self, room: &RoomName, ts: &str) {
        let Some(conversation) = self.conversations.known.get_mut(room) else {
            return;
        };
        if conversation.last_at.as_deref().is_none_or(|at| at < ts) {
            conversation.last_at = Some(ts.to_owned());
            self.changed.conversations = true;
        }
    }

    /// A refusal about no room and no message: said. It answers the conversation
    /// asked for, if any (those carry neither), which is then no longer awaited.
    pub(super) fn refused(&mut self, message: String) {
        match self.conversations.asked.take() {
            Some(_) => self.tell(super::capitalised(&message)),
            None => self.tell(message),
        }
    }

    /// Starts a conversation with `with` (this person aside), or opens the one they
    /// already have here: the frame to send, if one is needed. The conversation
    /// opens once the server answers; a refusal is said in the notice.
    pub fn start_conversation(&mut self, with: Vec<UserName>) -> Option<ClientMsg> {
        let mut people: BTreeSet<String> = with.iter().map(|u| folded(u.as_str())).collect();
        people.insert(folded(self.me.as_str()));
        let have = self.conversations.known.iter().find(|(room, c)| {
            self.rooms.contains_key(*room)
                && c.members.len() == people.len()
                && c.members
                    .iter()
                    .all(|m| people.contains(&folded(m.user.as_str())))
        });
        if let Some((room, _)) = have {
            let room = room.clone();
            self.conversations.started.insert(room.clone());
            self.changed.conversations = true;
            return self.open_room(room);
        }
        self.conversations.asked = Some(people);
        Some(ClientMsg::StartConversation { with })
    }

    /// The conversation `room` is, if it is one this page knows.
    pub fn conversation(&self, room: &RoomName) -> Option<&Conversation> {
        self.conversations.known.get(room)
    }

    /// How `room` is named to the person: a conversation by its other people
    /// ("bob", "bob, cat"), a room by its name.
    pub fn title(&self, room: &RoomName) -> String {
        match self.conversation(room) {
            Some(c) => {
                let others: Vec<&str> = c
                    .members
                    .iter()
                    .filter(|m| m.user_id != self.me_id)
                    .map(|m| m.user.as_str())
                    .collect();
                others.join(", ")
            }
            // Remembered from the last visit; its people come with `rooms`.
            None if room.is_conversation() => "Conversation".to_owned(),
            None => room.to_string(),
        }
    }

    /// Whether the current room is a conversation (where room-only controls, such
    /// as inviting, leaving and moderating, have no place).
    pub fn in_conversation(&self) -> bool {
        self.current.is_conversation()
    }

    /// The sidebar's "Direct messages": the newest activity first, those just
    /// started before them; one nobody wrote in is left out unless it is open or
    /// was started from this page.
    pub fn direct_messages(&self) -> Vec<Listed> {
        let mut listed: Vec<(Option<&str>, Listed)> = self
            .conversations
            .known
            .iter()
            .filter_map(|(room, c)| {
                let state = self.rooms.get(room)?;
                let current = *room == self.current;
                let shown =
                    c.last_at.is_some() || current || self.conversations.started.contains(room);
                shown.then(|| {
                    let line = Listed {
                        room: room.clone(),
                        title: self.title(room),
                        others: c.members.len().saturating_sub(1),
                        with: match &c.members[..] {
                            [a, b] => Some(if a.user_id == self.me_id { b } else { a })
                                .map(|p| p.user_id.clone()),
                            _ => None,
                        },
                        unread: state.reading.total(),
                        mentions: state.reading.mentions,
                        quiet: !state.reading.loud(),
                        current,
                    };
                    (c.last_at.as_deref(), line)
                })
            })
            .collect();
        // None (nobody wrote yet: just started) sorts first, then newest first.
        listed.sort_by(|(a, x), (b, y)| match (a, b) {
            (None, None) => x.title.cmp(&y.title),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(a), Some(b)) => b.cmp(a).then_with(|| x.title.cmp(&y.title)),
        });
        listed.into_iter().map(|(_, line)| line).collect()
    }

    /// Names to suggest when starting a conversation: the people this page has
    /// seen (members lists, authors of the messages it holds, people of its
    /// conversations), accounts only, this person left out.
    pub fn known_people(&self) -> Vec<UserName> {
        let members = self
            .rooms
            .values()
            .filter_map(|r| r.members.as_ref())
            .flatten()
            .map(|m| (&m.user, &m.user_id));
        let authors = self
            .rooms
            .values()
            .flat_map(|r| r.messages.values())
            .map(|m| (&m.author, &m.author_id));
        let people = self
            .conversations
            .known
            .values()
            .flat_map(|c| &c.members)
            .map(|p| (&p.user, &p.user_id));
        let names: BTreeSet<&UserName> = members
            .chain(authors)
            .chain(people)
            .filter(|(_, id)| **id != self.me_id && !id.as_str().starts_with("guest:"))
            .map(|(user, _)| user)
            .collect();
        names.into_iter().cloned().collect()
    }
}

/// The people typed into the "New message" box: usernames separated by commas or
/// spaces (an `@` before one is fine), each once, `me` left out; at least one and at
/// most [`MAX_OTHERS`]. Else what is wrong, to show.
pub fn parse_people(text: &str, me: &UserName) -> Result<Vec<UserName>, String> {
    let mut seen = BTreeSet::from([folded(me.as_str())]);
    let mut people = Vec::new();
    for word in text.split(|c: char| c == ',' || c.is_whitespace()) {
        let word = word.trim_start_matches('@');
        if word.is_empty() || !seen.insert(folded(word)) {
            continue;
        }
        let user = UserName::new(word).map_err(|e| format!("{word}: {e}"))?;
        people.push(user);
    }
    match people.len() {
        0 => Err("Name someone to write to".to_owned()),
        n if n > MAX_OTHERS => Err(format!("{MAX_OTHERS} people at most besides you")),
        _ => Ok(people),
    }
}

/// How many names the "New message" box offers at most.
const MAX_SUGGESTIONS: usize = 100;

/// What the "New message" box offers to complete `typed` with (an HTML datalist
/// completes the whole box): the names before the one being typed, as typed, then
/// each of `known` not named yet.
pub fn suggestions(typed: &str, known: &[UserName]) -> Vec<String> {
    let cut = typed
        .char_indices()
        .rfind(|(_, c)| *c == ',' || c.is_whitespace())
        .map_or(0, |(at, c)| at + c.len_utf8());
    let head = &typed[..cut];
    let named: BTreeSet<String> = head
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|word| folded(word.trim_start_matches('@')))
        .collect();
    known
        .iter()
        .filter(|name| !named.contains(&folded(name.as_str())))
        .take(MAX_SUGGESTIONS)
        .map(|name| format!("{head}{name}"))
        .collect()
}
