//! A client that does what docs/protocol.md asks of one that must lose nothing: when
//! its socket goes (a crash, a restart, a 4008, or a deliberate drop) it reconnects
//! with a short backoff, rejoins each room with `after` = the highest seq it has seen
//! there, and resends every message not yet acknowledged, in order, with the same
//! `client_id`. It records everything it received, so a test can compare its view of
//! each room with the database and find anything lost, doubled or out of order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use confab_shared::{ChatMessage, ErrorCode, EventKind, MessageId, RoomEvent, Seq, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Backoff between failed connection attempts: doubles from the first to the last.
const BACKOFF_FIRST: Duration = Duration::from_millis(20);
const BACKOFF_MAX: Duration = Duration::from_millis(250);
/// Failed attempts in a row before the client gives up (about 25 s of backoff).
const MAX_FAILED_ATTEMPTS: u32 = 100;
/// A socket silent this long is taken for dead (the server pings every 5 s).
const SILENCE: Duration = Duration::from_secs(12);
/// The longest a connect, or one batch of writes, may take.
const IO_LIMIT: Duration = Duration::from_secs(5);
/// The most messages one `history` request may ask for.
const HISTORY_PAGE: u64 = 100;

/// One message the client has to get acknowledged.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub room: String,
    pub client_id: String,
    pub body: String,
}

/// What a resilient client does.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The user name (`?name=`).
    pub name: String,
    /// Each room to join, with the seq to wait for: the client is done when it has
    /// seen every room up to its target and every outgoing message is acknowledged.
    pub rooms: Vec<(String, Seq)>,
    /// Sent in this order.
    pub outgoing: Vec<Outgoing>,
    /// At most this many messages sent but not acknowledged.
    pub window: usize,
    /// The least time between two first sends; `None`: as fast as the window allows.
    pub pace: Option<Duration>,
    /// Deliberate disconnects: connection `n` is dropped `drops[n]` after it opened
    /// (alternately with a close frame and by just dropping the TCP connection).
    pub drops: Vec<Duration>,
    /// If set, after a deliberate drop the client stays away until this is `true`.
    pub stay_away: Option<watch::Receiver<bool>>,
    /// Everything must be done within this, or the test fails.
    pub deadline: Duration,
}

impl Plan {
    /// Client `client` of a run over `rooms` rooms (`room0`, `room1`...): sends
    /// `sends` messages to room `client % rooms`, `window` unacknowledged at most,
    /// and reads that room and the next, each until it has seen `per_room` seqs.
    pub fn spread(
        client: usize,
        rooms: usize,
        sends: usize,
        per_room: Seq,
        window: usize,
        deadline: Duration,
    ) -> Self {
        let room = |r: usize| format!("room{r}");
        Plan {
            name: format!("client{client:02}"),
            rooms: vec![
                (room(client % rooms), per_room),
                (room((client + 1) % rooms), per_room),
            ],
            outgoing: (0..sends)
                .map(|n| Outgoing {
                    room: room(client % rooms),
                    client_id: format!("c{client:02}-m{n:03}"),
                    body: format!("client {client} message {n}"),
                })
                .collect(),
            window,
            pace: None,
            drops: Vec::new(),
            stay_away: None,
            deadline,
        }
    }
}

/// What the client saw of one room.
#[derive(Debug, Default)]
pub struct RoomView {
    /// Every message received (replayed, live or paged back), by seq.
    pub messages: BTreeMap<Seq, ChatMessage>,
    /// Seqs received again although already held (on any connection).
    pub duplicates: Vec<Seq>,
    /// Stream breaks: (the seq before, the seq that came) where a message did not
    /// follow the previous one on the same connection (or the `after` of its join).
    pub gaps: Vec<(Seq, Seq)>,
    /// `joined` frames that said `truncated`.
    pub truncated_joins: usize,
    /// Messages fetched with `history` to fill a truncated resume.
    pub paged: usize,
    /// A truncated resume left a hole that history is filling.
    filling: bool,
    /// A history request for this room is on its way.
    history_pending: bool,
    /// The `after` of this connection's join.
    resumed_after: Seq,
    /// The last seq this connection delivered in this room; `None` before `joined`.
    stream_last: Option<Seq>,
    /// Every seq from 1 to here is held.
    contiguous: Seq,
}

impl RoomView {
    /// The highest seq seen; what a resume passes as `after`.
    pub fn max_seen(&self) -> Seq {
        self.messages.last_key_value().map_or(0, |(seq, _)| *seq)
    }

    /// Stores a received message; a seq already held is a duplicate.
    fn insert(&mut self, message: ChatMessage) {
        let seq = message.seq;
        if self.messages.contains_key(&seq) {
            self.duplicates.push(seq);
            return;
        }
        self.messages.insert(seq, message);
        while self.messages.contains_key(&(self.contiguous + 1)) {
            self.contiguous += 1;
        }
    }

    fn has_hole(&self) -> bool {
        self.contiguous < self.max_seen()
    }
}

/// What a client ends with.
#[derive(Debug)]
pub struct Report {
    pub name: String,
    pub plan: Plan,
    /// The ack of each outgoing message, by index into `plan.outgoing`.
    pub acks: Vec<(Seq, MessageId)>,
    /// When each ack came.
    pub acked_at: Vec<Instant>,
    pub rooms: BTreeMap<String, RoomView>,
    /// Connections opened.
    pub connections: usize,
    /// Why each connection but the last ended (deliberate drops included).
    pub disconnects: Vec<String>,
    /// Close codes the server sent.
    pub close_codes: Vec<u16>,
    /// Outgoing messages sent on more than one connection.
    pub resent: usize,
    /// Acks that came for a message already acknowledged (must be the same ack).
    pub repeated_acks: usize,
}

/// How a connection ended.
enum End {
    /// Everything is done.
    Done,
    /// Lost: reconnect after a backoff.
    Lost(String),
    /// Dropped on purpose: reconnect at once.
    Dropped(String),
}

struct ClientState {
    plan: Plan,
    base_url: String,
    progress: Arc<AtomicUsize>,
    acks: Vec<Option<(Seq, MessageId)>>,
    acked_at: Vec<Option<Instant>>,
    index_of: HashMap<String, usize>,
    /// Unacknowledged messages that were sent at least once, in send order.
    pending: VecDeque<usize>,
    /// How many of `pending`, from the front, were sent on this connection.
    sent_here: usize,
    /// The next outgoing message never sent yet.
    next_new: usize,
    /// How many connections each outgoing message was sent on.
    send_count: Vec<u32>,
    next_paced: Instant,
    rooms: BTreeMap<String, RoomView>,
    targets: HashMap<String, Seq>,
    epoch: Option<String>,
    connections: usize,
    disconnects: Vec<String>,
    close_codes: Vec<u16>,
    repeated_acks: usize,
    deadline: Instant,
}

/// Runs `plan` against the server at `base_url` (`ws://HOST:PORT/ws`) until done.
/// Every fresh ack adds one to `progress`. Panics if the plan cannot be completed in
/// time or the server does something no client should ever see.
pub async fn run(plan: Plan, base_url: String, progress: Arc<AtomicUsize>) -> Report {
    let mut state = ClientState::new(plan, base_url, progress);
    let mut backoff = BACKOFF_FIRST;
    let mut failed = 0;
    loop {
        if state.done() {
            return state.into_report();
        }
        assert!(
            Instant::now() < state.deadline,
            "{}: not done within {:?}: {}",
            state.plan.name,
            state.plan.deadline,
            state.summary()
        );
        let url = format!("{}?v=2&name={}", state.base_url, state.plan.name);
        let socket = match timeout(IO_LIMIT, tokio_tungstenite::connect_async(url)).await {
            Ok(Ok((socket, _))) => socket,
            Ok(Err(_)) | Err(_) => {
                failed += 1;
                assert!(
                    failed < MAX_FAILED_ATTEMPTS,
                    "{}: could not reconnect in {failed} attempts",
                    state.plan.name
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
                continue;
            }
        };
        failed = 0;
        backoff = BACKOFF_FIRST;
        state.connections += 1;
        match state.session(socket).await {
            End::Done => return state.into_report(),
            End::Dropped(why) => {
                state.disconnects.push(why);
                if let Some(mut gate) = state.plan.stay_away.clone() {
                    let name = &state.plan.name;
                    tokio::time::timeout_at(state.deadline, gate.wait_for(|open| *open))
                        .await
                        .unwrap_or_else(|_| panic!("{name}: kept away past the deadline"))
                        .expect("the test holds the gate");
                }
            }
            End::Lost(why) => {
                state.disconnects.push(why);
                tokio::time::sleep(BACKOFF_FIRST).await;
            }
        }
    }
}

impl ClientState {
    fn new(plan: Plan, base_url: String, progress: Arc<AtomicUsize>) -> Self {
        let index_of: HashMap<String, usize> = plan
            .outgoing
            .iter()
            .enumerate()
            .map(|(i, out)| (out.client_id.clone(), i))
            .collect();
        assert_eq!(index_of.len(), plan.outgoing.len(), "client_ids are unique");
        let rooms = plan
            .rooms
            .iter()
            .map(|(room, _)| (room.clone(), RoomView::default()))
            .collect();
        let targets = plan.rooms.iter().cloned().collect();
        let deadline = Instant::now() + plan.deadline;
        Self {
            acks: vec![None; plan.outgoing.len()],
            acked_at: vec![None; plan.outgoing.len()],
            send_count: vec![0; plan.outgoing.len()],
            index_of,
            pending: VecDeque::new(),
            sent_here: 0,
            next_new: 0,
            next_paced: Instant::now(),
            rooms,
            targets,
            epoch: None,
            connections: 0,
            disconnects: Vec::new(),
            close_codes: Vec::new(),
            repeated_acks: 0,
            deadline,
            plan,
            base_url,
            progress,
        }
    }

    fn all_acked(&self) -> bool {
        self.next_new == self.plan.outgoing.len() && self.pending.is_empty()
    }

    fn done(&self) -> bool {
        self.all_acked()
            && self.rooms.iter().all(|(room, view)| {
                // A hole not being filled is a gap the server left: it is recorded in
                // `gaps`, and waiting would not fill it.
                view.max_seen() >= self.targets[room] && !view.filling
            })
    }

    fn summary(&self) -> String {
        let acked = self.acks.iter().filter(|a| a.is_some()).count();
        let rooms: Vec<String> = self
            .rooms
            .iter()
            .map(|(room, v)| {
                format!(
                    "{room}: seen up to {} (contiguous {}), target {}",
                    v.max_seen(),
                    v.contiguous,
                    self.targets[room]
                )
            })
            .collect();
        format!(
            "{acked}/{} acked, {} connections, disconnects {:?}; {}",
            self.plan.outgoing.len(),
            self.connections,
            self.disconnects,
            rooms.join("; ")
        )
    }

    fn into_report(self) -> Report {
        let acks = self
            .acks
            .iter()
            .map(|ack| ack.expect("done means every message was acknowledged"))
            .collect();
        let acked_at = self.acked_at.iter().flatten().copied().collect();
        Report {
            name: self.plan.name.clone(),
            acks,
            acked_at,
            rooms: self.rooms,
            connections: self.connections,
            disconnects: self.disconnects,
            close_codes: self.close_codes,
            resent: self.send_count.iter().filter(|n| **n > 1).count(),
            repeated_acks: self.repeated_acks,
            plan: self.plan,
        }
    }

    /// One connection, from `welcome` until it ends.
    async fn session(&mut self, mut socket: Socket) -> End {
        let opened = Instant::now();
        let drop_at = self
            .plan
            .drops
            .get(self.connections - 1)
            .map(|after| opened + *after);
        let name = self.plan.name.clone();

        match timeout(IO_LIMIT, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => match parse(&name, text.as_str()) {
                ServerMsg::Welcome {
                    user,
                    user_id,
                    epoch,
                    ..
                } => {
                    assert_eq!(user.as_str(), name, "welcome names us");
                    // A guest's id is its name behind `guest:` (docs/protocol.md).
                    assert_eq!(user_id.as_str(), format!("guest:{name}"), "welcome ids us");
                    let known = self.epoch.get_or_insert_with(|| epoch.clone());
                    assert_eq!(*known, epoch, "{name}: the history changed under us");
                }
                other => panic!("{name}: expected welcome first, got {other:?}"),
            },
            other => return End::Lost(format!("no welcome: {other:?}")),
        }

        // Resume every room, then resend what is not acknowledged, in order.
        let mut out: Vec<String> = Vec::new();
        for (room, view) in &mut self.rooms {
            view.stream_last = None;
            view.history_pending = false;
            view.resumed_after = view.max_seen();
            // Rooms are made on purpose: whoever comes first makes it (the others are
            // told it exists, which is fine).
            out.push(json!({"type": "create_room", "room": room}).to_string());
            out.push(
                json!({"type": "join", "room": room, "after": view.resumed_after}).to_string(),
            );
        }
        self.sent_here = 0;

        loop {
            if self.done() {
                // Best effort: the server learns we left; nothing depends on it.
                let _ = timeout(Duration::from_secs(1), socket.close(None)).await;
                return End::Done;
            }
            self.queue_sends(&mut out);
            if !out.is_empty() {
                let write = async {
                    for text in out.drain(..) {
                        socket.feed(Message::text(text)).await?;
                    }
                    socket.flush().await
                };
                match timeout(IO_LIMIT, write).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return End::Lost(format!("write failed: {e}")),
                    Err(_) => return End::Lost("write timed out".to_owned()),
                }
            }
            let pacing = self.next_new < self.plan.outgoing.len()
                && self.pending.len() < self.plan.window
                && self.plan.pace.is_some();
            let (paced_at, deadline) = (self.next_paced, self.deadline);
            let far = Instant::now() + Duration::from_secs(3600);
            tokio::select! {
                frame = timeout(SILENCE, socket.next()) => {
                    let frame = match frame {
                        Ok(Some(Ok(frame))) => frame,
                        Ok(Some(Err(e))) => return End::Lost(format!("socket error: {e}")),
                        Ok(None) => return End::Lost("socket ended".to_owned()),
                        Err(_) => return End::Lost(format!("silent for {SILENCE:?}")),
                    };
                    match frame {
                        Message::Text(text) => {
                            let msg = parse(&name, text.as_str());
                            self.on_message(msg, &mut out);
                        }
                        Message::Close(close) => {
                            let code = close.map(|c| u16::from(c.code));
                            if let Some(code) = code {
                                self.close_codes.push(code);
                            }
                            return End::Lost(format!("closed by the server: {code:?}"));
                        }
                        Message::Ping(_) | Message::Pong(_) => {}
                        other => panic!("{name}: unexpected frame {other:?}"),
                    }
                }
                () = sleep_until(paced_at), if pacing => {}
                () = sleep_until(drop_at.unwrap_or(far)), if drop_at.is_some() => {
                    let n = self.connections;
                    if n.is_multiple_of(2) {
                        let _ = timeout(Duration::from_secs(1), socket.close(None)).await;
                        return End::Dropped(format!("closed on purpose (connection {n})"));
                    }
                    drop(socket);
                    return End::Dropped(format!("dropped on purpose (connection {n})"));
                }
                () = sleep_until(deadline) => {
                    panic!("{name}: not done within {:?}: {}", self.plan.deadline, self.summary());
                }
            }
        }
    }

    /// Queues resends, then new messages as far as the window and the pace allow.
    fn queue_sends(&mut self, out: &mut Vec<String>) {
        while self.sent_here < self.pending.len() {
            let index = self.pending[self.sent_here];
            out.push(self.send_frame(index));
            self.sent_here += 1;
        }
        while self.next_new < self.plan.outgoing.len() && self.pending.len() < self.plan.window {
            if let Some(pace) = self.plan.pace {
                let now = Instant::now();
                if now < self.next_paced {
                    break;
                }
                let next = self.next_paced + pace;
                self.next_paced = if next <= now { now + pace } else { next };
            }
            let index = self.next_new;
            self.next_new += 1;
            self.pending.push_back(index);
            out.push(self.send_frame(index));
            self.sent_here += 1;
        }
    }

    fn send_frame(&mut self, index: usize) -> String {
        self.send_count[index] += 1;
        let Outgoing {
            room,
            client_id,
            body,
        } = &self.plan.outgoing[index];
        json!({"type": "send", "room": room, "client_id": client_id, "body": body}).to_string()
    }

    fn on_message(&mut self, msg: ServerMsg, out: &mut Vec<String>) {
        let name = &self.plan.name;
        match msg {
            ServerMsg::Joined {
                room,
                truncated,
                last_seq,
                messages,
                ..
            } => {
                let view = self
                    .rooms
                    .get_mut(room.as_str())
                    .unwrap_or_else(|| panic!("{name}: joined a room never asked for: {room}"));
                view.stream_last = Some(view.resumed_after);
                if truncated {
                    view.truncated_joins += 1;
                    view.filling = true;
                }
                // A snapshot: the room's newest messages as of `last_seq`; the stream
                // goes on from there.
                if let Some(messages) = messages {
                    for message in messages {
                        view.insert(message);
                    }
                    view.stream_last = Some(last_seq);
                }
                if view.filling {
                    request_gap(room.as_str(), view, out);
                }
            }
            ServerMsg::Event(
                event @ RoomEvent {
                    kind: EventKind::Message(_),
                    ..
                },
            ) => {
                let Some(message) = event.into_message() else {
                    unreachable!("a message event posts a message")
                };
                let room = message.room.to_string();
                let view = self
                    .rooms
                    .get_mut(&room)
                    .unwrap_or_else(|| panic!("{name}: a message from a room not joined: {room}"));
                let Some(last) = view.stream_last else {
                    panic!("{name}: a message in {room} before its joined: {message:?}");
                };
                let seq = message.seq;
                if seq != last + 1 {
                    view.gaps.push((last, seq));
                }
                view.stream_last = Some(seq);
                view.insert(message);
                if view.filling {
                    request_gap(&room, view, out);
                }
            }
            ServerMsg::History { room, messages, .. } => {
                let view = self
                    .rooms
                    .get_mut(room.as_str())
                    .unwrap_or_else(|| panic!("{name}: history of a room not joined: {room}"));
                view.history_pending = false;
                view.paged += messages.len();
                for message in messages {
                    view.insert(message);
                }
                request_gap(room.as_str(), view, out);
                if !view.has_hole() {
                    view.filling = false;
                }
            }
            ServerMsg::Ack {
                room,
                client_id,
                seq,
                id,
            } => {
                let index = *self.index_of.get(client_id.as_str()).unwrap_or_else(|| {
                    panic!("{name}: an ack for a message never sent: {client_id}")
                });
                assert_eq!(
                    room.as_str(),
                    self.plan.outgoing[index].room,
                    "{name}: ack of {client_id} names the room it was sent to"
                );
                match self.acks[index] {
                    Some(first) => {
                        assert_eq!(
                            first,
                            (seq, id),
                            "{name}: two different acks for {client_id}"
                        );
                        self.repeated_acks += 1;
                    }
                    None => {
                        self.acks[index] = Some((seq, id));
                        self.acked_at[index] = Some(Instant::now());
                        self.progress.fetch_add(1, Ordering::Relaxed);
                    }
                }
                if let Some(at) = self.pending.iter().position(|i| *i == index) {
                    self.pending.remove(at);
                    if at < self.sent_here {
                        self.sent_here -= 1;
                    }
                }
            }
            ServerMsg::Error {
                code: ErrorCode::RoomExists,
                ..
            }
            | ServerMsg::Presence { .. }
            | ServerMsg::Pong
            | ServerMsg::Rooms { .. }
            | ServerMsg::Room(_) => {}
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
}

/// After a truncated resume, asks for the newest page of the oldest hole (a seq
/// missing below one held), one request at a time, until no hole is left.
fn request_gap(room: &str, view: &mut RoomView, out: &mut Vec<String>) {
    if view.history_pending {
        return;
    }
    let from = view.contiguous;
    // Held seqs above `contiguous` start at `contiguous + 2` or later: a hole.
    let Some((&above, _)) = view.messages.range(from + 1..).next() else {
        return;
    };
    let limit = (above - from - 1).min(HISTORY_PAGE);
    out.push(json!({"type": "history", "room": room, "before": above, "limit": limit}).to_string());
    view.history_pending = true;
}

fn parse(name: &str, text: &str) -> ServerMsg {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{name}: not a server message ({e}): {text}"))
}
