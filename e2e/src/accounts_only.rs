//! A server that lets no guests in (started without `--guests`), serving the built
//! page: for what the first screen offers there.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct AccountsOnly {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl AccountsOnly {
    /// Starts one on a fresh database. (Start a [`crate::Server`] first in the same
    /// test: it refuses a page older than its sources.)
    pub async fn start() -> Self {
        let dist = std::env::var_os("CONFAB_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("e2e.db");
        let store =
            confab_server::store::open(db.to_str().expect("utf-8 path"), Default::default())
                .await
                .expect("open store");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let options = confab_server::Options {
            guests: false,
            ..confab_server::Options::default()
        };
        let task = tokio::spawn(async move {
            confab_server::run_with_options(listener, store, &dist, options, async {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            addr,
            stop,
            task,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("server task").expect("server run");
    }
}
