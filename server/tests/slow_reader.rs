//! A client that stops reading is cut off with close code 4008 in bounded time, the
//! server's memory stays bounded meanwhile, and nobody else in the room notices: every
//! other member stays connected and receives every message.
//!
//! The server runs as a real process (default settings: ping every 5 s, idle timeout
//! 9 s, write timeout 10 s, queue of 1024 frames) so its memory can be read from /proc.
//! Two loads: a room of 100 readers at a steady rate, where the stopped reader's
//! socket buffers do not fill before the idle timeout; and a firehose of 4 KB
//! messages, where they fill within seconds, its queue overflows while the server is
//! stuck writing to it, and the close frame can only get through once it reads again.

mod common;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use common::process::{ServerProcess, free_port};
use common::resilient::{self, Outgoing, Plan, Report};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::net::TcpStream;
use tokio::sync::{Barrier, Mutex, watch};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const ROOM: &str = "general";
const SLOW: &str = "slow";
/// How long the stopped reader may take to be closed before the run gives up: the
/// defaults allow at most 14 s (idle 9 s, noticed at the next 5 s ping), or less once
/// its 1024-frame queue is full; the rest is margin for a loaded machine. A deadline
/// to wait within, not a measurement.
const CLOSED_WITHIN: Duration = Duration::from_secs(30);
/// How much the server's resident memory may grow over its level with every member
/// connected, before the traffic. The stopped reader's queue holds at most 1024
/// frames (shared with the other members), 4 MiB of 4 KB messages, and its socket
/// buffers are bounded; 16 MiB leaves room for the allocator and SQLite's cache, and
/// is less than the firehose would pile up for a reader buffered without bound.
const RSS_GROWTH_LIMIT_KIB: u64 = 16 * 1024;
/// Everything, from the first send to the last member's last message.
const DEADLINE: Duration = Duration::from_secs(60);

/// Both tests are heavy: on a small machine they would slow each other down.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

struct Load {
    /// Members that read normally (the sender reads too).
    normal: usize,
    messages: usize,
    /// Messages per second; `None`: as fast as the sender's window allows.
    rate: Option<u64>,
    body_bytes: usize,
}

/// What the stopped reader, the others and the server went through.
struct Outcome {
    /// From when it stopped reading until the others heard it left.
    closed_after: Option<Duration>,
    /// Frames it found when it read again, and how its stream ended.
    drained: usize,
    /// The close frame's code and reason.
    close_code: Option<(u16, String)>,
    rss_before: u64,
    rss_peak: u64,
    sender: Report,
    members: Vec<Seen>,
    report: String,
}

/// What a normal member saw.
struct Seen {
    name: String,
    last_seq: u64,
    messages: usize,
    /// Set if its socket ended or a seq came out of order.
    trouble: Option<String>,
}

/// Only what the setup needs of a frame.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    online: Option<Vec<String>>,
    left: Option<Vec<String>>,
    online_count: Option<u32>,
}

async fn connect(server: &ServerProcess, name: &str) -> Socket {
    let url = format!("{}?v=2&name={name}", server.ws_base());
    let (socket, _) = timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(url),
    )
    .await
    .unwrap_or_else(|_| panic!("{name}: connect timed out"))
    .unwrap_or_else(|e| panic!("{name}: cannot connect: {e}"));
    socket
}

/// The next text frame, skipping pings, within 10 s.
async fn next_text(socket: &mut Socket, name: &str) -> Frame {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .unwrap_or_else(|_| panic!("{name}: nothing arrived"))
            .unwrap_or_else(|| panic!("{name}: socket ended"))
            .unwrap_or_else(|e| panic!("{name}: socket error: {e}"));
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).expect("a server frame");
        }
    }
}

/// Connects, joins the room, and reads until the `joined` reply.
async fn connect_and_join(server: &ServerProcess, name: &str) -> Socket {
    let mut socket = connect(server, name).await;
    assert_eq!(next_text(&mut socket, name).await.kind, "welcome");
    let join = json!({"type": "join", "room": ROOM, "after": 0}).to_string();
    socket.send(Message::text(join)).await.expect("send join");
    // Nothing else is sent to a connection before its `joined`, but bound it anyway.
    for _ in 0..100 {
        let frame = next_text(&mut socket, name).await;
        if frame.kind == "joined" {
            let count = frame.online_count.unwrap_or(0) as usize;
            let online = frame.online.unwrap_or_default();
            // Rooms over the list limit get a count, not names.
            assert!(
                online.iter().any(|n| n == SLOW) || count > 100, // docs/protocol.md: names up to 100 people
                "{name}: the stopped reader is in the room: {online:?}"
            );
            return socket;
        }
    }
    panic!("{name}: no joined");
}

/// The value of `"field":` in a server frame, found without parsing the whole frame
/// (100 readers parsing every 1 KiB message would load the machine more than the
/// server does). A string value cannot hold `"field":` unescaped, so this is exact.
fn number_field(text: &str, field: &str) -> Option<u64> {
    let key = format!("\"{field}\":");
    let at = text.find(&key)? + key.len();
    let digits = text[at..].split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// A normal member: reads everything up to seq `messages`, and reports the first
/// `presence` without the stopped reader on `gone`.
async fn normal_member(
    mut socket: Socket,
    name: String,
    messages: usize,
    gone: Arc<watch::Sender<Option<Instant>>>,
    start: Arc<Barrier>,
) -> Seen {
    start.wait().await;
    let mut seen = Seen {
        name,
        last_seq: 0,
        messages: 0,
        trouble: None,
    };
    let deadline = Instant::now() + DEADLINE;
    // The most people seen online: the stopped reader's leaving shows as a smaller
    // count in rooms too big for names.
    let mut most = 0;
    while seen.last_seq < messages as u64 {
        let frame = match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(Some(Err(e))) => {
                seen.trouble = Some(format!("socket error: {e}"));
                break;
            }
            Ok(None) => {
                seen.trouble = Some("socket ended".to_owned());
                break;
            }
            Err(_) => {
                seen.trouble = Some(format!("stuck at seq {}", seen.last_seq));
                break;
            }
        };
        let text = match frame {
            Message::Text(text) => text,
            Message::Close(close) => {
                seen.trouble = Some(format!("closed by the server: {close:?}"));
                break;
            }
            _ => continue,
        };
        let text = text.as_str();
        if text.contains(r#""type":"event""#) {
            let seq = number_field(text, "seq").expect("a message has a seq");
            if seq != seen.last_seq + 1 {
                seen.trouble = Some(format!("seq {seq} after {}", seen.last_seq));
                break;
            }
            seen.last_seq = seq;
            seen.messages += 1;
            continue;
        }
        let frame: Frame = serde_json::from_str(text).expect("a server frame");
        let count = frame.online_count.unwrap_or(0);
        let left_by_name = frame.left.unwrap_or_default().iter().any(|n| n == SLOW);
        let shrank = count < most;
        most = most.max(count);
        if frame.kind == "presence" && (left_by_name || shrank) {
            gone.send_if_modified(|at| {
                let first = at.is_none();
                if first {
                    *at = Some(Instant::now());
                }
                first
            });
        }
    }
    let _ = timeout(Duration::from_secs(1), socket.close(None)).await;
    seen
}

/// What the stopped reader finds once it reads again: how many frames, how its
/// stream ended, and the close code if there was a close frame.
async fn drain(socket: &mut Socket) -> (usize, String, Option<(u16, String)>) {
    let mut frames = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    while frames < 1_000_000 {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(close)))) => {
                let code = close
                    .as_ref()
                    .map(|c| (u16::from(c.code), c.reason.to_string()));
                return (frames, format!("close frame {close:?}"), code);
            }
            Ok(Some(Ok(_))) => frames += 1,
            Ok(Some(Err(e))) => return (frames, format!("error: {e}"), None),
            Ok(None) => return (frames, "end without a close frame".to_owned(), None),
            Err(_) => return (frames, "still open after 20 s of reading".to_owned(), None),
        }
    }
    (frames, "a million frames and no end".to_owned(), None)
}

/// Runs `load` with one member that joins and then never reads again, until it is
/// closed, it has drained what was sent to it, and every other member has every
/// message.
async fn stop_reading_under(load: Load) -> Outcome {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = ServerProcess::start(dir.path(), free_port()).await;
    let test_cpu_before = common::process::cpu_time_of("self");

    // The stopped reader joins first, so every member sees it leave.
    let mut slow = connect_and_join(&server, SLOW).await;
    let stopped_reading = Instant::now();

    let (gone, mut gone_rx) = watch::channel(None);
    let gone = Arc::new(gone);
    let start = Arc::new(Barrier::new(load.normal + 1));
    let mut members = Vec::new();
    for i in 0..load.normal {
        let name = format!("reader{i:03}");
        let socket = connect_and_join(&server, &name).await;
        members.push(tokio::spawn(normal_member(
            socket,
            name,
            load.messages,
            Arc::clone(&gone),
            Arc::clone(&start),
        )));
    }
    start.wait().await;
    let (rss_before, _) = server.memory_kib();

    let filler = "x".repeat(load.body_bytes - 7);
    let plan = Plan {
        name: "sender".to_owned(),
        rooms: vec![(ROOM.to_owned(), load.messages as u64)],
        outgoing: (0..load.messages)
            .map(|n| Outgoing {
                room: ROOM.to_owned(),
                client_id: format!("m{n}"),
                body: format!("{n:06} {filler}"),
            })
            .collect(),
        window: 64,
        pace: load
            .rate
            .map(|rate| Duration::from_micros(1_000_000 / rate)),
        drops: Vec::new(),
        stay_away: None,
        deadline: DEADLINE,
    };
    let sending_started = Instant::now();
    let sender = tokio::spawn(resilient::run(
        plan,
        server.ws_base(),
        Arc::new(AtomicUsize::new(0)),
    ));

    let (stop_sampling, mut sampling_stopped) = watch::channel(false);
    let sample = async {
        let mut peak = rss_before;
        for _ in 0..(DEADLINE.as_millis() / 50) {
            peak = peak.max(server.memory_kib().0);
            let stopped = timeout(Duration::from_millis(50), sampling_stopped.changed());
            if stopped.await.is_ok() {
                break;
            }
        }
        peak
    };
    let run = async {
        let limit = stopped_reading + CLOSED_WITHIN + Duration::from_secs(10);
        let heard = tokio::time::timeout_at(limit, gone_rx.wait_for(Option::is_some)).await;
        let gone_at = heard.ok().and_then(|at| *at.expect("the members live"));
        // Read again now: what was buffered for it, then (if all is well) the close.
        let drained = drain(&mut slow).await;
        let sender = common::finish(sender).await;
        let mut seen = Vec::new();
        for member in members {
            seen.push(common::finish(member).await);
        }
        stop_sampling.send(true).expect("the sampler listens");
        (gone_at, drained, sender, seen)
    };
    let (sampled_peak, (gone_at, drained, sender, members)) = tokio::join!(sample, run);
    let traffic_took = sending_started.elapsed();
    let (_, hwm) = server.memory_kib();
    let server_cpu = server.cpu_time();
    let test_cpu = common::process::cpu_time_of("self") - test_cpu_before;
    let slow_log = server.log_lines(&format!("user={SLOW}"));
    let status = server.terminate().await;
    assert!(status.success(), "the server stops cleanly: {status}");

    let closed_after = gone_at.map(|at| at - stopped_reading);
    let (drained, ending, close_code) = drained;
    let report = format!(
        "{} readers, {} messages of {} bytes: the stopped reader was gone after \
         {closed_after:?}, then drained {drained} frames and found: {ending}; server RSS \
         {rss_before} KiB before the traffic, sampled peak {sampled_peak} KiB, VmHWM \
         {hwm} KiB; the traffic took {traffic_took:?}; CPU: server {server_cpu:?}, tests \
         {test_cpu:?}; server log: {slow_log:?}",
        load.normal, load.messages, load.body_bytes
    );
    Outcome {
        closed_after,
        drained,
        close_code,
        rss_before,
        rss_peak: sampled_peak.max(hwm),
        sender,
        members,
        report,
    }
}

/// Checks what every run must show; `why` is the close frame's reason, which names
/// the mechanism that closed the reader (connection.rs): "too slow to keep up" for a
/// full queue, "not reading" for unanswered pings or a stalled write.
fn check(outcome: &Outcome, messages: usize, why: &str) {
    let report = &outcome.report;
    // Waited for with a generous deadline (`stop_reading_under`), not timed.
    assert!(
        outcome.closed_after.is_some(),
        "the stopped reader was never closed: {report}"
    );
    assert_eq!(
        outcome.close_code,
        Some((4008, why.to_owned())),
        "behind what it was sent, the stopped reader finds a 4008 saying why: {report}"
    );
    assert!(outcome.drained > 0, "{report}");
    assert!(
        outcome.rss_peak <= outcome.rss_before + RSS_GROWTH_LIMIT_KIB,
        "the server's memory grew too much: {report}"
    );
    assert_eq!(
        outcome.sender.connections, 1,
        "the sender was never disconnected: {report}"
    );
    assert_eq!(outcome.sender.acks.len(), messages);
    for member in &outcome.members {
        assert_eq!(
            member.trouble, None,
            "{} lost its connection or a message: {report}",
            member.name
        );
        assert_eq!(member.messages, messages, "{}: {report}", member.name);
        assert_eq!(
            member.last_seq, messages as u64,
            "{}: {report}",
            member.name
        );
    }
}

/// 100 readers and 1 KiB messages at 200 per second for 12 s: the stopped reader is
/// closed for not answering pings before its buffers fill.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_reader_in_a_busy_room_is_closed_with_4008() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let load = Load {
        normal: 100,
        messages: 2400,
        rate: Some(200),
        body_bytes: 1024,
    };
    let messages = load.messages;
    let outcome = stop_reading_under(load).await;
    common::record("slow_reader/busy_room", &outcome.report);
    check(&outcome, messages, "not reading");
}

/// A few readers and 4 KB messages as fast as they are stored: the stopped reader's
/// socket buffers fill within seconds and the server is stuck writing to it when its
/// queue overflows. It must still be closed at once (not after the write timeout),
/// and its 4008 must wait behind the buffered data for it to read again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_reader_under_a_firehose_is_closed_with_4008() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let load = Load {
        normal: 5,
        messages: 6000,
        rate: None,
        body_bytes: 4000,
    };
    let messages = load.messages;
    let outcome = stop_reading_under(load).await;
    common::record("slow_reader/firehose", &outcome.report);
    // The full queue closed it, not the idle timeout.
    check(&outcome, messages, "too slow to keep up");
}
