//! A PostgreSQL server for the tests (see the crate's doc).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long the server may take to start.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// A running PostgreSQL server on loopback, trusting local connections.
#[derive(Debug)]
pub struct Postgres {
    port: u16,
    bin: PathBuf,
    next: AtomicU32,
}

static SHARED: OnceLock<Result<Postgres, String>> = OnceLock::new();

/// The test process's server, started at the first call. Panics, saying why, if it
/// cannot be started.
pub fn postgres() -> &'static Postgres {
    match SHARED.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!("cannot start PostgreSQL for the tests: {why}"),
    }
}

impl Postgres {
    /// A new, empty database of its own, by its URL.
    pub fn database(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{}_{n}", std::process::id());
        let port = self.port.to_string();
        let made = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", &name])
            .stdin(Stdio::null())
            .output();
        match made {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "createdb {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(error) => panic!("cannot run createdb: {error}"),
        }
        format!("postgres://postgres@127.0.0.1:{port}/{name}")
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }
}

fn start() -> Result<Postgres, String> {
    let bin = binaries()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("confab-pg-")
        .tempdir()
        .map_err(|e| format!("a temporary folder: {e}"))?
        .keep();
    let data = dir.join("data");
    if root {
        // PostgreSQL refuses to run as root: its own user owns the folder.
        run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
    }
    let initdb = bin.join("initdb");
    let init = [
        "-D",
        path(&data)?,
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ];
    run(as_postgres(root, &initdb).args(init))?;
    let port = free_port()?;
    let server = bin.join("postgres");
    // Durability is not what these tests test: no fsyncs.
    let command = format!(
        "{} -D {} -p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        path(&server)?,
        path(&data)?,
        path(&dir)?
    );
    let start = if root {
        format!("runuser -u postgres -- {command}")
    } else {
        command
    };
    // The watchdog: the server in the background; once this process is gone, a
    // fast shutdown (signalled to the postmaster, whose pid it writes in its
    // folder) and the folder removed.
    let watchdog = format!(
        "{start} > {log} 2>&1 &\n\
         while kill -0 {me} 2>/dev/null; do sleep 0.5; done\n\
         pid=$(head -n 1 {data}/postmaster.pid 2>/dev/null)\n\
         [ -n \"$pid\" ] && kill -INT \"$pid\"\n\
         wait\n\
         rm -rf {dir}\n",
        log = path(&dir.join("log"))?,
        me = std::process::id(),
        data = path(&data)?,
        dir = path(&dir)?,
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let ready = bin.join("pg_isready");
    let started = Instant::now();
    loop {
        let port_text = port.to_string();
        let probe = Command::new(&ready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port_text, "-U", "postgres"])
            .status();
        if probe.is_ok_and(|status| status.success()) {
            break;
        }
        if started.elapsed() > READY_WITHIN {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            return Err(format!(
                "not ready within {READY_WITHIN:?}; its log:\n{log}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Postgres {
        port,
        bin,
        next: AtomicU32::new(0),
    })
}

/// PostgreSQL's programs: `CONFAB_PG_BIN`, else the newest Debian installs.
fn binaries() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CONFAB_PG_BIN") {
        return Ok(dir.into());
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed (cargo xtask test installs it)".to_owned())?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no PostgreSQL server in /usr/lib/postgresql".to_owned())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

/// `program`, as the `postgres` user when this process is root.
fn as_postgres(root: bool, program: &Path) -> Command {
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// A port that was free a moment ago on loopback.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("a free port: {e}"))
}

/// A path as text for the shell; temporary folders have no spaces or quotes.
fn path(p: &Path) -> Result<&str, String> {
    p.to_str()
        .filter(|s| !s.contains(|c: char| c.is_whitespace() || "'\"$`\\".contains(c)))
        .ok_or_else(|| format!("{} is not a plain path", p.display()))
}
