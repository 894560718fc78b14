//! The store alone, without sockets: batches of `--batch` messages spread over
//! `--rooms` rooms (one author per room), appended back to back for `--seconds`, as
//! the sequencer would under load. Prints stored messages/s and CPU time per message.
//!
//! `cargo run --release -p confab-server --example store_load -- --rooms 100 --batch 100`

use std::time::{Duration, Instant};

use clap::Parser;
use confab_server::store::{Durability, NewMessage, SqliteStore, Store};
use confab_shared::{ClientId, MessageBody, RoomName, UserId, UserName};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    #[arg(long, default_value_t = 100)]
    batch: usize,
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Client ids of random hex instead of time-first ones.
    #[arg(long)]
    random_ids: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("load.db");
    let store = SqliteStore::open_with(&path.to_string_lossy(), Durability::Process).await?;
    let rooms: Vec<(RoomName, UserName)> = (0..args.rooms)
        .map(|i| {
            Ok((
                RoomName::new(format!("r{i}"))?,
                UserName::new(format!("u{i}"))?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let body = MessageBody::new("x".repeat(64))?;
    let started = Instant::now();
    let cpu_before = cpu_time();
    let (mut n, mut stored) = (0u64, 0u64);
    while started.elapsed() < Duration::from_secs_f64(args.seconds) {
        let mut batch = Vec::with_capacity(args.batch);
        for k in 0..args.batch {
            n += 1;
            let (room, author) = &rooms[k % rooms.len()];
            let id = if args.random_ids {
                format!("{:016x}{:016x}", hash(n), hash(n ^ 0x5bd1e995))
            } else {
                let ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_millis();
                format!("{ms:012x}{n:020x}")
            };
            batch.push(NewMessage {
                room: room.clone(),
                author: author.clone(),
                author_id: UserId::guest(author),
                client_id: ClientId::new(id)?,
                body: body.clone(),
                thread: None,
                in_room: false,
                refused: None,
            });
        }
        stored += store.append(batch.into()).await?.len() as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_time() - cpu_before;
    tracing::info!("done");
    let wal = std::fs::metadata(dir.path().join("load.db-wal")).map_or(0, |m| m.len());
    let line = format!(
        "{stored} stored in {secs:.2} s: {:.0}/s, {:.1} µs CPU per message, WAL {:.1} MiB\n",
        stored as f64 / secs,
        cpu * 1e6 / stored as f64,
        wal as f64 / 1048576.0
    );
    std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes())?;
    Ok(())
}

/// This process's user + system CPU seconds so far (Linux).
fn cpu_time() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn hash(x: u64) -> u64 {
    let mut x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9)
}
