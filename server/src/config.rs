//! Command-line flags, each also read from an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::store::Durability;

#[derive(Debug, Parser)]
#[command(
    name = "confab",
    version,
    about = "Confab: real-time chat in one binary"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "CONFAB_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// The database: a SQLite file path (created if missing) or a sqlite: URL.
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
