//! The scenarios, each measured on one freshly started server and reported as rows.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::task::JoinSet;

use crate::load::{self, Pace, Shared};
use crate::stats::{self, Latencies};
use crate::target::{Paths, Running, Target};

mod typing;

/// One line of the results table.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub scenario: String,
    pub target: String,
    pub clients: usize,
    pub load: String,
    pub deliveries_per_s: Option<f64>,
    pub stored_per_s: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub kib_per_conn: Option<f64>,
    pub cpu_percent: Option<f64>,
    pub rss_mib: Option<f64>,
    pub note: String,
}

/// How long each measurement lasts.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub warmup: Duration,
    pub measure: Duration,
}

pub struct Bench {
    pub paths: Paths,
    pub work: PathBuf,
    pub timing: Timing,
    /// S2/S3 clients sign in (100 accounts of 10 tokens each, per 1000 clients) and
    /// mark what they saw read this often.
    pub reading: Option<Duration>,
    next_port: u16,
}

impl Bench {
    pub fn new(paths: Paths, work: PathBuf, timing: Timing) -> Self {
        Self {
            paths,
            work,
            timing,
            reading: None,
            next_port: 3400,
        }
    }

    /// Starts `target` on a fresh port, with `rooms` made (rooms are made on purpose
    /// in Confab; made once here, untimed, so that clients only join).
    async fn start(&mut self, target: Target, rooms: &[String]) -> anyhow::Result<Running> {
        // A fresh port per server: no waiting for the previous one's sockets.
        self.next_port += target.nodes();
        let server = target
            .start(&self.paths, self.next_port, &self.work)
            .await?;
        if target.is_confab() {
            crate::accounts::create_rooms(server.addr, rooms).await?;
        }
        Ok(server)
    }

    /// S1: idle connections; server memory per connection.
    pub async fn idle(&mut self, target: Target, clients: usize) -> anyhow::Result<Row> {
        let server = self.start(target, &["idle".to_owned()]).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = stats::sample(server.pid)?;
        let shared = Shared::new(target.proto(), &server.nodes);
        let mut tasks = JoinSet::new();
        connect_receivers(&shared, &mut tasks, 0, clients, "idle").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = stats::sample(server.pid)?;
        shared.stop();
        drain(tasks).await;
        server.stop().await;
        let grown = after.rss_kib.saturating_sub(before.rss_kib) as f64;
        Ok(Row {
            scenario: "S1 idle".into(),
            target: target.name().into(),
            clients,
            load: "none".into(),
            kib_per_conn: Some(grown / clients as f64),
            rss_mib: Some(after.rss_kib as f64 / 1024.0),
            note: health_note(&shared),
            ..Row::default()
        })
    }

    /// S2/S3/S6: one room of `clients`; senders at `pace`; `stalled` clients that
    /// stop reading. Deliveries/s, latency, CPU and memory over the measured window.
    pub async fn room(
        &mut self,
        scenario: &str,
        target: Target,
        clients: usize,
        pace: Pace,
        stalled: usize,
        logins: f64,
    ) -> anyhow::Result<Row> {
        let server = self.start(target, &["room".to_owned()]).await?;
        let mut shared = Shared::new(target.proto(), &server.nodes);
        if let Some(every) = self.reading {
            let run = signed_in(&mut shared, server.addr, clients, "room").await?;
            run.read_every = Some(every);
        }
        let mut tasks = JoinSet::new();
        connect_receivers(&shared, &mut tasks, 0, clients, "room").await?;
        let mut stalls = JoinSet::new();
        for i in 0..stalled {
            stalls.spawn(load::stalled(
                Arc::clone(&shared),
                clients + i,
                "room".into(),
            ));
        }
        wait_connected(&shared, (clients + stalled) as u64).await?;
        let sender = tokio::spawn(load::sender(
            Arc::clone(&shared),
            clients + stalled,
            "room".into(),
            pace,
            256,
        ));
        let storm = (logins > 0.0).then(|| {
            tokio::spawn(crate::accounts::login_storm(
                server.addr,
                logins,
                shared.stopped(),
            ))
        });
        // Stalled clients are closed after the server's idle timeout (9 s) plus a
        // ping interval: measure long enough to see it.
        let window = if stalled > 0 {
            let timing = Timing {
                measure: self.timing.measure.max(Duration::from_secs(15)),
                ..self.timing
            };
            Self::measure_for(timing, &shared, server.pid).await?
        } else {
            self.measure(&shared, server.pid).await?
        };
        let close_codes: Vec<Option<u16>> = collect(stalls).await;
        let refused = match storm {
            Some(storm) => Some(storm.await?),
            None => None,
        };
        let latencies = drain(tasks).await;
        let _ = sender.await;
        server.stop().await;
        let mut row = window.row(scenario, target, clients, latencies);
        row.note = health_note(&shared);
        row.load = match pace {
            Pace::Rate(r) => format!("{r} msg/s"),
            Pace::Flat => "flat out".into(),
        };
        if let Some(every) = self.reading {
            let reads = shared.reads.load(Ordering::Relaxed);
            row.load = if every.as_secs() >= 3600 {
                format!("{}, signed in", row.load)
            } else {
                format!("{}, signed in, read every {} s", row.load, every.as_secs())
            };
            row.note = format!("{reads} reads sent (whole run); {}", row.note);
        }
        if let Some(refused) = refused {
            row.load = format!("{} + {logins} wrong passwords/s", row.load);
            row.note = format!("{refused} wrong passwords refused (401); {}", row.note);
        }
        if stalled > 0 {
            let closed = close_codes.iter().filter(|c| **c == Some(4008)).count();
            row.note = format!("{closed}/{stalled} stalled closed with 4008; {}", row.note);
        }
        Ok(row)
    }

    /// Warms up, then measures one window; stops the clients.
    async fn measure(&self, shared: &Arc<Shared>, pid: u32) -> anyhow::Result<Window> {
        Self::measure_for(self.timing, shared, pid).await
    }

    async fn measure_for(timing: Timing, shared: &Arc<Shared>, pid: u32) -> anyhow::Result<Window> {
        tokio::time::sleep(timing.warmup).await;
        shared.recording.store(true, Ordering::Relaxed);
        let start = Instant::now();
        let (d0, a0) = (
            shared.deliveries.load(Ordering::Relaxed),
            shared.acks.load(Ordering::Relaxed),
        );
        let cpu0 = stats::sample(pid)?;
        let mut peak_rss = cpu0.rss_kib;
        while start.elapsed() < timing.measure {
            tokio::time::sleep(Duration::from_millis(250)).await;
            peak_rss = peak_rss.max(stats::sample(pid)?.rss_kib);
        }
        let cpu1 = stats::sample(pid)?;
        let secs = start.elapsed().as_secs_f64();
        let (d1, a1) = (
            shared.deliveries.load(Ordering::Relaxed),
            shared.acks.load(Ordering::Relaxed),
        );
        shared.recording.store(false, Ordering::Relaxed);
        let dropped = shared.dropped.load(Ordering::Relaxed);
        shared.stop();
        Ok(Window {
            deliveries_per_s: (d1 - d0) as f64 / secs,
            acks_per_s: (a1 - a0) as f64 / secs,
            cpu_percent: stats::cpu_percent(cpu0, cpu1, secs),
            peak_rss_kib: peak_rss,
            dropped,
        })
    }

    /// S4: `clients` join one room at once; time until all are in and a message sent
    /// then has reached every one of them.
    /// With `signed_in`, each client connects with an API token of its own (minted
    /// beforehand, not timed: 1000 accounts of 10 tokens each).
    pub async fn join_storm(
        &mut self,
        target: Target,
        clients: usize,
        signed_in: bool,
    ) -> anyhow::Result<Row> {
        let server = self.start(target, &["storm".to_owned()]).await?;
        let mut shared = Shared::new(target.proto(), &server.nodes);
        if signed_in {
            self::signed_in(&mut shared, server.addr, clients, "storm").await?;
        }
        let started = Instant::now();
        let mut tasks = JoinSet::new();
        for i in 0..clients {
            tasks.spawn(load::receiver(Arc::clone(&shared), i, "storm".into()));
        }
        wait_connected(&shared, clients as u64).await?;
        let joined = started.elapsed();
        let probe = tokio::spawn(load::sender(
            Arc::clone(&shared),
            clients,
            "storm".into(),
            Pace::Rate(1.0),
            1,
        ));
        let deadline = Instant::now() + Duration::from_secs(60);
        while shared.deliveries.load(Ordering::Relaxed) < clients as u64 {
            if Instant::now() > deadline {
                bail!("the probe message did not reach everyone");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let settled = started.elapsed();
        let rss = stats::sample(server.pid)?.rss_kib;
        let dropped = shared.dropped.load(Ordering::Relaxed);
        shared.stop();
        drain(tasks).await;
        let _ = probe.await;
        server.stop().await;
        Ok(Row {
            scenario: if signed_in {
                "S4 join storm (tokens)".into()
            } else {
                "S4 join storm".into()
            },
            target: target.name().into(),
            clients,
            load: format!("all joined in {:.2} s", joined.as_secs_f64()),
            note: format!(
                "settled in {:.2} s; {}",
                settled.as_secs_f64(),
                dropped_note(dropped)
            ),
            rss_mib: Some(rss as f64 / 1024.0),
            ..Row::default()
        })
    }

    /// S5: `rooms` rooms of `size`, one message per room per second, with clients
    /// leaving and coming back all the time.
    pub async fn churn(
        &mut self,
        target: Target,
        rooms: usize,
        size: usize,
    ) -> anyhow::Result<Row> {
        let names: Vec<String> = (0..rooms).map(|r| format!("r{r}")).collect();
        let server = self.start(target, &names).await?;
        let shared = Shared::new(target.proto(), &server.nodes);
        let mut tasks = JoinSet::new();
        for i in 0..rooms * (size - 1) {
            let room = format!("r{}", i % rooms);
            tasks.spawn(load::receiver(Arc::clone(&shared), i, room));
        }
        wait_connected(&shared, (rooms * (size - 1)) as u64).await?;
        let base = rooms * size;
        let mut senders = JoinSet::new();
        for r in 0..rooms {
            let room = format!("r{r}");
            senders.spawn(load::sender(
                Arc::clone(&shared),
                base + r,
                room,
                Pace::Rate(1.0),
                8,
            ));
        }
        // Everyone in place before the churn and the measured window start.
        wait_connected(&shared, (rooms * size) as u64).await?;
        // Churn: short visits, 50 a second, spread over the rooms.
        let churner = {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let mut visits = JoinSet::new();
                let mut tick = tokio::time::interval(Duration::from_millis(20));
                for n in 0..20_000usize {
                    tick.tick().await;
                    let room = format!("r{}", n % rooms);
                    let visit = load::visit(Arc::clone(&shared), 2 * base + n % 5000, room);
                    visits.spawn(tokio::time::timeout(Duration::from_secs(3), visit));
                    while visits.len() > 100 {
                        visits.join_next().await;
                    }
                }
            })
        };
        let window = self.measure(&shared, server.pid).await?;
        churner.abort();
        let latencies = drain(tasks).await;
        senders.shutdown().await;
        server.stop().await;
        let mut row = window.row("S5 churn", target, rooms * size, latencies);
        row.load = format!("{rooms} rooms x {size}, 1 msg/s each, 50 joins/s");
        Ok(row)
    }
}

impl Bench {
    /// S7: `senders`, each in its own room, each sending the next message as soon as
    /// the last is acknowledged: stored (committed, acknowledged) messages per second.
    pub async fn storage(
        &mut self,
        target: Target,
        senders: usize,
        in_flight: u64,
    ) -> anyhow::Result<Row> {
        let names: Vec<String> = (0..senders).map(|i| format!("w{i}")).collect();
        let server = self.start(target, &names).await?;
        let shared = Shared::new(target.proto(), &server.nodes);
        let mut tasks = JoinSet::new();
        for i in 0..senders {
            let room = format!("w{i}");
            tasks.spawn(load::sender(
                Arc::clone(&shared),
                i,
                room,
                Pace::Flat,
                in_flight,
            ));
        }
        wait_connected(&shared, senders as u64).await?;
        let window = self.measure(&shared, server.pid).await?;
        while tasks.join_next().await.is_some() {}
        server.stop().await;
        let mut row = window.row("S7 store", target, senders, Latencies::default());
        row.deliveries_per_s = None;
        row.load = format!("{in_flight} in flight per sender");
        Ok(row)
    }
}

/// What one measured window saw.
struct Window {
    deliveries_per_s: f64,
    acks_per_s: f64,
    cpu_percent: f64,
    peak_rss_kib: u64,
    dropped: u64,
}

impl Window {
    fn row(&self, scenario: &str, target: Target, clients: usize, mut latencies: Latencies) -> Row {
        Row {
            scenario: scenario.into(),
            target: target.name().into(),
            clients,
            deliveries_per_s: Some(self.deliveries_per_s),
            stored_per_s: target.is_confab().then_some(self.acks_per_s),
            p50_ms: latencies.percentile_ms(50.0),
            p99_ms: latencies.percentile_ms(99.0),
            cpu_percent: Some(self.cpu_percent),
            rss_mib: Some(self.peak_rss_kib as f64 / 1024.0),
            note: dropped_note(self.dropped),
            ..Row::default()
        }
    }
}

fn dropped_note(dropped: u64) -> String {
    if dropped == 0 {
        "no client dropped".into()
    } else {
        format!("{dropped} clients dropped")
    }
}

/// Drops, and connection attempts made again after hanging, if any.
fn health_note(shared: &Shared) -> String {
    let mut note = dropped_note(shared.dropped.load(Ordering::Relaxed));
    let retries = shared.retries.load(Ordering::Relaxed);
    if retries > 0 {
        note.push_str(&format!("; {retries} connects retried"));
    }
    note
}

/// Makes the run's `clients` connect with API tokens (10 per account, each account a
/// member of `room`), minted now, before anything is timed.
async fn signed_in<'a>(
    shared: &'a mut Arc<Shared>,
    server: std::net::SocketAddr,
    clients: usize,
    room: &str,
) -> anyhow::Result<&'a mut Shared> {
    let per_account = 10;
    let accounts = clients.div_ceil(per_account);
    let tokens = crate::accounts::mint_tokens(server, accounts, per_account, room).await?;
    let run = Arc::get_mut(shared).context("the run's state is not shared yet")?;
    run.tokens = Some(tokens.into());
    Ok(run)
}

/// Connects receivers `first..first + count` into `room`, 100 at a time (more at
/// once overflows accept queues and costs seconds of SYN retransmission).
async fn connect_receivers(
    shared: &Arc<Shared>,
    tasks: &mut JoinSet<anyhow::Result<Latencies>>,
    first: usize,
    count: usize,
    room: &str,
) -> anyhow::Result<()> {
    // The connected count before this call, read before anything is spawned: reading
    // it after spawning a batch would count the batch's fastest clients twice.
    let mut target = shared.connected.load(Ordering::Relaxed);
    for batch in (first..first + count).collect::<Vec<_>>().chunks(100) {
        for &i in batch {
            tasks.spawn(load::receiver(Arc::clone(shared), i, room.to_owned()));
        }
        target += batch.len() as u64;
        if let Err(error) = wait_connected(shared, target).await {
            // Say why: the first client that gave up.
            while let Some(done) = tasks.try_join_next() {
                if let Ok(Err(why)) = done {
                    return Err(error.context(format!("a client failed: {why:#}")));
                }
            }
            return Err(error);
        }
    }
    Ok(())
}

async fn wait_connected(shared: &Shared, count: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while shared.connected.load(Ordering::Relaxed) < count {
        if Instant::now() > deadline {
            let got = shared.connected.load(Ordering::Relaxed);
            return Err(anyhow::anyhow!("only {got} of {count} clients connected"))
                .context("connecting");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

async fn drain(mut tasks: JoinSet<anyhow::Result<Latencies>>) -> Latencies {
    let mut all = Latencies::default();
    while let Some(done) = tasks.join_next().await {
        if let Ok(Ok(latencies)) = done {
            all.merge(latencies);
        }
    }
    all
}

async fn collect<T: 'static>(mut tasks: JoinSet<anyhow::Result<T>>) -> Vec<T> {
    let mut out = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(Ok(value)) = done {
            out.push(value);
        }
    }
    out
}
