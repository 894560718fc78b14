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
            .chain([Target::ConfabPostgres])
            .find(|t| t.name() == name)
    }

    /// Either build of Confab: the scenarios only Confab can run (S4, S5, S7) run
    /// for both.
    pub fn is_confab(self) -> bool {
        matches!(
            self,
            Target::Confab | Target::Baseline | Target::ConfabPostgres
        )
    }

    pub fn proto(self) -> Proto {
        match self {
            Target::Confab | Target::Baseline | Target::ConfabPostgres => Proto::Confab,
            Target::SocketIo => Proto::SocketIo,
            _ => Proto::Plain,
        }
    }

    /// Starts the server on `port`; `work` is a scratch folder (Confab's database).
    pub async fn start(self, paths: &Paths, port: u16, work: &Path) -> anyhow::Result<Running> {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut command = match self {
            Target::Confab | Target::Baseline | Target::ConfabPostgres => {
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
                // A fresh database every time: a run's accounts and rooms are its own.
                let database = if self == Target::ConfabPostgres {
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
                c.arg("--addr")
                    .arg(addr.to_string())
                    .arg("--database")
                    .arg(&database)
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
        Ok(Running { child, addr, pid })
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
    pub pid: u32,
}

impl Running {
    pub async fn stop(mut self) {
        // Our own child, by its handle; kill_on_drop covers early returns too.
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
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
