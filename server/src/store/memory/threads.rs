//! Threads in the in-memory twin: a reply keeps the root it went to (its `thread`),
//! and every read gives each message its thread as it is now, counted from the log,
//! as the SQLite store reads it from its roots' summaries.

use confab_shared::protocol::UNREAD_CAP;
use confab_shared::{ChatMessage, MessageId, Seq, Thread, Tombstone, UserId};

use super::Entry;
use crate::store::Page;

/// The root a reply `message` went to, if it is a reply.
fn root_of(message: &ChatMessage) -> Option<MessageId> {
    message
        .thread
        .as_ref()
        .filter(|thread| thread.is_reply(message.id))
        .map(|thread| thread.root)
}

/// Thread `root` of `log` now: its live replies and when the newest came.
pub(super) fn summary(log: &[Entry], root: MessageId) -> Thread {
    let mut replies = 0;
    let mut last_reply_at: Option<String> = None;
    for reply in log
        .iter()
        .filter_map(Entry::live)
        .filter(|m| root_of(m) == Some(root))
    {
        replies += 1;
        if last_reply_at
            .as_deref()
            .is_none_or(|last| last < reply.ts.as_str())
        {
            last_reply_at = Some(reply.ts.clone());
        }
    }
    Thread {
        root,
        replies,
        last_reply_at,
        in_room: false,
    }
}

/// `message` with its thread as it is now: a reply's, a root's own, or none.
pub(super) fn current(log: &[Entry], message: &ChatMessage) -> ChatMessage {
    let mut now = message.clone();
    now.thread = match root_of(message) {
        Some(root) => Some(Thread {
            in_room: message.thread.as_ref().is_some_and(|t| t.in_room),
            ..summary(log, root)
        }),
        None => Some(summary(log, message.id)).filter(|thread| thread.replies > 0),
    };
    now
}

/// Whether the room's list shows `message`.
pub(super) fn listed(message: &ChatMessage) -> bool {
    Thread::in_room_list(message.thread.as_ref(), message.id)
}

/// The thread a reply to `id` goes into (see `Store::replied_to`).
pub(super) fn replied_to(log: &[Entry], id: MessageId) -> Option<MessageId> {
    let live = |id: MessageId| log.iter().filter_map(Entry::live).find(|m| m.id == id);
    let root = root_of(live(id)?).unwrap_or(id);
    live(root).map(|_| root)
}

/// A deleted message's thread, if it was a reply: the thread without it.
pub(super) fn after_deletion(log: &[Entry], message: &ChatMessage) -> Option<Thread> {
    root_of(message).map(|root| summary(log, root))
}

/// A deleted message's place in the room's list, if it was a root whose thread
/// still has replies.
pub(super) fn tombstone(log: &[Entry], message: &ChatMessage) -> Option<Tombstone> {
    if root_of(message).is_some() {
        return None;
    }
    let thread = summary(log, message.id);
    (thread.replies > 0).then_some(Tombstone {
        seq: message.seq,
        id: message.id,
        thread,
    })
}

/// The tombstones of `log` with seqs in `from..=to`.
pub(super) fn tombstones(log: &[Entry], from: Seq, to: Seq) -> Vec<Tombstone> {
    log.iter()
        .filter_map(|entry| match entry {
            Entry::Message(message, Some(_)) if (from..=to).contains(&message.seq) => {
                tombstone(log, message)
            }
            _ => None,
        })
        .collect()
}

/// Up to `limit` live replies of `root` with `seq < before`, oldest first, and the
/// root now.
pub(super) fn page(
    log: &[Entry],
    root: MessageId,
    before: Option<u64>,
    limit: u32,
) -> (Page, Option<ChatMessage>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut replies = log
        .iter()
        .rev()
        .filter_map(Entry::live)
        .filter(|m| root_of(m) == Some(root) && before.is_none_or(|b| m.seq < b));
    let mut messages: Vec<ChatMessage> = replies
        .by_ref()
        .take(limit)
        .map(|m| current(log, m))
        .collect();
    let has_more = replies.next().is_some();
    messages.reverse();
    let root = log
        .iter()
        .filter_map(Entry::live)
        .find(|m| m.id == root)
        .map(|m| current(log, m));
    (Page { messages, has_more }, root)
}

/// Every message of `log`, deleted or not.
fn all(log: &[Entry]) -> impl Iterator<Item = &ChatMessage> {
    log.iter().filter_map(|entry| match entry {
        Entry::Message(message, _) => Some(message),
        Entry::Event(_) => None,
    })
}

/// Who took part in thread `root`: its root's author and every replier, each once.
pub(super) fn people(log: &[Entry], root: MessageId) -> Vec<UserId> {
    let mut people: Vec<UserId> = Vec::new();
    let replies: Vec<&ChatMessage> = all(log).filter(|m| root_of(m) == Some(root)).collect();
    let Some(first) = all(log).find(|m| m.id == root) else {
        return people;
    };
    if replies.is_empty() {
        return people;
    }
    for author in std::iter::once(first).chain(replies).map(|m| &m.author_id) {
        if !people.contains(author) {
            people.push(author.clone());
        }
    }
    people
}

/// The seq of thread `root`'s newest reply (0: none).
pub(super) fn newest_reply(log: &[Entry], root: MessageId) -> Seq {
    all(log)
        .filter(|m| root_of(m) == Some(root))
        .map(|m| m.seq)
        .max()
        .unwrap_or(0)
}

/// Replies of `root` by others than `user` after `after`, not deleted (capped).
pub(super) fn unread(log: &[Entry], root: MessageId, user: &UserId, after: Seq) -> u32 {
    let count = log
        .iter()
        .filter_map(Entry::live)
        .filter(|m| root_of(m) == Some(root) && m.seq > after && m.author_id != *user)
        .take(UNREAD_CAP as usize)
        .count();
    u32::try_from(count).unwrap_or(UNREAD_CAP)
}

/// The live roots of threads in `log` that `user` took part in.
pub(super) fn roots_of(log: &[Entry], user: &UserId) -> Vec<MessageId> {
    let mut roots: Vec<MessageId> = log
        .iter()
        .filter_map(Entry::live)
        .filter(|m| root_of(m).is_none() && people(log, m.id).contains(user))
        .map(|m| m.id)
        .collect();
    roots.sort_unstable();
    roots
}
