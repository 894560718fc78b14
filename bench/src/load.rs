//! The clients of a run: receivers that count and time deliveries, senders that post
//! at a pace or as fast as they may, and stalled clients that stop reading.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::proto::{Proto, Seen, now_ns};
use crate::stats::Latencies;
use crate::ws::CLOSE;

/// Shared by every client of a run.
pub struct Shared {
    pub proto: Proto,
    /// The server, or a cluster's nodes: senders connect to the first, readers to
    /// the others (so each delivery crosses from one node to another).
    pub nodes: Vec<SocketAddr>,
    pub deliveries: AtomicU64,
    pub acks: AtomicU64,
    pub sent: AtomicU64,
    /// Clients that have connected (and, for Confab, joined).
    pub connected: AtomicU64,
    /// Connection attempts that timed out and were made again.
    pub retries: AtomicU64,
    /// Which run this is, for its source addresses.
    run: u8,
    /// Clients whose connection ended before the run did.
    pub dropped: AtomicU64,
    /// Latencies are recorded only while this is set.
    pub recording: AtomicBool,
    /// API tokens to connect with (client i uses token i), instead of guest names.
    pub tokens: Option<Arc<[String]>>,
    /// Receivers mark what they have seen read this often (Confab, signed in).
    pub read_every: Option<Duration>,
    /// `read` frames sent.
    pub reads: AtomicU64,
    stop: watch::Sender<bool>,
}

impl Shared {
    pub fn new(proto: Proto, nodes: &[SocketAddr]) -> Arc<Self> {
        Arc::new(Self {
            proto,
            nodes: nodes.to_vec(),
            deliveries: AtomicU64::new(0),
            acks: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            connected: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            run: u8::try_from(RUNS.fetch_add(1, Ordering::Relaxed) % 250).unwrap_or(0),
            dropped: AtomicU64::new(0),
            recording: AtomicBool::new(false),
            tokens: None,
            read_every: None,
            reads: AtomicU64::new(0),
            stop: watch::channel(false).0,
        })
    }

    /// Where client `i` connects: a sender to the first node, a reader to one of
    /// the others (with one server, there).
    fn node_for(&self, i: usize, sending: bool) -> SocketAddr {
        match self.nodes.as_slice() {
            [first, others @ ..] if !others.is_empty() => {
                if sending {
                    *first
                } else {
                    others[i % others.len()]
                }
            }
            nodes => nodes
                .first()
                .copied()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
        }
    }

    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Resolves once the run is stopped. Made once per client, not per frame: each
    /// new one would join (and then leave) the waiters of the stop signal, under a
    /// lock every client shares.
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stop = self.stop.subscribe();
        async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }
    }
}

/// Each run connects from its own 127.N.0.x addresses: the sockets a run closes
/// linger in TIME_WAIT, and the next run would otherwise find the ports taken.
static RUNS: AtomicU64 = AtomicU64::new(0);

/// Client `i` of run `run` connects from 127.(1 + run).0.(2 + i / 25000): each source
/// address has ~28k ephemeral ports.
fn local_ip(run: u8, i: usize) -> Option<IpAddr> {
    let octet = u8::try_from(2 + i / 25_000).ok()?;
    Some(IpAddr::V4(Ipv4Addr::new(127, 1 + run, 0, octet)))
}

pub fn user(role: &str, i: usize) -> String {
    format!("{role}{i}")
}

/// Connects (and joins), trying again when an attempt hangs (a dropped SYN costs
/// seconds of retransmission; a 5 s cap keeps one straggler from stalling a run).
pub async fn connect(
    shared: &Shared,
    i: usize,
    sending: bool,
    name: &str,
    room: &str,
    recv_buffer: Option<u32>,
) -> anyhow::Result<(crate::ws::Reader, crate::ws::Writer)> {
    for _ in 0..4 {
        let token = shared
            .tokens
            .as_ref()
            .and_then(|t| t.get(i % t.len().max(1)))
            .map(String::as_str);
        let attempt = shared.proto.connect(
            shared.node_for(i, sending),
            local_ip(shared.run, i),
            name,
            token,
            room,
            recv_buffer,
        );
        match tokio::time::timeout(Duration::from_secs(5), attempt).await {
            Ok(done) => return Ok(done?),
            Err(_) => {
                shared.retries.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    anyhow::bail!("{name}: no connection after 4 attempts of 5 s")
}

/// Connects, then counts deliveries (timing those that carry a stamp) until stopped.
pub async fn receiver(shared: Arc<Shared>, i: usize, room: String) -> anyhow::Result<Latencies> {
    let (mut reader, mut writer) = connect(&shared, i, false, &user("r", i), &room, None).await?;
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let mut stopped = std::pin::pin!(shared.stopped());
    let mut latencies = Latencies::default();
    // Marking read at a person's pace, each client at its own moment.
    let every = shared.read_every.unwrap_or(Duration::from_secs(3600));
    let offset = every.mul_f64((i % 1000) as f64 / 1000.0);
    let mut reading = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
    let (mut seen, mut read) = (0u64, 0u64);
    loop {
        tokio::select! {
            biased;
            () = &mut stopped => break,
            _ = reading.tick(), if shared.read_every.is_some() && seen > read => {
                let frame = format!(r#"{{"type":"read","room":"{room}","seq":{seen}}}"#);
                writer.send(crate::ws::TEXT, frame.as_bytes()).await?;
                shared.reads.fetch_add(1, Ordering::Relaxed);
                read = seen;
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
                if let Seen::Delivery(stamp) = shared.proto.classify(opcode, payload, &mut writer) {
                    shared.deliveries.fetch_add(1, Ordering::Relaxed);
                    if shared.read_every.is_some() {
                        seen = seen.max(crate::proto::seq_in(payload).unwrap_or(0));
                    }
                    if let Some(sent) = stamp.filter(|_| shared.recording.load(Ordering::Relaxed)) {
                        latencies.record(now_ns().saturating_sub(sent) / 1000);
                    }
                }
                if writer.has_pending() {
                    writer.flush().await?;
                }
            }
        }
    }
    Ok(latencies)
}

/// How a sender posts.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// This many messages per second.
    Rate(f64),
    /// As fast as the window of unacknowledged messages (Confab) or the socket
    /// (others) allows.
    Flat,
}

/// Posts into `room` until stopped. `window` bounds unacknowledged sends (Confab).
pub async fn sender(
    shared: Arc<Shared>,
    i: usize,
    room: String,
    pace: Pace,
    window: u64,
) -> anyhow::Result<()> {
    let name = user("s", i);
    let (mut reader, mut writer) = connect(&shared, i, true, &name, &room, None).await?;
    shared.connected.fetch_add(1, Ordering::Relaxed);
    let acked = shared.proto == Proto::Confab;
    let mut stopped = std::pin::pin!(shared.stopped());
    let period = match pace {
        Pace::Rate(rate) => Duration::from_secs_f64(1.0 / rate.max(0.001)),
        Pace::Flat => Duration::from_micros(1),
    };
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let (mut n, mut in_flight) = (0u64, 0u64);
    loop {
        let room_to_send = !acked || in_flight < window;
        tokio::select! {
            biased;
            () = &mut stopped => break,
            frame = reader.next() => {
                let (opcode, payload) = frame?;
                if opcode == CLOSE {
                    shared.dropped.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                if shared.proto.classify(opcode, payload, &mut writer) == Seen::Ack {
                    in_flight = in_flight.saturating_sub(1);
                    shared.acks.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ = ticks.tick(), if room_to_send => {
                let burst = match pace {
                    Pace::Rate(_) => 1,
                    Pace::Flat if acked => window - in_flight,
                    Pace::Flat => 16,
                };
                for _ in 0..burst {
                    n += 1;
                    shared.proto.push_message(&mut writer, &room, &name, n);
                }
                in_flight += burst;
                shared.sent.fetch_add(burst, Ordering::Relaxed);
            }
        }
        if writer.has_pending() {
            writer.flush().await?;
        }
    }
    Ok(())
}

/// A stalled client's receive buffer. The kernel would otherwise go on taking in
/// frames for it (and waking the generator for each) for tens of seconds; with a
/// small buffer its window closes within the warm-up, as any reader's does that has
/// stopped for a while, and the run measures that state.
const STALLED_RECV_BUFFER: u32 = 4096;

/// Joins and then never reads again. Returns the close code the server sent, if the
/// server closed the connection (read once the run is over).
pub async fn stalled(shared: Arc<Shared>, i: usize, room: String) -> anyhow::Result<Option<u16>> {
    let name = user("z", i);
    let (mut reader, _writer) =
        connect(&shared, i, false, &name, &room, Some(STALLED_RECV_BUFFER)).await?;
    shared.connected.fetch_add(1, Ordering::Relaxed);
    shared.stopped().await;
    // Drain what the server queued for us; a close frame at the end says why.
    let drain = async {
        loop {
            match reader.next().await {
                Ok((CLOSE, payload)) if payload.len() >= 2 => {
                    return Some(u16::from_be_bytes([payload[0], payload[1]]));
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    };
    Ok(tokio::time::timeout(Duration::from_secs(5), drain)
        .await
        .ok()
        .flatten())
}

/// A short visit: joins, reads (answering pings) for a second, and leaves.
pub async fn visit(shared: Arc<Shared>, i: usize, room: String) -> anyhow::Result<()> {
    let (mut reader, mut writer) = connect(&shared, i, false, &user("v", i), &room, None).await?;
    let until = tokio::time::Instant::now() + Duration::from_secs(1);
    while let Ok(frame) = tokio::time::timeout_at(until, reader.next()).await {
        let (opcode, payload) = frame?;
        shared.proto.classify(opcode, payload, &mut writer);
        writer.flush().await?;
    }
    Ok(())
}
