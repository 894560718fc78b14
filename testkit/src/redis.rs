//! A Redis server for the tests (see the crate's doc): one per caller, so a test may
//! stop and restart its own without disturbing another's.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long the server may take to start.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// Servers started by this process (names each one's pid file).
static STARTS: AtomicU32 = AtomicU32::new(0);

/// A running `redis-server` on 127.0.0.1, keeping nothing on disk. Dropping it stops
/// the server; so does the end of the test process (a watchdog beside it).
#[derive(Debug)]
pub struct Redis {
    port: u16,
    dir: PathBuf,
    pid: Option<u32>,
    /// The shell watching it: it ends soon after the server does.
    watchdog: Option<std::process::Child>,
}

impl Redis {
    /// Starts a server on a free port. Panics, saying why, if it cannot.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("confab-redis-")
            .tempdir()
            .unwrap_or_else(|e| panic!("a temporary folder for Redis: {e}"))
            .keep();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .unwrap_or_else(|e| panic!("a free port for Redis: {e}"));
        let mut redis = Self {
            port,
            dir,
            pid: None,
            watchdog: None,
        };
        redis.run();
        redis
    }

    /// Its URL, as `--redis` takes it.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server at once (SIGKILL: what it had is gone, as in a crash).
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid.take() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            if let Some(mut watchdog) = self.watchdog.take() {
                let _ = watchdog.wait();
            }
            // Until the port is free again.
            let started = Instant::now();
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && started.elapsed() < READY_WITHIN
            {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// Starts the server again on the same port, empty.
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    fn run(&mut self) {
        let pid_file = self
            .dir
            .join(format!("pid-{}", STARTS.fetch_add(1, Ordering::Relaxed)));
        let log = self.dir.join("log");
        // The watchdog: the server in the background, stopped once this process is
        // gone (or once the server itself is).
        let watchdog = format!(
            "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no \
             --dir {dir} >> {log} 2>&1 &\n\
             pid=$!\n\
             echo $pid > {pid_file}\n\
             while kill -0 {me} 2>/dev/null && kill -0 $pid 2>/dev/null; do sleep 0.5; done\n\
             kill -KILL $pid 2>/dev/null\n",
            port = self.port,
            dir = self.dir.display(),
            log = log.display(),
            pid_file = pid_file.display(),
            me = std::process::id(),
        );
        let child = Command::new("sh")
            .args(["-c", &watchdog])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server: {e}"));
        self.watchdog = Some(child);
        let started = Instant::now();
        loop {
            let pid = std::fs::read_to_string(&pid_file)
                .ok()
                .and_then(|text| text.trim().parse().ok());
            if let Some(pid) = pid
                && std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                self.pid = Some(pid);
                return;
            }
            if started.elapsed() > READY_WITHIN {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("Redis not ready within {READY_WITHIN:?}; its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
