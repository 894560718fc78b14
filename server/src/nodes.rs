//! What nodes tell each other besides room events: that they are alive, who is in
//! each room on them, who types, news for a person's every socket, and credentials
//! ended (the fast path: the account feed ends them too). Never stored: each note says the whole of
//! something (a room's people on a node), so a lost one heals with the next, and a
//! node that is not heard from for [`GONE_AFTER`] (killed with SIGKILL, cut off) is
//! taken as gone, its people offline everywhere, as a key with a TTL would expire.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use confab_shared::{RoomName, UserId, UserName};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::broker::Broker;
use crate::hub::Hub;
use crate::outbox::Revoked;
use crate::people::People;
use crate::revocations::Revocations;

/// How often a node says it is alive.
const ALIVE_EVERY: Duration = Duration::from_secs(1);
/// A node not heard from for this long is gone.
const GONE_AFTER: Duration = Duration::from_secs(5);
/// How often a node says all of its presence again (lost notes heal by then).
const ALL_AGAIN_EVERY: u32 = 15;

/// One note between nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Note {
    /// `node` is alive; `hello`: it has just (re)subscribed and missed what was
    /// said meanwhile, so the others say all of their presence again.
    Alive { node: String, hello: bool },
    /// Everything of `node`'s people: every room with people there, and everyone's
    /// status. It replaces all the others had of that node, so a lost note (a
    /// room emptied, someone gone) heals with the next snapshot.
    Snapshot {
        node: String,
        rooms: Vec<(RoomName, Vec<(UserId, UserName)>)>,
        people: Vec<crate::people::Said>,
    },
    /// Who is in `room` on `node` now (none: nobody).
    Presence {
        node: String,
        room: RoomName,
        people: Vec<(UserId, UserName)>,
    },
    /// Where these people are on `node` now, and with how many sockets
    /// (offline: no longer there).
    Status {
        node: String,
        people: Vec<crate::people::Said>,
    },
    /// The sockets signed in with `credential` end (signed out, a new password, a
    /// token revoked; `banned`: a site ban).
    Ended {
        node: String,
        credential: String,
        banned: bool,
    },
    /// Tell every socket of `user` (on the other nodes) this `frame`: news of a
    /// room or conversation, a read marker moved.
    Tell {
        node: String,
        user: UserId,
        frame: String,
    },
    /// Someone on `node` types in `room` (or, `stop`, no longer).
    Typing {
        node: String,
        room: RoomName,
        user: UserId,
        name: UserName,
        stop: bool,
    },
}

/// What a node says back to a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    Nothing,
    /// All of its presence (the other asked: it has just subscribed again).
    All,
    /// Hello (say all of yours), and all of its presence: the other is new here.
    Hello,
}

/// This node among the others.
pub(crate) struct Nodes {
    me: String,
    hub: Arc<Hub>,
    people: Arc<People>,
    revocations: Arc<Revocations>,
    /// Other nodes, and when each was last heard from.
    seen: Mutex<HashMap<String, Instant>>,
}

impl Nodes {
    /// This node, with a random id of its own.
    pub(crate) fn new(hub: Arc<Hub>, people: Arc<People>, revocations: Arc<Revocations>) -> Self {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0_u8; 8];
        OsRng.fill_bytes(&mut bytes);
        Self {
            me: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            hub,
            people,
            revocations,
            seen: Mutex::default(),
        }
    }

    /// This node's id among the others.
    pub(crate) fn me(&self) -> &str {
        &self.me
    }

    fn seen(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes another node's note; gives what this node should say back.
    pub(crate) fn take(&self, note: Note) -> Answer {
        let from = match &note {
            Note::Alive { node, .. }
            | Note::Presence { node, .. }
            | Note::Snapshot { node, .. }
            | Note::Status { node, .. }
            | Note::Tell { node, .. }
            | Note::Ended { node, .. }
            | Note::Typing { node, .. } => node,
        };
        if *from == self.me {
            return Answer::Nothing;
        }
        let new = self.seen().insert(from.clone(), Instant::now()).is_none();
        // A node not known here (new, or back after it was taken as gone) is asked
        // for all it has, and told all this one has.
        let answer = if new { Answer::Hello } else { Answer::Nothing };
        match note {
            Note::Alive { hello: true, .. } => Answer::All,
            Note::Alive { .. } => answer,
            Note::Snapshot {
                node,
                rooms,
                people,
            } => {
                self.hub.replace_remote(&node, rooms);
                self.people.replace_remote(&node, people);
                answer
            }
            Note::Presence { node, room, people } => {
                self.hub.set_remote(&node, &room, people);
                answer
            }
            Note::Status { node, people } => {
                self.people.set_remote(&node, people);
                answer
            }
            Note::Ended {
                credential, banned, ..
            } => {
                let why = if banned {
                    Revoked::Banned
                } else {
                    Revoked::SignedOut
                };
                let _ended = self.revocations.end(&credential, why);
                answer
            }
            Note::Tell { user, frame, .. } => {
                let _told = self.people.tell(&user, &frame.into());
                answer
            }
            Note::Typing {
                room,
                user,
                name,
                stop,
                ..
            } => {
                self.hub.typing_remote(&room, user, name, stop);
                answer
            }
        }
    }

    /// This node's presence, whole, in one note that replaces what the others had.
    pub(crate) fn all_presence(&self) -> Note {
        Note::Snapshot {
            node: self.me.clone(),
            rooms: self.hub.local_people(),
            people: self.people.local_people(),
        }
    }

    /// What changed of this node's presence since last asked; with nobody to tell
    /// (`!to_tell`), only forgotten.
    pub(crate) fn presence_changes(&self, to_tell: bool) -> Vec<Note> {
        let rooms = self.hub.take_local_changes(to_tell);
        let people = self.people.take_local_changes(to_tell);
        self.notes(rooms, people)
    }

    fn notes(
        &self,
        rooms: Vec<(RoomName, Vec<(UserId, UserName)>)>,
        statuses: Vec<crate::people::Said>,
    ) -> Vec<Note> {
        let mut notes: Vec<Note> = rooms
            .into_iter()
            .map(|(room, people)| Note::Presence {
                node: self.me.clone(),
                room,
                people,
            })
            .collect();
        if !statuses.is_empty() {
            notes.push(Note::Status {
                node: self.me.clone(),
                people: statuses,
            });
        }
        notes
    }

    /// Forgets nodes not heard from in time, and their people.
    fn expire(&self) {
        let now = Instant::now();
        let gone: Vec<String> = {
            let mut seen = self.seen();
            let gone = seen
                .iter()
                .filter(|(_, at)| now.duration_since(**at) > GONE_AFTER)
                .map(|(node, _)| node.clone())
                .collect::<Vec<_>>();
            for node in &gone {
                seen.remove(node);
            }
            gone
        };
        for node in gone {
            tracing::warn!(node, "a node is gone; its people are offline");
            self.hub.drop_node(&node);
            self.people.drop_node(&node);
        }
    }

    /// Says this node is alive every second, says all of its presence again now
    /// and then, and forgets the nodes gone, until shutdown.
    pub(crate) async fn run(self: Arc<Self>, broker: Arc<dyn Broker>, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(ALIVE_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n = 0_u32;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticks.tick() => {}
            }
            broker.note(&Note::Alive {
                node: self.me.clone(),
                hello: false,
            });
            n = n.wrapping_add(1);
            if n.is_multiple_of(ALL_AGAIN_EVERY) {
                broker.note(&self.all_presence());
            }
            self.expire();
        }
    }
}

#[cfg(test)]
mod tests;
