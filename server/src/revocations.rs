//! Ending every socket of a credential at once: signing out ends the session's
//! sockets, in every tab, on this node (and, through `AppState::end_credential`,
//! on the others). Connections signed in with a session register
//! here while they live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::hub::ConnId;
use crate::outbox::{Outbox, Revoked};

/// Live connections by the credential (a session's token hash) they signed in with.
#[derive(Default)]
pub(crate) struct Revocations {
    live: Mutex<HashMap<Arc<str>, HashMap<ConnId, Outbox>>>,
}

impl Revocations {
    fn lock(&self) -> MutexGuard<'_, HashMap<Arc<str>, HashMap<ConnId, Outbox>>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn register(&self, credential: &Arc<str>, conn: ConnId, outbox: &Outbox) {
        self.lock()
            .entry(Arc::clone(credential))
            .or_default()
            .insert(conn, outbox.clone());
    }

    pub(crate) fn forget(&self, credential: &str, conn: ConnId) {
        let mut live = self.lock();
        if let Some(conns) = live.get_mut(credential) {
            conns.remove(&conn);
            if conns.is_empty() {
                live.remove(credential);
            }
        }
    }

    /// Ends every connection of `credential` for `why`; returns how many there were.
    pub(crate) fn end(&self, credential: &str, why: Revoked) -> usize {
        let conns = self.lock().remove(credential).unwrap_or_default();
        for outbox in conns.values() {
            outbox.revoke(why);
        }
        conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoking_a_credential_stops_its_connections_only() {
        let revocations = Revocations::default();
        let (a1, _q1) = Outbox::channel(4);
        let (a2, _q2) = Outbox::channel(4);
        let (b, _q3) = Outbox::channel(4);
        let (ann, bob): (Arc<str>, Arc<str>) = (Arc::from("ann"), Arc::from("bob"));
        revocations.register(&ann, 1, &a1);
        revocations.register(&ann, 2, &a2);
        revocations.register(&bob, 3, &b);
        revocations.forget("ann", 2);
        assert_eq!(revocations.end("ann", Revoked::SignedOut), 1);
        assert_eq!(a1.revoked(), Some(Revoked::SignedOut));
        assert!(a2.revoked().is_none() && b.revoked().is_none());
        assert_eq!(
            revocations.end("ann", Revoked::SignedOut),
            0,
            "nothing left to end"
        );
    }
}
