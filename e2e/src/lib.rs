//! Harness for the end-to-end tests: a real Confab server (in process, on a free
//! loopback port, with its own SQLite file) serving the built page, and real headless
//! Chromium windows driven over WebDriver (chromedriver).
//!
//! Needs the page built into `dist/` (`cargo xtask test` does it) and Debian's
//! chromium + chromium-driver. `CONFAB_DIST`, `CHROMIUM` and `CHROMEDRIVER` override
//! where they are looked for.

pub mod accounts_only;
pub mod axe;
pub mod bot;
pub mod probe;
pub mod rooms;
pub mod tab;
pub mod trunk;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password the tests' accounts sign up with.
pub const PASSWORD: &str = "correct horse";

/// How long a test waits for something to show up before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// What every browser test starts from: a server serving the built page, a browser,
/// and people who opened the chat and picked their names, each in a window of their
/// own, connected.
pub struct Scene {
    pub server: Server,
    pub driver: Driver,
    /// In the order of the names given.
    pub people: Vec<Person>,
}

impl Scene {
    /// A fresh server, and `names` arrived in the chat.
    pub async fn with(names: &[&str]) -> Self {
        Self::on(Server::start().await, names).await
    }

    /// A fresh server, and `names` signed up (accounts, with the tests' password),
    /// each in a window of their own, connected.
    pub async fn with_accounts(names: &[&str]) -> Self {
        let server = Server::start().await;
        let driver = Driver::start().await;
        let url = server.url();
        let mut people = Vec::with_capacity(names.len());
        for name in names {
            let person = driver.person().await;
            person.try_account(&url, name, PASSWORD, "Sign up").await;
            person.wait_connected().await;
            people.push(person);
        }
        Self {
            server,
            driver,
            people,
        }
    }

    /// `names` arrived in the chat served by `server`.
    pub async fn on(server: Server, names: &[&str]) -> Self {
        let driver = Driver::start().await;
        let mut people = Vec::with_capacity(names.len());
        for name in names {
            let person = driver.person().await;
            person.arrive(&server.url(), name).await;
            people.push(person);
        }
        Self {
            server,
            driver,
            people,
        }
    }

    /// Closes every window and stops the server.
    pub async fn end(self) {
        for person in self.people {
            person.close().await;
        }
        self.server.stop().await;
    }
}

/// A running Confab server.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_at("127.0.0.1:0".parse().expect("address"), dir).await
    }

    /// A fresh server that also takes pages of `origin` (`--allowed-origin`), as in
    /// development under `trunk serve`.
    pub async fn start_allowing(origin: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let origins = confab_server::origin::OriginPolicy::new(None, &[origin.to_owned()])
            .expect("an origin");
        Self::start_on("127.0.0.1:0".parse().expect("address"), dir, origins).await
    }

    /// Starts a server whose `room` already holds `count` messages: "seed 1" to
    /// "seed {count}", by three authors in runs of four, some of two or more lines.
    pub async fn start_with_history(room: &str, count: u64) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        seed(&dir.path().join("e2e.db"), room, count).await;
        Self::start_at("127.0.0.1:0".parse().expect("address"), dir).await
    }

    /// Starts on `addr` with the database in `dir`.
    async fn start_at(addr: SocketAddr, dir: tempfile::TempDir) -> Self {
        Self::start_on(addr, dir, Default::default()).await
    }

    /// Starts on `addr` with the database in `dir`, taking pages of `origins`.
    async fn start_on(
        addr: SocketAddr,
        dir: tempfile::TempDir,
        origins: confab_server::origin::OriginPolicy,
    ) -> Self {
        let dist = std::env::var_os("CONFAB_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
        assert!(
            dist.join("index.html").is_file(),
            "no built page in {}: run `cargo xtask test` (it runs trunk build first)",
            dist.display()
        );
        assert_fresh(&dist);
        let db = dir.path().join("e2e.db");
        let store =
            confab_server::store::open(db.to_str().expect("utf-8 path"), Default::default())
                .await
                .expect("open store");
        let listener = TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // The page's people join as guests, or sign up (`--guests`). The other
            // limits are the defaults, but the tests' bots post bursts of hundreds
            // (load, not people): no message rate.
            let options = confab_server::Options {
                guests: true,
                origins,
                limits: confab_server::Limits {
                    message_rate: 0,
                    ..confab_server::Limits::default()
                },
                ..confab_server::Options::default()
            };
            confab_server::run_with_options(listener, store, &dist, options, async {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
            dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub async fn stop(self) {
        self.go_down().await;
    }

    /// Stops the server but keeps its address and database for [`Down::come_back`].
    pub async fn go_down(mut self) -> Down {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server run");
        }
        Down {
            addr: self.addr,
            dir: self.dir,
        }
    }
}

/// Stores `count` messages in `room` straight into the database at `db`.
async fn seed(db: &std::path::Path, room: &str, count: u64) {
    use confab_server::store::NewMessage;
    use confab_shared::{ClientId, MessageBody, RoomName, UserId, UserName};

    let store = confab_server::store::open(db.to_str().expect("utf-8 path"), Default::default())
        .await
        .expect("open store");
    let room = RoomName::new(room).expect("room name");
    let authors = ["ada", "bo", "cy"].map(|a| UserName::new(a).expect("user name"));
    let lines: Vec<NewMessage> = (1..=count)
        .map(|n| {
            let mut body = format!("seed {n}");
            if n % 5 == 0 {
                body.push_str("\na second line");
            }
            if n % 23 == 0 {
                body.push_str(&" and a long line that wraps on a narrow screen".repeat(4));
            }
            NewMessage {
                room: room.clone(),
                author: authors[(n / 4 % 3) as usize].clone(),
                author_id: UserId::guest(&authors[(n / 4 % 3) as usize]),
                client_id: ClientId::new(format!("seed{n}")).expect("client id"),
                body: MessageBody::new(body).expect("body"),
                thread: None,
                in_room: false,
                refused: None,
            }
        })
        .collect();
    for batch in lines.chunks(500) {
        store.append(batch.into()).await.expect("store the history");
    }
    store.close().await;
}

/// A stopped server, to be started again on the same address and database.
pub struct Down {
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Down {
    pub async fn come_back(self) -> Server {
        Server::start_at(self.addr, self.dir).await
    }
}

/// One browser test at a time: two cores do not run several Chromiums well, and a
/// starved browser makes a flaky test.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One chromedriver; each [`Person`] is a separate browser (own profile, so own
/// localStorage) in it.
pub struct Driver {
    url: String,
    _process: Child,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Driver {
    pub async fn start() -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        // Port 0: chromedriver picks a free port and says which; picking one here
        // and passing it on would race with every other socket the tests open.
        let mut process = Command::new(&binary)
            .arg("--port=0")
            .arg("--allowed-ips=127.0.0.1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary}: {e} (cargo xtask test installs it)")
            });
        let stdout = process.stdout.take().expect("chromedriver's output");
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some((_, port)) = line.split_once("started successfully on port ") {
                    return port.trim_end_matches('.').parse::<u16>().ok();
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .expect("chromedriver did not start");
        // Keep reading, so chromedriver never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let url = format!("http://127.0.0.1:{port}");
        Self {
            url,
            _process: process,
            _turn: turn,
        }
    }

    /// Opens a new browser window for one person.
    pub async fn person(&self) -> Person {
        self.person_with(&[]).await
    }

    /// Opens a new browser window for one person, Chromium started with `flags` too
    /// (a colour scheme, a window size).
    pub async fn person_with(&self, flags: &[&str]) -> Person {
        let profile = tempfile::tempdir().expect("profile dir");
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
        ]
        .into_iter()
        .chain(flags.iter().copied())
        .map(String::from)
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": chromium, "args": args }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("start a Chromium session");
        Person {
            client,
            _profile: profile,
        }
    }
}

/// A browser window, as one person uses it.
pub struct Person {
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Person {
    /// Opens the chat and picks `name` on the first screen.
    pub async fn arrive(&self, url: &str, name: &str) {
        self.client.goto(url).await.expect("open the page");
        let field = self.find(Locator::Css("input#name")).await;
        field.send_keys(name).await.expect("type the name");
        self.click(Locator::Css("form#guest button[type=submit]"))
            .await;
        self.wait_connected().await;
    }

    /// Opens the chat, types `username` and `password`, and presses `button` ("Sign
    /// in" or "Sign up"); does not wait for anything after.
    pub async fn try_account(&self, url: &str, username: &str, password: &str, button: &str) {
        self.client.goto(url).await.expect("open the page");
        self.fill_account(username, password, button).await;
    }

    /// On the first screen: types `username` and `password`, presses `button`.
    pub async fn fill_account(&self, username: &str, password: &str, button: &str) {
        let field = self.find(Locator::Css("input#username")).await;
        field.clear().await.expect("clear the username");
        field.send_keys(username).await.expect("type the username");
        let field = self.find(Locator::Css("input#password")).await;
        field.clear().await.expect("clear the password");
        field.send_keys(password).await.expect("type the password");
        let xpath = format!("//form[@id='account']//button[normalize-space()='{button}']");
        self.click(Locator::XPath(&xpath)).await;
    }

    /// The refusal shown under the account form, once there is one.
    pub async fn account_refusal(&self) -> String {
        eventually("the refusal is shown", || async {
            let hint = self
                .client
                .find(Locator::Css("#account-hint.problem"))
                .await
                .ok()?;
            hint.text().await.ok().filter(|t| !t.is_empty())
        })
        .await
    }

    pub async fn wait_connected(&self) {
        self.find(Locator::Css(".status[data-link=online]")).await;
    }

    /// Types into the message box and presses Enter.
    pub async fn say(&self, text: &str) {
        let composer = self.find(Locator::Css("textarea#message")).await;
        composer.send_keys(text).await.expect("type a message");
        composer.send_keys("\u{E007}").await.expect("press Enter");
    }

    /// The texts of the message bodies the room's list shows, in order. Read in one script, so a
    /// list re-rendering meanwhile cannot leave a stale element in hand.
    pub async fn bodies(&self) -> Vec<String> {
        let script = "return [...document.querySelectorAll('main [role=log] article.msg .body')]\
                      .map((e) => e.textContent);";
        self.eval("read the messages", script).await
    }

    /// Runs `script` in the page and reads what it returns as a `T`; `what` names it
    /// in a failure.
    pub async fn eval<T: serde::de::DeserializeOwned>(&self, what: &str, script: &str) -> T {
        let value = self
            .client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Waits until the shown bodies satisfy `done`; returns them.
    pub async fn wait_bodies(&self, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        eventually(what, || async {
            let bodies = self.bodies().await;
            done(&bodies).then_some(bodies)
        })
        .await
    }

    pub async fn find(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(locator)
            .await
            .unwrap_or_else(|e| panic!("element {locator:?} never appeared: {e}"))
    }

    pub async fn click(&self, locator: Locator<'_>) {
        self.find(locator).await.click().await.expect("click");
    }

    pub async fn close(self) {
        self.client.close().await.expect("close the browser");
    }

    /// Saves what the window shows as `name`.png in the folder named by
    /// `CONFAB_SCREENSHOTS`, if set (the pictures in docs/ are made so); else nothing.
    pub async fn screenshot(&self, name: &str) {
        let Some(folder) = std::env::var_os("CONFAB_SCREENSHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.expect("take a screenshot");
        let path = std::path::Path::new(&folder).join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

/// Polls `check` until it gives a value, or fails the test after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Appends a line to the file named by `CONFAB_TEST_REPORT`, if set: figures a test
/// saw (how long something took), for reading rather than judging.
pub fn record(test: &str, text: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("CONFAB_TEST_REPORT") else {
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| writeln!(file, "{test}: {text}"));
    // A report that cannot be written costs the reader figures, not the test.
    drop(written);
}

/// Fails unless the page in `dist` was built after the last change to its sources: a
/// page left over from an older checkout would test old code (or, after a protocol
/// change, fail in ways that say nothing of the change).
fn assert_fresh(dist: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let built = modified(&dist.join("index.html"));
    let sources = [
        "index.html",
        "Trunk.toml",
        "frontend/Cargo.toml",
        "frontend/style.css",
        "frontend/sw.js",
        "frontend/src",
        "shared/src",
    ];
    for source in sources {
        if let Some((path, changed)) = newest(&root.join(source))
            && changed > built
        {
            panic!(
                "the page in {} is older than {}: rebuild it (`cargo xtask dist`, or \
                 `cargo xtask test`, which builds it first)",
                dist.display(),
                path.display()
            );
        }
    }
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The most recently changed file at or under `path`, if any.
fn newest(path: &Path) -> Option<(PathBuf, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return Some((path.to_owned(), meta.modified().ok()?));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest(&entry.path()))
        .max_by_key(|(_, at)| *at)
}
