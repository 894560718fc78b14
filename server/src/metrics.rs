//! What an operator watches: this server's counters, gauges and latencies, written
//! in Prometheus's text format by `GET /metrics` on a listener of its own
//! (`--metrics-addr`, loopback by default: never the public port).
//!
//! One [`Metrics`] per server, handed in with its options, so two servers in one
//! process (the tests) count apart. Counting is an atomic add, made once per batch
//! on the paths that carry many frames.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;

/// Why a socket ended, as `confab_closes_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Close {
    ClientClosed,
    ShuttingDown,
    /// Its outbound queue overflowed: a reader too slow to keep up (4008).
    QueueOverflow,
    /// It stopped reading or answering pings (4008).
    NotReading,
    FrameTooBig,
    TooOld,
    SignedOut,
    Abuse,
    Banned,
    Broken,
}

const CLOSES: [&str; 10] = [
    "client_closed",
    "shutting_down",
    "queue_overflow",
    "not_reading",
    "frame_too_big",
    "too_old",
    "signed_out",
    "abuse",
    "banned",
    "broken",
];

/// Which limit refused something, as `confab_rate_limited_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// A message (or another change) over the person's message rate.
    Messages,
    /// A sign-in or sign-up over the address's or the name's attempts.
    Logins,
    /// A socket over the caps per person or per address.
    Sockets,
}

const LIMITS: [&str; 3] = ["messages", "logins", "sockets"];

/// How a password sign-in ended, as `confab_logins_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Login {
    SignedIn,
    SignedUp,
    Wrong,
    Banned,
}

const LOGINS: [&str; 4] = ["signed_in", "signed_up", "wrong", "banned"];

/// Which store call took how long, as `confab_store_seconds` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreOp {
    /// A batch of messages committed (`Store::append`).
    Append,
    /// A change to a room committed (`Store::persist`).
    Persist,
}

const STORE_OPS: [&str; 2] = ["append", "persist"];

/// What the broker carried, as `confab_broker_events_total` labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Broker {
    /// This node's events handed to the other nodes.
    Published,
    /// Other nodes' events heard.
    Received,
    /// This node's events not handed on (the broker was away): the other nodes read
    /// them from the store.
    Dropped,
    /// Events read from the store to fill a gap or a missed tail.
    Filled,
}

const BROKER: [&str; 4] = ["published", "received", "dropped", "filled"];

/// Upper bounds of the latency buckets, in seconds.
const BOUNDS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// A latency histogram: counts per bucket (the last one past every bound), and the
/// sum in microseconds.
#[derive(Debug, Default)]
struct Histogram {
    buckets: [AtomicU64; BOUNDS.len() + 1],
    sum_us: AtomicU64,
}

impl Histogram {
    fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let bucket = BOUNDS
            .iter()
            .position(|&bound| secs <= bound)
            .unwrap_or(BOUNDS.len());
        self.buckets[bucket].fetch_add(1, Relaxed);
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_us.fetch_add(us, Relaxed);
    }
}

/// This server's numbers.
#[derive(Debug, Default)]
pub struct Metrics {
    connections: AtomicI64,
    connections_total: AtomicU64,
    frames_in: AtomicU64,
    frames_out: AtomicU64,
    messages_stored: AtomicU64,
    events_stored: AtomicU64,
    closes: [AtomicU64; CLOSES.len()],
    limited: [AtomicU64; LIMITS.len()],
    logins: [AtomicU64; LOGINS.len()],
    store: [Histogram; STORE_OPS.len()],
    broker: [AtomicU64; BROKER.len()],
    /// How long the broker took to take a batch of events (a publish's round trip).
    broker_seconds: Histogram,
}

impl Metrics {
    pub(crate) fn connected(&self) {
        self.connections.fetch_add(1, Relaxed);
        self.connections_total.fetch_add(1, Relaxed);
    }

    pub(crate) fn disconnected(&self, why: Close) {
        self.connections.fetch_sub(1, Relaxed);
        self.closes[why as usize].fetch_add(1, Relaxed);
    }

    pub(crate) fn frame_in(&self) {
        self.frames_in.fetch_add(1, Relaxed);
    }

    pub(crate) fn frames_out(&self, n: usize) {
        self.frames_out.fetch_add(n as u64, Relaxed);
    }

    pub(crate) fn stored(&self, messages: usize, events: usize) {
        self.messages_stored.fetch_add(messages as u64, Relaxed);
        self.events_stored.fetch_add(events as u64, Relaxed);
    }

    pub(crate) fn limited(&self, limit: Limit) {
        self.limited[limit as usize].fetch_add(1, Relaxed);
    }

    pub(crate) fn login(&self, how: Login) {
        self.logins[how as usize].fetch_add(1, Relaxed);
    }

    pub(crate) fn store_took(&self, op: StoreOp, took: Duration) {
        self.store[op as usize].observe(took);
    }

    pub(crate) fn broker(&self, what: Broker, n: usize) {
        self.broker[what as usize].fetch_add(n as u64, Relaxed);
    }

    pub(crate) fn broker_took(&self, took: Duration) {
        self.broker_seconds.observe(took);
    }

    /// Everything, in Prometheus's text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let info = "The version of this server.";
        family(&mut out, "confab_build_info", info, "gauge");
        let version = env!("CARGO_PKG_VERSION");
        let _ = writeln!(out, "confab_build_info{{version=\"{version}\"}} 1");
        let scalars: [(&str, &str, &str, i64); 6] = [
            (
                "confab_connections",
                "Sockets open now.",
                "gauge",
                self.connections.load(Relaxed),
            ),
            (
                "confab_connections_total",
                "Sockets opened since the start.",
                "counter",
                as_i64(&self.connections_total),
            ),
            (
                "confab_frames_in_total",
                "Text frames received from clients.",
                "counter",
                as_i64(&self.frames_in),
            ),
            (
                "confab_frames_out_total",
                "Frames written to clients.",
                "counter",
                as_i64(&self.frames_out),
            ),
            (
                "confab_messages_stored_total",
                "Messages stored (each with a new seq).",
                "counter",
                as_i64(&self.messages_stored),
            ),
            (
                "confab_events_stored_total",
                "Room events other than messages stored (edits, reactions, members...).",
                "counter",
                as_i64(&self.events_stored),
            ),
        ];
        for (name, help, kind, value) in scalars {
            family(&mut out, name, help, kind);
            let _ = writeln!(out, "{name} {value}");
        }
        labelled(
            &mut out,
            "confab_closes_total",
            "Sockets ended, by why (queue_overflow and not_reading: slow readers closed with 4008).",
            "reason",
            &CLOSES,
            &self.closes,
        );
        labelled(
            &mut out,
            "confab_rate_limited_total",
            "Requests a limit refused, by limit.",
            "limit",
            &LIMITS,
            &self.limited,
        );
        labelled(
            &mut out,
            "confab_logins_total",
            "Password sign-ins and sign-ups, by how they ended.",
            "result",
            &LOGINS,
            &self.logins,
        );
        labelled(
            &mut out,
            "confab_broker_events_total",
            "Room events between nodes: published, received, dropped (the broker was away), filled (read from the store).",
            "what",
            &BROKER,
            &self.broker,
        );
        let name = "confab_broker_seconds";
        family(
            &mut out,
            name,
            "How long the broker took to take a batch of events.",
            "histogram",
        );
        histogram(&mut out, name, "", &self.broker_seconds);
        let name = "confab_store_seconds";
        let help = "How long the store took to commit, by operation.";
        family(&mut out, name, help, "histogram");
        for (op, store) in STORE_OPS.iter().zip(&self.store) {
            histogram(&mut out, name, &format!("op=\"{op}\""), store);
        }
        out
    }
}

/// One histogram's lines, with `labels` (`key="value"`, or none).
fn histogram(out: &mut String, name: &str, labels: &str, histogram: &Histogram) {
    let comma = if labels.is_empty() { "" } else { "," };
    let mut count = 0;
    for (i, bucket) in histogram.buckets.iter().enumerate() {
        count += bucket.load(Relaxed);
        let le = BOUNDS.get(i).map_or("+Inf".to_owned(), f64::to_string);
        let _ = writeln!(out, "{name}_bucket{{{labels}{comma}le=\"{le}\"}} {count}");
    }
    let sum = histogram.sum_us.load(Relaxed) as f64 / 1e6;
    let braces = |text: &str| {
        if text.is_empty() {
            String::new()
        } else {
            format!("{{{text}}}")
        }
    };
    let _ = writeln!(out, "{name}_sum{} {sum:.6}", braces(labels));
    let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
}

fn as_i64(counter: &AtomicU64) -> i64 {
    i64::try_from(counter.load(Relaxed)).unwrap_or(i64::MAX)
}

fn family(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn labelled(
    out: &mut String,
    name: &str,
    help: &str,
    key: &str,
    labels: &[&str],
    values: &[AtomicU64],
) {
    family(out, name, help, "counter");
    for (label, value) in labels.iter().zip(values) {
        let value = value.load(Relaxed);
        let _ = writeln!(out, "{name}{{{key}=\"{label}\"}} {value}");
    }
}

/// `GET /metrics`, for the metrics listener alone.
pub fn router(metrics: Arc<Metrics>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let text = metrics.render();
            async move {
                (
                    [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    text,
                )
                    .into_response()
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_lands_in_the_first_bucket_it_fits_and_counts_cumulatively() {
        let metrics = Metrics::default();
        metrics.store_took(StoreOp::Append, Duration::from_micros(700));
        metrics.store_took(StoreOp::Append, Duration::from_secs(9));
        let text = metrics.render();
        assert!(text.contains("confab_store_seconds_bucket{op=\"append\",le=\"0.0005\"} 0\n"));
        assert!(text.contains("confab_store_seconds_bucket{op=\"append\",le=\"0.001\"} 1\n"));
        assert!(text.contains("confab_store_seconds_bucket{op=\"append\",le=\"2.5\"} 1\n"));
        assert!(text.contains("confab_store_seconds_bucket{op=\"append\",le=\"+Inf\"} 2\n"));
        assert!(text.contains("confab_store_seconds_count{op=\"append\"} 2\n"));
        assert!(text.contains("confab_store_seconds_sum{op=\"append\"} 9.000700\n"));
        assert!(text.contains("confab_store_seconds_count{op=\"persist\"} 0\n"));
    }

    #[test]
    fn counters_and_the_gauge_move_with_what_happens() {
        let metrics = Metrics::default();
        metrics.connected();
        metrics.connected();
        metrics.disconnected(Close::QueueOverflow);
        metrics.limited(Limit::Logins);
        metrics.login(Login::Wrong);
        metrics.frames_out(3);
        let text = metrics.render();
        assert!(text.contains("\nconfab_connections 1\n"), "{text}");
        assert!(text.contains("\nconfab_connections_total 2\n"));
        assert!(text.contains("confab_closes_total{reason=\"queue_overflow\"} 1\n"));
        assert!(text.contains("confab_closes_total{reason=\"client_closed\"} 0\n"));
        assert!(text.contains("confab_rate_limited_total{limit=\"logins\"} 1\n"));
        assert!(text.contains("confab_logins_total{result=\"wrong\"} 1\n"));
        assert!(text.contains("\nconfab_frames_out_total 3\n"));
        // Every sample line follows its family's HELP and TYPE.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            let family = name
                .trim_end_matches("_bucket")
                .trim_end_matches("_sum")
                .trim_end_matches("_count");
            assert!(text.contains(&format!("# TYPE {family} ")), "{line}");
        }
    }
}
