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
use crate::room_feed::{Origin, RoomFeed};

/// The channel every node publishes its room events on.
const CHANNEL: &[u8] = b"confab:room-events";
/// Events waiting for the publisher; past this they are dropped (the other nodes
/// read them from the store within a second).
const QUEUE: usize = 16_384;
/// The most events written before reading their replies.
const BATCH: usize = 256;
/// A publish that takes longer gives the connection up (Redis hangs).
const PUBLISH_WITHIN: Duration = Duration::from_secs(5);
/// Reconnecting waits this long at first, doubling up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The publishing side, as the writer sees it.
pub(crate) struct RedisBroker {
    out: mpsc::Sender<Utf8Bytes>,
    metrics: Arc<Metrics>,
    /// Whether the subscriber is subscribed now (readiness).
    subscribed: Arc<AtomicBool>,
}

impl Broker for RedisBroker {
    fn publish(&self, frame: &Utf8Bytes) {
        if self.out.try_send(frame.clone()).is_err() {
            self.metrics.broker(Counted::Dropped, 1);
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
        metrics: Arc<Metrics>,
        shutdown: &CancellationToken,
    ) -> (Arc<Self>, Vec<JoinHandle<()>>) {
        let node = node_id();
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
                node,
                feed,
                metrics,
                subscribed,
                shutdown.clone(),
            )),
        ];
        (broker, tasks)
    }
}

/// A random id for this process.
fn node_id() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0_u8; 8];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    mut rx: mpsc::Receiver<Utf8Bytes>,
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
            let received = tokio::select! {
                () = shutdown.cancelled() => return,
                n = rx.recv_many(&mut batch, BATCH) => n,
            };
            if received == 0 {
                return;
            }
            let started = Instant::now();
            let sent = tokio::time::timeout(PUBLISH_WITHIN, send_batch(&mut conn, &node, &batch))
                .await
                .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()));
            let n = batch.len();
            batch.clear();
            match sent {
                Ok(()) => {
                    metrics.broker_took(started.elapsed());
                    metrics.broker(Counted::Published, n);
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

/// Publishes `frames` in one write, then reads their replies.
async fn send_batch(conn: &mut Conn, node: &str, frames: &[Utf8Bytes]) -> std::io::Result<()> {
    let mut message = Vec::new();
    for frame in frames {
        message.clear();
        message.extend_from_slice(node.as_bytes());
        message.push(b' ');
        message.extend_from_slice(frame.as_bytes());
        conn.send(&[b"PUBLISH", CHANNEL, &message]).await?;
    }
    conn.flush().await?;
    for _ in frames {
        if let Value::Error(why) = conn.read().await? {
            return Err(std::io::Error::other(format!(
                "Redis refused PUBLISH: {why}"
            )));
        }
    }
    Ok(())
}

async fn subscribe(
    url: RedisUrl,
    node: String,
    feed: Arc<RoomFeed>,
    metrics: Arc<Metrics>,
    subscribed: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut backoff = MIN_BACKOFF;
    let mut warned = false;
    loop {
        let ended = tokio::select! {
            () = shutdown.cancelled() => return,
            ended = listen(&url, &node, &feed, &metrics, &subscribed) => ended,
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

/// Subscribes and hands what other nodes publish to the feed, until the connection
/// fails.
async fn listen(
    url: &RedisUrl,
    node: &str,
    feed: &RoomFeed,
    metrics: &Metrics,
    subscribed: &AtomicBool,
) -> std::io::Error {
    let mut conn = match Conn::connect(url).await {
        Ok(conn) => conn,
        Err(error) => return error,
    };
    if let Err(error) = conn.send(&[b"SUBSCRIBE", CHANNEL]).await {
        return error;
    }
    if let Err(error) = conn.flush().await {
        return error;
    }
    loop {
        let value = match conn.read().await {
            Ok(value) => value,
            Err(error) => return error,
        };
        let Value::Array(Some(items)) = value else {
            continue;
        };
        match items.as_slice() {
            [Value::Bulk(Some(kind)), _, _] if kind == b"subscribe" => {
                subscribed.store(true, Ordering::Relaxed);
                tracing::info!(redis = %url, "subscribed to Redis");
                // Whatever was published while this node was not listening is lost
                // to it: the store has it.
                feed.catch_up().await;
            }
            [Value::Bulk(Some(kind)), _, Value::Bulk(Some(message))] if kind == b"message" => {
                take(node, feed, metrics, message);
            }
            _ => {}
        }
    }
}

/// One message of the channel: another node's event goes to the feed.
fn take(node: &str, feed: &RoomFeed, metrics: &Metrics, message: &[u8]) {
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
