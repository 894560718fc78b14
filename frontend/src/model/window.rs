//! Which of a room's lines are on the page: a window of a few screens that moves as
//! the reader scrolls, so a long history costs nothing per update. Bounded by seqs,
//! so it stays put when older messages are added above it.

use std::collections::btree_map;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use confab_shared::{ChatMessage, Seq};

use super::Room;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The oldest seq shown (0: from the first).
    pub lo: Seq,
    /// The newest seq shown; None: through the newest, pending lines included.
    pub hi: Option<Seq>,
}

impl Window {
    /// Every line.
    pub const ALL: Self = Self { lo: 0, hi: None };

    /// The newest `size` stored lines, and the pending ones.
    pub fn newest(room: &Room, size: usize) -> Self {
        Self::ending(room, None, size)
    }

    /// At most `size` lines from `before` lines above `seq` on: opening a room at
    /// its first unread line, with a little of what came before.
    pub fn from_line(room: &Room, seq: Seq, before: usize, size: usize) -> Self {
        let lo = span(room, room.run(seq).0, Excluded(seq))
            .rev()
            .take(before)
            .last()
            .map_or(seq, |(&lo, _)| lo);
        Self::starting(room, lo, size)
    }

    /// Moved `step` lines back, keeping at most `size`.
    pub fn earlier(self, room: &Room, step: usize, size: usize) -> Self {
        let lo = span(room, room.run(self.lo).0, Excluded(self.lo))
            .rev()
            .take(step)
            .last();
        lo.map_or(self, |(&lo, _)| Self::starting(room, lo, size))
    }

    /// Moved `step` lines on, keeping at most `size`.
    pub fn later(self, room: &Room, step: usize, size: usize) -> Self {
        let Some(hi) = self.hi else {
            return self;
        };
        let end = room.run(hi).1;
        let mut after = span(room, Excluded(hi), end).map(|(&seq, _)| seq);
        let hi = match after.by_ref().take(step).last() {
            Some(next) => until(next, after.next().is_some(), end),
            // At the end of its run: below the gap, it stays there.
            None => until(hi, false, end),
        };
        Self::ending(room, hi, size)
    }

    /// The same lines, but no newer ones when they come: the reader is looking
    /// further up.
    pub fn pinned(self, room: &Room) -> Self {
        match self.hi {
            None => Self {
                hi: room.messages.keys().next_back().copied(),
                ..self
            },
            Some(_) => self,
        }
    }

    /// Shows the oldest line of its run (of everything loaded, without a gap).
    pub fn shows_oldest(self, room: &Room) -> bool {
        span(room, room.run(self.lo).0, Excluded(self.lo))
            .next()
            .is_none()
    }

    /// Shows the top of its run, and more can be loaded above it: the gap, or the
    /// room's earlier history.
    pub fn earlier_to_load(self, room: &Room) -> bool {
        self.shows_oldest(room)
            && (room.has_earlier() || room.gap.is_some_and(|gap| self.lo >= gap.before))
    }

    /// Shows lines below the gap (a page opened far back): the newest are not here.
    pub fn below_gap(self, room: &Room) -> bool {
        matches!((self.hi, room.gap), (Some(hi), Some(gap)) if hi <= gap.after)
    }

    /// Shows the last line below the gap: what follows is to be loaded.
    pub fn newer_to_load(self, room: &Room) -> bool {
        match (self.hi, room.gap) {
            (Some(hi), Some(gap)) if hi <= gap.after => {
                span(room, Excluded(hi), Included(gap.after))
                    .next()
                    .is_none()
            }
            _ => false,
        }
    }

    /// At most `size` lines from `lo` on.
    fn starting(room: &Room, lo: Seq, size: usize) -> Self {
        let end = room.run(lo).1;
        let mut from = span(room, Included(lo), end).map(|(&seq, _)| seq);
        let hi = from.by_ref().take(size).last().unwrap_or(lo);
        Self {
            lo,
            hi: until(hi, from.next().is_some(), end),
        }
    }

    /// At most `size` lines up to `hi`.
    fn ending(room: &Room, hi: Option<Seq>, size: usize) -> Self {
        let upper = hi.map_or(Unbounded, Included);
        let start = room.run(hi.unwrap_or(Seq::MAX)).0;
        let lo = span(room, start, upper).rev().take(size).last();
        Self {
            lo: lo.map_or(0, |(&seq, _)| seq),
            hi,
        }
    }
}

/// A window's newest line `hi`, with `more` lines after it in a run that ends at
/// `end`: None (through the newest) only at the end of the newest run.
fn until(hi: Seq, more: bool, end: Bound<Seq>) -> Option<Seq> {
    (more || end != Unbounded).then_some(hi)
}

/// The room's stored messages between two bounds, oldest first. (All lookups go
/// through this one range type: each other type is more code in the page.)
pub fn span(room: &Room, lo: Bound<Seq>, hi: Bound<Seq>) -> btree_map::Range<'_, Seq, ChatMessage> {
    room.messages.range((lo, hi))
}

#[cfg(test)]
mod tests;
