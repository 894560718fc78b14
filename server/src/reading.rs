//! Read state: each account's marker per room (the seq up to which they have read),
//! and what is unread after it. The store keeps markers ([`Reading`]); the rule of
//! what counts (messages by others, not deleted, at most `UNREAD_CAP`, mentions by
//! `confab_shared::protocol::mentions`) is kept by each store's `unread`, and tested
//! as part of the store contract so both count alike.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::{MessageId, RoomName, Seq, ThreadUnread, UserId, UserName};

use crate::store::StoreError;

/// What is unread in a room after a marker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    /// Messages by others, not deleted (at most `UNREAD_CAP`).
    pub unread: u32,
    /// Those of them that mention the reader.
    pub mentions: u32,
}

/// Where a marker is after a move, and whether it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marker {
    pub seq: Seq,
    pub moved: bool,
}

#[async_trait]
pub trait Reading: Send + Sync + 'static {
    /// Moves `user`'s marker in `room` to `seq` (no further than the room's newest
    /// event): forward only, unless `back` (an explicit "mark unread").
    async fn set_read(
        &self,
        user: &UserId,
        room: &RoomName,
        seq: Seq,
        back: bool,
    ) -> Result<Marker, StoreError>;

    /// Every marker of `user`, by room.
    async fn markers(&self, user: &UserId) -> Result<HashMap<RoomName, Seq>, StoreError>;

    /// Every room `user` (named `name`) is a member of: their marker there (if any)
    /// and what is unread after it. What a connecting member's rooms list carries,
    /// so it must stay cheap for hundreds of rooms.
    async fn all_counts(
        &self,
        user: &UserId,
        name: &UserName,
    ) -> Result<HashMap<RoomName, (Option<Seq>, Unread)>, StoreError>;

    /// What is unread for `user` (named `name`, for mentions) in `room` after `after`.
    async fn unread(
        &self,
        user: &UserId,
        name: &UserName,
        room: &RoomName,
        after: Seq,
    ) -> Result<Unread, StoreError>;

    /// Who took part in thread `root` of `room`: wrote the root or a reply in it.
    async fn thread_people(
        &self,
        room: &RoomName,
        root: MessageId,
    ) -> Result<Vec<UserId>, StoreError>;

    /// Moves `user`'s marker in thread `root` of `room` forward to `seq` (no further
    /// than its newest reply; 0 moves nothing), and gives where it is and the
    /// replies by others after it, not deleted, at most `UNREAD_CAP`.
    async fn thread_read(
        &self,
        user: &UserId,
        room: &RoomName,
        root: MessageId,
        seq: Seq,
    ) -> Result<ThreadUnread, StoreError>;

    /// The threads `user` took part in that have unread replies, by room.
    async fn threads_unread(
        &self,
        user: &UserId,
    ) -> Result<HashMap<RoomName, Vec<ThreadUnread>>, StoreError>;
}

/// Fills in `rooms` (a member's list) their markers and what is unread in each, for
/// `user` named `name`: every room in one go (`all_counts`).
pub async fn fill_counts(
    reading: &dyn Reading,
    user: &UserId,
    name: &UserName,
    rooms: &mut [confab_shared::RoomInfo],
) -> Result<(), StoreError> {
    if rooms.is_empty() {
        return Ok(());
    }
    let counts = reading.all_counts(user, name).await?;
    let mut threads = reading.threads_unread(user).await?;
    for info in rooms {
        if let Some((read, counted)) = counts.get(&info.room) {
            info.read = *read;
            info.unread = counted.unread;
            info.mentions = counted.mentions;
        }
        info.threads = threads.remove(&info.room).unwrap_or_default();
    }
    Ok(())
}

/// Fills in one room of `user`'s its marker and what is unread after it.
pub async fn fill_counts_of(
    reading: &dyn Reading,
    user: &UserId,
    name: &UserName,
    info: &mut confab_shared::RoomInfo,
) -> Result<(), StoreError> {
    info.read = reading.markers(user).await?.get(&info.room).copied();
    let counted = reading
        .unread(user, name, &info.room, info.read.unwrap_or(0))
        .await?;
    info.unread = counted.unread;
    info.mentions = counted.mentions;
    info.threads = reading
        .threads_unread(user)
        .await?
        .remove(&info.room)
        .unwrap_or_default();
    Ok(())
}
