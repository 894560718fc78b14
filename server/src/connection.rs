//! One WebSocket connection, as transport: reads frames and hands them to the
//! command layer (`commands/`), writes what the commands answer and what the hub and
//! the sequencer queue for it, keeps the peer alive or drops it, and closes.
//!
//! A single task owns the socket. Live frames for a room wait in the queue while a
//! `join` reads its replay, and are dropped here if the replay already covered their
//! seq: so replay and live meet with neither a gap nor a duplicate.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use confab_shared::protocol::{MAX_REPLAY, PROTOCOL_VERSION};
use confab_shared::{ServerMsg, close};
use futures_util::SinkExt;
use tokio::time::{Instant, MissedTickBehavior};

use crate::commands::{self, Joined, Reply, Session};
use crate::hub::ConnId;
use crate::identity::{Identity, Kind};
use crate::limits::Pace;
use crate::metrics::Close;
use crate::outbox::{Outbound, Outbox, Queue, Revoked};
use crate::state::AppState;
use crate::wire;

/// Queued frames written per flush.
const WRITE_BATCH: usize = 64;

/// Why a connection ended, for the log.
#[derive(Debug)]
enum End {
    ClientClosed,
    ShuttingDown,
    TooSlow,
    /// Nothing, not even a pong, arrived for the idle timeout.
    Unresponsive,
    /// A write did not complete within the write timeout.
    WriteStalled,
    FrameTooBig,
    /// The client speaks a protocol version older than this server serves.
    TooOld(u32),
    /// The credential it signed in with was revoked (signed out).
    SignedOut,
    /// Kept sending over its rate after being refused (`limits/pace.rs`).
    Abuse,
    /// The account was banned from the server.
    Banned,
    /// A room's events jumped past a gap that could not be read from the store.
    Gap,
    /// The socket failed or a write timed out.
    Broken(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::ClientClosed => f.write_str("client closed"),
            End::ShuttingDown => f.write_str("server shutting down"),
            End::TooSlow => f.write_str("too slow to keep up"),
            End::Unresponsive => f.write_str("no answer to pings"),
            End::WriteStalled => f.write_str("stopped reading"),
            End::FrameTooBig => f.write_str("frame too big"),
            End::TooOld(version) => write!(f, "speaks protocol version {version}"),
            End::SignedOut => f.write_str("signed out"),
            End::Abuse => f.write_str("kept sending too fast"),
            End::Banned => f.write_str("banned"),
            End::Gap => f.write_str("missed a room's events"),
            End::Broken(why) => write!(f, "broken: {why}"),
        }
    }
}

impl End {
    /// The close frame (code and reason) this ending sends, if any.
    /// How `confab_closes_total` counts it.
    fn counted_as(&self) -> Close {
        match self {
            End::ClientClosed => Close::ClientClosed,
            End::ShuttingDown => Close::ShuttingDown,
            End::TooSlow => Close::QueueOverflow,
            End::Unresponsive | End::WriteStalled => Close::NotReading,
            End::FrameTooBig => Close::FrameTooBig,
            End::TooOld(_) => Close::TooOld,
            End::SignedOut => Close::SignedOut,
            End::Abuse => Close::Abuse,
            End::Banned => Close::Banned,
            End::Broken(_) | End::Gap => Close::Broken,
        }
    }

    fn close_frame(&self) -> Option<(u16, &'static str)> {
        match self {
            End::ShuttingDown => Some((close::GOING_AWAY, "server is shutting down")),
            End::TooSlow => Some((close::TOO_SLOW, "too slow to keep up")),
            End::Unresponsive | End::WriteStalled => Some((close::TOO_SLOW, "not reading")),
            End::FrameTooBig => Some((close::TOO_BIG, "frame too big")),
            End::SignedOut => Some((close::SIGN_IN_AGAIN, "signed out")),
            End::Abuse => Some((close::POLICY, "sending too fast")),
            End::Banned => Some((close::FORBIDDEN, "this account is banned")),
            End::Gap => Some((close::SERVER_ERROR, "missed events; resume")),
            End::TooOld(_) => Some((
                close::TOO_OLD,
                "protocol version 2 is served here; reload or update the client",
            )),
            End::ClientClosed | End::Broken(_) => None,
        }
    }
}

struct Connection {
    id: ConnId,
    identity: Arc<Identity>,
    socket: WebSocket,
    outbox: Outbox,
    state: AppState,
    /// Rooms joined, with the newest seq this connection has been sent in each.
    joined: Joined,
    /// When the peer last sent anything (a frame, a pong).
    last_heard: Instant,
    /// Sends handed to the sequencer whose ack (or refusal) has not been written yet;
    /// at `Settings::sends_in_flight` the socket is not read until some are.
    in_flight: usize,
    /// The protocol version the client named when it connected.
    version: u32,
    /// Standing with the message rate limit.
    pace: Pace,
    /// A frame the rate limit held back, and when to hand it in again: meanwhile the
    /// socket is not read.
    /// (Boxed: every idle connection carries the empty option.)
    held: Option<Box<Held>>,
}

/// Serves one upgraded socket until the client leaves, the server shuts down, or the
/// connection fails.
///
/// Not an `async fn`: its arguments would be kept in the future beside the
/// `Connection` they are moved into, and every idle connection would carry both.
pub(crate) fn serve(
    socket: WebSocket,
    identity: Arc<Identity>,
    version: u32,
    state: AppState,
) -> impl Future<Output = ()> {
    let id = state.hub.next_conn_id();
    // Its stop signal is a child of the server's shutdown: one future per connection
    // to wait on for both, and no lock shared with every other connection.
    let (outbox, queue) = Outbox::channel_under(state.settings.queue_capacity, &state.shutdown);
    tracing::info!(conn = id, user = %identity.name, "connected");
    state.metrics.connected();
    if let Some(credential) = &identity.credential {
        state.revocations.register(credential, id, &outbox);
    }
    // Only accounts are ever told things as a person (invited); guests are not.
    if identity.kind == Kind::Member {
        state.people.register(&identity.user, id, &outbox);
    }
    let mut conn = Connection {
        id,
        identity,
        socket,
        outbox,
        state,
        joined: Joined::new(),
        last_heard: Instant::now(),
        in_flight: 0,
        version,
        pace: Pace::default(),
        held: None,
    };
    async move {
        let end = conn.run(queue).await;
        if let Some(credential) = &conn.identity.credential {
            conn.state.revocations.forget(credential, id);
        }
        conn.state.people.forget(&conn.identity.user, id);
        // Out of every room first: the others hear at once that this one has gone,
        // even if its close frame takes a while to get through.
        for room in conn.joined.keys() {
            conn.state.hub.leave(room, id);
        }
        tracing::info!(conn = id, user = %conn.identity.name, reason = %end, "disconnected");
        conn.state.metrics.disconnected(end.counted_as());
        // Boxed, like the frame handling below: only for a moment at the end.
        Box::pin(conn.send_close(&end)).await;
    }
}

impl Connection {
    async fn run(&mut self, mut queue: Queue) -> End {
        if self.version < PROTOCOL_VERSION {
            return End::TooOld(self.version);
        }
        let welcome = ServerMsg::Welcome {
            user: self.identity.name.clone(),
            user_id: self.identity.user.clone(),
            epoch: self.state.epoch.to_string(),
            protocol: PROTOCOL_VERSION,
        };
        // Written with the list of rooms below, in one flush.
        if let Err(end) = Box::pin(self.feed(wire::encode(&welcome))).await {
            return end;
        }
        // Then the rooms this person belongs to, on whatever device they joined them.
        let mut rooms = self
            .state
            .store
            .rooms()
            .directory()
            .rooms_of(&self.identity.user);
        let reading = self.state.store.reading();
        let (user, name) = (&self.identity.user, &self.identity.name);
        if let Err(error) = crate::reading::fill_counts(reading, user, name, &mut rooms).await {
            // The list without counts beats no list.
            tracing::error!(%error, "reading unread counts failed");
        }
        if let Err(end) = Box::pin(self.write(&ServerMsg::Rooms { rooms })).await {
            return end;
        }
        let outbox = self.outbox.clone();
        // Made once, not per turn of the loop: each new one would join (and then
        // leave) the waiters of the token.
        let mut stopped = std::pin::pin!(outbox.stopped());
        let every = self.state.settings.ping_interval;
        let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let step = tokio::select! {
                biased;
                () = &mut stopped => Err(why_stopped(&self.state, &self.outbox)),
                batch = queue.recv_batch(WRITE_BATCH) => {
                    Box::pin(self.write_queued(batch)).await
                }
                frame = self.socket.recv(), if !self.sends_at_limit() && self.held.is_none() => {
                    self.last_heard = Instant::now();
                    // Boxed: handling a frame needs a large future, but only for a
                    // moment; an idle connection should not carry its space.
                    Box::pin(self.on_frame(frame)).await
                }
                () = held_until(&mut self.held) => {
                    match self.held.take() {
                        Some(held) => Box::pin(self.command(held.text, true)).await,
                        None => Ok(()),
                    }
                }
                _ = ticker.tick() => Box::pin(self.keep_alive()).await,
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Whether as many sends await their acks as may (the socket is not read then).
    fn sends_at_limit(&self) -> bool {
        self.in_flight >= self.state.settings.sends_in_flight()
    }

    /// Whether the socket is not being read: sends await their acks, or one waits for
    /// the rate limit.
    fn not_reading(&self) -> bool {
        self.sends_at_limit() || self.held.is_some()
    }

    /// Pings the peer, or gives up on it if it has been silent too long.
    async fn keep_alive(&mut self) -> Result<(), End> {
        // While its sends wait (for the writer, or the rate limit) this side is not
        // reading, so it cannot have heard the peer: silence then says nothing.
        if self.not_reading() {
            self.last_heard = Instant::now();
        }
        if self.last_heard.elapsed() > self.state.settings.idle_timeout {
            return Err(End::Unresponsive);
        }
        self.feed_message(Message::Ping(Bytes::new())).await?;
        self.flush().await
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, axum::Error>>) -> Result<(), End> {
        let reply = match frame {
            None | Some(Ok(Message::Close(_))) => return Err(End::ClientClosed),
            Some(Ok(Message::Text(text))) => return self.command(text, false).await,
            Some(Ok(Message::Binary(_))) => commands::binary(),
            // Pongs to pings are queued by the WebSocket library itself.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Ok(()),
            Some(Err(error)) if is_too_big(error_ref(&error)) => return Err(End::FrameTooBig),
            Some(Err(error)) => return Err(End::Broken(error.to_string())),
        };
        self.answer(reply).await
    }

    /// Carries out a text frame (`held`: again, after the rate limit held it back).
    async fn command(&mut self, text: Utf8Bytes, held: bool) -> Result<(), End> {
        if !held {
            self.state.metrics.frame_in();
        }
        let reply = commands::text(self.session(held), &text).await;
        if reply.abuse {
            return Err(End::Abuse);
        }
        if let Some(wait) = reply.hold {
            self.held = Some(Box::new(Held {
                text,
                wake: Box::pin(tokio::time::sleep(wait)),
            }));
        }
        self.answer(reply).await
    }

    /// What a command may see and change of this connection.
    fn session(&mut self, held: bool) -> Session<'_> {
        Session {
            state: &self.state,
            identity: &self.identity,
            conn: self.id,
            outbox: &self.outbox,
            joined: &mut self.joined,
            pace: &mut self.pace,
            held,
        }
    }

    /// Writes a command's answer; a send it handed on counts as in flight.
    async fn answer(&mut self, reply: Reply) -> Result<(), End> {
        if reply.submitted {
            self.in_flight += 1;
        }
        if reply.frames.is_empty() {
            return Ok(());
        }
        for frame in reply.frames {
            self.feed(frame).await?;
        }
        self.flush().await
    }

    /// Writes queued frames, skipping those for rooms left since and messages the
    /// replay already delivered.
    async fn write_queued(&mut self, items: Vec<Outbound>) -> Result<(), End> {
        let mut frames = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Outbound::Reply(frame) => {
                    self.in_flight = self.in_flight.saturating_sub(1);
                    frames.push(frame);
                }
                Outbound::Direct(frame) => frames.push(frame),
                Outbound::Room(shared) => {
                    let Some(&sent) = self.joined.get(&shared.room) else {
                        continue;
                    };
                    if let Some(seq) = shared.seq {
                        if seq <= sent {
                            continue;
                        }
                        if seq > sent + 1 {
                            // Never skipped: what did not come is read from the store.
                            frames.extend(missing(&self.state, &shared.room, sent, seq).await?);
                        }
                        self.joined.insert(shared.room.clone(), seq);
                    }
                    frames.push(shared.frame.clone());
                }
                Outbound::Removed(shared) => {
                    // The hub took this connection out of the room: this event (it
                    // was kicked or banned) is the last of the room it gets.
                    if let Some(sent) = self.joined.remove(&shared.room)
                        && shared.seq.is_none_or(|seq| seq > sent)
                    {
                        frames.push(shared.frame.clone());
                    }
                }
            }
        }
        self.state.metrics.frames_out(frames.len());
        // One guard (and one timer) for the whole batch, not one per frame.
        let socket = &mut self.socket;
        let write = async move {
            for frame in frames {
                socket.feed(Message::Text(frame)).await?;
            }
            SinkExt::<Message>::flush(socket).await
        };
        guarded(&self.state, &self.outbox, write).await
    }

    async fn write(&mut self, msg: &ServerMsg) -> Result<(), End> {
        self.feed(wire::encode(msg)).await?;
        self.flush().await
    }

    async fn feed(&mut self, frame: Utf8Bytes) -> Result<(), End> {
        self.state.metrics.frames_out(1);
        self.feed_message(Message::Text(frame)).await
    }

    async fn feed_message(&mut self, message: Message) -> Result<(), End> {
        let write = self.socket.feed(message);
        guarded(&self.state, &self.outbox, write).await
    }

    async fn flush(&mut self) -> Result<(), End> {
        let write = SinkExt::<Message>::flush(&mut self.socket);
        guarded(&self.state, &self.outbox, write).await
    }

    /// Sends the close frame `end` calls for, if any (best effort: the peer may be
    /// gone), and for 4008 and 1008 waits for the peer's answering close; answers a
    /// close the peer started.
    ///
    /// A 4008 goes to a peer that fell behind: the frame waits behind everything
    /// already written, and gets through only once the peer reads again, so we wait
    /// for that as long as for any write (but not past shutdown). Closing the TCP
    /// connection under a peer that is still catching up would lose the rest: the
    /// first thing it sends (a pong to a ping it has just read) would make our side
    /// reset the connection, discarding what it has not received yet, close frame
    /// included. Other close frames go to peers that are not behind: one second.
    async fn send_close(&mut self, end: &End) {
        if matches!(end, End::ClientClosed) {
            // The WebSocket library queued the answering close frame (echoing the
            // peer's code, RFC 6455 section 5.5.1) when it read the peer's: send it,
            // so the peer's close is clean, then drop the connection.
            let answer = SinkExt::<Message>::flush(&mut self.socket);
            if !matches!(
                tokio::time::timeout(Duration::from_secs(1), answer).await,
                Ok(Ok(()))
            ) {
                tracing::debug!(conn = self.id, "could not answer the client's close");
            }
            return;
        }
        let Some((code, reason)) = end.close_frame() else {
            return;
        };
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        // A flooder (1008) has frames of its own still on the way: closing under them
        // would reset the connection and lose the close frame too, so they are read
        // and dropped until its close, as for a peer that fell behind.
        let behind = code == close::TOO_SLOW || code == close::POLICY;
        let socket = &mut self.socket;
        let handshake = async move {
            socket.send(Message::Close(Some(frame))).await?;
            if behind {
                // Whatever it sends until its close is dropped.
                while let Some(message) = socket.recv().await {
                    if matches!(message?, Message::Close(_)) {
                        break;
                    }
                }
            }
            Ok::<(), axum::Error>(())
        };
        let patience = if behind {
            self.state.settings.write_timeout
        } else {
            Duration::from_secs(1)
        };
        let done = tokio::select! {
            done = tokio::time::timeout(patience, handshake) => matches!(done, Ok(Ok(()))),
            () = self.state.shutdown.cancelled(), if code != close::GOING_AWAY => false,
        };
        if !done {
            tracing::debug!(conn = self.id, code, "closing handshake not completed");
        }
    }
}

/// The frames of `room`'s events after `sent` and before `seq`, read from the store:
/// a gap in what reached this connection (the room feed keeps each node's rooms in
/// order, so this is the last line of defence). Too many, or the store failing, end
/// the connection with 1011: the client resumes the room with `after`.
async fn missing(
    state: &AppState,
    room: &confab_shared::RoomName,
    sent: confab_shared::Seq,
    seq: confab_shared::Seq,
) -> Result<Vec<Utf8Bytes>, End> {
    tracing::warn!(%room, sent, seq, "a gap in a room's events; reading it");
    match state.store.replay(room, sent, MAX_REPLAY).await {
        Ok(replay) if !replay.truncated => Ok(replay
            .events
            .into_iter()
            .filter(|event| event.seq < seq)
            .map(|event| wire::encode(&ServerMsg::Event(event)))
            .collect()),
        Ok(_) => Err(End::Gap),
        Err(error) => {
            tracing::error!(%error, %room, "reading a gap failed");
            Err(End::Gap)
        }
    }
}

/// Waits for a write to the socket, but not forever: gives up when it stalls for the
/// write timeout, when the queue overflows meanwhile (a peer that let the queue fill
/// up while this write waited is too slow; waiting out the timeout would only delay
/// its 4008), or when the server shuts down.
///
/// The write is tried first: most complete at once, and then the stop signal is not
/// polled (polling joins its waiters, under a lock) nor the timer started.
async fn guarded(
    state: &AppState,
    outbox: &Outbox,
    write: impl Future<Output = Result<(), axum::Error>>,
) -> Result<(), End> {
    tokio::select! {
        biased;
        done = tokio::time::timeout(state.settings.write_timeout, write) => match done {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(End::Broken(error.to_string())),
            Err(_) => Err(End::WriteStalled),
        },
        () = outbox.stopped() => Err(why_stopped(state, outbox)),
    }
}

/// Why a connection's stop signal fired: the server is shutting down, the connection's
/// credential was revoked, or else its queue overflowed.
fn why_stopped(state: &AppState, outbox: &Outbox) -> End {
    if state.shutdown.is_cancelled() {
        End::ShuttingDown
    } else if let Some(why) = outbox.revoked() {
        match why {
            Revoked::SignedOut => End::SignedOut,
            Revoked::Banned => End::Banned,
        }
    } else {
        End::TooSlow
    }
}

/// Resolves at `at`, or never without one.
/// A frame held back by the rate limit, and the timer that hands it in again. Kept
/// in a box of its own: a timer is over a hundred bytes, which every idle connection
/// would otherwise carry in its task.
struct Held {
    text: Utf8Bytes,
    wake: std::pin::Pin<Box<tokio::time::Sleep>>,
}

/// Resolves when the held frame is due; never while there is none.
async fn held_until(held: &mut Option<Box<Held>>) {
    match held {
        Some(held) => held.wake.as_mut().await,
        None => std::future::pending().await,
    }
}

fn error_ref(error: &axum::Error) -> Option<&tungstenite::Error> {
    std::error::Error::source(error).and_then(|e| e.downcast_ref::<tungstenite::Error>())
}

fn is_too_big(error: Option<&tungstenite::Error>) -> bool {
    matches!(error, Some(tungstenite::Error::Capacity(_)))
}
