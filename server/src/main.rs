use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use confab_server::config::{Command, Config, LogFormat, MetricsAddr};
use confab_server::origin::OriginPolicy;
use confab_server::store;
use confab_server::{Metrics, Options, SessionPolicy, Settings};
use tokio::net::{TcpListener, TcpSocket};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = Config::parse();
    let logs = tracing_subscriber::fmt().with_env_filter(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
    );
    match config.log_format {
        LogFormat::Text => logs.with_ansi(std::io::stdout().is_terminal()).init(),
        LogFormat::Json => logs.json().with_current_span(false).init(),
    }
    if let Some(Command::Migrate { from, to }) = &config.command {
        let copied = store::migrate(from, to)
            .await
            .with_context(|| format!("moving {from:?} into PostgreSQL"))?;
        let mut out = std::io::stdout();
        for (table, rows) in copied {
            writeln!(out, "{table}: {rows}")?;
        }
        writeln!(
            out,
            "moved; start the nodes with --database on the PostgreSQL URL"
        )?;
        return Ok(());
    }
    if let Some(Command::Backup { to }) = &config.command {
        let copied = store::backup(&config.database, to)
            .await
            .with_context(|| format!("backing up {:?} to {}", config.database, to.display()))?;
        tracing::info!(
            bytes = copied.bytes,
            epoch = %copied.epoch,
            "backed up to {}",
            to.display()
        );
        return Ok(());
    }
    let store = store::open(&config.database, config.durability.into())
        .await
        .with_context(|| format!("opening the database {:?}", config.database))?;
    if let Some(Command::User(command)) = config.command.take() {
        let done = confab_server::cli::run(store.as_ref(), command).await;
        store.close().await;
        return done;
    }
    let listener = listen(config.addr).with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    if !config.static_dir.join("index.html").is_file() {
        tracing::warn!(
            dir = %config.static_dir.display(),
            "no built page here; build it with `cargo xtask run` (or use `trunk serve`)"
        );
    }
    tracing::info!(database = %config.database, "Confab is running at http://{addr}/");
    let metrics = Arc::new(Metrics::default());
    if let MetricsAddr(Some(at)) = config.metrics_addr {
        let listener = TcpListener::bind(at)
            .await
            .with_context(|| format!("listening for /metrics on {at} (--metrics-addr)"))?;
        tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
        let app = confab_server::metrics::router(Arc::clone(&metrics));
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the metrics listener failed");
            }
        });
    }
    let origins = OriginPolicy::new(config.public_url.as_deref(), &config.allowed_origins)
        .map_err(anyhow::Error::msg)
        .context("--public-url / --allowed-origin")?;
    let sessions = SessionPolicy {
        ttl_secs: i64::from(config.session_days) * 24 * 3600,
        secure: config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
    };
    let options = Options {
        settings: Settings::default(),
        origins,
        sessions,
        guests: config.guests,
        limits: config.limits(),
        metrics,
        redis: config.redis.clone(),
    };
    confab_server::run_with_options(
        listener,
        store,
        &config.static_dir,
        options,
        shutdown_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Binds with a long accept queue: after a restart every client reconnects at once,
/// and a short queue drops their SYNs into seconds of retransmission backoff.
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
