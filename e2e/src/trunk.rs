//! The development flow of the README: `trunk serve` in front of a running server,
//! with the repository's own `Trunk.toml` (its proxies are what is under test),
//! pointed at the test's server and port. `--release` reuses the page that
//! `cargo xtask test` built, so starting it costs seconds, not a build.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// The address `Trunk.toml` proxies to: the server's default.
const SERVER_IN_CONFIG: &str = "127.0.0.1:3000";
/// How long trunk may take to serve the page.
const STARTUP: Duration = Duration::from_secs(300);

/// A running `trunk serve`.
pub struct TrunkServe {
    pub addr: SocketAddr,
    _process: Child,
    _dir: tempfile::TempDir,
}

impl TrunkServe {
    /// Serves the page on a free port of its own, proxying to `server`, and waits
    /// until the page answers. `port` is trunk's (the page's origin).
    pub async fn start(server: SocketAddr, port: u16) -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("Trunk.toml");
        let text = std::fs::read_to_string(root.join("Trunk.toml")).expect("read Trunk.toml");
        std::fs::write(&config, adapt(&text, &root, dir.path(), server, port))
            .expect("write the test's Trunk.toml");
        let binary = std::env::var("TRUNK").unwrap_or_else(|_| "trunk".into());
        let process = Command::new(&binary)
            .args([
                "serve",
                "--release",
                "--no-autoreload",
                "--skip-version-check",
            ])
            .arg("--config")
            .arg(&config)
            .current_dir(&root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (cargo xtask installs it)"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + STARTUP;
        while status(addr, "/").await != Some(200) {
            assert!(
                Instant::now() < deadline,
                "trunk serve never served the page"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Self {
            addr,
            _process: process,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}

/// A free port on the loopback address, for trunk (which cannot say which one it
/// picked when given port 0).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    listener.local_addr().expect("its address").port()
}

/// The repository's `Trunk.toml` for this test: its proxies sent to `server`
/// instead of the default address, served on `port`, its paths made absolute (the
/// copy lives in `dir`, where trunk also writes the page).
fn adapt(text: &str, root: &Path, dir: &Path, server: SocketAddr, port: u16) -> String {
    assert!(
        text.contains(SERVER_IN_CONFIG),
        "Trunk.toml no longer proxies to {SERVER_IN_CONFIG}"
    );
    let root = root.display().to_string();
    text.lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or_default().trim();
            match key {
                "target" => format!("target = \"{root}/index.html\""),
                "dist" => format!("dist = \"{}\"", dir.join("dist").display()),
                "port" => format!("port = {port}"),
                "watch" => format!("watch = [\"{root}/index.html\"]"),
                _ => line.replace(SERVER_IN_CONFIG, &server.to_string()),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The status of `GET path` at `addr`, if anything answers.
pub async fn status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut head = vec![0; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut head))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&head[..read]);
    text.split_whitespace().nth(1)?.parse().ok()
}
