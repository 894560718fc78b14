//! What the room feed reads from the store: gaps (after their grace), every room's
//! tail (once a second, with other nodes; at once when the broker subscribes
//! again), and rooms made on other nodes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use confab_shared::RoomName;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Origin, RoomFeed, release_acks};
use crate::metrics::Broker as Counted;

/// How long an event past a gap waits for the broker to bring what is missing
/// before the gap is read from the store.
pub(super) const GRACE: Duration = Duration::from_millis(100);
/// How often, with other nodes, every room's newest seq is compared with this
/// node's cursors.
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);
/// The most events one read of a gap gives; a longer gap (a long outage) is not
/// replayed event by event (see [`RoomFeed::fill`]).
const MAX_FILL: u32 = 100_000;

impl RoomFeed {
    /// Asks the feed's task to catch every room up from the store now (the broker
    /// subscribed again: what was published meanwhile is lost to this node).
    pub(crate) fn ask_catch_up(&self) {
        self.catch_up_asked.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// Fills gaps and reads unknown rooms until shutdown; with other nodes sharing
    /// the store (`clustered`), also catches every room up once a second. One
    /// wait for whichever comes first, so no gap keeps the catch-up waiting.
    pub(crate) async fn run(self: Arc<Self>, clustered: bool, shutdown: CancellationToken) {
        let mut ticks = tokio::time::interval(CATCH_UP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let next_gap = self.lock().gaps.values().min().map(|since| *since + GRACE);
            let gap_due = async move {
                match next_gap {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let mut catch_up = false;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.wake.notified() => {}
                () = gap_due => {}
                _ = ticks.tick(), if clustered => catch_up = true,
            }
            if catch_up || self.catch_up_asked.swap(false, Ordering::Relaxed) {
                self.catch_up().await;
            }
            self.load_unknown().await;
            let now = Instant::now();
            let due: Vec<RoomName> = self
                .lock()
                .gaps
                .iter()
                .filter(|(_, since)| now.duration_since(**since) >= GRACE)
                .map(|(room, _)| room.clone())
                .collect();
            for room in due {
                self.fill(&room).await;
            }
        }
    }

    /// Reads `room`'s events past this node's cursor from the store, and offers them.
    pub(super) async fn fill(&self, room: &RoomName) {
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
            self.skip_ahead(room, replay.last_seq);
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
        // Whatever still waits is past what the store had: wait for it again.
        let mut state = self.lock();
        let waiting = state.held.get(room).is_some_and(|h| !h.is_empty())
            || state.acks.get(room).is_some_and(|a| !a.is_empty());
        if waiting {
            state.gaps.insert(room.clone(), Instant::now());
        } else {
            state.gaps.remove(room);
        }
    }

    /// Too far behind to send event by event: the cursor jumps to `last` (never
    /// back), the room is read afresh, and what waited up to there is dropped
    /// (their acks written: those messages are stored). A connection sees the jump
    /// and has the client resume by itself.
    fn skip_ahead(&self, room: &RoomName, last: confab_shared::Seq) {
        let mut state = self.lock();
        let cursor = state.cursors.get(room).copied().unwrap_or(0).max(last);
        tracing::warn!(%room, cursor, "too far behind; skipping ahead");
        state.cursors.insert(room.clone(), cursor);
        if let Some(held) = state.held.get_mut(room) {
            let later = held.split_off(&(cursor + 1));
            for (_, skipped) in std::mem::replace(held, later) {
                if let Some(ack) = skipped.ack {
                    ack.send();
                }
            }
        }
        release_acks(&mut state, room, cursor);
        if state.held.get(room).is_none_or(|h| h.is_empty()) {
            state.held.remove(room);
            state.gaps.remove(room);
        }
        state.unknown.insert(room.clone());
        drop(state);
        self.wake.notify_one();
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

    /// Reads rooms heard of but not in the directory (or to be read afresh).
    async fn load_unknown(&self) {
        let unknown: Vec<RoomName> = self.lock().unknown.drain().collect();
        for room in unknown {
            match self.store.rooms().load_room(&room).await {
                Ok(true) => tracing::debug!(%room, "room read from the store"),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, %room, "reading a room failed; trying again");
                    self.lock().unknown.insert(room);
                }
            }
        }
    }
}
