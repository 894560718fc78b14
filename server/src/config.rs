//! Command-line flags, each also read from an environment variable.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::limits::Limits;
use crate::store::Durability;

#[derive(Debug, Parser)]
#[command(
    name = "confab",
    version,
    about = "Confab: real-time chat in one binary"
)]
pub struct Config {
    /// Instead of serving, manage accounts.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on.
    #[arg(long, env = "CONFAB_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The database: a SQLite file path (created if missing), a sqlite: URL, or a
    /// postgres:// URL (a database several nodes may share).
    #[arg(long, env = "CONFAB_DATABASE", default_value = "confab.db")]
    pub database: String,

    /// What an acknowledgement promises: `process` (survives a crash or kill of the
    /// server) or `disk` (also survives power loss; one fsync per batch, slower).
    #[arg(long, env = "CONFAB_DURABILITY", value_enum, default_value_t = DurabilityFlag::Process)]
    pub durability: DurabilityFlag,

    /// Folder with the built page (trunk build's output).
    #[arg(long, env = "CONFAB_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// The address browsers use for this server, when it sits behind a proxy (e.g.
    /// https://chat.example.com): pages of that origin may open a socket. Without it,
    /// pages of the host the browser asked.
    #[arg(long, env = "CONFAB_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Another origin whose pages may open a socket (repeatable; comma-separated in
    /// the variable), e.g. http://127.0.0.1:8080 for `trunk serve`.
    #[arg(
        long = "allowed-origin",
        env = "CONFAB_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Let people join without an account, by picking a name (a guest can never take
    /// an account's name).
    #[arg(long, env = "CONFAB_GUESTS")]
    pub guests: bool,

    /// A signed-in browser stays signed in this many days after it was last used.
    #[arg(long, env = "CONFAB_SESSION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub session_days: u16,

    /// Messages one person may send per second, steadily, across all their sockets;
    /// 0 for no limit.
    #[arg(long, env = "CONFAB_MESSAGE_RATE", default_value_t = 2)]
    pub message_rate: u32,

    /// Messages one person may send at once before the rate applies.
    #[arg(long, env = "CONFAB_MESSAGE_BURST", default_value_t = 20)]
    pub message_burst: u32,

    /// Password attempts (sign-ins, sign-ups) one address may make per minute after
    /// its burst; 0 for no limit.
    #[arg(long, env = "CONFAB_LOGIN_PER_MINUTE", default_value_t = 10)]
    pub login_per_minute: u32,

    /// Password attempts one address may make at once.
    #[arg(long, env = "CONFAB_LOGIN_BURST", default_value_t = 10)]
    pub login_burst: u32,

    /// Sockets one person may hold open; 0 for no limit.
    #[arg(long, env = "CONFAB_MAX_SOCKETS_PER_USER", default_value_t = 20)]
    pub max_sockets_per_user: u32,

    /// Sockets one client address may hold open; 0 for no limit.
    #[arg(long, env = "CONFAB_MAX_SOCKETS_PER_IP", default_value_t = 200)]
    pub max_sockets_per_ip: u32,

    /// Seconds a client has to send its whole request head before it is disconnected.
    #[arg(long, env = "CONFAB_HANDSHAKE_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub handshake_timeout: u64,

    /// A proxy in front of the server (repeatable; comma-separated in the variable):
    /// requests from it name their client in X-Forwarded-For.
    #[arg(
        long = "trusted-proxy",
        env = "CONFAB_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<IpAddr>,

    /// Redis, for several nodes sharing one PostgreSQL database: each node's room
    /// events reach the others through it (`redis://[[user]:password@]host[:port]`).
    /// Without it the server runs alone.
    #[arg(long, env = "CONFAB_REDIS")]
    pub redis: Option<crate::broker::RedisUrl>,

    /// Where `GET /metrics` (Prometheus) listens, apart from the public port; `off`
    /// for nowhere.
    #[arg(long, env = "CONFAB_METRICS_ADDR", default_value = "127.0.0.1:9300",
          value_parser = MetricsAddr::parse)]
    pub metrics_addr: MetricsAddr,

    /// How log lines are written: `text` for people, `json` (one object a line)
    /// for a log collector.
    #[arg(long, env = "CONFAB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `--metrics-addr`: an address, or none (`off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsAddr(pub Option<SocketAddr>);

impl MetricsAddr {
    fn parse(text: &str) -> Result<Self, String> {
        if text == "off" {
            return Ok(Self(None));
        }
        text.parse()
            .map(|addr| Self(Some(addr)))
            .map_err(|_| format!("{text:?} is neither an address (127.0.0.1:9300) nor off"))
    }
}

impl Config {
    /// The limits these flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            message_burst: self.message_burst,
            message_rate: self.message_rate,
            login_burst: self.login_burst,
            login_per_minute: self.login_per_minute,
            sockets_per_user: self.max_sockets_per_user,
            sockets_per_ip: self.max_sockets_per_ip,
            handshake_timeout: std::time::Duration::from_secs(self.handshake_timeout),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
}

/// What `confab` may do instead of serving.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage accounts (works on `--database`; the server may be running).
    #[command(subcommand)]
    User(UserCommand),
    /// Copy the SQLite database `--database` to a new file, safely while the server
    /// runs. The copy gets an epoch of its own: clients of a server restored from it
    /// start their history over instead of resuming past its end.
    Backup {
        /// The file to write (it must not exist yet).
        to: PathBuf,
    },
    /// Move a single node's SQLite database, whole (history, accounts, rooms, seqs,
    /// ids and epoch), into an empty PostgreSQL database. Stop the server first.
    Migrate {
        /// The SQLite database: a file path or a sqlite: URL.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database: a postgres:// URL.
        #[arg(long)]
        to: String,
    },
}

/// `confab user ...`. A password is read from standard input (one line); when that
/// is a terminal, one is made up and printed instead.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Create {
        username: String,
        /// A site admin (may ban accounts from the whole server).
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password; every session of the account ends.
    ResetPassword { username: String },
    /// Delete an account: its sessions and tokens end and its name is free again;
    /// its messages stay, under its id.
    Delete { username: String },
    /// Ban an account from the whole server: it cannot sign in, its sessions end and
    /// its tokens stop working.
    Ban { username: String },
    /// Lift a ban.
    Unban { username: String },
}

/// `--durability`: the flag's values, turned into the store's [`Durability`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DurabilityFlag {
    Process,
    Disk,
}

impl From<DurabilityFlag> for Durability {
    fn from(flag: DurabilityFlag) -> Self {
        match flag {
            DurabilityFlag::Process => Durability::Process,
            DurabilityFlag::Disk => Durability::Disk,
        }
    }
}
