//! Every stored room event reaches this node's rooms once and in seq order, whoever
//! stored it: this node's writer (local), another node (through the broker), or the
//! store itself (a gap filled, a quiet room's tail caught up).
//!
//! Each room has a cursor, the newest seq handed to the hub here. An event at the
//! cursor or below is a duplicate and is dropped; the next one goes out; one past a
//! gap waits while the gap is read from the store (after a short grace, since the
//! broker usually brings the missing one within a millisecond: two nodes writing to
//! one room publish in whichever order their commits finish). Nothing is skipped.
//!
//! Another node's events are also folded into this node's room directory
//! (memberships, roles, mutes, bans, topics, who has written): what one node decides
//! holds on all. A room made on another node is read from the store when first heard
//! of. When other nodes share the store, every room's newest seq is read once a
//! second and whatever this node missed is read and sent: pub/sub loses messages
//! when Redis restarts or a subscriber lags, and a dropped tail has no later event to
//! reveal its gap.

mod fill;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use confab_shared::{EventKind, RoomEvent, RoomName, Seq, ServerMsg};
use tokio::time::Instant;

use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::outbox::{Outbound, Outbox, RoomFrame};
use crate::people::People;
use crate::store::Store;
use crate::thread_news::ThreadNews;
use crate::wire;

/// The most events held past a gap in one room; beyond, they are left to the
/// store (their senders acked: they are stored), which the gap's read brings.
const MAX_HELD: usize = 10_000;

/// Where an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// This node's writer stored it (and already folded it into the directory).
    Local,
    /// Another node stored it: heard from the broker, or read from the store.
    Remote,
}

pub(crate) struct RoomFeed {
    state: Mutex<State>,
    hub: Arc<Hub>,
    store: Arc<dyn Store>,
    people: Arc<People>,
    threads: ThreadNews,
    metrics: Arc<Metrics>,
    /// Woken when a room has a gap or is unknown, or a catch-up is asked for.
    wake: tokio::sync::Notify,
    /// A catch-up of every room is asked for (the broker subscribed again).
    catch_up_asked: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Each room's newest seq handed to the hub.
    cursors: HashMap<RoomName, Seq>,
    /// Events past a gap, by room and seq.
    held: HashMap<RoomName, BTreeMap<Seq, Held>>,
    /// Rooms with a gap, and since when.
    gaps: HashMap<RoomName, Instant>,
    /// Rooms heard of that the directory lacks (made on another node).
    unknown: HashSet<RoomName>,
    /// Acks of resends, each written once its room's cursor reaches the seq of
    /// the message it names.
    acks: HashMap<RoomName, BTreeMap<Seq, Vec<Ack>>>,
}

struct Held {
    event: RoomEvent,
    frame: Utf8Bytes,
    origin: Origin,
    /// The sender's ack, written right after the event reached the room: a sender
    /// sees its own message before the ack even when the message waited here.
    ack: Option<Ack>,
}

/// An ack to write once its message is out.
pub(crate) struct Ack {
    pub(crate) to: Outbox,
    pub(crate) frame: Utf8Bytes,
}

impl Ack {
    fn send(self) {
        self.to.deliver(Outbound::Reply(self.frame));
    }
}

impl RoomFeed {
    /// A feed whose cursors start at every room's newest seq in `store`.
    pub(crate) async fn start(
        hub: Arc<Hub>,
        store: Arc<dyn Store>,
        people: Arc<People>,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Self>, crate::store::StoreError> {
        let cursors = store.rooms().last_seqs().await?.into_iter().collect();
        let threads = ThreadNews::start(Arc::clone(&store), Arc::clone(&people));
        Ok(Arc::new(Self {
            state: Mutex::new(State {
                cursors,
                ..State::default()
            }),
            hub,
            store,
            people,
            threads,
            metrics,
            wake: tokio::sync::Notify::new(),
            catch_up_asked: AtomicBool::new(false),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands `event` (encoded as `frame`, if it was: else encoded here) to the hub
    /// in its room's order: now, after the events before it, or never (a
    /// duplicate). Never waits.
    pub(crate) fn offer(&self, event: RoomEvent, frame: Option<Utf8Bytes>, origin: Origin) {
        self.offer_acked(event, frame, origin, None);
    }

    /// [`RoomFeed::offer`], and `ack` written once the event is out (at once, if it
    /// is a duplicate).
    pub(crate) fn offer_acked(
        &self,
        event: RoomEvent,
        frame: Option<Utf8Bytes>,
        origin: Origin,
        ack: Option<Ack>,
    ) {
        let frame = frame.unwrap_or_else(|| wire::encode(&ServerMsg::Event(event.clone())));
        let held = Held {
            event,
            frame,
            origin,
            ack,
        };
        // Delivered under the lock: two offers at once (the writer's and the
        // broker's) must reach the hub in the order of their seqs.
        let mut state = self.lock();
        let room = held.event.room.clone();
        let cursor = state.cursors.get(&room).copied().unwrap_or(0);
        let seq = held.event.seq;
        if seq <= cursor {
            if let Some(ack) = held.ack {
                ack.send();
            }
            return;
        }
        if seq > cursor + 1 {
            hold(&mut state, held);
            state.gaps.entry(room).or_insert_with(Instant::now);
            drop(state);
            self.wake.notify_one();
            return;
        }
        self.deliver(&mut state, held);
        // What waited behind it, as far as it now goes without a gap.
        let mut next = seq + 1;
        while let Some(waiting) = state.held.get_mut(&room).and_then(|h| h.remove(&next)) {
            self.deliver(&mut state, waiting);
            next += 1;
        }
        let cursor = next - 1;
        match state.held.get_mut(&room) {
            Some(held) if !held.is_empty() => {
                // Older than the new cursor: duplicates now.
                let newer = held.split_off(&(cursor + 1));
                for (_, duplicate) in std::mem::replace(held, newer) {
                    if let Some(ack) = duplicate.ack {
                        ack.send();
                    }
                }
                // A new gap begins: it gets its own grace.
                state.gaps.insert(room, Instant::now());
            }
            _ => {
                state.held.remove(&room);
                state.gaps.remove(&room);
            }
        }
    }

    fn deliver(&self, state: &mut State, held: Held) {
        let Held {
            event,
            frame,
            origin,
            ack,
        } = held;
        state.cursors.insert(event.room.clone(), event.seq);
        // In seq order, whoever stored it: this node's writer folded its own
        // events when it stored them, but another node's earlier ones may have come
        // after (folding is setting, so doing it again changes nothing else).
        self.fold(state, &event, origin);
        self.tell_threads(&event);
        if let EventKind::Message(message) = &event.kind {
            // Sent (on any node): they type there no more.
            self.hub.stop_typing(&event.room, &message.author_id);
        }
        self.hub.publish(Arc::new(RoomFrame {
            room: event.room.clone(),
            seq: Some(event.seq),
            frame,
            removes: event.kind.removes().cloned(),
        }));
        if let Some(ack) = ack {
            ack.send();
        }
        release_acks(state, &event.room, event.seq);
    }

    /// What an event changes of the room directory here.
    fn fold(&self, state: &mut State, event: &RoomEvent, origin: Origin) {
        let directory = self.store.rooms().directory();
        if origin == Origin::Remote
            && !directory.exists(&event.room)
            && state.unknown.insert(event.room.clone())
        {
            self.wake.notify_one();
        }
        directory.apply(&event.room, &event.kind);
        if let EventKind::Message(message) = &event.kind {
            let author = &message.author_id;
            // A first message there (this node's writer has noted its own already):
            // kept in the store (again, by each node that hears it first: keeping is
            // setting a flag), and whoever may now see them does.
            if directory.posted(&event.room, author, &message.ts) {
                let (store, room, who) =
                    (Arc::clone(&self.store), event.room.clone(), author.clone());
                tokio::spawn(async move {
                    if let Err(error) = store.rooms().keep_writer(&room, &who).await {
                        tracing::error!(%error, %room, "keeping a first writer failed");
                    }
                });
                self.people
                    .revisit(author, |viewer| People::may_see(directory, viewer, author));
            }
        }
    }

    /// Writes `ack` (of a resend: its message is stored, at `seq`) once `room`'s
    /// cursor here has reached `seq`: never before the message itself.
    pub(crate) fn ack_after(&self, room: &RoomName, seq: Seq, ack: Ack) {
        let mut state = self.lock();
        if state.cursors.get(room).copied().unwrap_or(0) >= seq {
            drop(state);
            return ack.send();
        }
        state
            .acks
            .entry(room.clone())
            .or_default()
            .entry(seq)
            .or_default()
            .push(ack);
        state.gaps.entry(room.clone()).or_insert_with(Instant::now);
        drop(state);
        self.wake.notify_one();
    }

    /// A reply stored or deleted: its thread's people hear what is unread now.
    fn tell_threads(&self, event: &RoomEvent) {
        match &event.kind {
            EventKind::Message(message) => {
                if let Some(thread) = &message.thread
                    && thread.is_reply(message.id)
                {
                    self.threads.changed(&event.room, thread.root);
                }
            }
            EventKind::MessageDeleted(deletion) => {
                if let Some(thread) = &deletion.thread {
                    self.threads.changed(&event.room, thread.root);
                }
            }
            _ => {}
        }
    }

    /// This node's cursor in `room` (tests).
    #[cfg(test)]
    pub(crate) fn cursor(&self, room: &RoomName) -> Seq {
        self.lock().cursors.get(room).copied().unwrap_or(0)
    }
}

/// Keeps `held` past its room's gap (once: an event offered twice keeps the first,
/// with whichever ack came); past [`MAX_HELD`] it is left to the store's read of
/// the gap, its ack written now (it is stored).
fn hold(state: &mut State, held: Held) {
    let waiting = state.held.entry(held.event.room.clone()).or_default();
    if waiting.len() >= MAX_HELD && !waiting.contains_key(&held.event.seq) {
        if let Some(ack) = held.ack {
            ack.send();
        }
        return;
    }
    match waiting.entry(held.event.seq) {
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(held);
        }
        std::collections::btree_map::Entry::Occupied(mut first) => {
            let first = first.get_mut();
            match (&first.ack, held.ack) {
                (None, Some(ack)) => first.ack = Some(ack),
                (Some(_), Some(ack)) => ack.send(),
                (_, None) => {}
            }
        }
    }
}

/// Writes the parked acks of `room` up to `seq`.
fn release_acks(state: &mut State, room: &RoomName, seq: Seq) {
    let Some(parked) = state.acks.get_mut(room) else {
        return;
    };
    let later = parked.split_off(&(seq + 1));
    for ack in std::mem::replace(parked, later).into_values().flatten() {
        ack.send();
    }
    if parked.is_empty() {
        state.acks.remove(room);
    }
}

#[cfg(test)]
mod tests;
