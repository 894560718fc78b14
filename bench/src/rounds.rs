//! Latency measured in rounds: every server once per round, rounds one after
//! another, and each server's row the round with its median p99.
//!
//! On a shared machine one measurement of a few seconds can land in a noisy moment;
//! the same server's p99 then moves by half or more between runs. Interleaving the
//! servers spreads such moments over all of them, and the median drops the odd one.

use crate::load::Pace;
use crate::scenario::{Bench, Row};
use crate::target::Target;

/// What one round measures on every server.
#[derive(Debug, Clone, Copy)]
pub struct Paced {
    pub scenario: &'static str,
    pub clients: usize,
    pub rate: f64,
    pub stalled: usize,
    /// Wrong passwords a second sent beside (a login storm); 0 for none.
    pub logins: f64,
}

/// Measures `paced` on each of `servers`, `rounds` times, interleaved; returns one
/// row per server (the median round, the others' p99 in its note) and the errors.
pub async fn measure(
    bench: &mut Bench,
    servers: &[Target],
    paced: Paced,
    rounds: usize,
) -> (Vec<Row>, Vec<anyhow::Error>) {
    let mut runs: Vec<Vec<Row>> = vec![Vec::new(); servers.len()];
    let mut errors = Vec::new();
    for round in 1..=rounds.max(1) {
        for (i, &target) in servers.iter().enumerate() {
            let row = bench
                .room(
                    paced.scenario,
                    target,
                    paced.clients,
                    Pace::Rate(paced.rate),
                    paced.stalled,
                    paced.logins,
                )
                .await;
            match row {
                Ok(row) => {
                    let p99 = row.p99_ms.unwrap_or(f64::NAN);
                    eprintln!(
                        "  {} {} clients, round {round}: {} p99 {p99:.2} ms",
                        paced.scenario,
                        paced.clients,
                        target.name()
                    );
                    runs[i].push(row);
                }
                Err(error) => errors.push(error),
            }
        }
    }
    (runs.into_iter().filter_map(median).collect(), errors)
}

/// The run with the median p99, noting every run's p99 when there were several.
pub fn median(mut runs: Vec<Row>) -> Option<Row> {
    runs.sort_by(|a, b| {
        a.p99_ms
            .partial_cmp(&b.p99_ms)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let all: Vec<String> = runs
        .iter()
        .map(|r| {
            r.p99_ms
                .map_or_else(|| "-".to_owned(), |p| format!("{p:.2}"))
        })
        .collect();
    let count = runs.len();
    let mut row = runs.into_iter().nth(count / 2)?;
    if count > 1 {
        row.note = format!(
            "{}; median p99 of {count} rounds ({})",
            row.note,
            all.join(", ")
        );
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(p99: f64) -> Row {
        Row {
            p99_ms: Some(p99),
            note: "no client dropped".into(),
            ..Row::default()
        }
    }

    #[test]
    fn the_median_round_stands_for_the_rest() {
        let row = median(vec![run(3.0), run(1.0), run(2.0)]).unwrap();
        assert_eq!(row.p99_ms, Some(2.0));
        assert_eq!(
            row.note,
            "no client dropped; median p99 of 3 rounds (1.00, 2.00, 3.00)"
        );
        let one = median(vec![run(5.0)]).unwrap();
        assert_eq!(one.note, "no client dropped");
        assert!(median(Vec::new()).is_none());
    }
}
