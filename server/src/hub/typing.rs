//! Who is typing in one room, on this node: each person until [`TYPING_EXPIRES_MS`]
//! after their last `typing`, or until they stop, send, or their last connection in
//! the room goes. Changes are gathered and announced with the hub's typing flush, so
//! each member gets at most one `typing` frame per flush however many type at once.

use std::sync::Arc;
use std::time::Duration;

use confab_shared::protocol::{TYPING_EXPIRES_MS, TYPING_NAMES, Typist};
use confab_shared::{RoomName, ServerMsg, UserId};
use tokio::time::Instant;

use crate::identity::Identity;

/// How long a typist is kept without another `typing`.
const EXPIRES: Duration = Duration::from_millis(TYPING_EXPIRES_MS);

#[derive(Default)]
pub(super) struct Typing {
    /// Who types, in the order they began, with when each is forgotten.
    typists: Vec<(Arc<Identity>, Instant)>,
    /// Changed since the last announcement.
    changed: bool,
}

impl Typing {
    /// `who` is typing (again) at `now`.
    pub(super) fn start(&mut self, who: &Arc<Identity>, now: Instant) {
        let until = now + EXPIRES;
        match self.typists.iter_mut().find(|(t, _)| t.user == who.user) {
            Some((_, at)) => *at = until,
            None => {
                self.typists.push((Arc::clone(who), until));
                self.changed = true;
            }
        }
    }

    /// `user` stopped (cleared the box, sent, or left); gives whether they typed.
    pub(super) fn stop(&mut self, user: &UserId) -> bool {
        let before = self.typists.len();
        self.typists.retain(|(t, _)| t.user != *user);
        let stopped = self.typists.len() != before;
        self.changed |= stopped;
        stopped
    }

    /// Forgets those not heard from in time; gives whether anyone is still typing.
    pub(super) fn expire(&mut self, now: Instant) -> bool {
        let before = self.typists.len();
        self.typists.retain(|(_, until)| *until > now);
        self.changed |= self.typists.len() != before;
        !self.typists.is_empty()
    }

    /// The frame for what changed, if anything did since the last one.
    pub(super) fn announcement(&mut self, room: &RoomName) -> Option<ServerMsg> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        Some(self.frame(room, |_| false))
    }

    /// Who types now, leaving out those `hidden` says a viewer may not see.
    pub(super) fn frame(&self, room: &RoomName, hidden: impl Fn(&UserId) -> bool) -> ServerMsg {
        let seen = self.typists.iter().filter(|(t, _)| !hidden(&t.user));
        let people = seen
            .clone()
            .take(TYPING_NAMES)
            .map(|(t, _)| Typist {
                user: t.name.clone(),
                user_id: t.user.clone(),
            })
            .collect();
        ServerMsg::Typing {
            room: room.clone(),
            people,
            count: u32::try_from(seen.count()).unwrap_or(u32::MAX),
        }
    }

    /// Who types now.
    pub(super) fn typists(&self) -> impl Iterator<Item = &UserId> {
        self.typists.iter().map(|(t, _)| &t.user)
    }
}

#[cfg(test)]
mod tests {
    use confab_shared::UserName;

    use super::*;
    use crate::identity::Kind;

    fn person(name: &str) -> Arc<Identity> {
        Arc::new(Identity {
            user: UserId::new(format!("u:{name}")).unwrap(),
            name: UserName::new(name).unwrap(),
            kind: Kind::Member,
            credential: None,
        })
    }

    fn said(typing: &mut Typing) -> Option<(Vec<String>, u32)> {
        let room = RoomName::new("r").unwrap();
        match typing.announcement(&room)? {
            ServerMsg::Typing { people, count, .. } => Some((
                people.into_iter().map(|p| p.user.to_string()).collect(),
                count,
            )),
            _ => None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn typists_are_named_up_to_three_counted_all_and_forgotten() {
        let mut typing = Typing::default();
        let now = Instant::now();
        for name in ["ann", "bob", "cat", "dan"] {
            typing.start(&person(name), now);
        }
        assert_eq!(
            said(&mut typing),
            Some((vec!["ann".into(), "bob".into(), "cat".into()], 4))
        );
        assert_eq!(said(&mut typing), None, "nothing new");
        // Typing again changes nothing anyone sees.
        typing.start(&person("ann"), now + Duration::from_secs(5));
        assert_eq!(said(&mut typing), None);
        typing.stop(&person("bob").user);
        assert_eq!(
            said(&mut typing),
            Some((vec!["ann".into(), "cat".into(), "dan".into()], 3))
        );
        // Past the expiry only ann, who typed again, is left.
        assert!(typing.expire(now + EXPIRES + Duration::from_millis(1)));
        assert_eq!(said(&mut typing), Some((vec!["ann".into()], 1)));
        assert!(!typing.expire(now + Duration::from_secs(5) + EXPIRES));
        assert_eq!(said(&mut typing), Some((vec![], 0)));
    }
}
