//! Each room's newest messages as unread counts need them (seq, id, author, whom it
//! mentions), in memory beside the SQLite store, so that counting a member's rooms
//! on connect reads no rows and the writer keeps no index for it (migration 0017).
//!
//! A room's tail is read from the database the first time its counts are asked
//! (`begin_load` .. `finish_load`), then kept current by the store after each commit
//! (`posted`, `deleted`); what commits while it is being read waits beside it and is
//! folded in once it is, so nothing is missed or counted twice. It holds the newest
//! [`KEEP`] messages not deleted: a count it cannot answer exactly (a marker older
//! than the tail, and fewer than `UNREAD_CAP` messages by others in it) is left to
//! the database ([`Lookup::Beyond`]).

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use confab_shared::protocol::{UNREAD_CAP, mentioned};
use confab_shared::{MessageId, RoomName, Seq, UserId};

use crate::reading::Unread;

/// How many of a room's newest messages are kept: the cap, and room for the
/// reader's own among them.
pub(super) const KEEP: usize = UNREAD_CAP as usize + 28;

#[derive(Default)]
pub(super) struct Recent {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    rooms: HashMap<RoomName, Tail>,
}

enum Tail {
    /// Being read from the database: what committed meanwhile.
    Loading {
        posted: Vec<Entry>,
        /// Edits: the message and whom it mentions now.
        edited: Vec<(MessageId, Mentions)>,
        deleted: Vec<MessageId>,
    },
    Ready(Ready),
}

struct Ready {
    /// Every message not deleted with a seq above this one is in `entries`.
    complete_after: Seq,
    /// Oldest first.
    entries: VecDeque<Entry>,
}

struct Entry {
    seq: Seq,
    id: MessageId,
    /// The author's user id, by its [`key`].
    author: u64,
    /// Whom it mentions (lower-case names, by their [`key`]s), if anyone.
    mentions: Mentions,
}

type Mentions = Option<Box<[u64]>>;

/// A user id or name as a number: what an entry keeps and a count compares, so
/// memory grows with no table of every name ever mentioned. (Two names alike in 64
/// bits of SipHash are not found by chance.)
fn key(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

fn mentions<'a>(names: impl Iterator<Item = &'a str>) -> Mentions {
    let mut named: Vec<u64> = names.map(key).collect();
    named.sort_unstable();
    named.dedup();
    (!named.is_empty()).then(|| named.into_boxed_slice())
}

fn entry<'a>(
    seq: Seq,
    id: MessageId,
    author: &str,
    mentioned: impl Iterator<Item = &'a str>,
) -> Entry {
    Entry {
        seq,
        id,
        author: key(author),
        mentions: mentions(mentioned),
    }
}

/// A message as read from the database for a tail.
pub(super) struct Stored {
    pub seq: Seq,
    pub id: MessageId,
    pub author: String,
    /// The `mentions` column: ' ann bob ', or '' for nobody.
    pub mentions: String,
}

/// What the tail says of a count.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Lookup {
    Counted(Unread),
    /// The room's tail is not in memory (yet).
    NotLoaded,
    /// The marker is older than the tail: the database must count.
    Beyond,
}

impl Ready {
    fn push(&mut self, entry: Entry) {
        match self.entries.back() {
            Some(last) if last.seq >= entry.seq => {
                // Out of order (folded in after a load): in its place, once.
                if let Err(at) = self.entries.binary_search_by(|e| e.seq.cmp(&entry.seq)) {
                    self.entries.insert(at, entry);
                }
            }
            _ if entry.seq <= self.complete_after => {}
            _ => self.entries.push_back(entry),
        }
        while self.entries.len() > KEEP {
            if let Some(oldest) = self.entries.pop_front() {
                self.complete_after = oldest.seq;
            }
        }
    }

    fn edit(&mut self, id: MessageId, mentions: Mentions) {
        if let Some(entry) = self.entries.iter_mut().find(|entry| entry.id == id) {
            entry.mentions = mentions;
        }
    }

    fn delete(&mut self, id: MessageId) {
        self.entries.retain(|entry| entry.id != id);
    }

    fn count(&self, me: u64, name: u64, after: Seq) -> Lookup {
        let mut counted = Unread::default();
        for entry in self.entries.iter().rev() {
            if entry.seq <= after {
                return Lookup::Counted(counted);
            }
            if entry.author == me {
                continue;
            }
            counted.unread += 1;
            let mentioned = entry
                .mentions
                .as_deref()
                .is_some_and(|named| named.contains(&name));
            if mentioned {
                counted.mentions += 1;
            }
            if counted.unread >= UNREAD_CAP {
                return Lookup::Counted(counted);
            }
        }
        if after >= self.complete_after {
            Lookup::Counted(counted)
        } else {
            Lookup::Beyond
        }
    }
}

impl Recent {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What is unread in `room` after `after` for `user` (named `name`, lower case).
    pub(super) fn count(&self, room: &RoomName, user: &UserId, name: &str, after: Seq) -> Lookup {
        let state = self.lock();
        match state.rooms.get(room) {
            Some(Tail::Ready(ready)) => ready.count(key(user.as_str()), key(name), after),
            // Someone else is reading it: the database answers this one.
            Some(Tail::Loading { .. }) => Lookup::Beyond,
            None => Lookup::NotLoaded,
        }
    }

    /// Whether the caller should read `room`'s tail (nobody has, or is).
    pub(super) fn begin_load(&self, room: &RoomName) -> bool {
        let mut state = self.lock();
        if state.rooms.contains_key(room) {
            return false;
        }
        let loading = Tail::Loading {
            posted: Vec::new(),
            edited: Vec::new(),
            deleted: Vec::new(),
        };
        state.rooms.insert(room.clone(), loading);
        true
    }

    /// The tail of `room` as read (its newest messages not deleted, at most
    /// [`KEEP`], newest first), with what committed meanwhile folded in.
    pub(super) fn finish_load(&self, room: &RoomName, newest_first: Vec<Stored>) {
        let mut state = self.lock();
        let Some(Tail::Loading {
            posted,
            edited,
            deleted,
        }) = state.rooms.remove(room)
        else {
            return;
        };
        let complete_after = match newest_first.last() {
            Some(oldest) if newest_first.len() >= KEEP => oldest.seq.saturating_sub(1),
            _ => 0,
        };
        let mut ready = Ready {
            complete_after,
            entries: VecDeque::with_capacity(newest_first.len()),
        };
        for row in newest_first.into_iter().rev() {
            let entry = entry(
                row.seq,
                row.id,
                &row.author,
                row.mentions.split_whitespace(),
            );
            ready.push(entry);
        }
        for entry in posted {
            ready.push(entry);
        }
        for (id, mentions) in edited {
            ready.edit(id, mentions);
        }
        for id in deleted {
            ready.delete(id);
        }
        state.rooms.insert(room.clone(), Tail::Ready(ready));
    }

    /// Reading `room`'s tail failed: the next count tries again.
    pub(super) fn abort_load(&self, room: &RoomName) {
        let mut state = self.lock();
        if let Some(Tail::Loading { .. }) = state.rooms.get(room) {
            state.rooms.remove(room);
        }
    }

    /// A message committed: into its room's tail, if that is in memory.
    pub(super) fn posted(
        &self,
        room: &RoomName,
        seq: Seq,
        id: MessageId,
        author: &UserId,
        body: &str,
    ) {
        let mut state = self.lock();
        if !state.rooms.contains_key(room) {
            return;
        }
        let names: Vec<String> = mentioned(body).collect();
        let entry = entry(seq, id, author.as_str(), names.iter().map(String::as_str));
        match state.rooms.get_mut(room) {
            Some(Tail::Ready(ready)) => ready.push(entry),
            Some(Tail::Loading { posted, .. }) => posted.push(entry),
            None => {}
        }
    }

    /// A message's text was edited: whom it mentions now. (An edit is no new message:
    /// it counts as unread no more than before.)
    pub(super) fn edited(&self, room: &RoomName, id: MessageId, body: &str) {
        let mut state = self.lock();
        if !state.rooms.contains_key(room) {
            return;
        }
        let names: Vec<String> = mentioned(body).collect();
        let mentions = mentions(names.iter().map(String::as_str));
        match state.rooms.get_mut(room) {
            Some(Tail::Ready(ready)) => ready.edit(id, mentions),
            Some(Tail::Loading { edited, .. }) => edited.push((id, mentions)),
            None => {}
        }
    }

    /// A message was deleted: out of its room's tail.
    pub(super) fn deleted(&self, room: &RoomName, id: MessageId) {
        match self.lock().rooms.get_mut(room) {
            Some(Tail::Ready(ready)) => ready.delete(id),
            Some(Tail::Loading { deleted, .. }) => deleted.push(id),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> RoomName {
        RoomName::new("general").unwrap()
    }

    fn user(name: &str) -> UserId {
        UserId::new(name).unwrap()
    }

    fn counted(unread: u32, mentions: u32) -> Lookup {
        Lookup::Counted(Unread { unread, mentions })
    }

    /// A tail read from a room of `n` messages (seq and id 1..=n), by bob but every
    /// `mine`-th by ann.
    fn loaded(n: u64, mine: u64) -> Recent {
        let recent = Recent::default();
        assert!(recent.begin_load(&room()));
        let rows = (1..=n)
            .rev()
            .take(KEEP)
            .map(|seq| Stored {
                seq,
                id: i64::try_from(seq).unwrap(),
                author: if seq % mine == 0 { "ann" } else { "bob" }.to_owned(),
                mentions: String::new(),
            })
            .collect();
        recent.finish_load(&room(), rows);
        recent
    }

    #[test]
    fn counts_others_messages_after_the_marker_up_to_the_cap() {
        let recent = loaded(20, 1000);
        assert_eq!(
            recent.count(&room(), &user("ann"), "ann", 15),
            counted(5, 0)
        );
        assert_eq!(
            recent.count(&room(), &user("bob"), "bob", 15),
            counted(0, 0)
        );
        let big = loaded(500, 1000);
        assert_eq!(big.count(&room(), &user("ann"), "ann", 0), counted(100, 0));
        assert_eq!(big.count(&room(), &user("ann"), "ann", 450), counted(50, 0));
    }

    #[test]
    fn a_marker_older_than_the_tail_with_too_few_by_others_is_the_databases() {
        // Every other message is ann's: 64 of the 128 kept are by others.
        let recent = loaded(500, 2);
        assert_eq!(
            recent.count(&room(), &user("ann"), "ann", 0),
            Lookup::Beyond
        );
        assert_eq!(
            recent.count(&room(), &user("ann"), "ann", 480),
            counted(10, 0)
        );
        // A small room is whole in memory.
        let small = loaded(50, 2);
        assert_eq!(small.count(&room(), &user("ann"), "ann", 0), counted(25, 0));
    }

    #[test]
    fn what_commits_while_loading_and_after_is_counted_once_and_deletions_leave() {
        let recent = Recent::default();
        let (ann, bob) = (user("ann"), user("bob"));
        assert_eq!(recent.count(&room(), &ann, "ann", 0), Lookup::NotLoaded);
        // Not in memory: nothing kept.
        recent.posted(&room(), 1, 1, &bob, "one");
        assert!(recent.begin_load(&room()));
        assert!(!recent.begin_load(&room()), "one reader at a time");
        assert_eq!(recent.count(&room(), &ann, "ann", 0), Lookup::Beyond);
        // Committed while the read was under way: 2 in the read as well, 3 not.
        recent.posted(&room(), 2, 2, &bob, "hi @ann");
        recent.posted(&room(), 3, 3, &bob, "hey @Ann and @cat");
        recent.deleted(&room(), 1);
        let read = |seq: u64, mentions: &str| Stored {
            seq,
            id: i64::try_from(seq).unwrap(),
            author: "bob".to_owned(),
            mentions: mentions.to_owned(),
        };
        recent.finish_load(&room(), vec![read(2, " ann "), read(1, "")]);
        assert_eq!(recent.count(&room(), &ann, "ann", 0), counted(2, 2));
        recent.posted(&room(), 4, 4, &ann, "mine");
        recent.posted(&room(), 5, 5, &bob, "@cat");
        assert_eq!(recent.count(&room(), &ann, "ann", 0), counted(3, 2));
        assert_eq!(recent.count(&room(), &user("cat"), "cat", 2), counted(3, 2));
        recent.deleted(&room(), 3);
        assert_eq!(recent.count(&room(), &ann, "ann", 0), counted(2, 1));
        // An edit changes whom a message mentions, not what is unread.
        recent.edited(&room(), 5, "@ann now");
        assert_eq!(recent.count(&room(), &ann, "ann", 0), counted(2, 2));
    }

    #[test]
    fn a_failed_read_is_tried_again() {
        let recent = Recent::default();
        assert!(recent.begin_load(&room()));
        recent.abort_load(&room());
        assert_eq!(
            recent.count(&room(), &user("ann"), "ann", 0),
            Lookup::NotLoaded
        );
        assert!(recent.begin_load(&room()));
    }
}
