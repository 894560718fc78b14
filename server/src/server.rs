//! Running the server: wiring the parts together, serving, and shutting down in order.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::accept;
use crate::broker::redis::RedisBroker;
use crate::broker::{Broker, InProcess, RedisUrl};
use crate::hub::Hub;
use crate::limits::{Guards, Limits};
use crate::metrics::Metrics;
use crate::nodes::Nodes;
use crate::origin::OriginPolicy;
use crate::people::People;
use crate::revocations::Revocations;
use crate::room_feed::RoomFeed;
use crate::routes;
use crate::sequencer::Sequencer;
use crate::settings::Settings;
use crate::state::{AppState, Shared};
use crate::store::Store;

/// Serves on `listener` with default [`Settings`]; see [`run_with`].
pub async fn run(
    listener: TcpListener,
    store: Arc<dyn Store>,
    static_dir: &Path,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(listener, store, static_dir, Settings::default(), shutdown).await
}

/// Serves on `listener` until `shutdown` resolves, then: stops accepting, closes every
/// socket with 1001, stores every message already submitted, and closes the store.
/// Nothing acknowledged is ever lost: acks are sent only after a commit.
pub async fn run_with(
    listener: TcpListener,
    store: Arc<dyn Store>,
    static_dir: &Path,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let options = Options {
        settings,
        ..Options::default()
    };
    run_with_options(listener, store, static_dir, options, shutdown).await
}

/// What an operator may set beyond the connection [`Settings`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub settings: Settings,
    /// Which pages may open a socket (`--public-url`, `--allowed-origin`).
    pub origins: OriginPolicy,
    pub sessions: SessionPolicy,
    /// Whether people may join without an account, by a name (`--guests`).
    pub guests: bool,
    /// Rates and caps against abuse.
    pub limits: Limits,
    /// Where the server counts what it does; the caller serves it (`GET /metrics`).
    pub metrics: Arc<Metrics>,
    /// Redis, through which this node and others sharing its (PostgreSQL) store
    /// hear each other's room events (`--redis`); None: this node is alone.
    pub redis: Option<RedisUrl>,
}

/// Sessions (signed-in browsers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused this long (seconds) ends (`--session-days`); each use pushes
    /// it on (sliding).
    pub ttl_secs: i64,
    /// Mark the cookie `Secure`: the server is reached over TLS (`--public-url
    /// https://...`).
    pub secure: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            ttl_secs: 30 * 24 * 3600,
            secure: false,
        }
    }
}

/// [`run_with`], with every option.
pub async fn run_with_options(
    listener: TcpListener,
    store: Arc<dyn Store>,
    static_dir: &Path,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Options {
        settings,
        origins,
        sessions,
        guests,
        limits,
        metrics,
        redis,
    } = options;
    let epoch = store.epoch().await.map_err(std::io::Error::other)?;
    let hub = Arc::new(Hub::default());
    let stop_writes = CancellationToken::new();
    let people: Arc<People> = Arc::default();
    let feed = RoomFeed::start(
        Arc::clone(&hub),
        Arc::clone(&store),
        Arc::clone(&people),
        Arc::clone(&metrics),
    )
    .await
    .map_err(std::io::Error::other)?;
    // Stopped once the writer has stored (and handed on) everything.
    let stop_fanout = CancellationToken::new();
    let revocations: Arc<Revocations> = Arc::default();
    let nodes = Arc::new(Nodes::new(
        Arc::clone(&hub),
        Arc::clone(&people),
        Arc::clone(&revocations),
    ));
    let (broker, mut fanout): (Arc<dyn Broker>, Vec<JoinHandle<()>>) = match redis {
        Some(url) => {
            let (broker, tasks) = RedisBroker::start(
                url,
                Arc::clone(&feed),
                Arc::clone(&nodes),
                Arc::clone(&metrics),
                &stop_fanout,
            );
            (broker, tasks)
        }
        None => (Arc::new(InProcess), Vec::new()),
    };
    fanout.push(tokio::spawn(
        Arc::clone(&feed).run(broker.clustered(), stop_fanout.clone()),
    ));
    if broker.clustered() {
        fanout.push(tokio::spawn(
            Arc::clone(&nodes).run(Arc::clone(&broker), stop_fanout.clone()),
        ));
    }
    let (sequencer, writer) = Sequencer::start(
        Arc::clone(&store),
        feed,
        Arc::clone(&broker),
        Arc::clone(&people),
        Arc::clone(&metrics),
        stop_writes.clone(),
    );
    let state = AppState::new(Shared {
        hub,
        store: Arc::clone(&store),
        sequencer,
        settings,
        epoch: epoch.into(),
        origins: Arc::new(origins),
        sessions,
        guests,
        guards: Arc::new(Guards::new(&limits)),
        revocations,
        people,
        metrics,
        broker,
        nodes,
        shutdown: CancellationToken::new(),
        connections: TaskTracker::new(),
    });
    // Presence changes (of rooms, and of people), gathered, every
    // `presence_interval`; and this node's, for the other nodes.
    let hub = Arc::clone(&state.hub);
    let people = Arc::clone(&state.people);
    let directory = Arc::clone(&store);
    let (nodes, broker) = (Arc::clone(&state.nodes), Arc::clone(&state.broker));
    let presence = tokio::spawn(every(
        settings.presence_interval,
        &state.shutdown,
        move || {
            hub.flush_presence(directory.rooms().directory());
            people.flush();
            // Alone, nobody to tell: what changed is forgotten unread.
            let changes = nodes.presence_changes(broker.clustered());
            for note in changes {
                broker.note(&note);
            }
        },
    ));
    // Who types, twice a second: at most two `typing` frames a second reach a member.
    let hub = Arc::clone(&state.hub);
    let rooms = Arc::clone(&store);
    let typing = tokio::spawn(every(
        Duration::from_millis(500),
        &state.shutdown,
        move || {
            hub.flush_typing(rooms.rooms().directory());
        },
    ));
    // From the feed's newest entry now: what changes from here on reaches this server.
    let feed_start = store
        .accounts()
        .last_change()
        .await
        .map_err(std::io::Error::other)?;
    let feed = tokio::spawn(crate::account_feed::follow(state.clone(), feed_start));
    // What no longer limits anyone, forgotten once a minute.
    let guards = Arc::clone(&state.guards);
    let pruning = tokio::spawn(every(Duration::from_secs(60), &state.shutdown, move || {
        guards.prune();
    }));
    if state.broker.clustered() {
        let people = Arc::clone(&state.people);
        state
            .guards
            .messages
            .share_by(move |user| people.nodes_of(user));
    }
    let app = routes::router(state.clone(), static_dir);
    let closing = state.shutdown.clone();
    let stopping = async move {
        shutdown.await;
        tracing::info!("shutting down");
        closing.cancel();
    };
    accept::serve(listener, app, limits.handshake_timeout, stopping).await;

    state.connections.close();
    state.connections.wait().await;
    // The other nodes hear at once that this one's people have gone.
    for note in state.nodes.presence_changes(state.broker.clustered()) {
        state.broker.note(&note);
    }
    if let Err(error) = presence.await {
        tracing::error!(%error, "the presence task failed");
    }
    if let Err(error) = typing.await {
        tracing::error!(%error, "the typing task failed");
    }
    if let Err(error) = feed.await {
        tracing::error!(%error, "the account feed task failed");
    }
    if let Err(error) = pruning.await {
        tracing::error!(%error, "the limits' pruning task failed");
    }
    drop(state);
    stop_writes.cancel();
    if let Err(error) = writer.await {
        tracing::error!(%error, "the sequencer task failed");
    }
    stop_fanout.cancel();
    for task in fanout {
        if let Err(error) = task.await {
            tracing::error!(%error, "a fan-out task failed");
        }
    }
    store.close().await;
    Ok(())
}

/// Does `work` every `period` until shutdown.
fn every(
    period: Duration,
    shutdown: &CancellationToken,
    mut work: impl FnMut() + Send + 'static,
) -> impl Future<Output = ()> + Send + 'static {
    let shutdown = shutdown.clone();
    async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = ticks.tick() => work(),
            }
        }
    }
}
