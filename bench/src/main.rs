//! Confab's load generator. Starts each server as its own process on loopback,
//! drives it with many WebSocket clients, and prints one table row per scenario and
//! server, measured in the same run. See docs/benchmarks.md.
//!
//! `confab-bench` runs everything; `--smoke` is the short run CI does; `--only` picks
//! scenarios, `--servers` picks servers.

// A command-line report: printing it is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod accounts;
mod load;
mod proto;
mod report;
mod rounds;
mod scenario;
mod stats;
mod target;
mod ws;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;

use crate::load::Pace;
use crate::report::Series;
use crate::scenario::{Bench, Row, Timing};
use crate::target::{Paths, Target};

#[derive(Debug, Parser)]
#[command(about = "Load generator for Confab and its peers")]
struct Args {
    /// The short run CI does: Confab and the floor server, small numbers; fails
    /// unless every message is delivered and no client is dropped.
    #[arg(long)]
    smoke: bool,
    /// Scenarios to run (S1..S8, sweep); all by default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Servers to measure (confab, naive-axum, node-ws, socket.io, node-websocket,
    /// trivial; confab-pg and confab-cluster with --postgres); all by default.
    #[arg(long, value_delimiter = ',')]
    servers: Vec<String>,
    /// Seconds measured per scenario (after one second of warm-up).
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Where results.md and latency.svg go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// The generator's own threads. Two keep up with a million deliveries a second;
    /// one leaves the server a core (tried for the latency scenarios: the floor did
    /// not move; docs/benchmarks.md).
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Rounds of the latency scenarios (S3, S6): each server once per round, and
    /// its row the round with the median p99.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Another `confab` binary (say, the last release build) measured beside this
    /// one in the same run, as the server `baseline`: "no regression" is one command.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// A PostgreSQL server (`postgres://user@host:port`): Confab on it (`confab-pg`,
    /// a fresh database each start) is measured beside Confab on SQLite; with
    /// `--servers ...,confab-cluster`, three nodes on it and a Redis the bench starts.
    #[arg(long)]
    postgres: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let release = exe
        .parent()
        .context("no folder for the binary")?
        .to_path_buf();
    let peers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers");
    std::fs::create_dir_all(&args.out)?;
    let work = args.out.join("work");
    std::fs::create_dir_all(&work)?;
    let timing = Timing {
        warmup: Duration::from_secs(1),
        measure: Duration::from_secs_f64(if args.smoke { 2.0 } else { args.seconds }),
    };
    if let Some(baseline) = &args.baseline
        && !baseline.is_file()
    {
        bail!("--baseline {}: no such file", baseline.display());
    }
    let paths = Paths {
        release,
        peers,
        baseline: args.baseline.clone(),
        postgres: args.postgres.clone(),
    };
    let mut bench = Bench::new(paths, work.clone(), timing);
    let rows = if args.smoke {
        smoke(&mut bench).await?
    } else {
        full(&mut bench, &args).await?
    };
    let table = report::table(&rows);
    println!("\n{table}");
    std::fs::write(args.out.join("results.md"), &table)?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// CI's run: proves the generator and Confab work together, quickly.
async fn smoke(bench: &mut Bench) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for target in [Target::Confab, Target::Trivial] {
        rows.push(bench.idle(target, 200).await?);
        // 20 readers: 50, all in this process beside a server at full speed on two
        // shared cores, left one now and then unscheduled long enough to fill its
        // 1,024-frame queue (closed with 4008), failing about every other run.
        rows.push(
            bench
                .room("S2 flat out", target, 20, Pace::Flat, 0, 0.0)
                .await?,
        );
        rows.push(
            bench
                .room("S3 paced", target, 50, Pace::Rate(50.0), 0, 0.0)
                .await?,
        );
    }
    rows.push(
        bench
            .room("S6 stalled", Target::Confab, 50, Pace::Rate(50.0), 2, 0.0)
            .await?,
    );
    rows.push(bench.storage(Target::Confab, 10, 1).await?);
    // Signing in: 5 accounts, 10 tokens each, 50 sockets.
    rows.push(bench.join_storm(Target::Confab, 50, true).await?);
    for row in &rows {
        let moved = row.deliveries_per_s.or(row.stored_per_s).unwrap_or(1.0);
        if moved <= 0.0 || !row.note.contains("no client dropped") {
            println!("{}", report::table(&rows));
            bail!(
                "smoke run failed: {} on {}: {}",
                row.scenario,
                row.target,
                row.note
            );
        }
    }
    println!("smoke: 1 passed, 0 failed");
    Ok(rows)
}

async fn full(bench: &mut Bench, args: &Args) -> anyhow::Result<Vec<Row>> {
    let mut servers: Vec<Target> = if args.servers.is_empty() {
        Target::ALL.to_vec()
    } else {
        args.servers
            .iter()
            .map(|n| Target::parse(n).with_context(|| format!("unknown server {n}")))
            .collect::<anyhow::Result<_>>()?
    };
    if args.baseline.is_some() && !servers.contains(&Target::Baseline) {
        // Beside this build, so the two alternate in every round.
        let at = servers
            .iter()
            .position(|t| *t == Target::Confab)
            .map_or(0, |i| i + 1);
        servers.insert(at, Target::Baseline);
    }
    if args.postgres.is_some() && !servers.contains(&Target::ConfabPostgres) {
        let at = servers
            .iter()
            .position(|t| *t == Target::Confab)
            .map_or(0, |i| i + 1);
        servers.insert(at, Target::ConfabPostgres);
    }
    let confabs: Vec<Target> = servers.iter().copied().filter(|t| t.is_confab()).collect();
    let wanted =
        |s: &str| args.only.is_empty() || args.only.iter().any(|o| o.eq_ignore_ascii_case(s));
    let mut rows = Vec::new();
    let run = |row: anyhow::Result<Row>, rows: &mut Vec<Row>| match row {
        Ok(row) => {
            eprintln!(
                "{}",
                report::table(std::slice::from_ref(&row))
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            rows.push(row);
        }
        Err(error) => eprintln!("failed: {error:#}"),
    };
    for &t in &servers {
        if wanted("S1") {
            run(bench.idle(t, 10_000).await, &mut rows);
        }
        if wanted("S2") {
            run(
                bench.room("S2 flat out", t, 1000, Pace::Flat, 0, 0.0).await,
                &mut rows,
            );
        }
    }
    let paced = |scenario, clients, rate, stalled| rounds::Paced {
        scenario,
        clients,
        rate,
        stalled,
        logins: 0.0,
    };
    let latency = [
        ("S3", paced("S3 paced", 1000, 10.0, 0)),
        ("S3", paced("S3 paced", 100, 100.0, 0)),
        ("S6", paced("S6 stalled", 1000, 10.0, 10)),
        ("S6", paced("S6 stalled", 100, 100.0, 10)),
    ];
    for (id, paced) in latency {
        if !wanted(id) {
            continue;
        }
        let (medians, errors) = rounds::measure(bench, &servers, paced, args.rounds).await;
        for error in errors {
            run(Err(error), &mut rows);
        }
        for row in medians {
            run(Ok(row), &mut rows);
        }
    }
    // Beside a login storm: only this build has the API (a --baseline may not).
    if wanted("S3") && servers.contains(&Target::Confab) {
        let beside = [
            paced("S3 paced", 1000, 10.0, 0),
            rounds::Paced {
                logins: 20.0,
                ..paced("S3 + login storm", 1000, 10.0, 0)
            },
        ];
        for paced in beside {
            let (medians, errors) =
                rounds::measure(bench, &[Target::Confab], paced, args.rounds).await;
            for error in errors {
                run(Err(error), &mut rows);
            }
            for row in medians {
                run(Ok(row), &mut rows);
            }
        }
    }
    // Marking read at a person's pace beside S3 (issue 17): 1000 signed-in readers,
    // each marking what it saw every 10 s, against the same readers not marking.
    if wanted("S3") && servers.contains(&Target::Confab) {
        for reading in [None, Some(Duration::from_secs(10))] {
            bench.reading = Some(reading.unwrap_or(Duration::from_secs(3600)));
            let name = if reading.is_some() {
                "S3 + marking read"
            } else {
                "S3 signed in"
            };
            let (medians, errors) = rounds::measure(
                bench,
                &[Target::Confab],
                paced(name, 1000, 10.0, 0),
                args.rounds,
            )
            .await;
            for error in errors {
                run(Err(error), &mut rows);
            }
            for row in medians {
                run(Ok(row), &mut rows);
            }
        }
        bench.reading = None;
    }
    for &t in &confabs {
        if wanted("S4") {
            run(bench.join_storm(t, 10_000, false).await, &mut rows);
            if t == Target::Confab {
                run(bench.join_storm(t, 10_000, true).await, &mut rows);
            }
        }
        if wanted("S5") {
            run(bench.churn(t, 1000, 10).await, &mut rows);
        }
        if wanted("S7") {
            for window in [1, 32] {
                run(bench.storage(t, 100, window).await, &mut rows);
            }
        }
        // Typing came with issue 17: only this build has it.
        if wanted("S8") && t == Target::Confab {
            run(bench.typing_storm(t, 1000).await, &mut rows);
        }
    }
    if wanted("sweep") {
        let mut series = Vec::new();
        for &t in &servers {
            let mut points = Vec::new();
            for rate in [50.0, 200.0, 800.0] {
                let row = bench.room("sweep", t, 100, Pace::Rate(rate), 0, 0.0).await;
                if let Ok(Row {
                    p99_ms: Some(p99), ..
                }) = &row
                {
                    points.push((rate, *p99));
                }
                run(row, &mut rows);
            }
            series.push(Series {
                name: t.name().to_owned(),
                points,
            });
        }
        let svg = report::chart("p99 latency, one room of 100 clients", &series);
        std::fs::write(args.out.join("latency.svg"), svg)?;
    }
    Ok(rows)
}
