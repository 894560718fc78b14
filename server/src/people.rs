//! Every live connection by the person it is, on this node: to tell all of someone's
//! sockets at once (they were invited to a room; later, removed from one).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use confab_shared::UserId;

use crate::hub::ConnId;
use crate::outbox::{Outbound, Outbox};

#[derive(Default)]
pub(crate) struct People {
    live: Mutex<HashMap<UserId, HashMap<ConnId, Outbox>>>,
}

impl People {
    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, HashMap<ConnId, Outbox>>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn register(&self, user: &UserId, conn: ConnId, outbox: &Outbox) {
        self.lock()
            .entry(user.clone())
            .or_default()
            .insert(conn, outbox.clone());
    }

    pub(crate) fn forget(&self, user: &UserId, conn: ConnId) {
        let mut live = self.lock();
        if let Some(conns) = live.get_mut(user) {
            conns.remove(&conn);
            if conns.is_empty() {
                live.remove(user);
            }
        }
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
        let Some(conns) = live.get(user) else {
            return 0;
        };
        let mut told = 0;
        for (conn, outbox) in conns {
            if Some(*conn) != except {
                outbox.deliver(Outbound::Direct(frame.clone()));
                told += 1;
            }
        }
        told
    }
}
