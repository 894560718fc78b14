//! The Redis broker: this node's events are published on one channel, and every
//! node subscribes to it. A message is `NODE FRAME`: the publishing node's id (its
//! own messages are skipped) and the event's frame as clients get it, so a node
//! passes another's events on without encoding them again.
//!
//! Two connections, each reconnected with backoff when Redis goes away: one
//! publishes (events queued meanwhile, up to [`QUEUE`], then dropped and left to the
//! store), one subscribes (and, subscribed again, has the feed catch every room up
//! from the store, since whatever was published meanwhile was lost).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use confab_shared::ServerMsg;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Broker;
use super::resp::{Conn, RedisUrl, Value};
use crate::metrics::{Broker as Counted, Metrics};
use crate::nodes::{Answer, Nodes, Note};
use crate::room_feed::{Origin, RoomFeed};

/// The channel every node publishes its room events on.
const EVENTS: &[u8] = b"confab:room-events";
/// The channel of notes between nodes (`nodes.rs`).
const NODES: &[u8] = b"confab:nodes";
/// Events waiting for the publisher; past this they are dropped (the other nodes
/// read them from the store within a second).
const QUEUE: usize = 16_384;
/// The most events written before reading their replies.
const BATCH: usize = 256;
/// A publish that takes longer gives the connection up (Redis hangs).
const PUBLISH_WITHIN: Duration = Duration::from_secs(5);
/// A subscription that hears nothing for this long (not even this node's own
/// heartbeat) is taken as dead and made again.
const SILENT_FOR: Duration = Duration::from_secs(5);
/// Reconnecting waits this long at first, doubling up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The publishing side, as the writer sees it.
pub(crate) struct RedisBroker {
    out: mpsc::Sender<Outgoing>,
    metrics: Arc<Metrics>,
    /// Whether the subscriber is subscribed now (readiness).
    subscribed: Arc<AtomicBool>,
}

/// What the publisher sends: an event's frame, or a note.
enum Outgoing {
    Event(Utf8Bytes),
    Note(Vec<u8>),
}

impl Broker for RedisBroker {
    fn publish(&self, frame: &Utf8Bytes) {
        if self.out.try_send(Outgoing::Event(frame.clone())).is_err() {
            self.metrics.broker(Counted::Dropped, 1);
        }
    }

    fn note(&self, note: &Note) {
        match serde_json::to_vec(note) {
            Ok(json) => {
                // A full queue drops it: the next says as much.
                let _ = self.out.try_send(Outgoing::Note(json));
            }
            Err(error) => tracing::error!(%error, "a note that does not encode"),
        }
    }

    fn clustered(&self) -> bool {
        true
    }

    fn ready(&self) -> bool {
        self.subscribed.load(Ordering::Relaxed)
    }
}

impl RedisBroker {
    /// Starts publishing to and subscribing at `url`, handing what other nodes
    /// publish to `feed`, until `shutdown`.
    pub(crate) fn start(
        url: RedisUrl,
        feed: Arc<RoomFeed>,
        nodes: Arc<Nodes>,
        metrics: Arc<Metrics>,
        shutdown: &CancellationToken,
    ) -> (Arc<Self>, Vec<JoinHandle<()>>) {
        let node = nodes.me().to_owned();
        tracing::info!(node, redis = %url, "fan-out through Redis");
        let (out, rx) = mpsc::channel(QUEUE);
        let subscribed = Arc::new(AtomicBool::new(false));
        let broker = Arc::new(Self {
            out,
            metrics: Arc::clone(&metrics),
            subscribed: Arc::clone(&subscribed),
        });
        let tasks = vec![
            tokio::spawn(publish(
                url.clone(),
                node.clone(),
                rx,
                Arc::clone(&metrics),
                shutdown.clone(),
            )),
            tokio::spawn(subscribe(
                url,
                Heard {
                    feed,
                    nodes,
                    broker: Arc::clone(&broker),
                    metrics,
                },
                subscribed,
                shutdown.clone(),
            )),
        ];
        (broker, tasks)
    }
}

/// Waits `backoff` (unless shutting down first) and gives the next one.
async fn pause(backoff: Duration, shutdown: &CancellationToken) -> Option<Duration> {
    tokio::select! {
        () = shutdown.cancelled() => None,
        () = tokio::time::sleep(backoff) => Some((backoff * 2).min(MAX_BACKOFF)),
    }
}

async fn publish(
    url: RedisUrl,
    node: String,
    mut rx: mpsc::Receiver<Outgoing>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    let mut backoff = MIN_BACKOFF;
    let mut batch = Vec::with_capacity(BATCH);
    let mut warned = false;
    loop {
        let mut conn = match Conn::connect(&url).await {
            Ok(conn) => {
                if warned {
                    tracing::info!(redis = %url, "publishing to Redis again");
                }
                backoff = MIN_BACKOFF;
                conn
            }
            Err(error) => {
                if !warned {
                    tracing::warn!(%error, redis = %url, "cannot publish to Redis; retrying");
                    warned = true;
                }
                match pause(backoff, &shutdown).await {
                    Some(next) => backoff = next,
                    None => return,
                }
                continue;
            }
        };
        loop {
            let (received, last) = tokio::select! {
                () = shutdown.cancelled() => {
                    // What is queued goes out before this node does (its last
                    // presence: nobody here any more), if Redis takes it quickly.
                    while batch.len() < BATCH {
                        match rx.try_recv() {
                            Ok(outgoing) => batch.push(outgoing),
                            Err(_) => break,
                        }
                    }
                    (batch.len(), true)
                }
                n = rx.recv_many(&mut batch, BATCH) => (n, false),
            };
            if received == 0 {
                return;
            }
            let started = Instant::now();
            let sent = tokio::time::timeout(PUBLISH_WITHIN, send_batch(&mut conn, &node, &batch))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()));
            let n = batch
                .iter()
                .filter(|o| matches!(o, Outgoing::Event(_)))
                .count();
            batch.clear();
            match sent {
                Ok(()) => {
                    metrics.broker_took(started.elapsed());
                    metrics.broker(Counted::Published, n);
                    if last {
                        return;
                    }
                }
                Err(error) => {
                    // Lost with the connection: the others read them from the store.
                    metrics.broker(Counted::Dropped, n);
                    tracing::warn!(%error, events = n, "publishing to Redis failed; reconnecting");
                    warned = true;
                    break;
                }
            }
        }
    }
}

/// Publishes `batch` in one write, then reads the replies.
async fn send_batch(conn: &mut Conn, node: &str, batch: &[Outgoing]) -> std::io::Result<()> {
    let mut message = Vec::new();
    for outgoing in batch {
        match outgoing {
            Outgoing::Event(frame) => {
                message.clear();
                message.extend_from_slice(node.as_bytes());
                message.push(b' ');
                message.extend_from_slice(frame.as_bytes());
                conn.send(&[b"PUBLISH", EVENTS, &message]).await?;
            }
            Outgoing::Note(json) => conn.send(&[b"PUBLISH", NODES, json]).await?,
        }
    }
    conn.flush().await?;
    for _ in batch {
        if let Value::Error(why) = conn.read().await? {
            return Err(std::io::Error::other(format!(
                "Redis refused PUBLISH: {why}"
            )));
        }
    }
    Ok(())
}

/// Where what the subscriber hears goes.
struct Heard {
    feed: Arc<RoomFeed>,
    nodes: Arc<Nodes>,
    /// To say this node's presence when another asks.
    broker: Arc<RedisBroker>,
    metrics: Arc<Metrics>,
}

impl Heard {
    /// Says all of this node's presence (and, `hello`, asks the others for theirs).
    fn say_all(&self, hello: bool) {
        if hello {
            self.broker.note(&Note::Alive {
                node: self.nodes.me().to_owned(),
                hello: true,
            });
        }
        self.broker.note(&self.nodes.all_presence());
    }
}

async fn subscribe(
    url: RedisUrl,
    heard: Heard,
    subscribed: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut backoff = MIN_BACKOFF;
    let mut warned = false;
    loop {
        let ended = tokio::select! {
            () = shutdown.cancelled() => return,
            ended = listen(&url, &heard, &subscribed) => ended,
        };
        let was_subscribed = subscribed.swap(false, Ordering::Relaxed);
        if was_subscribed {
            backoff = MIN_BACKOFF;
        }
        if !warned || was_subscribed {
            tracing::warn!(error = %ended, redis = %url, "not subscribed to Redis; retrying");
            warned = true;
        }
        match pause(backoff, &shutdown).await {
            Some(next) => backoff = next,
            None => return,
        }
    }
}

/// Subscribes and hands what other nodes publish to the feed and to the nodes,
/// until the connection fails.
async fn listen(url: &RedisUrl, heard: &Heard, subscribed: &AtomicBool) -> std::io::Error {
    let mut conn = match Conn::connect(url).await {
        Ok(conn) => conn,
        Err(error) => return error,
    };
    if let Err(error) = conn.send(&[b"SUBSCRIBE", EVENTS, NODES]).await {
        return error;
    }
    if let Err(error) = conn.flush().await {
        return error;
    }
    loop {
        // Every node (this one too) says it is alive each second: silence this
        // long means the connection died without a word.
        let value = match tokio::time::timeout(SILENT_FOR, conn.read()).await {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => return error,
            Err(_) => {
                return std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "nothing heard from Redis",
                );
            }
        };
        let Value::Array(Some(items)) = value else {
            continue;
        };
        match items.as_slice() {
            [Value::Bulk(Some(kind)), _, Value::Int(2)] if kind == b"subscribe" => {
                subscribed.store(true, Ordering::Relaxed);
                tracing::info!(redis = %url, "subscribed to Redis");
                // Whatever was said while this node was not listening is lost to
                // it: the store has the events, the others say their presence again.
                heard.say_all(true);
                heard.feed.ask_catch_up();
            }
            [
                Value::Bulk(Some(kind)),
                Value::Bulk(Some(channel)),
                Value::Bulk(Some(message)),
            ] if kind == b"message" => {
                if channel == EVENTS {
                    take_event(heard, message);
                } else if channel == NODES {
                    take_note(heard, message);
                }
            }
            _ => {}
        }
    }
}

/// Another node's note: to the nodes; answered with all of this node's presence
/// when that node is new here or has just come back.
fn take_note(heard: &Heard, message: &[u8]) {
    match serde_json::from_slice::<Note>(message) {
        Ok(note) => match heard.nodes.take(note) {
            Answer::Nothing => {}
            Answer::All => heard.say_all(false),
            Answer::Hello => heard.say_all(true),
        },
        Err(error) => tracing::warn!(%error, "a note on the channel that does not parse"),
    }
}

/// One message of the events channel: another node's event goes to the feed.
fn take_event(heard: &Heard, message: &[u8]) {
    let node = heard.nodes.me();
    let (feed, metrics) = (&heard.feed, &heard.metrics);
    let Some((from, frame)) = message
        .iter()
        .position(|&b| b == b' ')
        .map(|at| (&message[..at], &message[at + 1..]))
    else {
        tracing::warn!("a message on the channel without a node");
        return;
    };
    if from == node.as_bytes() {
        return;
    }
    let Ok(text) = std::str::from_utf8(frame) else {
        tracing::warn!("a message on the channel that is not UTF-8");
        return;
    };
    match serde_json::from_str::<ServerMsg>(text) {
        Ok(ServerMsg::Event(event)) => {
            metrics.broker(Counted::Received, 1);
            feed.offer(
                event,
                Some(Utf8Bytes::from(text.to_owned())),
                Origin::Remote,
            );
        }
        Ok(_) => tracing::warn!("a message on the channel that is not an event"),
        Err(error) => tracing::warn!(%error, "a message on the channel that does not parse"),
    }
}
