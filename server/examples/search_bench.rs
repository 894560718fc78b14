//! Search over many stored messages, measured in process through the store's own
//! interface (docs/benchmarks.md, "Search"): stores N messages (default 1,000,000)
//! in 100 rooms (sentences of common words, one in twenty Chinese), waits for the
//! indexer to catch up, then times one- and two-word queries and Chinese ones over
//! every room, and reports the p50 and p99 of each and the indexes' size on disk
//! beside the messages'.
//!
//! `cargo run --release -p confab-server --example search_bench -- [N]`

// A command-line report: printing it is the point.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use confab_server::store::{self, NewMessage, SearchQuery};
use confab_shared::{ClientId, MessageBody, RoomName, UserId, UserName, search_terms};

const ROOMS: usize = 100;
const BATCH: usize = 2000;
const RUNS: usize = 200;

const WORDS: [&str; 48] = [
    "the", "meeting", "project", "release", "today", "tomorrow", "deploy", "review", "please",
    "thanks", "budget", "plan", "design", "server", "client", "bug", "fix", "test", "build",
    "coffee", "lunch", "weekend", "team", "update", "question", "answer", "docs", "branch",
    "merge", "ticket", "customer", "launch", "draft", "notes", "agenda", "call", "later",
    "morning", "friday", "schedule", "report", "numbers", "chart", "idea", "sprint", "backlog",
    "demo", "feedback",
];
const CJK: [&str; 8] = [
    "明天的会议",
    "项目发布",
    "周五下午",
    "请看文档",
    "预算计划",
    "代码审查",
    "午饭时间",
    "客户反馈",
];

/// A small fast generator: the same messages every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

fn sentence(rng: &mut Rng) -> String {
    if rng.next().is_multiple_of(20) {
        let n = 2 + rng.next() % 3;
        return (0..n)
            .map(|_| CJK[rng.next() % CJK.len()])
            .collect::<Vec<_>>()
            .join("，");
    }
    let n = 6 + rng.next() % 10;
    (0..n)
        .map(|_| WORDS[rng.next() % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("search.db");
    let address = path.to_str().ok_or_else(|| anyhow::anyhow!("path"))?;
    let store = store::open(address, Default::default()).await?;
    let rooms: Vec<RoomName> = (0..ROOMS)
        .map(|r| RoomName::new(format!("room-{r:02}")))
        .collect::<Result<_, _>>()?;
    let authors: Vec<UserName> = (0..50)
        .map(|a| UserName::new(format!("user{a}")))
        .collect::<Result<_, _>>()?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let started = Instant::now();
    let mut sent = 0;
    while sent < count {
        let batch: Vec<NewMessage> = (sent..(sent + BATCH).min(count))
            .map(|n| {
                let author = authors[n % authors.len()].clone();
                Ok(NewMessage {
                    room: rooms[rng.next() % ROOMS].clone(),
                    author_id: UserId::guest(&author),
                    author,
                    client_id: ClientId::new(format!("m{n}"))?,
                    body: MessageBody::new(sentence(&mut rng))?,
                    thread: None,
                    in_room: false,
                    refused: None,
                })
            })
            .collect::<Result<_, confab_shared::InvalidValue>>()?;
        sent += batch.len();
        store.append(Arc::from(batch)).await?;
    }
    let stored = started.elapsed();
    println!("stored {count} messages in {:.1} s", stored.as_secs_f64());
    // The indexer's cursor reaches the newest message id.
    let watch = rusqlite::Connection::open(&path)?;
    let newest: i64 = watch.query_row("SELECT MAX(id) FROM messages", [], |r| r.get(0))?;
    loop {
        let done: String = watch.query_row(
            "SELECT value FROM meta WHERE key = 'search_messages'",
            [],
            |r| r.get(0),
        )?;
        if done.parse::<i64>()? >= newest {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "indexed in {:.1} s after the last commit ({:.0} messages/s overall)",
        (started.elapsed() - stored).as_secs_f64(),
        count as f64 / started.elapsed().as_secs_f64()
    );
    let size = |like: &str| -> anyhow::Result<f64> {
        let bytes: i64 = watch.query_row(
            "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
            [like],
            |r| r.get(0),
        )?;
        Ok(bytes as f64 / 1_048_576.0)
    };
    println!(
        "on disk: messages {:.0} MiB (with their indexes {:.0} MiB); search_grams {:.0} MiB, search_pairs {:.0} MiB",
        size("messages")?,
        size("%messages%")?,
        size("search_grams%")?,
        size("search_pairs%")?
    );
    let queries = [
        "meeting",
        "budget plan",
        "friday deploy review",
        "会议",
        "项目发布",
    ];
    println!("| query | results | p50 ms | p99 ms |");
    println!("| --- | --- | --- | --- |");
    for query in queries {
        let ask = SearchQuery {
            rooms: rooms.clone(),
            terms: search_terms(query),
            limit: 50,
            ..SearchQuery::default()
        };
        let mut times = Vec::with_capacity(RUNS);
        let mut found = 0;
        for _ in 0..RUNS {
            let at = Instant::now();
            found = store.search(&ask).await?.hits.len();
            times.push(at.elapsed());
        }
        times.sort();
        println!(
            "| {query} | {found} | {:.2} | {:.2} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    store.close().await;
    Ok(())
}
