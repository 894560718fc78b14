//! How many sockets one person and one client address may hold open. A permit is
//! taken before the upgrade and given back when the connection ends (on drop).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use confab_shared::UserId;

/// Open sockets per person and per address.
pub(crate) struct Sockets {
    per_user: u32,
    per_ip: u32,
    users: Arc<Mutex<HashMap<UserId, u32>>>,
    ips: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// Which cap a new socket would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TooMany {
    User,
    Ip,
}

impl TooMany {
    pub(crate) fn text(self) -> &'static str {
        match self {
            TooMany::User => "too many connections for this account: close a tab or two",
            TooMany::Ip => "too many connections from this address",
        }
    }
}

impl Sockets {
    pub(crate) fn new(per_user: u32, per_ip: u32) -> Self {
        Self {
            per_user,
            per_ip,
            users: Arc::default(),
            ips: Arc::default(),
        }
    }

    /// A permit for one more socket of `user` from `ip`, if both are under their
    /// caps. A cap of 0 is no cap, and nothing is counted for it (an idle socket
    /// costs no entry in its table).
    #[cfg(test)]
    pub(crate) fn admit(&self, user: &UserId, ip: IpAddr) -> Result<SocketPermit, TooMany> {
        self.admit_besides(user, ip, 0)
    }

    /// [`Sockets::admit`], for a person who has `elsewhere` sockets open on other
    /// nodes: the cap per person holds across nodes.
    pub(crate) fn admit_besides(
        &self,
        user: &UserId,
        ip: IpAddr,
        elsewhere: u32,
    ) -> Result<SocketPermit, TooMany> {
        let ip_slot = match self.per_ip {
            0 => None,
            cap => Some(Slot::take(&self.ips, ip, cap).ok_or(TooMany::Ip)?),
        };
        let user_slot = match self.per_user {
            0 => None,
            cap => {
                let here = cap.checked_sub(elsewhere).filter(|c| *c > 0);
                let slot = here.and_then(|here| Slot::take(&self.users, user.clone(), here));
                Some(slot.ok_or(TooMany::User)?)
            }
        };
        Ok(SocketPermit {
            _ip: ip_slot,
            _user: user_slot,
        })
    }
}

/// One open socket's place under both caps; dropping it frees them.
pub(crate) struct SocketPermit {
    _ip: Option<Slot<IpAddr>>,
    _user: Option<Slot<UserId>>,
}

/// One count in a table of counts, given back on drop.
struct Slot<K: Hash + Eq> {
    table: Arc<Mutex<HashMap<K, u32>>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Slot<K> {
    /// Counts one more for `key`, unless it has `cap` already.
    fn take(table: &Arc<Mutex<HashMap<K, u32>>>, key: K, cap: u32) -> Option<Self> {
        let mut counts = table.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(Self {
            table: Arc::clone(table),
            key,
        })
    }
}

impl<K: Hash + Eq> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut counts = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_user_and_per_address_and_permits_give_back() {
        let sockets = Sockets::new(2, 3);
        let ann = UserId::new("u:1").expect("id");
        let bob = UserId::new("u:2").expect("id");
        let here: IpAddr = [127, 0, 0, 1].into();
        let there: IpAddr = [127, 0, 0, 2].into();
        let a1 = sockets.admit(&ann, here).expect("first");
        let _a2 = sockets.admit(&ann, there).expect("second");
        assert_eq!(sockets.admit(&ann, here).err(), Some(TooMany::User));
        let _b1 = sockets.admit(&bob, here).expect("bob's first");
        let _b2 = sockets.admit(&bob, here).expect("bob's second");
        assert_eq!(sockets.admit(&bob, here).err(), Some(TooMany::Ip));
        drop(a1);
        assert!(
            sockets.admit(&ann, there).is_ok(),
            "a closed socket frees its place"
        );
        assert!(sockets.users.lock().expect("lock").len() <= 2);
    }

    #[test]
    fn zero_is_no_cap_and_tables_empty_when_all_close() {
        let sockets = Sockets::new(0, 0);
        let ann = UserId::new("u:1").expect("id");
        let permits: Vec<_> = (0..1000)
            .map(|_| sockets.admit(&ann, [127, 0, 0, 1].into()).expect("no cap"))
            .collect();
        drop(permits);
        assert!(sockets.users.lock().expect("lock").is_empty());
        assert!(sockets.ips.lock().expect("lock").is_empty());
    }

    #[test]
    fn sockets_on_other_nodes_count_against_the_cap_per_person() {
        let sockets = Sockets::new(3, 0);
        let ann = UserId::new("u:1").expect("id");
        let here: IpAddr = [127, 0, 0, 1].into();
        let _a1 = sockets
            .admit_besides(&ann, here, 2)
            .expect("a third in all");
        assert_eq!(
            sockets.admit_besides(&ann, here, 2).err(),
            Some(TooMany::User),
            "a fourth in all"
        );
        assert_eq!(
            sockets.admit_besides(&ann, here, 3).err(),
            Some(TooMany::User)
        );
    }
}
