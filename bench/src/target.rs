//! The servers measured, and how each is started as a process of its own.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

use crate::proto::Proto;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// This project, storing every message.
    Confab,
    /// Another build of Confab (`--baseline PATH`, e.g. the last release), measured
    /// beside this one in the same run so a regression shows as a ratio.
    Baseline,
    /// This project on PostgreSQL (`--postgres URL`), a fresh database each start.
    ConfabPostgres,
    /// Three nodes of this project on one PostgreSQL database (`--postgres URL`),
    /// hearing each other through a Redis the bench starts (`redis-server` on the
    /// PATH); senders connect to the first node, readers to the others.
    ConfabCluster,
    /// The axum chat example's pattern: a broadcast channel of Strings, default
    /// socket settings (bench/src/bin/naive_axum.rs).
    NaiveAxum,
    /// Node's `ws` package, broadcasting each frame to every client.
    NodeWs,
    /// socket.io broadcasting each event.
    SocketIo,
    /// The `websocket` package the classic Node chat tutorial uses.
    WebsocketPkg,
    /// The load generator's floor: one thread, one write per delivery, nothing else
    /// (bench/src/bin/trivial.rs). Whatever it reaches, the generator can measure.
    Trivial,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Confab,
        Target::NaiveAxum,
        Target::NodeWs,
        Target::SocketIo,
        Target::WebsocketPkg,
        Target::Trivial,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Confab => "confab",
            Target::Baseline => "baseline",
            Target::ConfabPostgres => "confab-pg",
            Target::ConfabCluster => "confab-cluster",
            Target::NaiveAxum => "naive-axum",
            Target::NodeWs => "node-ws",
            Target::SocketIo => "socket.io",
            Target::WebsocketPkg => "node-websocket",
            Target::Trivial => "trivial",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Target::ConfabPostgres, Target::ConfabCluster])
            .find(|t| t.name() == name)
    }

    /// Either build of Confab: the scenarios only Confab can run (S4, S5, S7) run
    /// for both.
    pub fn is_confab(self) -> bool {
        matches!(
            self,
            Target::Confab | Target::Baseline | Target::ConfabPostgres | Target::ConfabCluster
        )
    }

    /// How many ports (and processes of its own) the target takes.
    pub fn nodes(self) -> u16 {
        if self == Target::ConfabCluster {
            CLUSTER_NODES
        } else {
            1
        }
    }

    pub fn proto(self) -> Proto {
        match self {
            Target::Confab | Target::Baseline | Target::ConfabPostgres | Target::ConfabCluster => {
                Proto::Confab
            }
            Target::SocketIo => Proto::SocketIo,
            _ => Proto::Plain,
        }
    }

    /// Starts the server on `port` (a cluster on `port` and the next ones); `work`
    /// is a scratch folder (Confab's database).
    pub async fn start(self, paths: &Paths, port: u16, work: &Path) -> anyhow::Result<Running> {
        if self == Target::ConfabCluster {
            return start_cluster(paths, port, work).await;
        }
        self.start_node(paths, port, work, &[]).await
    }

    /// Starts one server on `port`, with `more` flags.
    async fn start_node(
        self,
        paths: &Paths,
        port: u16,
        work: &Path,
        more: &[String],
    ) -> anyhow::Result<Running> {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = match self {
            Target::Confab | Target::Baseline | Target::ConfabPostgres | Target::ConfabCluster => {
                let program = match (self, &paths.baseline) {
                    (Target::Baseline, Some(baseline)) => baseline.clone(),
                    (Target::Baseline, None) => bail!("no --baseline binary was given"),
                    _ => paths.release.join("confab"),
                };
                // A --baseline from before accounts had no such flags (and let
                // everyone in); one from after them needs them as this build does.
                let ours = self != Target::Baseline;
                let has_limits = ours || knows(&program, "--guests");
                // One from after metrics would listen on their port: a second server
                // beside it (or a `cargo xtask run`) could not start.
                let has_metrics = ours || knows(&program, "--metrics-addr");
                let mut c = Command::new(program);
                if has_limits {
                    // Its clients are guests, and every client of a scenario comes
                    // from one address, many sending as fast as they can: the limits
                    // are off so that the same work is measured.
                    c.arg("--guests")
                        .args(["--message-rate", "0", "--login-per-minute", "0"])
                        .args(["--max-sockets-per-user", "0", "--max-sockets-per-ip", "0"]);
                }
                if has_metrics {
                    c.args(["--metrics-addr", "off"]);
                }
                // A fresh database every time: a run's accounts and rooms are its own
                // (a cluster's nodes are given theirs).
                let database = if self == Target::ConfabCluster {
                    std::ffi::OsString::new()
                } else if self == Target::ConfabPostgres {
                    let server = paths
                        .postgres
                        .as_deref()
                        .context("no --postgres was given")?;
                    fresh_postgres(server, port)?.into()
                } else {
                    let database = work.join(format!("bench-{port}.db"));
                    for suffix in ["", "-wal", "-shm"] {
                        let mut path = database.clone().into_os_string();
                        path.push(suffix);
                        let _ = std::fs::remove_file(path);
                    }
                    database.into_os_string()
                };
                c.arg("--addr").arg(addr.to_string());
                if !database.is_empty() {
                    c.arg("--database").arg(&database);
                }
                c.args(more)
                    .arg("--static-dir")
                    .arg(work)
                    // CONFAB_BENCH_SERVER_LOG=debug shows the server's batches.
                    .env(
                        "RUST_LOG",
                        std::env::var("CONFAB_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
                    );
                c
            }
            Target::NaiveAxum => {
                let mut c = Command::new(paths.release.join("naive-axum"));
                c.arg(addr.to_string());
                c
            }
            Target::Trivial => {
                let mut c = Command::new(paths.release.join("trivial-broadcaster"));
                c.arg(addr.to_string());
                c
            }
            Target::NodeWs | Target::SocketIo | Target::WebsocketPkg => {
                let script = match self {
                    Target::NodeWs => "ws-server.js",
                    Target::SocketIo => "socketio-server.js",
                    _ => "websocket-server.js",
                };
                let mut c = Command::new("node");
                c.arg(paths.peers.join(script)).arg(port.to_string());
                c
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(if std::env::var_os("CONFAB_BENCH_SERVER_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.name()))?;
        let pid = child.id().context("server exited at once")?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            if Instant::now() > deadline {
                bail!("{} did not start listening on {addr}", self.name());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(Running {
            child,
            addr,
            pid,
            nodes: vec![addr],
            others: Vec::new(),
        })
    }
}

/// Nodes of `confab-cluster`.
const CLUSTER_NODES: u16 = 3;

/// A Redis on a free port, then [`CLUSTER_NODES`] nodes on `port` and the next
/// ones, on one fresh PostgreSQL database; ready once every node hears the others.
async fn start_cluster(paths: &Paths, port: u16, work: &Path) -> anyhow::Result<Running> {
    let server = paths
        .postgres
        .as_deref()
        .context("confab-cluster needs --postgres")?;
    let database = fresh_postgres(server, port)?;
    let redis_port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let redis = Command::new("redis-server")
        .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting redis-server (apt-get install redis-server)")?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", redis_port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("redis-server did not start listening on {redis_port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let flags = [
        "--database".to_owned(),
        database,
        "--redis".to_owned(),
        format!("redis://127.0.0.1:{redis_port}"),
    ];
    let mut first: Option<Running> = None;
    let mut others = vec![redis];
    let mut nodes = Vec::new();
    for n in 0..CLUSTER_NODES {
        let node = Target::ConfabCluster
            .start_node(paths, port + n, work, &flags)
            .await?;
        ready(node.addr).await?;
        nodes.push(node.addr);
        match &first {
            None => first = Some(node),
            Some(_) => others.push(node.child),
        }
    }
    let mut running = first.context("no nodes")?;
    running.nodes = nodes;
    running.others = others;
    Ok(running)
}

/// Waits until `GET /readyz` on `addr` answers 200 (the node hears the others).
async fn ready(addr: SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await {
            let request = "GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
            let mut answer = Vec::new();
            if stream.write_all(request.as_bytes()).await.is_ok()
                && stream.read_to_end(&mut answer).await.is_ok()
                && answer.starts_with(b"HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("the node on {addr} was not ready within 20 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where the servers' programs are.
pub struct Paths {
    /// target/release, with `confab`, `naive-axum`, `trivial-broadcaster`.
    pub release: PathBuf,
    /// bench/peers, with the Node servers and their node_modules.
    pub peers: PathBuf,
    /// Another `confab` binary to measure beside this one (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// A PostgreSQL server (`postgres://user@host:port`, no database) where
    /// `confab-pg` gets a fresh database each start.
    pub postgres: Option<String>,
}

/// A new, empty database `confab_bench_PORT` on `server` (dropped first if a run
/// left one), by `psql`; its URL.
fn fresh_postgres(server: &str, port: u16) -> anyhow::Result<String> {
    let server = server.trim_end_matches('/');
    let name = format!("confab_bench_{port}");
    let out = std::process::Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-q", "-c", &format!("DROP DATABASE IF EXISTS {name}")])
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .output()
        .context("running psql (PostgreSQL's client)")?;
    if !out.status.success() {
        bail!("psql: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(format!("{server}/{name}"))
}

pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    /// Its process (a cluster's first node: CPU and memory are that node's).
    pub pid: u32,
    /// Where clients connect: the one server, or each node of a cluster.
    pub nodes: Vec<SocketAddr>,
    /// A cluster's other processes: its Redis and its other nodes.
    others: Vec<Child>,
}

impl Running {
    pub async fn stop(mut self) {
        // Our own children, by their handles; kill_on_drop covers early returns too.
        for child in std::iter::once(&mut self.child).chain(&mut self.others) {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}

/// Whether the `confab` binary at `program` has `flag` (`--guests`: it is from
/// after accounts, and lets only accounts in without it).
fn knows(program: &Path, flag: &str) -> bool {
    std::process::Command::new(program)
        .arg("--help")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(flag))
}
