//! Read markers in the in-memory twin.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::{MessageId, RoomName, Seq, ThreadUnread, UserId, UserName};

use super::{Entry, MemoryStore};
use crate::reading::{Marker, Reading, Unread};
use crate::store::StoreError;

/// Counts `bodies` of unread messages (by others, not deleted, newest first) for the
/// reader named `name`: at most `UNREAD_CAP`, and those mentioning them.
fn count<'a>(bodies: impl Iterator<Item = &'a str>, name: &UserName) -> Unread {
    let mut unread = Unread::default();
    for body in bodies.take(confab_shared::protocol::UNREAD_CAP as usize) {
        unread.unread += 1;
        if confab_shared::protocol::mentions(body, name) {
            unread.mentions += 1;
        }
    }
    unread
}

#[async_trait]
impl Reading for MemoryStore {
    async fn set_read(
        &self,
        user: &UserId,
        room: &RoomName,
        seq: Seq,
        back: bool,
    ) -> Result<Marker, StoreError> {
        if !self.directory.exists(room) {
            return Ok(Marker {
                seq: 0,
                moved: false,
            });
        }
        let mut state = self.lock();
        let newest = state.rooms.get(room).map_or(0, |log| log.len() as Seq);
        let wanted = seq.min(newest);
        let key = (user.clone(), room.clone());
        let moves = match state.read.get(&key) {
            None => true,
            Some(&at) => wanted > at || (back && wanted < at),
        };
        if moves {
            state.read.insert(key, wanted);
            return Ok(Marker {
                seq: wanted,
                moved: true,
            });
        }
        let seq = state.read.get(&key).copied().unwrap_or(0);
        Ok(Marker { seq, moved: false })
    }

    async fn markers(&self, user: &UserId) -> Result<HashMap<RoomName, Seq>, StoreError> {
        Ok(self
            .lock()
            .read
            .iter()
            .filter(|((who, _), _)| who == user)
            .map(|((_, room), seq)| (room.clone(), *seq))
            .collect())
    }

    async fn all_counts(
        &self,
        user: &UserId,
        name: &UserName,
    ) -> Result<HashMap<RoomName, (Option<Seq>, Unread)>, StoreError> {
        let markers = self.markers(user).await?;
        let mut counts = HashMap::new();
        for info in self.directory.rooms_of(user) {
            let read = markers.get(&info.room).copied();
            let unread = self
                .unread(user, name, &info.room, read.unwrap_or(0))
                .await?;
            counts.insert(info.room, (read, unread));
        }
        Ok(counts)
    }

    async fn unread(
        &self,
        user: &UserId,
        name: &UserName,
        room: &RoomName,
        after: Seq,
    ) -> Result<Unread, StoreError> {
        let state = self.lock();
        let Some(log) = state.rooms.get(room) else {
            return Ok(Unread::default());
        };
        let skip = usize::try_from(after).unwrap_or(usize::MAX);
        let bodies = log
            .iter()
            .skip(skip)
            .rev()
            .filter_map(Entry::live)
            .filter(|m| super::threads::listed(m) && m.author_id != *user)
            .map(|m| m.body.as_str());
        Ok(count(bodies, name))
    }

    async fn thread_people(
        &self,
        room: &RoomName,
        root: MessageId,
    ) -> Result<Vec<UserId>, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(super::threads::people(log, root))
    }

    async fn thread_read(
        &self,
        user: &UserId,
        room: &RoomName,
        root: MessageId,
        seq: Seq,
    ) -> Result<ThreadUnread, StoreError> {
        let mut guard = self.lock();
        let state = &mut *guard;
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        let newest = super::threads::newest_reply(log, root);
        // No reply in this room: nothing to read, nothing said of elsewhere.
        if newest == 0 {
            return Ok(ThreadUnread {
                root,
                seq: 0,
                unread: 0,
            });
        }
        let wanted = seq.min(newest);
        let at = state.thread_reads.entry((user.clone(), root)).or_insert(0);
        *at = (*at).max(wanted);
        let at = *at;
        Ok(ThreadUnread {
            root,
            seq: at,
            unread: super::threads::unread(log, root, user, at),
        })
    }

    async fn threads_unread(
        &self,
        user: &UserId,
    ) -> Result<HashMap<RoomName, Vec<ThreadUnread>>, StoreError> {
        let state = self.lock();
        let mut out: HashMap<RoomName, Vec<ThreadUnread>> = HashMap::new();
        for (room, log) in &state.rooms {
            for root in super::threads::roots_of(log, user) {
                let at = state
                    .thread_reads
                    .get(&(user.clone(), root))
                    .copied()
                    .unwrap_or(0);
                let unread = super::threads::unread(log, root, user, at);
                if unread > 0 {
                    out.entry(room.clone()).or_default().push(ThreadUnread {
                        root,
                        seq: at,
                        unread,
                    });
                }
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|t| t.root);
        }
        Ok(out)
    }
}
