//! What a person in many rooms costs on connect: their rooms' read markers and unread
//! and mention counts (`reading::fill_counts`, what goes with the `rooms` frame), on a
//! store of `--messages` messages spread over `--rooms` rooms, with unread messages in
//! every room, one in 50 mentioning the reader. Prints the time of the first (which
//! reads each room's newest messages into memory), then of `--connects` more:
//! median, p99, max.
//!
//! `cargo run --release -p confab-server --example unread_counts -- --rooms 200 --messages 1000000`

use std::time::Instant;

use clap::Parser;
use confab_server::reading::fill_counts;
use confab_server::rooms::{Person, Room};
use confab_server::store::{Durability, NewMessage, SqliteStore, Store};
use confab_shared::{ClientId, MessageBody, RoomName, Topic, UserId, UserName};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 200)]
    rooms: usize,
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    #[arg(long, default_value_t = 200)]
    connects: usize,
    /// Keep the database here (a new file) instead of in a folder that goes.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let path = args
        .keep
        .clone()
        .unwrap_or_else(|| dir.path().join("unread.db"));
    let store = SqliteStore::open_with(&path.to_string_lossy(), Durability::Process).await?;
    let reader = Person {
        id: UserId::new("u:1")?,
        name: UserName::new("ann")?,
    };
    let writer = UserName::new("bob")?;
    let rooms: Vec<RoomName> = (0..args.rooms)
        .map(|i| RoomName::new(format!("r{i}")))
        .collect::<Result<_, _>>()?;
    for room in &rooms {
        let made = Room::new(room.clone(), Topic::default(), false);
        store
            .rooms()
            .create_room(&made, Some(&reader))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let filled = Instant::now();
    let body = MessageBody::new("a message of a usual length, about this and that")?;
    // One message in 50 mentions the reader.
    let mention = MessageBody::new("a message of a usual length, this one for @ann")?;
    let mut n = 0usize;
    while n < args.messages {
        let batch: Vec<NewMessage> = (0..1000.min(args.messages - n))
            .map(|k| {
                let i = n + k;
                Ok(NewMessage {
                    room: rooms[i % rooms.len()].clone(),
                    author: writer.clone(),
                    author_id: UserId::guest(&writer),
                    client_id: ClientId::new(format!("{i:020x}"))?,
                    body: if i.is_multiple_of(50) {
                        mention.clone()
                    } else {
                        body.clone()
                    },
                    thread: None,
                    in_room: false,
                    refused: None,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        n += batch.len();
        store.append(batch.into()).await?;
    }
    let fill_secs = filled.elapsed().as_secs_f64();
    // Each room read up to half way: thousands unread in every one.
    let half = (args.messages / rooms.len() / 2) as u64;
    for room in &rooms {
        store
            .reading()
            .set_read(&reader.id, room, half, false)
            .await?;
    }
    let list = store.rooms().directory().rooms_of(&reader.id);
    // Let the checkpoint after the fill pass, and warm the cache as a running
    // server's would be.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // The first after a start reads each room's newest messages into memory.
    let first = Instant::now();
    let mut counted = list.clone();
    fill_counts(store.reading(), &reader.id, &reader.name, &mut counted).await?;
    let first_ms = first.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..20 {
        let mut counted = list.clone();
        fill_counts(store.reading(), &reader.id, &reader.name, &mut counted).await?;
    }
    let mut times = Vec::with_capacity(args.connects);
    let (mut unread, mut mentions) = (0, 0);
    for _ in 0..args.connects {
        let mut counted = list.clone();
        let started = Instant::now();
        fill_counts(store.reading(), &reader.id, &reader.name, &mut counted).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        unread = counted.iter().map(|r| r.unread).sum::<u32>();
        mentions = counted.iter().map(|r| r.mentions).sum::<u32>();
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let line = format!(
        "{} messages in {} rooms (filled in {fill_secs:.1} s); counts of {} rooms ({unread} unread, {mentions} mentions in all), \
         the first after a start {first_ms:.1} ms, then {} connects: median {:.2} ms, p99 {:.2} ms, max {:.2} ms\n",
        n,
        rooms.len(),
        list.len(),
        times.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes())?;
    store.close().await;
    Ok(())
}
