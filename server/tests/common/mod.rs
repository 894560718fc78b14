//! What the integration tests share: a real server on a free port with its own SQLite
//! file ([`TestServer`]), and a WebSocket client that never waits forever ([`Client`]).
//! For the reliability tests: the `confab` binary as a process that can be killed
//! ([`process`]), and a client that reconnects, resumes and resends ([`resilient`]).

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod process;
pub mod resilient;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use confab_server::store::{SqliteStore, Store};
use confab_server::{Limits, Options, Settings};
use confab_shared::{ChatMessage, ErrorCode, EventKind, RoomEvent, Seq, ServerMsg, UserName};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The longest any single step may take before the test fails instead of hanging:
/// generous, for two loaded cores. Tests wait for conditions; they do not time them.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// A server running in this process, with its database in a temporary directory.
/// Dropping it without [`TestServer::stop`] also shuts the server down.
pub struct TestServer {
    pub addr: SocketAddr,
    epoch: String,
    settings: Settings,
    dir: TempDir,
    /// A PostgreSQL database's URL, instead of the SQLite file in `dir`.
    postgres: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    /// Starts a server on a fresh, empty database.
    pub async fn start() -> Self {
        Self::start_with(Settings::default()).await
    }

    /// Starts a server on a fresh, empty database with these connection settings.
    pub async fn start_with(settings: Settings) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        Self::start_in(dir, settings).await
    }

    /// Starts a server whose built page (its static folder) holds `files`: (path,
    /// contents).
    pub async fn start_with_page(files: &[(&str, &[u8])]) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let page = dir.path().join("static");
        for (path, contents) in files {
            let path = page.join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("make folders");
            std::fs::write(path, contents).expect("write a page file");
        }
        Self::start_in(dir, Settings::default()).await
    }

    /// The server's SQLite file.
    pub fn database(&self) -> std::path::PathBuf {
        self.dir.path().join("confab.db")
    }

    /// The history id the server announces in `welcome`.
    pub fn epoch(&self) -> String {
        self.epoch.clone()
    }

    /// Starts a server on a fresh, empty database with these options.
    pub async fn start_with_options(options: Options) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        Self::start_in_with(dir, options).await
    }

    /// Starts a server on a new PostgreSQL database of its own (`confab-testkit`
    /// starts the server), with the tests' options.
    pub async fn start_on_postgres() -> Self {
        Self::start_on_postgres_at(confab_testkit::postgres().database()).await
    }

    /// Starts a server on the PostgreSQL database at `url`, with the tests' options.
    pub async fn start_on_postgres_at(url: String) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        Self::start_on(dir, Some(url), test_options(Settings::default())).await
    }

    /// Starts one node of a cluster: on the PostgreSQL database at `url`, hearing the
    /// other nodes through the Redis at `redis`.
    pub async fn start_node(url: &str, redis: &str) -> Self {
        Self::start_node_with(url, redis, Limits::off()).await
    }

    /// [`TestServer::start_node`], with these limits.
    pub async fn start_node_with(url: &str, redis: &str, limits: Limits) -> Self {
        let dir = tempfile::tempdir().expect("create a temporary directory");
        let options = Options {
            redis: Some(redis.parse().expect("a redis:// URL")),
            limits,
            ..test_options(Settings::default())
        };
        Self::start_on(dir, Some(url.to_owned()), options).await
    }

    /// Starts a server on the database in `dir` (created if missing).
    async fn start_in(dir: TempDir, settings: Settings) -> Self {
        Self::start_in_with(dir, test_options(settings)).await
    }

    /// Starts a server on the database in `dir` with `options`.
    async fn start_in_with(dir: TempDir, options: Options) -> Self {
        Self::start_on(dir, None, options).await
    }

    /// Starts a server on `postgres` (a URL), or else the SQLite file in `dir`.
    async fn start_on(dir: TempDir, postgres: Option<String>, options: Options) -> Self {
        let settings = options.settings;
        let store: Arc<dyn Store> = match &postgres {
            Some(url) => confab_server::store::open(url, Default::default())
                .await
                .expect("open the PostgreSQL database"),
            None => {
                let db = dir.path().join("confab.db");
                let path = db.to_str().expect("temporary path is UTF-8");
                Arc::new(SqliteStore::open(path).await.expect("open the database"))
            }
        };
        let epoch = store.epoch().await.expect("read the epoch");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a free port");
        let addr = listener.local_addr().expect("listener address");
        let (tx, rx) = oneshot::channel::<()>();
        // No page is built for the tests; the static folder does not even exist.
        let static_dir = dir.path().join("static");
        let task = tokio::spawn(async move {
            let shutdown = async move {
                // A dropped sender counts as a request to stop, too.
                let _ = rx.await;
            };
            confab_server::run_with_options(listener, store, &static_dir, options, shutdown).await
        });
        Self {
            addr,
            epoch,
            settings,
            dir,
            postgres,
            shutdown: Some(tx),
            task,
        }
    }

    /// The WebSocket address with `query` (e.g. `"?name=alice"`) appended.
    pub fn ws_url(&self, query: &str) -> String {
        format!("ws://{}/ws{query}", self.addr)
    }

    /// Resolves the shutdown future given to `run`; see [`TestServer::join`].
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server may already be gone; then there is nobody to tell.
            let _ = tx.send(());
        }
    }

    /// Waits for `run` to return; gives its result and the database directory.
    pub async fn join(self) -> (std::io::Result<()>, TempDir) {
        let result = timeout(TIMEOUT, self.task)
            .await
            .expect("the server stops in time")
            .expect("the server task did not panic");
        (result, self.dir)
    }

    /// Shuts down, checks that `run` returned Ok, and gives back the database directory.
    pub async fn stop(mut self) -> TempDir {
        self.begin_shutdown();
        let (result, dir) = self.join().await;
        result.expect("run returns Ok after shutdown");
        dir
    }

    /// Stops this server and starts a new one on the same database file.
    pub async fn restart(self) -> Self {
        let settings = self.settings;
        let postgres = self.postgres.clone();
        let dir = self.stop().await;
        Self::start_on(dir, postgres, test_options(settings)).await
    }

    /// Stops this server and starts a new one on a new, empty database (as a restore
    /// from another backup or a wipe would replace it). In a folder of its own: the
    /// old files are deleted, but a new file at the same path inside this one process
    /// can be given the old file's inode number, which SQLite's in-process file table
    /// can still be tidying up (a "disk I/O error", seen once in CI); an operator
    /// replaces the file while the server is down, a process that is gone.
    pub async fn restart_on_a_new_database(self) -> Self {
        let settings = self.settings;
        let dir = self.stop().await;
        drop(dir);
        let fresh = tempfile::tempdir().expect("a temporary folder");
        Self::start_in(fresh, settings).await
    }

    /// A client named `name` that has already read its `welcome`.
    pub async fn client(&self, name: &str) -> Client {
        Client::connect(self, name).await
    }
}

/// The tests' clients are guests unless they sign in (`--guests`), and many send and
/// connect faster than people may: the limits' own tests (limits.rs) start servers
/// with the defaults.
fn test_options(settings: Settings) -> Options {
    Options {
        settings,
        guests: true,
        limits: Limits::off(),
        ..Options::default()
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to `url`, failing the test if that takes too long (but not if the
/// server refuses: that is for the caller to judge).
pub async fn try_connect(url: &str) -> Result<Socket, tungstenite::Error> {
    try_connect_with(url, &[]).await
}

/// The upgrade request for `url`, with more headers.
fn upgrade_request(
    url: &str,
    headers: &[(&'static str, &str)],
) -> Result<tungstenite::handshake::client::Request, tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    let mut request = url.into_client_request()?;
    for (name, value) in headers {
        let value = HeaderValue::from_str(value).expect("a header value");
        request.headers_mut().insert(*name, value);
    }
    Ok(request)
}

/// The close code `socket` ends with (skipping the frames before it), within
/// [`TIMEOUT`]; None if it ends without a close frame.
pub async fn close_code(socket: &mut Socket) -> Option<u16> {
    timeout(TIMEOUT, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("closed in time")
}

/// [`try_connect`] with more request headers (an `Origin`, as a browser sends).
pub async fn try_connect_with(
    url: &str,
    headers: &[(&'static str, &str)],
) -> Result<Socket, tungstenite::Error> {
    let request = upgrade_request(url, headers)?;
    let (socket, _response) = timeout(TIMEOUT, tokio_tungstenite::connect_async(request))
        .await
        .expect("the handshake finishes in time")?;
    Ok(socket)
}

/// What `join` answered: the `joined` frame's fields and the messages it brought, from
/// its snapshot or from the events replayed after it.
#[derive(Debug)]
pub struct Joined {
    pub last_seq: Seq,
    pub online: Vec<UserName>,
    pub truncated: bool,
    /// `joined` carried a snapshot (`messages`), not a replay of events.
    pub snapshot: bool,
    pub has_more: bool,
    pub replay: Vec<ChatMessage>,
    /// Events of the replay that post no message (membership, moderation).
    pub events: usize,
    /// With a snapshot: the places kept for deleted roots with replies.
    pub tombstones: Vec<confab_shared::Tombstone>,
}

/// The message an `event` frame posts, if it is one.
pub fn posted(msg: ServerMsg) -> Option<ChatMessage> {
    match msg {
        ServerMsg::Event(event) => event.into_message(),
        _ => None,
    }
}

/// Whether `msg` is an `event` posting a message.
pub fn is_posted(msg: &ServerMsg) -> bool {
    matches!(
        msg,
        ServerMsg::Event(RoomEvent {
            kind: EventKind::Message(_),
            ..
        })
    )
}

/// One WebSocket connection to a [`TestServer`].
pub struct Client {
    pub name: String,
    ws: Socket,
    /// The session cookie (`name=value`) of a signed-in client.
    pub cookie: Option<String>,
}

impl Client {
    /// Connects as `name` and reads the `welcome`, which must name this user.
    pub async fn connect(server: &TestServer, name: &str) -> Self {
        let mut client = Self::connect_raw(server, name).await;
        match client.recv().await {
            ServerMsg::Welcome { user, .. } => {
                assert_eq!(user.as_str(), name, "welcome names us")
            }
            other => panic!("{name}: expected welcome first, got {other:?}"),
        }
        client
    }

    /// Signs up `username` over HTTP and connects with the session cookie; reads the
    /// `welcome`.
    pub async fn sign_up(server: &TestServer, username: &str) -> Self {
        Self::signed_in(server, username, "/api/register", 201).await
    }

    /// Signs in `username` (signed up before) and connects; reads the `welcome`.
    pub async fn sign_in(server: &TestServer, username: &str) -> Self {
        Self::signed_in(server, username, "/api/login", 200).await
    }

    async fn signed_in(server: &TestServer, username: &str, path: &str, status: u16) -> Self {
        let body = json!({ "username": username, "password": "correct horse" }).to_string();
        let registered = http_post(server.addr, path, &[], &body).await;
        assert_eq!(registered.status, status, "{username} at {path}");
        let cookie = registered
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Self::with_cookie(server, username, &cookie).await
    }

    /// Connects with a session `cookie` of `username`'s; reads the `welcome`.
    pub async fn with_cookie(server: &TestServer, username: &str, cookie: &str) -> Self {
        let cookie = cookie.to_owned();
        let ws = try_connect_with(&server.ws_url("?v=2"), &[("Cookie", &cookie)])
            .await
            .unwrap_or_else(|e| panic!("{username}: cannot connect: {e}"));
        let mut client = Self {
            name: username.to_owned(),
            ws,
            cookie: Some(cookie),
        };
        match client.recv().await {
            ServerMsg::Welcome { user, .. } => assert_eq!(user.as_str(), username),
            other => panic!("{username}: expected welcome first, got {other:?}"),
        }
        client
    }

    /// Connects as `name` and reads nothing yet. `name` goes into the URL as is.
    pub async fn connect_raw(server: &TestServer, name: &str) -> Self {
        let url = server.ws_url(&format!("?v=2&name={name}"));
        let ws = try_connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{name}: cannot connect: {e}"));
        Self {
            name: name.to_owned(),
            ws,
            cookie: None,
        }
    }

    pub async fn send_frame(&mut self, frame: Message) {
        timeout(TIMEOUT, self.ws.send(frame))
            .await
            .unwrap_or_else(|_| panic!("{}: send timed out", self.name))
            .unwrap_or_else(|e| panic!("{}: send failed: {e}", self.name));
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.send_frame(Message::text(text.into())).await;
    }

    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    /// Makes sure public room `room` exists: creates it, or finds it made already.
    pub async fn create_room(&mut self, room: &str) {
        self.send_json(json!({ "type": "create_room", "room": room }))
            .await;
        match self.recv().await {
            ServerMsg::Room(info) => assert_eq!(info.room.as_str(), room),
            ServerMsg::Error {
                code: ErrorCode::RoomExists,
                ..
            } => {}
            other => panic!("{}: expected the room {room}, got {other:?}", self.name),
        }
    }

    /// Sends `join`, with `after` if given.
    pub async fn send_join(&mut self, room: &str, after: Option<Seq>) {
        let mut frame = json!({ "type": "join", "room": room });
        if let Some(after) = after {
            frame["after"] = json!(after);
        }
        self.send_json(frame).await;
    }

    /// Sends a chat message without waiting for anything.
    pub async fn send_chat(&mut self, room: &str, client_id: &str, body: &str) {
        let frame = json!({ "type": "send", "room": room, "client_id": client_id, "body": body });
        self.send_json(frame).await;
    }

    /// Sends `history` and returns the reply's messages and `has_more`.
    pub async fn history(
        &mut self,
        room: &str,
        before: Option<Seq>,
        limit: u32,
    ) -> (Vec<ChatMessage>, bool) {
        let mut frame = json!({ "type": "history", "room": room, "limit": limit });
        if let Some(before) = before {
            frame["before"] = json!(before);
        }
        self.send_json(frame).await;
        match self.recv().await {
            ServerMsg::History {
                room: got,
                messages,
                has_more,
                ..
            } => {
                assert_eq!(got.as_str(), room, "history reply is for the room asked");
                (messages, has_more)
            }
            other => panic!("{}: expected history, got {other:?}", self.name),
        }
    }

    /// Joins `room` and reads the `joined` reply and the whole replay. The replay is
    /// gapless and ends at `last_seq`, which tells how many messages to expect.
    pub async fn join(&mut self, room: &str, after: Option<Seq>) -> Joined {
        if room != "general" && !room.starts_with("dm-") {
            self.create_room(room).await;
        }
        self.send_join(room, after).await;
        // An account that joins a public room is told it is a member now.
        let reply = self
            .recv_until(|msg| {
                !matches!(
                    msg,
                    ServerMsg::Presence { .. } | ServerMsg::Room(_) | ServerMsg::Rooms { .. }
                )
            })
            .await;
        let mut joined = match reply {
            ServerMsg::Joined {
                room: got,
                last_seq,
                online,
                truncated,
                messages,
                has_more,
                tombstones,
                ..
            } => {
                assert_eq!(got.as_str(), room, "joined is for the room asked");
                Joined {
                    last_seq,
                    online,
                    truncated,
                    snapshot: messages.is_some(),
                    has_more,
                    replay: messages.unwrap_or_default(),
                    events: 0,
                    tombstones,
                }
            }
            other => panic!("{}: expected joined, got {other:?}", self.name),
        };
        // The replay: messages, and the other events (membership, moderation) of
        // the room's log, up to `last_seq`.
        let mut seen = after.unwrap_or(0);
        while !joined.snapshot && joined.last_seq > seen {
            let ServerMsg::Event(event) = self.recv().await else {
                panic!("{}: expected the replay's next event", self.name);
            };
            assert_eq!(event.room.as_str(), room, "replay is from the room joined");
            assert_eq!(event.seq, seen + 1, "the replay is gapless");
            seen = event.seq;
            if let Some(message) = event.into_message() {
                joined.replay.push(message);
            } else {
                joined.events += 1;
            }
        }
        joined
    }

    /// Sends a chat message and waits for its ack; returns the ack's seq and id.
    /// Frames before the ack (presence, messages) are skipped.
    pub async fn send_acked(&mut self, room: &str, client_id: &str, body: &str) -> (Seq, i64) {
        self.send_chat(room, client_id, body).await;
        self.recv_ack(client_id).await
    }

    /// Skips frames until the ack for `client_id`; returns its seq and id.
    pub async fn recv_ack(&mut self, client_id: &str) -> (Seq, i64) {
        let frame = self
            .recv_until(|msg| {
                matches!(msg, ServerMsg::Ack { client_id: c, .. } if c.as_str() == client_id)
                    || matches!(msg, ServerMsg::Error { .. })
            })
            .await;
        match frame {
            ServerMsg::Ack { seq, id, .. } => (seq, id),
            other => panic!(
                "{}: expected an ack for {client_id}, got {other:?}",
                self.name
            ),
        }
    }

    /// The next frame that is not a ping or pong, within [`TIMEOUT`].
    pub async fn next_frame(&mut self) -> Message {
        // One deadline for the call: pings (every 5 s by default) must not restart it.
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{}: nothing arrived within {TIMEOUT:?}", self.name))
                .unwrap_or_else(|| panic!("{}: the socket ended", self.name))
                .unwrap_or_else(|e| panic!("{}: socket error: {e}", self.name));
            if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
                return frame;
            }
        }
    }

    /// The next frame that is not a ping or pong if one comes within `within`.
    pub async fn next_frame_within(&mut self, within: Duration) -> Option<Message> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()?
                .unwrap_or_else(|| panic!("{}: the socket ended", self.name))
                .unwrap_or_else(|e| panic!("{}: socket error: {e}", self.name));
            if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
                return Some(frame);
            }
        }
    }

    /// The next frame, which must be a text frame holding a [`ServerMsg`]; presence
    /// frames are skipped: they come whenever the server's presence flush runs, so
    /// tests that look for them use [`Client::recv_until`].
    pub async fn recv(&mut self) -> ServerMsg {
        loop {
            let msg = self.recv_any().await;
            if !matches!(msg, ServerMsg::Presence { .. } | ServerMsg::Rooms { .. }) {
                return msg;
            }
        }
    }

    /// The next frame, presence included.
    pub async fn recv_any(&mut self) -> ServerMsg {
        match self.next_frame().await {
            Message::Text(text) => serde_json::from_str(text.as_str())
                .unwrap_or_else(|e| panic!("{}: not a server message ({e}): {text}", self.name)),
            other => panic!("{}: expected a text frame, got {other:?}", self.name),
        }
    }

    /// Skips frames (presence included) until one satisfies `wanted`, and returns it.
    pub async fn recv_until(&mut self, mut wanted: impl FnMut(&ServerMsg) -> bool) -> ServerMsg {
        loop {
            let msg = self.recv_any().await;
            if wanted(&msg) {
                return msg;
            }
        }
    }

    /// The next frame (presence aside), which must be an `event` posting a message.
    pub async fn recv_message(&mut self) -> ChatMessage {
        let msg = self.recv().await;
        let text = format!("{msg:?}");
        posted(msg).unwrap_or_else(|| panic!("{}: expected a message event, got {text}", self.name))
    }

    /// Skips frames other than message events (presence, acks) until one.
    pub async fn next_message(&mut self) -> ChatMessage {
        posted(self.recv_until(is_posted).await)
            .unwrap_or_else(|| unreachable!("recv_until returned a frame it was not asked for"))
    }

    /// The next frame, which must be an `error` with `code`; returns its `client_id`.
    pub async fn recv_error(&mut self, code: ErrorCode) -> Option<String> {
        match self.recv().await {
            ServerMsg::Error {
                code: got,
                client_id,
                ..
            } => {
                assert_eq!(got, code, "{}: error code", self.name);
                client_id.map(String::from)
            }
            other => panic!("{}: expected an error {code:?}, got {other:?}", self.name),
        }
    }

    /// Skips data frames until the server's close frame, and returns its code.
    pub async fn recv_close(&mut self) -> u16 {
        loop {
            match self.next_frame().await {
                Message::Close(Some(CloseFrame { code, .. })) => return u16::from(code),
                Message::Close(None) => panic!("{}: close frame without a code", self.name),
                _ => {}
            }
        }
    }

    /// Reads for `quiet`, answering pings, and fails if any other frame arrives.
    pub async fn expect_quiet(&mut self, quiet: Duration) {
        let until = tokio::time::Instant::now() + quiet;
        while let Ok(frame) = tokio::time::timeout_at(until, self.ws.next()).await {
            match frame {
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!("{}: expected nothing, got {other:?}", self.name),
            }
        }
    }

    /// Closes the socket and waits until the server has seen it go.
    pub async fn close(mut self) {
        timeout(TIMEOUT, self.ws.close(None))
            .await
            .unwrap_or_else(|_| panic!("{}: close timed out", self.name))
            .unwrap_or_else(|e| panic!("{}: close failed: {e}", self.name));
        // Read until the server's answering close, so the server has processed ours.
        while let Ok(Some(Ok(_))) = timeout(TIMEOUT, self.ws.next()).await {}
    }
}

/// Waits for a spawned task; a panic in it fails the test with the task's own message.
pub async fn finish<T>(task: JoinHandle<T>) -> T {
    match task.await {
        Ok(value) => value,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => panic!("a task failed: {error}"),
    }
}

/// The seqs of `messages`, in order.
pub fn seqs(messages: &[ChatMessage]) -> Vec<Seq> {
    messages.iter().map(|m| m.seq).collect()
}

/// A user name for comparisons.
pub fn user(name: &str) -> UserName {
    UserName::new(name).expect("a valid user name")
}

/// Appends a line of measurements to the file named by `CONFAB_TEST_REPORT`, if set
/// (tests print nothing; this is how their figures can be collected).
pub fn record(test: &str, text: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("CONFAB_TEST_REPORT") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| writeln!(file, "{test}: {text}"));
    if let Err(error) = written {
        tracing::warn!(%error, "could not write the test report");
    }
}

/// The JSON body of a sign-up or sign-in.
pub fn account_form(username: &str, password: &str) -> String {
    serde_json::json!({ "username": username, "password": password }).to_string()
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &HttpResponse) -> String {
    let set = response.header("set-cookie").expect("a Set-Cookie");
    set.split(';').next().expect("name=value").to_owned()
}

/// Signs `username` up (password "correct horse") and makes them an API token;
/// gives the session cookie and the token's `Authorization` value.
pub async fn sign_up_with_token(addr: SocketAddr, username: &str) -> (String, String) {
    let form = account_form(username, "correct horse");
    let signed_up = http_post(addr, "/api/register", &[], &form).await;
    assert_eq!(signed_up.status, 201, "{username} signs up");
    let cookie = session_cookie(&signed_up);
    let made = http_post(
        addr,
        "/api/tokens",
        &[("Cookie", &cookie)],
        r#"{"name":"bot"}"#,
    )
    .await;
    let token: serde_json::Value = serde_json::from_slice(&made.body).expect("JSON");
    let bearer = format!("Bearer {}", token["token"].as_str().expect("a token"));
    (cookie, bearer)
}

/// An HTTP response, as read off the wire.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of header `name` (lower case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` over a plain HTTP/1.1 connection of its own, with `headers` added.
pub async fn http_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
    http_request(addr, "GET", path, headers, b"").await
}

/// `POST path` with a JSON `body`.
pub async fn http_post(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> HttpResponse {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    http_request(addr, "POST", path, &all, body.as_bytes()).await
}

/// One HTTP/1.1 request on a connection of its own.
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    http_request_from(None, addr, method, path, headers, body).await
}

/// A TCP connection to `addr` from the loopback address `source` (127.0.0.0/8 is all
/// this machine's), or from the usual one.
pub async fn connect_from(
    source: Option<std::net::IpAddr>,
    addr: SocketAddr,
) -> std::io::Result<TcpStream> {
    match source {
        None => TcpStream::connect(addr).await,
        Some(ip) => {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(ip, 0))?;
            socket.connect(addr).await
        }
    }
}

/// A WebSocket to `url` (on `addr`) from the loopback address `source`, with more
/// request headers.
pub async fn try_connect_from(
    source: std::net::IpAddr,
    addr: SocketAddr,
    url: &str,
    headers: &[(&'static str, &str)],
) -> Result<Socket, tungstenite::Error> {
    let request = upgrade_request(url, headers)?;
    let stream = connect_from(Some(source), addr).await?;
    let (socket, _response) = timeout(
        TIMEOUT,
        tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)),
    )
    .await
    .expect("the handshake finishes in time")?;
    Ok(socket)
}

/// [`http_request`] from the loopback address `source`.
pub async fn http_request_from(
    source: Option<std::net::IpAddr>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    let exchange = async {
        let mut stream = connect_from(source, addr).await?;
        stream.write_all(&bytes).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        Ok::<_, std::io::Error>(raw)
    };
    let raw = timeout(TIMEOUT, exchange)
        .await
        .expect("the response comes in time")
        .expect("an HTTP exchange");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}
