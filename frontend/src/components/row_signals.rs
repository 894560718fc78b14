//! A signal per line of the message list, keyed by the line's key (stable from
//! unsent to stored): when the list's lines are worked out again, only the lines
//! that differ are set, so only their rows draw again; the others are not touched.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::model::Row;

/// The lines on the page, each with its signal.
#[derive(Default)]
pub struct RowSignals {
    held: HashMap<String, ArcRwSignal<Row>>,
}

impl RowSignals {
    /// Takes the lines now in the window: sets the signals of lines that changed,
    /// makes signals for new ones and forgets those gone. Returns the lines in order.
    pub fn sync(&mut self, rows: Vec<Row>) -> Vec<(String, ArcRwSignal<Row>)> {
        let mut next = HashMap::with_capacity(rows.len());
        let lines = rows
            .into_iter()
            .map(|row| {
                let key = row.key.clone();
                let signal = match self.held.remove(&key) {
                    Some(signal) => {
                        if signal.with_untracked(|held| *held != row) {
                            signal.set(row);
                        }
                        signal
                    }
                    None => ArcRwSignal::new(row),
                };
                next.insert(key.clone(), signal.clone());
                (key, signal)
            })
            .collect();
        self.held = next;
        lines
    }
}
