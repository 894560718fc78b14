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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use confab_shared::{EventKind, RoomEvent, RoomName, Seq, ServerMsg};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::hub::Hub;
use crate::metrics::{Broker as Counted, Metrics};
use crate::outbox::{Outbound, Outbox, RoomFrame};
use crate::people::People;
use crate::store::Store;
use crate::thread_news::ThreadNews;
use crate::wire;

/// How long an event past a gap waits for the broker to bring what is missing
/// before the gap is read from the store.
const GRACE: Duration = Duration::from_millis(100);
/// How often, with other nodes, every room's newest seq is compared with this
/// node's cursors.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// The most events one read of a gap gives; a longer gap (a long outage) is not
/// replayed event by event (see [`RoomFeed::fill`]).
const MAX_FILL: u32 = 100_000;

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
    /// Woken when a room has a gap or is unknown.
    wake: tokio::sync::Notify,
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
            state
                .held
                .entry(room.clone())
                .or_default()
                .insert(seq, held);
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
        if origin == Origin::Remote {
            self.fold(state, &event);
        }
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
    }

    /// What another node's event changes of the room directory here.
    fn fold(&self, state: &mut State, event: &RoomEvent) {
        let directory = self.store.rooms().directory();
        if !directory.exists(&event.room) && state.unknown.insert(event.room.clone()) {
            self.wake.notify_one();
        }
        directory.apply(&event.room, &event.kind);
        if let EventKind::Message(message) = &event.kind {
            let author = &message.author_id;
            // Its node keeps it in the store; here, who may now see them.
            if directory.posted(&event.room, author, &message.ts) {
                self.people
                    .revisit(author, |viewer| People::may_see(directory, viewer, author));
            }
        }
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

    /// Fills gaps and reads unknown rooms until shutdown; with other nodes sharing
    /// the store (`clustered`), also catches every room up once a second.
    pub(crate) async fn run(self: Arc<Self>, clustered: bool, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(CATCH_UP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.wake.notified() => {}
                _ = ticks.tick(), if clustered => self.catch_up().await,
            }
            self.load_unknown().await;
            // Gaps, each once its grace is over.
            loop {
                let now = Instant::now();
                let (due, soonest) = {
                    let state = self.lock();
                    let due: Vec<RoomName> = state
                        .gaps
                        .iter()
                        .filter(|(_, since)| now.duration_since(**since) >= GRACE)
                        .map(|(room, _)| room.clone())
                        .collect();
                    (due, state.gaps.values().min().copied())
                };
                for room in due {
                    self.fill(&room).await;
                }
                let Some(since) = soonest else { break };
                let wait = (since + GRACE).saturating_duration_since(Instant::now());
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
                }
                if self.lock().gaps.is_empty() {
                    break;
                }
            }
        }
    }

    /// Reads `room`'s events past this node's cursor from the store, and offers them.
    async fn fill(&self, room: &RoomName) {
        let cursor = self.lock().cursors.get(room).copied().unwrap_or(0);
        let replay = match self.store.replay(room, cursor, MAX_FILL).await {
            Ok(replay) => replay,
            Err(error) => {
                tracing::warn!(%error, %room, "reading a gap failed; trying again");
                self.lock().gaps.insert(room.clone(), Instant::now());
                return;
            }
        };
        if replay.truncated {
            // Too far behind to send event by event: jump to the newest, with the
            // room read afresh. A connection sees the jump and resumes by itself.
            tracing::warn!(%room, cursor, last = replay.last_seq, "too far behind; skipping ahead");
            let mut state = self.lock();
            state.cursors.insert(room.clone(), replay.last_seq);
            // Their senders are acked; their readers resume from the jump.
            for (_, skipped) in state.held.remove(room).unwrap_or_default() {
                if let Some(ack) = skipped.ack {
                    ack.send();
                }
            }
            state.gaps.remove(room);
            state.unknown.insert(room.clone());
            drop(state);
            self.wake.notify_one();
            return;
        }
        let filled = replay.events.len();
        for event in replay.events {
            self.offer(event, None, Origin::Remote);
        }
        if filled > 0 {
            self.metrics.broker(Counted::Filled, filled);
            tracing::debug!(%room, cursor, filled, "gap filled from the store");
        }
        // Whatever is still held is past what the store has: wait for it again.
        let mut state = self.lock();
        if state.held.get(room).is_some_and(|h| !h.is_empty()) {
            state.gaps.insert(room.clone(), Instant::now());
        }
    }

    /// Compares every room's newest seq with this node's cursor, and fills whatever
    /// lags; reads rooms this node has not heard of.
    pub(crate) async fn catch_up(&self) {
        let seqs = match self.store.rooms().last_seqs().await {
            Ok(seqs) => seqs,
            Err(error) => {
                tracing::warn!(%error, "reading rooms' seqs failed");
                return;
            }
        };
        let directory = self.store.rooms().directory();
        let mut behind = Vec::new();
        {
            let mut state = self.lock();
            for (room, seq) in seqs {
                if !directory.exists(&room) {
                    state.unknown.insert(room.clone());
                }
                if state.cursors.get(&room).copied().unwrap_or(0) < seq {
                    behind.push(room);
                }
            }
        }
        self.load_unknown().await;
        for room in behind {
            self.fill(&room).await;
        }
    }

    /// Reads rooms heard of but not in the directory.
    async fn load_unknown(&self) {
        let unknown: Vec<RoomName> = self.lock().unknown.drain().collect();
        for room in unknown {
            match self.store.rooms().load_room(&room).await {
                Ok(true) => tracing::debug!(%room, "room made elsewhere read"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, %room, "reading a room failed; trying again");
                    self.lock().unknown.insert(room);
                }
            }
        }
    }

    /// This node's cursor in `room` (tests).
    #[cfg(test)]
    pub(crate) fn cursor(&self, room: &RoomName) -> Seq {
        self.lock().cursors.get(room).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests;
