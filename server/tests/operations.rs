//! What an operator runs the server with (docs/deploy.md): `GET /metrics` on a
//! listener of its own, readiness beside liveness, JSON logs, and `confab backup`
//! of a database that is being written.

mod common;

use std::sync::Arc;

use common::process::{ServerProcess, free_port};
use common::{Client, TestServer, http_get};
use confab_server::store::{SqliteStore, Store};
use confab_server::{Limits, Metrics, Options};
use confab_shared::{RoomName, ServerMsg};
use serde_json::json;

/// The value of the sample `line` (a name and its labels) in `text`.
fn sample(text: &str, line: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(line)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn the_metrics_follow_connections_messages_and_the_store() {
    let metrics = Arc::new(Metrics::default());
    let server = TestServer::start_with_options(Options {
        guests: true,
        limits: Limits::off(),
        metrics: Arc::clone(&metrics),
        ..Options::default()
    })
    .await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("ops", None).await;
    let mut id = 0;
    for i in 0..3 {
        id = ann.send_acked("ops", &format!("m{i}"), "hello").await.1;
    }
    // An edit: an event of the room's log other than a message.
    let edit = json!({
        "type": "edit_message", "room": "ops", "id": id, "client_id": "e1", "body": "hi"
    });
    ann.send_json(edit).await;
    ann.recv_until(|msg| matches!(msg, ServerMsg::Event(e) if e.seq > 3))
        .await;
    let text = metrics.render();
    assert_eq!(sample(&text, "confab_connections"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "confab_messages_stored_total"), Some(3.0));
    // create_room, join, three sends and an edit at least.
    assert!(
        sample(&text, "confab_frames_in_total") >= Some(6.0),
        "{text}"
    );
    assert!(
        sample(&text, "confab_frames_out_total") >= Some(3.0),
        "{text}"
    );
    let commits = sample(&text, "confab_store_seconds_count{op=\"append\"}");
    assert!(commits >= Some(1.0), "{text}");
    assert_eq!(
        sample(&text, "confab_events_stored_total"),
        Some(1.0),
        "{text}"
    );
    let changes = sample(&text, "confab_store_seconds_count{op=\"persist\"}");
    assert_eq!(changes, Some(1.0), "{text}");

    // Gone without a close frame: counted as a broken connection.
    drop(ann);
    let deadline = tokio::time::Instant::now() + common::TIMEOUT;
    while sample(&metrics.render(), "confab_connections") != Some(0.0) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}",
            metrics.render()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let broken = "confab_closes_total{reason=\"broken\"}";
    assert_eq!(sample(&metrics.render(), broken), Some(1.0));

    // A wrong password is counted as one.
    let body = r#"{"username":"nobody","password":"not the password"}"#;
    let refused = common::http_post(server.addr, "/api/login", &[], body).await;
    assert_eq!(refused.status, 401);
    let wrong = "confab_logins_total{result=\"wrong\"}";
    assert_eq!(sample(&metrics.render(), wrong), Some(1.0));

    let ready = http_get(server.addr, "/readyz", &[]).await;
    assert_eq!((ready.status, ready.body.as_slice()), (200, &b"ready"[..]));
}

#[tokio::test]
async fn metrics_listen_apart_from_the_public_port_and_logs_can_be_json() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let flags = ["--log-format", "json"];
    let server = ServerProcess::start_with(dir.path(), free_port(), &flags).await;
    let scraped = http_get(server.metrics, "/metrics", &[]).await;
    assert_eq!(scraped.status, 200);
    let content_type = scraped.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = String::from_utf8_lossy(&scraped.body);
    assert!(text.contains("# TYPE confab_connections gauge\n"), "{text}");
    // Not on the port the world reaches.
    let public = http_get(server.addr, "/metrics", &[]).await;
    let public = String::from_utf8_lossy(&public.body);
    assert!(!public.contains("confab_connections"), "{public}");

    // Every line of the log is one JSON object; the start is said in one.
    let started = server.log_lines("Confab is running");
    assert_eq!(started.len(), 1, "{}", server.log_tail());
    let line: serde_json::Value = serde_json::from_str(&started[0]).expect("a JSON log line");
    assert_eq!(line["level"], "INFO");
    let message = line["fields"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Confab is running at http://"),
        "{line}"
    );
    for line in server.log_lines("") {
        serde_json::from_str::<serde_json::Value>(&line).expect("every log line is JSON");
    }
}

#[tokio::test]
async fn a_backup_taken_while_messages_arrive_holds_every_one_acked_before_it() {
    let server = TestServer::start().await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("kept", None).await;
    let mut acked = Vec::new();
    for i in 0..20 {
        acked.push(
            ann.send_acked("kept", &format!("a{i}"), &format!("before {i}"))
                .await,
        );
    }
    let copy = tempfile::tempdir().expect("a temporary directory");
    let to = copy.path().join("copy.db");
    let backup = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--database")
        .arg(server.database())
        .arg("backup")
        .arg(&to)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("run confab backup");
    // The writer goes on while the copy is made.
    for i in 0..20 {
        ann.send_acked("kept", &format!("b{i}"), &format!("during {i}"))
            .await;
    }
    let done = tokio::task::spawn_blocking(move || backup.wait_with_output())
        .await
        .expect("the backup's waiter")
        .expect("confab backup ends");
    assert!(done.status.success(), "confab backup failed");

    let restored = SqliteStore::open(to.to_str().expect("UTF-8"))
        .await
        .expect("the copy opens");
    let page = restored
        .history(&RoomName::new("kept").expect("a room name"), None, 100)
        .await
        .expect("the copy's history");
    let held: Vec<(u64, i64)> = page.messages.iter().map(|m| (m.seq, m.id)).collect();
    for ack in &acked {
        assert!(
            held.contains(ack),
            "acked before the backup, missing from it: {ack:?}"
        );
    }
    // In order, as the room had them.
    let seqs: Vec<u64> = page.messages.iter().map(|m| m.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] > w[0]));
    assert_ne!(
        restored.epoch().await.expect("the copy's epoch"),
        server.epoch()
    );

    // A second backup to the same file is refused, and leaves the first alone.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--database")
        .arg(server.database())
        .arg("backup")
        .arg(&to)
        .env("RUST_LOG", "error")
        .output()
        .expect("run confab backup again");
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("already exists"), "{said}");
}
