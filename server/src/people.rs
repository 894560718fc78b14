//! Every live connection by the person it is, on this node: to tell all of someone's
//! sockets at once (invited to a room, in a new conversation), and the presence of
//! people: a person is online while a socket of theirs is open and not away, away
//! while every open one says so, offline when the last goes.
//!
//! Connections watch people by id (`watch_people`); a change of someone's status is
//! gathered, not sent at once: [`People::flush`] (every presence interval) sends each
//! watcher one `people` frame with the changes of those it watches. Whom a person may
//! see is [`People::may_see`]: those who share a room or conversation with them in
//! which they have written, and who did not block them; judged when a connection
//! asks to watch (`commands/people.rs`), and again for those it could not see when
//! the person writes somewhere for the first time ([`People::revisit`]).
//!
//! Across nodes (`people/remote.rs`), each node says the statuses of its people;
//! someone is online if a socket of theirs on any node is.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use confab_shared::{PersonStatus, ServerMsg, Status, UserId};

mod remote;

pub(crate) use remote::Said;

use crate::hub::ConnId;
use crate::outbox::{Outbound, Outbox};
use crate::rooms::Directory;
use crate::wire;

#[derive(Default)]
pub(crate) struct People {
    live: Mutex<Live>,
}

#[derive(Default)]
struct Live {
    conns: HashMap<UserId, HashMap<ConnId, Conn>>,
    /// Who watches each person: their connections.
    watchers: HashMap<UserId, HashSet<ConnId>>,
    /// Who asked after each person without being allowed to see them (yet): the
    /// connections of accounts, to look at again when the person first writes.
    hidden_from: HashMap<UserId, HashSet<ConnId>>,
    /// Each watching connection: its queue and whom it watches.
    watching: HashMap<ConnId, Watcher>,
    /// People whose status changed since the last flush, with the status they had
    /// at the last one.
    changed: HashMap<UserId, Status>,
    /// What other nodes said of their people: person, node, where they are there.
    remote: HashMap<UserId, HashMap<String, remote::There>>,
    /// People whose status on this node changed since the other nodes were told.
    local_changed: HashSet<UserId>,
}

struct Conn {
    outbox: Outbox,
    away: bool,
}

struct Watcher {
    outbox: Outbox,
    /// The account watching (None: a guest, who sees nobody).
    viewer: Option<UserId>,
    users: Vec<UserId>,
    /// Those it asked after but may not see.
    hidden: Vec<UserId>,
}

impl Live {
    /// Where `user` is on this node.
    fn local_status(&self, user: &UserId) -> Status {
        match self.conns.get(user) {
            None => Status::Offline,
            Some(conns) if conns.values().all(|c| c.away) => Status::Away,
            Some(_) => Status::Online,
        }
    }

    /// Where `user` is: the liveliest of this node's and the other nodes' word.
    fn status(&self, user: &UserId) -> Status {
        let here = self.local_status(user);
        self.remote
            .get(user)
            .into_iter()
            .flat_map(HashMap::values)
            .fold(here, |best, there| remote::livelier(best, there.status))
    }

    /// Runs `change` on the live connections, and notes `user` changed if their
    /// status did (and someone watches them; and, on this node, for the others).
    fn changing(&mut self, user: &UserId, change: impl FnOnce(&mut Self)) {
        let (before, here) = (self.status(user), self.local(user));
        change(self);
        if self.status(user) != before && self.watchers.contains_key(user) {
            self.changed.entry(user.clone()).or_insert(before);
        }
        if self.local(user) != here {
            self.local_changed.insert(user.clone());
        }
    }

    /// Where `user` is on this node, and with how many sockets.
    fn local(&self, user: &UserId) -> remote::There {
        remote::There {
            status: self.local_status(user),
            sockets: self.conns.get(user).map_or(0, |c| c.len() as u32),
        }
    }

    fn unwatch(&mut self, conn: ConnId) {
        let Some(watcher) = self.watching.remove(&conn) else {
            return;
        };
        for user in &watcher.users {
            drop_conn(&mut self.watchers, user, conn);
        }
        for user in &watcher.hidden {
            drop_conn(&mut self.hidden_from, user, conn);
        }
    }
}

/// Takes `conn` out of `map`'s set for `user` (and the set, once empty).
fn drop_conn(map: &mut HashMap<UserId, HashSet<ConnId>>, user: &UserId, conn: ConnId) {
    if let Some(conns) = map.get_mut(user) {
        conns.remove(&conn);
        if conns.is_empty() {
            map.remove(user);
        }
    }
}

impl People {
    /// Whether `viewer` may see `person`'s presence: they share a room or a
    /// conversation in which `person` has written, and `person` did not block them.
    /// (Oneself, always: the caller's to allow.)
    pub(crate) fn may_see(directory: &Directory, viewer: &UserId, person: &UserId) -> bool {
        directory.shares_where_written(viewer, person) && !directory.has_blocked(person, viewer)
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn register(&self, user: &UserId, conn: ConnId, outbox: &Outbox) {
        self.lock().changing(user, |live| {
            let entry = Conn {
                outbox: outbox.clone(),
                away: false,
            };
            live.conns
                .entry(user.clone())
                .or_default()
                .insert(conn, entry);
        });
    }

    /// `conn` has gone: it is no longer `user`'s, and watches nobody.
    pub(crate) fn forget(&self, user: &UserId, conn: ConnId) {
        let mut live = self.lock();
        live.unwatch(conn);
        live.changing(user, |live| {
            if let Some(conns) = live.conns.get_mut(user) {
                conns.remove(&conn);
                if conns.is_empty() {
                    live.conns.remove(user);
                }
            }
        });
    }

    /// `conn` (of `user`) says its person is away, or back.
    pub(crate) fn set_away(&self, user: &UserId, conn: ConnId, away: bool) {
        self.lock().changing(user, |live| {
            if let Some(entry) = live.conns.get_mut(user).and_then(|c| c.get_mut(&conn)) {
                entry.away = away;
            }
        });
    }

    /// `conn` (of `viewer`, None for a guest) now watches `users` (replacing whom it
    /// watched) and is answered with their statuses; `hidden` ones (whom it may not
    /// see) are told as offline and not watched, until [`People::revisit`] finds the
    /// viewer may see them.
    pub(crate) fn watch(
        &self,
        conn: ConnId,
        outbox: &Outbox,
        viewer: Option<&UserId>,
        users: Vec<UserId>,
        hidden: &HashSet<UserId>,
    ) -> ServerMsg {
        let mut live = self.lock();
        live.unwatch(conn);
        let mut people = Vec::with_capacity(users.len());
        let mut watched = Vec::new();
        let mut unseen = Vec::new();
        for user in users {
            if people.iter().any(|p: &PersonStatus| p.user_id == user) {
                continue;
            }
            let status = if hidden.contains(&user) {
                if viewer.is_some() {
                    live.hidden_from
                        .entry(user.clone())
                        .or_default()
                        .insert(conn);
                    unseen.push(user.clone());
                }
                Status::Offline
            } else {
                live.watchers.entry(user.clone()).or_default().insert(conn);
                watched.push(user.clone());
                live.status(&user)
            };
            people.push(PersonStatus {
                user_id: user,
                status,
            });
        }
        if !watched.is_empty() || !unseen.is_empty() {
            let watcher = Watcher {
                outbox: outbox.clone(),
                viewer: viewer.cloned(),
                users: watched,
                hidden: unseen,
            };
            live.watching.insert(conn, watcher);
        }
        ServerMsg::People { people }
    }

    /// `person` wrote somewhere for the first time: each connection that asked after
    /// them but could not see them is looked at again (`may_see`, by its viewer), and
    /// one that now may watches them from now on, told their status at once.
    pub(crate) fn revisit(&self, person: &UserId, may_see: impl Fn(&UserId) -> bool) {
        let mut live = self.lock();
        let Some(conns) = live.hidden_from.get(person) else {
            return;
        };
        let now_seen: Vec<ConnId> = conns
            .iter()
            .copied()
            .filter(|conn| {
                live.watching
                    .get(conn)
                    .and_then(|w| w.viewer.as_ref())
                    .is_some_and(&may_see)
            })
            .collect();
        let status = live.status(person);
        for conn in now_seen {
            drop_conn(&mut live.hidden_from, person, conn);
            live.watchers
                .entry(person.clone())
                .or_default()
                .insert(conn);
            if let Some(watcher) = live.watching.get_mut(&conn) {
                watcher.hidden.retain(|u| u != person);
                watcher.users.push(person.clone());
                let people = vec![PersonStatus {
                    user_id: person.clone(),
                    status,
                }];
                let frame = wire::encode(&ServerMsg::People { people });
                watcher.outbox.deliver(Outbound::Direct(frame));
            }
        }
    }

    /// Sends each connection watching someone whose status changed one `people`
    /// frame with those changes; gives how many frames.
    pub(crate) fn flush(&self) -> usize {
        let mut live = self.lock();
        if live.changed.is_empty() {
            return 0;
        }
        let changed = std::mem::take(&mut live.changed);
        let mut news: HashMap<ConnId, Vec<PersonStatus>> = HashMap::new();
        for (user, before) in changed {
            let status = live.status(&user);
            if status == before {
                continue; // Went and came back within one interval.
            }
            for conn in live.watchers.get(&user).into_iter().flatten() {
                news.entry(*conn).or_default().push(PersonStatus {
                    user_id: user.clone(),
                    status,
                });
            }
        }
        let mut sent = 0;
        for (conn, mut people) in news {
            if let Some(watcher) = live.watching.get(&conn) {
                people.sort_by(|a, b| a.user_id.cmp(&b.user_id));
                let frame = wire::encode(&ServerMsg::People { people });
                watcher.outbox.deliver(Outbound::Direct(frame));
                sent += 1;
            }
        }
        sent
    }

    /// Whether `user` has a socket open.
    pub(crate) fn is_connected(&self, user: &UserId) -> bool {
        self.lock().conns.get(user).is_some_and(|c| !c.is_empty())
    }

    /// Queues `frame` on every socket of `user`; gives how many there were.
    pub(crate) fn tell(&self, user: &UserId, frame: &Utf8Bytes) -> usize {
        self.tell_but(user, None, frame)
    }

    /// Queues `frame` on every socket of `user` but `except` (the one that asked,
    /// which has its answer).
    pub(crate) fn tell_but(
        &self,
        user: &UserId,
        except: Option<ConnId>,
        frame: &Utf8Bytes,
    ) -> usize {
        let live = self.lock();
        let Some(conns) = live.conns.get(user) else {
            return 0;
        };
        let mut told = 0;
        for (conn, entry) in conns {
            if Some(*conn) != except {
                entry.outbox.deliver(Outbound::Direct(frame.clone()));
                told += 1;
            }
        }
        told
    }
}
