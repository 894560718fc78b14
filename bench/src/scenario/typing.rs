//! S8, a typing storm: every member of one room types at once, each saying so every
//! 3 s (as the page does while its box holds text, `TYPING_EVERY_MS`), staggered, and
//! stopping half way through each period (as if it sent or cleared the box): so who
//! types changes all the time, the worst case for the frames it costs. Counts the
//! `typing` frames each member gets a second (the contract: at most 2) and the
//! server's CPU.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;

use super::{Bench, Row, health_note, wait_connected};
use crate::load::{self, Shared};
use crate::target::Target;
use crate::ws::{CLOSE, TEXT};

/// How often a typist says so (ms): the protocol's `TYPING_EVERY_MS`.
const TYPING_EVERY_MS: u64 = 3000;

impl Bench {
    pub async fn typing_storm(&mut self, target: Target, clients: usize) -> anyhow::Result<Row> {
        let server = self.start(target, &["room".to_owned()]).await?;
        let shared = Shared::new(target.proto(), &server.nodes);
        let frames: Arc<[AtomicU64]> = (0..clients).map(|_| AtomicU64::new(0)).collect();
        let mut tasks = JoinSet::new();
        for batch in (0..clients).collect::<Vec<_>>().chunks(100) {
            for &i in batch {
                let (shared, frames) = (Arc::clone(&shared), Arc::clone(&frames));
                tasks.spawn(typist(shared, i, clients, frames));
            }
            let done = (batch[batch.len() - 1] + 1) as u64;
            wait_connected(&shared, done).await?;
        }
        // A full round of typing before the window, so every member types in it.
        tokio::time::sleep(Duration::from_millis(TYPING_EVERY_MS)).await;
        let before: Vec<u64> = frames.iter().map(|f| f.load(Ordering::Relaxed)).collect();
        let started = std::time::Instant::now();
        // Its warm-up counts too: frames are counted from `before` to the end.
        let window = self.measure(&shared, server.pid).await?;
        let secs = started.elapsed().as_secs_f64();
        let rates: Vec<f64> = frames
            .iter()
            .zip(before)
            .map(|(f, b)| f.load(Ordering::Relaxed).saturating_sub(b) as f64 / secs)
            .collect();
        while tasks.join_next().await.is_some() {}
        server.stop().await;
        let most = rates.iter().copied().fold(0.0, f64::max);
        let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
        Ok(Row {
            scenario: "S8 typing storm".into(),
            target: target.name().into(),
            clients,
            load: format!(
                "all {clients} typing every {} s, stopping half way",
                TYPING_EVERY_MS / 1000
            ),
            cpu_percent: Some(window.cpu_percent),
            rss_mib: Some(window.peak_rss_kib as f64 / 1024.0),
            note: format!(
                "typing frames per member per second: mean {mean:.2}, most {most:.2}; {}",
                health_note(&shared)
            ),
            ..Row::default()
        })
    }
}

/// Joins and writes once, then says it types every 3 s (client `i` of `of` starting `i / of` of the
/// way into the first period), counting the `typing` frames it gets, until stopped.
async fn typist(
    shared: Arc<Shared>,
    i: usize,
    of: usize,
    frames: Arc<[AtomicU64]>,
) -> anyhow::Result<()> {
    let (mut reader, mut writer) =
        load::connect(&shared, i, false, &load::user("t", i), "room", None).await?;
    // Typing reaches a room only from someone who has written there: one message.
    let name = load::user("t", i);
    shared.proto.push_message(&mut writer, "room", &name, 0);
    writer.flush().await?;
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let offset = TYPING_EVERY_MS * i as u64 / of.max(1) as u64;
    let first = tokio::time::Instant::now() + Duration::from_millis(offset);
    let half = Duration::from_millis(TYPING_EVERY_MS / 2);
    let mut every = tokio::time::interval_at(first, half);
    let mut stopped = std::pin::pin!(shared.stopped());
    let typing = br#"{"type":"typing","room":"room"}"#;
    let stop = br#"{"type":"typing","room":"room","stop":true}"#;
    let mut typing_now = false;
    loop {
        tokio::select! {
            biased;
            () = &mut stopped => break,
            _ = every.tick() => {
                typing_now = !typing_now;
                writer.send(TEXT, if typing_now { typing } else { stop }).await?;
            }
            frame = reader.next() => {
                let Ok((opcode, payload)) = frame else {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                };
                if opcode == CLOSE {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                if payload.starts_with(br#"{"type":"typing""#) {
                    frames[i].fetch_add(1, Ordering::Relaxed);
                }
                let _ = shared.proto.classify(opcode, payload, &mut writer);
                if writer.has_pending() {
                    writer.flush().await?;
                }
            }
        }
    }
    Ok(())
}
