//! Other nodes' word on people's statuses, kept beside this node's own: a person is
//! online if they are on any node, away if away everywhere they are. Each node says
//! what changed of its people (and all of them now and then, and when another node
//! asks); a node gone takes its word with it.

use confab_shared::{Status, UserId};
use serde::{Deserialize, Serialize};

use super::People;

/// Where a person is on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct There {
    pub(crate) status: Status,
    /// Their sockets open there (a cap per person counts them all).
    pub(crate) sockets: u32,
}

/// One person on one node, as a note says it.
pub(crate) type Said = (UserId, There);

/// The livelier of two statuses: online before away before offline.
pub(super) fn livelier(a: Status, b: Status) -> Status {
    let rank = |s: Status| match s {
        Status::Online => 2,
        Status::Away => 1,
        Status::Offline | Status::Unknown => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

impl People {
    /// `node` says these `people` are where they say on it (offline: no longer
    /// there).
    pub(crate) fn set_remote(&self, node: &str, people: Vec<Said>) {
        let mut live = self.lock();
        for (user, there) in people {
            live.changing(&user, |live| {
                let nodes = live.remote.entry(user.clone()).or_default();
                if there.status == Status::Offline {
                    nodes.remove(node);
                } else {
                    nodes.insert(node.to_owned(), there);
                }
                if nodes.is_empty() {
                    live.remote.remove(&user);
                }
            });
        }
    }

    /// `node` has exactly these `people` now (a snapshot): anyone else it had is
    /// gone from it.
    pub(crate) fn replace_remote(&self, node: &str, people: Vec<Said>) {
        let gone: Vec<UserId> = {
            let live = self.lock();
            live.remote
                .iter()
                .filter(|(user, nodes)| {
                    nodes.contains_key(node) && !people.iter().any(|(u, _)| u == *user)
                })
                .map(|(user, _)| user.clone())
                .collect()
        };
        let offline = There {
            status: Status::Offline,
            sockets: 0,
        };
        self.set_remote(node, gone.into_iter().map(|u| (u, offline)).collect());
        self.set_remote(node, people);
    }

    /// `node` is gone: its word on everyone goes with it.
    pub(crate) fn drop_node(&self, node: &str) {
        self.replace_remote(node, Vec::new());
    }

    /// On how many nodes `user` has sockets (this one counted; at least 1).
    pub(crate) fn nodes_of(&self, user: &UserId) -> u32 {
        let live = self.lock();
        let here = u32::from(live.conns.contains_key(user));
        let there = live.remote.get(user).map_or(0, |nodes| nodes.len() as u32);
        (here + there).max(1)
    }

    /// How many sockets `user` has on other nodes.
    pub(crate) fn sockets_elsewhere(&self, user: &UserId) -> u32 {
        let live = self.lock();
        live.remote
            .get(user)
            .map_or(0, |nodes| nodes.values().map(|t| t.sockets).sum())
    }

    /// Whose standing on this node changed since last asked, and what it is now.
    pub(crate) fn take_local_changes(&self, to_tell: bool) -> Vec<Said> {
        let mut live = self.lock();
        if !to_tell {
            live.local_changed.clear();
            return Vec::new();
        }
        let changed: Vec<UserId> = live.local_changed.drain().collect();
        changed
            .into_iter()
            .map(|user| {
                let there = live.local(&user);
                (user, there)
            })
            .collect()
    }

    /// Everyone with a socket on this node, and where they are here.
    pub(crate) fn local_people(&self) -> Vec<Said> {
        let live = self.lock();
        live.conns
            .keys()
            .map(|user| (user.clone(), live.local(user)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use confab_shared::{ServerMsg, Status, UserId};

    use super::People;
    use crate::outbox::{Outbound, Outbox};

    #[test]
    fn a_person_is_as_lively_as_on_their_liveliest_node_until_it_goes() {
        let people = People::default();
        let bob = UserId::new("u:2").unwrap();
        let (outbox, mut queue) = Outbox::channel(16);
        let ann = UserId::new("u:1").unwrap();
        let answer = people.watch(1, &outbox, Some(&ann), vec![bob.clone()], &HashSet::new());
        assert!(
            matches!(answer, ServerMsg::People { people } if people[0].status == Status::Offline)
        );
        let there = |status| super::There { status, sockets: 1 };
        people.set_remote("n2", vec![(bob.clone(), there(Status::Away))]);
        people.set_remote("n3", vec![(bob.clone(), there(Status::Online))]);
        assert_eq!(people.nodes_of(&bob), 2);
        assert_eq!(people.sockets_elsewhere(&bob), 2);
        let said = |queue: &mut crate::outbox::Queue| {
            people.flush();
            match queue.try_recv() {
                Some(Outbound::Direct(frame)) => Some(frame.to_string()),
                _ => None,
            }
        };
        assert!(said(&mut queue).is_some_and(|f| f.contains(r#""status":"online""#)));
        people.drop_node("n3");
        assert!(said(&mut queue).is_some_and(|f| f.contains(r#""status":"away""#)));
        people.set_remote("n2", vec![(bob.clone(), there(Status::Offline))]);
        assert_eq!(
            (people.nodes_of(&bob), people.sockets_elsewhere(&bob)),
            (1, 0)
        );
        assert!(said(&mut queue).is_some_and(|f| f.contains(r#""status":"offline""#)));
        assert!(
            people.local_people().is_empty(),
            "nobody of this node's own"
        );
    }
}
