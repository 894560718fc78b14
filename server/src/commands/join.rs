//! `join`: subscribe this connection to a room, then read from the store: the events
//! after `after` (a resume), or else a snapshot of the newest messages.
//!
//! Subscribing first and reading second is what makes the read and the live stream
//! meet with neither a gap nor a duplicate: live events that arrive meanwhile wait in
//! the connection's queue, and the connection drops those at or below the seq the
//! read covered.

use confab_shared::protocol::{DEFAULT_REPLAY, MAX_REPLAY};
use confab_shared::{ErrorCode, Role, RoomName, Seq, ServerMsg, Tombstone};

use super::authz::{self, Action};
use super::{Reply, Session, denied};
use crate::hub::Online;
use crate::identity::Kind;
use crate::rooms::{Change, RoomChange};
use crate::store::{Replay, Snapshot, StoreError};
use crate::wire;

pub(super) async fn run(session: Session<'_>, room: RoomName, after: Option<Seq>) -> Reply {
    let state = session.state;
    let identity = session.identity;
    let directory = state.store.rooms().directory();
    let mut access = directory.access(&room, &identity.user);
    let mut allowed = authz::check(identity, access.as_ref(), Action::Join);
    if allowed.is_err() && state.broker.clustered() {
        // The room, or this person's place in it, may be a moment old, from another
        // node: read now rather than at the next catch-up.
        match state.store.rooms().load_room(&room).await {
            Ok(_) => {
                access = directory.access(&room, &identity.user);
                allowed = authz::check(identity, access.as_ref(), Action::Join);
            }
            Err(error) => tracing::warn!(%error, %room, "reading a room failed"),
        }
    }
    let role = match allowed {
        Ok(role) => role,
        Err(denial) => return denied(denial, &room),
    };
    // An account that joins a public room becomes a member (a `member_joined` event):
    // the room is in its list on every device from now on.
    let mut news = None;
    if let (None, Kind::Member, Some(found)) = (role, identity.kind, &access) {
        let change = RoomChange {
            room: room.clone(),
            change: Change::Join {
                who: identity.person(),
                role: Role::Member,
                by: None,
            },
        };
        match state.sequencer.record(change).await {
            Ok(events) if !events.is_empty() => {
                // What was said before they joined is not unread to them.
                let joined_at = events.last().map_or(0, |event| event.seq);
                let reading = state.store.reading();
                if let Err(error) = reading
                    .set_read(&identity.user, &room, joined_at, false)
                    .await
                {
                    tracing::error!(%error, %room, "setting a new member's read marker failed");
                }
                news = Some(wire::encode(&ServerMsg::Room(
                    found.room.info(Some(Role::Member)),
                )))
            }
            Ok(_) => {}
            Err(error) => {
                tracing::error!(conn = session.conn, %error, %room, "adding a member failed");
                return Reply::refusal(
                    ErrorCode::Internal,
                    "could not join the room; try again",
                    None,
                );
            }
        }
    }
    let directory = state.store.rooms().directory();
    let online = state
        .hub
        .join(&room, session.conn, identity, session.outbox, directory);
    let read = match after {
        Some(after) => resume(session.state, &room, after).await,
        None => snapshot(session.state, &room, false).await,
    };
    let read = match read {
        Ok(read) => read,
        Err(error) => {
            tracing::error!(conn = session.conn, %error, %room, "reading the room failed");
            if !session.joined.contains_key(&room) {
                state.hub.leave(&room, session.conn);
            }
            return Reply::refusal(
                ErrorCode::Internal,
                "could not join the room; try again",
                None,
            );
        }
    };
    let (last_seq, mut frames) = read.into_frames(room.clone(), online);
    if let Some(news) = news {
        frames.insert(0, news);
    }
    session.joined.insert(room, last_seq);
    Reply {
        frames,
        ..Reply::default()
    }
}

/// What the store gave a join.
enum Read {
    /// The events since the client's `after`.
    Events(Replay),
    /// The newest messages: the client had no `after`, or was too far behind.
    Snapshot {
        snapshot: Snapshot,
        truncated: bool,
        tombstones: Vec<Tombstone>,
    },
}

/// The events after `after`, or a snapshot if there are too many to replay.
async fn resume(
    state: &crate::state::AppState,
    room: &RoomName,
    after: Seq,
) -> Result<Read, StoreError> {
    let replay = state.store.replay(room, after, MAX_REPLAY).await?;
    if !replay.truncated {
        return Ok(Read::Events(replay));
    }
    snapshot(state, room, true).await
}

/// The newest messages of `room`, with the places kept for deleted roots among them.
async fn snapshot(
    state: &crate::state::AppState,
    room: &RoomName,
    truncated: bool,
) -> Result<Read, StoreError> {
    let snapshot = state.store.snapshot(room, DEFAULT_REPLAY).await?;
    let tombstones = super::history::tombstones(
        state.store.as_ref(),
        room,
        &snapshot.messages,
        snapshot.has_more,
        snapshot.last_seq,
    )
    .await?;
    Ok(Read::Snapshot {
        snapshot,
        truncated,
        tombstones,
    })
}

impl Read {
    /// The seq the read covers, and the frames that tell the client: `joined`, then
    /// the replayed events, if any.
    fn into_frames(
        self,
        room: RoomName,
        online: Online,
    ) -> (Seq, Vec<axum::extract::ws::Utf8Bytes>) {
        let joined = |last_seq, truncated, messages, has_more, tombstones| ServerMsg::Joined {
            room: room.clone(),
            last_seq,
            online: online.names.clone(),
            online_count: online.count,
            truncated,
            messages,
            has_more,
            tombstones,
        };
        match self {
            Read::Events(replay) => {
                let mut frames = Vec::with_capacity(replay.events.len() + 1);
                frames.push(wire::encode(&joined(
                    replay.last_seq,
                    false,
                    None,
                    false,
                    Vec::new(),
                )));
                frames.extend(
                    replay
                        .events
                        .into_iter()
                        .map(|event| wire::encode(&ServerMsg::Event(event))),
                );
                (replay.last_seq, frames)
            }
            Read::Snapshot {
                snapshot,
                truncated,
                tombstones,
            } => {
                let frame = joined(
                    snapshot.last_seq,
                    truncated,
                    Some(snapshot.messages),
                    snapshot.has_more,
                    tombstones,
                );
                (snapshot.last_seq, vec![wire::encode(&frame)])
            }
        }
    }
}
