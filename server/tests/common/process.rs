//! The server as a real process: the `confab` binary on a given port, with its
//! database and an empty static folder in a directory the test owns. Used where an
//! in-process server cannot do: `kill -9`, and reading the server's own memory use.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::time::timeout;

/// How long the server may take to answer `/healthz` after it was started.
const READY_WITHIN: Duration = Duration::from_secs(15);

/// How long the server may take to exit once signalled.
const EXIT_WITHIN: Duration = Duration::from_secs(15);

/// A port that was free a moment ago: bind port 0 on loopback, note the port, and let
/// it go, so a server (and its restart) can be started on it.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind a free port")
        .port()
}

/// A running `confab` process. Dropping it kills the process.
pub struct ServerProcess {
    pub addr: SocketAddr,
    /// Where its `GET /metrics` listens.
    pub metrics: SocketAddr,
    pub pid: u32,
    child: Child,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `confab` on `127.0.0.1:port` with the database `dir/confab.db` and the
    /// empty folder `dir/static` as its page, and waits until `/healthz` answers. Its
    /// output goes to `dir/server-PORT-N.log`, shown when something goes wrong.
    pub async fn start(dir: &Path, port: u16) -> Self {
        Self::start_with(dir, port, &[]).await
    }

    /// [`ServerProcess::start`], with more flags.
    pub async fn start_with(dir: &Path, port: u16, flags: &[&str]) -> Self {
        let static_dir = dir.join("static");
        std::fs::create_dir_all(&static_dir).expect("create the static folder");
        let log = (0..)
            .map(|n| dir.join(format!("server-{port}-{n}.log")))
            .find(|path| !path.exists())
            .expect("a free log file name");
        let out = std::fs::File::create(&log).expect("create the server log");
        let err = out.try_clone().expect("share the server log");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let metrics = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let child = Command::new(env!("CARGO_BIN_EXE_confab"))
            .arg("--addr")
            .arg(addr.to_string())
            // Flags naming a database of their own (a PostgreSQL URL) replace the file.
            .args(if flags.contains(&"--database") {
                Vec::new()
            } else {
                vec!["--database".into(), dir.join("confab.db").into_os_string()]
            })
            .arg("--static-dir")
            .arg(&static_dir)
            // Its clients are guests, and send and reconnect faster than people may.
            .arg("--guests")
            .args(["--message-rate", "0", "--max-sockets-per-user", "0"])
            .args(["--max-sockets-per-ip", "0", "--login-per-minute", "0"])
            .arg("--metrics-addr")
            .arg(metrics.to_string())
            .args(flags)
            .env_remove("CONFAB_ADDR")
            .env_remove("CONFAB_DATABASE")
            .env_remove("CONFAB_STATIC_DIR")
            .env("RUST_LOG", "info,sqlx=warn")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true)
            .spawn()
            .expect("start the confab binary");
        let pid = child.id().expect("a started child has a pid");
        let mut server = Self {
            addr,
            metrics,
            pid,
            child,
            log,
        };
        server.wait_ready().await;
        server
    }

    /// Polls `GET /healthz` until it answers `ok`; fails if the process exits first.
    async fn wait_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < READY_WITHIN {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "the server exited before it was ready ({status}); its log:\n{}",
                    self.log_tail()
                );
            }
            if healthz(self.addr).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "the server did not answer /healthz within {READY_WITHIN:?}; its log:\n{}",
            self.log_tail()
        );
    }

    /// The WebSocket address, without a query.
    pub fn ws_base(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// `kill -9`: the process gets no chance to do anything. Waits until it is gone.
    pub async fn kill(mut self) {
        self.child.start_kill().expect("send SIGKILL to the server");
        timeout(EXIT_WITHIN, self.child.wait())
            .await
            .expect("the killed server is reaped in time")
            .expect("wait for the killed server");
    }

    /// SIGTERM, the orderly stop, and waits for the exit status.
    pub async fn terminate(mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status()
            .await
            .expect("run kill -TERM");
        assert!(sent.success(), "kill -TERM {} failed: {sent}", self.pid);
        match timeout(EXIT_WITHIN, self.child.wait()).await {
            Ok(status) => status.expect("wait for the server"),
            Err(_) => panic!(
                "the server did not stop within {EXIT_WITHIN:?} of SIGTERM; its log:\n{}",
                self.log_tail()
            ),
        }
    }

    /// The process's resident memory now and its peak so far (VmRSS, VmHWM), in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .expect("read /proc/PID/status of the server");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{}/status", self.pid))
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// CPU time the process has used so far (user and system).
    pub fn cpu_time(&self) -> Duration {
        cpu_time_of(&self.pid.to_string())
    }

    /// The server's log lines containing `needle`.
    pub fn log_lines(&self, needle: &str) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|line| line.contains(needle))
            .map(str::to_owned)
            .collect()
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// Runs `confab user ARGS --database DB` with `stdin`; gives its exit and output.
pub fn confab_user(dir: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--database")
        .arg(dir.join("confab.db"))
        .arg("user")
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run confab user");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), stdin.as_bytes())
        .expect("write the password");
    let out = child.wait_with_output().expect("confab user ends");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Whether `GET /healthz` on `addr` answers 200 `ok` within a second.
async fn healthz(addr: SocketAddr) -> bool {
    let probe = async {
        let mut tcp = TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        tcp.read_to_end(&mut response).await.ok()?;
        let text = String::from_utf8(response).ok()?;
        Some(text.starts_with("HTTP/1.1 200") && text.ends_with("ok"))
    };
    matches!(timeout(Duration::from_secs(1), probe).await, Ok(Some(true)))
}

/// CPU time used so far by the process `pid` (a number, or `self`), from /proc.
pub fn cpu_time_of(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read /proc/PID/stat");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..]
        .split(' ')
        .collect();
    // utime and stime, fields 14 and 15 of the line, in clock ticks of 1/100 s.
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    Duration::from_millis(ticks * 10)
}
