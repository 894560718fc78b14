//! The chat state as the page reads it: the pure [`Chat`] held without reactivity,
//! and a signal for each part that changes on its own (the rooms, the counts, and
//! per room its lines, its live state and its members). Every change goes through
//! [`ChatState::update`], which notifies the parts [`Chat::take_changed`] names and
//! nothing else: a presence frame never wakes the message list.

use std::collections::HashMap;

use confab_shared::{RoomName, ServerMsg};
use leptos::prelude::*;

use crate::model::{Changed, Chat};

/// A part of the state, as a reader depends on it. The parts of a room are those of
/// the current one (and follow it when it changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Which rooms are open, the current one, and this person's standing in each.
    Rooms,
    Counts,
    Notice,
    Link,
    Outbox,
    Blocked,
    /// The conversations' people and latest activity.
    Conversations,
    /// People's presence.
    People,
    /// Messages worth a notification.
    Alerts,
    /// The room browser's list.
    Browsing,
    /// The current room's lines.
    Lines,
    /// The current room's live state: who is online (and, next, who is typing).
    Live,
    /// The current room's members list.
    Members,
    /// The thread open beside the list.
    Thread,
}

/// One signal per part, made when first read.
#[derive(Default)]
struct Signals {
    rooms: ArcTrigger,
    counts: ArcTrigger,
    notice: ArcTrigger,
    link: ArcTrigger,
    outbox: ArcTrigger,
    blocked: ArcTrigger,
    conversations: ArcTrigger,
    people: ArcTrigger,
    alerts: ArcTrigger,
    browsing: ArcTrigger,
    thread: ArcTrigger,
    lines: HashMap<RoomName, ArcTrigger>,
    live: HashMap<RoomName, ArcTrigger>,
    members: HashMap<RoomName, ArcTrigger>,
}

impl Signals {
    /// The signal of `part` (of `room`, for a room's part).
    fn of(&mut self, part: Part, room: &RoomName) -> ArcTrigger {
        let per_room = match part {
            Part::Rooms => return self.rooms.clone(),
            Part::Counts => return self.counts.clone(),
            Part::Notice => return self.notice.clone(),
            Part::Link => return self.link.clone(),
            Part::Outbox => return self.outbox.clone(),
            Part::Blocked => return self.blocked.clone(),
            Part::Conversations => return self.conversations.clone(),
            Part::People => return self.people.clone(),
            Part::Alerts => return self.alerts.clone(),
            Part::Browsing => return self.browsing.clone(),
            Part::Thread => return self.thread.clone(),
            Part::Lines => &mut self.lines,
            Part::Live => &mut self.live,
            Part::Members => &mut self.members,
        };
        per_room.entry(room.clone()).or_default().clone()
    }

    /// The signals of what changed (a room's signal only if someone read it).
    fn changed(&self, changed: &Changed) -> Vec<ArcTrigger> {
        let flags = [
            (changed.rooms, &self.rooms),
            (changed.counts, &self.counts),
            (changed.notice, &self.notice),
            (changed.link, &self.link),
            (changed.outbox, &self.outbox),
            (changed.blocked, &self.blocked),
            (changed.conversations, &self.conversations),
            (changed.people, &self.people),
            (changed.alerts, &self.alerts),
            (changed.browsing, &self.browsing),
            (changed.thread, &self.thread),
        ];
        let mut fire: Vec<ArcTrigger> = flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, signal)| signal.clone())
            .collect();
        for (rooms, signals) in [
            (&changed.lines, &self.lines),
            (&changed.live, &self.live),
            (&changed.members, &self.members),
        ] {
            fire.extend(rooms.iter().filter_map(|room| signals.get(room).cloned()));
        }
        fire
    }
}

/// The chat state and its signals; cheap to copy into closures.
#[derive(Clone, Copy)]
pub struct ChatState {
    chat: StoredValue<Chat>,
    signals: StoredValue<Signals>,
}

impl ChatState {
    pub fn new(chat: Chat) -> Self {
        Self {
            chat: StoredValue::new(chat),
            signals: StoredValue::new(Signals::default()),
        }
    }

    /// Makes the running effect or memo depend on `part`.
    pub fn track(&self, part: Part) {
        let room = match part {
            Part::Lines | Part::Live | Part::Members => {
                self.track(Part::Rooms);
                self.chat.try_with_value(|c| c.current.clone())
            }
            _ => self.chat.try_with_value(|c| c.current.clone()),
        };
        let Some(room) = room else {
            return;
        };
        if let Some(signal) = self.signals.try_update_value(|s| s.of(part, &room)) {
            signal.track();
        }
    }

    /// Reads the state, depending on `part` (and on nothing else).
    pub fn read<T>(&self, part: Part, f: impl FnOnce(&Chat) -> T) -> T {
        self.track(part);
        self.chat.with_value(f)
    }

    /// Reads the state without depending on it (in event handlers).
    pub fn read_untracked<T>(&self, f: impl FnOnce(&Chat) -> T) -> T {
        self.chat.with_value(f)
    }

    /// Changes the state with `f`, then notifies what changed. None once the chat
    /// view is gone.
    pub fn update<T>(&self, f: impl FnOnce(&mut Chat) -> T) -> Option<T> {
        let (out, changed) = self.chat.try_update_value(|c| {
            let out = f(c);
            (out, c.take_changed())
        })?;
        self.notify(&changed);
        Some(out)
    }

    /// Applies a frame from the server, notifying what it changed.
    pub fn apply(&self, msg: ServerMsg) -> Option<()> {
        let changed = self.chat.try_update_value(|c| c.apply(msg))?;
        self.notify(&changed);
        Some(())
    }

    fn notify(&self, changed: &Changed) {
        if changed.is_empty() {
            return;
        }
        // Notified after the state is released: a reader may run at once.
        let fire = self.signals.try_with_value(|s| s.changed(changed));
        for signal in fire.unwrap_or_default() {
            signal.notify();
        }
    }
}
