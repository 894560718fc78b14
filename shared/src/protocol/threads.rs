//! Threads: a reply to a message goes into that message's thread (the message is its
//! root), as in Slack. A reply is a message of the room's log like any other (its
//! seq, edits, reactions, deletion), carrying the thread it is in; the room's list
//! shows roots with their thread's count and latest reply, and replies only when
//! they were also sent to the room.

use serde::{Deserialize, Serialize};

use super::{ChatMessage, MessageId, Seq};

/// A message's place in a thread. On a reply (`root` is not the message's own id):
/// the thread it is in, as of the event; on a root (`root` is its own id): its own
/// thread. A client folds every one it meets into the root's summary, so a replay,
/// whose events carry each thread as it is now, converges on what a live reader
/// shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// The thread's root: the message replied to.
    pub root: MessageId,
    /// How many replies the thread has (deleted ones not counted).
    pub replies: u32,
    /// When the newest of them was posted (RFC 3339 in UTC); none without replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reply_at: Option<String>,
    /// On a reply: also sent to the room, so the room's list shows it too.
    #[serde(default, skip_serializing_if = "super::is_false")]
    pub in_room: bool,
}

impl Thread {
    /// Whether `id`, the message carrying this, is a reply (rather than the root).
    pub fn is_reply(&self, id: MessageId) -> bool {
        self.root != id
    }

    /// Whether the message carrying this belongs in the room's list: a root, a
    /// message outside any thread, or a reply also sent to the room.
    pub fn in_room_list(thread: Option<&Thread>, id: MessageId) -> bool {
        thread.is_none_or(|t| !t.is_reply(id) || t.in_room)
    }

    /// The root's own summary, from what a reply says of it.
    pub fn of_root(&self) -> Thread {
        Thread {
            in_room: false,
            ..self.clone()
        }
    }
}

/// A deleted root whose thread still has replies: the room's list keeps its place
/// ("This message was deleted", without its text or author) so the thread can still
/// be opened, as Slack does. Its `thread` is the root's summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The deleted root's seq.
    pub seq: Seq,
    /// The deleted root's id.
    pub id: MessageId,
    pub thread: Thread,
}

/// Folds what an event says of a thread (a reply's, or a deleted reply's) into
/// `root`, if it is that thread's root: its summary becomes the one said (none once
/// it has no replies). The one fold of a thread's summary, the page's and the
/// tests'. Whether it changed `root`.
pub fn fold_thread(root: &mut ChatMessage, thread: &Thread) -> bool {
    if root.id != thread.root {
        return false;
    }
    let now = (thread.replies > 0).then(|| thread.of_root());
    let changed = root.thread != now;
    root.thread = now;
    changed
}

/// A person's read marker in a thread they took part in (wrote its root or a reply
/// in it), and how many replies by others after it are not deleted (at most
/// `UNREAD_CAP`). Each thread has its own; the room's unread counts its list alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadUnread {
    /// The thread's root.
    pub root: MessageId,
    /// The seq of the newest reply read (0: none).
    pub seq: Seq,
    pub unread: u32,
}
