//! Abuse protection from outside (docs/api.md and docs/protocol.md, "Limits"): the
//! message rate limit, socket caps, password attempt limits, trusted proxies and
//! the handshake timeout, each against a real server with the documented defaults
//! unless a test says otherwise.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{
    Client, TIMEOUT, TestServer, http_get, http_request_from, posted, try_connect, try_connect_from,
};
use confab_server::{Limits, Options};
use confab_shared::{ErrorCode, ServerMsg};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{Error, Message};

/// A server with guests allowed and `limits`.
async fn server_with(limits: Limits) -> TestServer {
    TestServer::start_with_options(Options {
        guests: true,
        limits,
        ..Options::default()
    })
    .await
}

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

/// docs/protocol.md: a burst of 20, then 2 a second; over it a sender is first slowed
/// (10 s), then refused with `rate_limited`, then, if it keeps sending without
/// waiting, closed with 1008. Another person in the same room is not slowed meanwhile.
#[tokio::test]
async fn a_flood_is_slowed_then_refused_then_closed_while_others_chat() {
    let server = server_with(Limits::default()).await;
    let mut flood = Client::connect(&server, "flood").await;
    flood.join("general", None).await;
    let mut bob = Client::connect(&server, "bob").await;
    bob.join("general", None).await;

    let burst = 200;
    for n in 0..burst {
        flood.send_chat("general", &format!("f{n}"), "spam").await;
    }
    // Bob chats at a person's pace, each message acked before the next; meanwhile
    // he sees how many of the flood's messages got through.
    let mut seen_from_flood = 0;
    for n in 0..10 {
        let client_id = format!("b{n}");
        bob.send_chat("general", &client_id, "hello").await;
        bob.recv_until(|msg| match msg {
            ServerMsg::Ack { client_id: c, .. } => c.as_str() == client_id,
            ServerMsg::Error { message, .. } => panic!("bob was refused: {message}"),
            other => {
                if posted(other.clone()).is_some_and(|m| m.author.as_str() == "flood") {
                    seen_from_flood += 1;
                }
                false
            }
        })
        .await;
    }
    assert!(
        seen_from_flood < burst,
        "bob's messages went through while the flood was held back ({seen_from_flood} of its {burst} seen)"
    );

    // The flood goes on, a message every 20 ms, never waiting as it is told.
    let (mut sent, mut acked, mut refused) = (burst, 0, 0);
    let started = tokio::time::Instant::now();
    let code = 'flood: loop {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "closed in time"
        );
        while let Some(frame) = flood.next_frame_within(Duration::from_millis(20)).await {
            match frame {
                Message::Close(frame) => break 'flood frame.map(|f| u16::from(f.code)),
                Message::Text(text) => {
                    match serde_json::from_str::<ServerMsg>(text.as_str()).expect("a frame") {
                        ServerMsg::Ack { .. } => acked += 1,
                        ServerMsg::Error {
                            code: ErrorCode::RateLimited,
                            retry_after_ms,
                            client_id,
                            ..
                        } => {
                            let wait = retry_after_ms.expect("rate_limited names when to retry");
                            assert!((1..=500).contains(&wait), "retry after {wait} ms");
                            assert!(client_id.is_some(), "names the refused send");
                            refused += 1;
                        }
                        ServerMsg::Error { message, .. } => {
                            panic!("unexpected refusal: {message}")
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        flood
            .send_chat("general", &format!("f{sent}"), "spam")
            .await;
        sent += 1;
    };
    assert_eq!(code, Some(1008), "sustained abuse closes with 1008");
    assert!(acked >= 20, "the burst went through: {acked} acked");
    assert!(acked < sent, "not everything went through: {acked} acked");
    assert!(
        refused >= 20,
        "refused 20 times before being closed: {refused}"
    );
    server.stop().await;
}

/// A client resending a backlog (a page after reconnecting) is slowed, not refused.
#[tokio::test]
async fn a_backlog_past_the_burst_is_delayed_not_refused() {
    let server = server_with(Limits::default()).await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("general", None).await;
    // 20 at once, then 2 a second: the last of 30 waits about 5 s.
    for n in 0..30 {
        ann.send_chat("general", &format!("c{n}"), "resent").await;
    }
    for n in 0..30 {
        ann.recv_ack(&format!("c{n}")).await;
    }
    server.stop().await;
}

/// Sends `count` messages as `client` may: `pipelined`, all at once (a page resending
/// its backlog after a reconnect), or else each after the last one's ack; a refused
/// one goes again after its `retry_after_ms`, with the same client id. Returns the
/// seq each was stored at; fails on any close or other refusal.
async fn send_as_told(mut client: Client, count: usize, pipelined: bool) -> Vec<u64> {
    use std::collections::HashMap;
    let prefix = client.name.clone();
    let id = |n: usize| format!("{prefix}{n}");
    let mut stored: HashMap<String, u64> = HashMap::new();
    let mut due: Vec<(tokio::time::Instant, String)> = Vec::new();
    let mut next = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(240);
    while stored.len() < count {
        assert!(tokio::time::Instant::now() < deadline, "all stored in time");
        if next < count && (pipelined || stored.len() == next) {
            client.send_chat("general", &id(next), "backlog").await;
            next += 1;
            continue;
        }
        let now = tokio::time::Instant::now();
        for (_, resend) in due.extract_if(.., |(at, _)| *at <= now) {
            client.send_chat("general", &resend, "backlog").await;
        }
        let Some(frame) = client.next_frame_within(Duration::from_millis(20)).await else {
            continue;
        };
        let Message::Text(text) = frame else {
            panic!("{}: {frame:?} after {} stored", client.name, stored.len());
        };
        match serde_json::from_str::<ServerMsg>(text.as_str()).expect("a frame") {
            ServerMsg::Ack { client_id, seq, .. } => {
                let first = stored.insert(client_id.as_str().to_owned(), seq);
                assert!(first.is_none(), "{client_id} acked once");
            }
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                retry_after_ms: Some(wait),
                client_id: Some(client_id),
                ..
            } => due.push((
                tokio::time::Instant::now() + Duration::from_millis(wait),
                client_id.as_str().to_owned(),
            )),
            ServerMsg::Error { message, .. } => panic!("{}: refused: {message}", client.name),
            _ => {}
        }
    }
    stored.into_values().collect()
}

/// docs/protocol.md: a client that waits `retry_after_ms` is never closed. At the
/// default limits, a backlog of 200 resent at once after a reconnect, and a client
/// that sends one message after each ack, are all stored once, and neither closed.
#[tokio::test]
async fn clients_that_wait_as_told_are_never_closed() {
    let server = server_with(Limits::default()).await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("general", None).await;
    let mut bob = Client::connect(&server, "bob").await;
    bob.join("general", None).await;
    let backlog = tokio::spawn(send_as_told(ann, 200, true));
    let steady = tokio::spawn(send_as_told(bob, 60, false));
    let mut seqs = common::finish(backlog).await;
    assert_eq!(seqs.len(), 200, "every message of the backlog stored");
    seqs.extend(common::finish(steady).await);
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 260, "each stored at a seq of its own");
    server.stop().await;
}

/// docs/api.md: 20 sockets per person and 200 per address by default; over a cap
/// the upgrade is refused with 429, and a closed socket frees its place.
#[tokio::test]
async fn sockets_are_capped_per_person_and_per_address() {
    let server = server_with(Limits {
        sockets_per_user: 2,
        sockets_per_ip: 3,
        ..Limits::off()
    })
    .await;
    let url = |name: &str| server.ws_url(&format!("?v=2&name={name}"));
    let first = try_connect(&url("ann")).await.expect("ann's first socket");
    let _second = try_connect(&url("ann")).await.expect("ann's second socket");
    match try_connect(&url("ann")).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("a third socket for ann: {other:?}"),
    }
    let _bob = try_connect(&url("bob")).await.expect("bob's socket");
    match try_connect(&url("cat")).await {
        Err(Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("a fourth socket from one address: {other:?}"),
    }
    let _cat = try_connect_from(loopback(2), server.addr, &url("cat"), &[])
        .await
        .expect("another address has its own count");
    drop(first);
    // The server hears of the close and frees the place.
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        match try_connect(&url("ann")).await {
            Ok(_) => break,
            Err(Error::Http(r)) if r.status() == 429 => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the place was never freed"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    server.stop().await;
}

async fn login_from(
    server: &TestServer,
    source: IpAddr,
    username: &str,
    headers: &[(&str, &str)],
) -> common::HttpResponse {
    let body = json!({ "username": username, "password": "wrong password" }).to_string();
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    http_request_from(
        Some(source),
        server.addr,
        "POST",
        "/api/login",
        &all,
        body.as_bytes(),
    )
    .await
}

/// docs/api.md: 10 attempts at once per address, then 10 a minute (429 with
/// Retry-After); an account's wrong passwords slow its next attempt, from any
/// address, but never lock it.
#[tokio::test]
async fn password_attempts_are_limited_per_address_and_per_account() {
    let server = server_with(Limits::default()).await;
    let here = loopback(1);
    for n in 0..10 {
        let answer = login_from(&server, here, &format!("nobody{n}"), &[]).await;
        assert_eq!(answer.status, 401, "attempt {n} is within the burst");
    }
    let refused = login_from(&server, here, "nobody10", &[]).await;
    assert_eq!(refused.status, 429);
    let retry: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=6).contains(&retry), "retry after {retry} s");

    // Three wrong passwords for one name, each from its own address...
    for n in 0..3 {
        let answer = login_from(&server, loopback(10 + n), "victim", &[]).await;
        assert_eq!(answer.status, 401);
    }
    // ...and the next try waits, whatever the address.
    let slowed = login_from(&server, loopback(20), "Victim", &[]).await;
    assert_eq!(slowed.status, 429, "the account is slowed down");
    assert!(slowed.header("retry-after").is_some());
    let other = login_from(&server, loopback(20), "someone", &[]).await;
    assert_eq!(other.status, 401, "only that account");
    server.stop().await;
}

/// X-Forwarded-For names the client only when the peer is a trusted proxy.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let server = server_with(Limits {
        login_burst: 2,
        login_per_minute: 1,
        trusted_proxies: vec![loopback(1)],
        ..Limits::default()
    })
    .await;
    let via = |client: &'static str| [("X-Forwarded-For", client)];
    let proxy = loopback(1);
    for n in 0..2 {
        let answer = login_from(&server, proxy, &format!("a{n}"), &via("203.0.113.1")).await;
        assert_eq!(answer.status, 401);
    }
    let third = login_from(&server, proxy, "a2", &via("203.0.113.1")).await;
    assert_eq!(third.status, 429, "that client used its attempts");
    let other = login_from(&server, proxy, "a3", &via("203.0.113.2")).await;
    assert_eq!(
        other.status, 401,
        "another client behind the proxy has its own"
    );

    // Not a trusted proxy: its header is its own invention.
    let stranger = loopback(5);
    for (n, claimed) in ["198.51.100.1", "198.51.100.2"].into_iter().enumerate() {
        let answer = login_from(&server, stranger, &format!("b{n}"), &via(claimed)).await;
        assert_eq!(answer.status, 401);
    }
    let third = login_from(&server, stranger, "b2", &via("198.51.100.3")).await;
    assert_eq!(third.status, 429, "counted by its own address");
    server.stop().await;
}

/// A connection that never finishes its request head is closed after the handshake
/// timeout; the server goes on serving.
#[tokio::test]
async fn a_handshake_that_never_finishes_is_closed() {
    let server = server_with(Limits {
        handshake_timeout: Duration::from_secs(1),
        ..Limits::off()
    })
    .await;
    let mut stalled = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    stalled
        .write_all(b"GET /ws?v=2&name=slow HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write half a request");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(TIMEOUT, stalled.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the server closed the stalled connection");
    assert_eq!(http_get(server.addr, "/healthz", &[]).await.status, 200);
    server.stop().await;
}

/// 200 wrong passwords at once, from 200 addresses (so they all reach the hasher), do
/// not hold up chat: two people exchange messages while they are being checked.
#[tokio::test]
async fn a_login_storm_does_not_stall_chat() {
    let server = server_with(Limits {
        message_rate: 0,
        ..Limits::default()
    })
    .await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("general", None).await;
    let mut bob = Client::connect(&server, "bob").await;
    bob.join("general", None).await;

    let answered = Arc::new(AtomicUsize::new(0));
    let server_addr = server.addr;
    let storm: Vec<_> = (0..200u8)
        .map(|n| {
            let answered = Arc::clone(&answered);
            tokio::spawn(async move {
                let body = json!({ "username": format!("guess{n}"), "password": "wrong password" });
                let answer = http_request_from(
                    Some(loopback(n.wrapping_add(2))),
                    server_addr,
                    "POST",
                    "/api/login",
                    &[("Content-Type", "application/json")],
                    body.to_string().as_bytes(),
                )
                .await;
                answered.fetch_add(1, Ordering::SeqCst);
                answer.status
            })
        })
        .collect();
    // Wait until the storm is being hashed, then chat through it.
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while answered.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no login was answered"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for n in 0..20 {
        ann.send_acked("general", &format!("a{n}"), "still here")
            .await;
        assert_eq!(bob.next_message().await.body.as_str(), "still here");
    }
    let during = answered.load(Ordering::SeqCst);
    assert!(
        during < 200,
        "chat finished while logins were still being checked ({during} answered)"
    );
    for task in storm {
        assert_eq!(
            common::finish(task).await,
            401,
            "each wrong password is refused"
        );
    }
    server.stop().await;
}

/// docs/protocol.md, `edit_message`: edits count against the message rate as sends
/// do, so a client cannot flood a room with edits: over the burst, they wait their
/// turn (held, not lost), and every one lands.
#[tokio::test]
async fn edits_are_paced_as_messages_are() {
    let server = server_with(Limits {
        message_burst: 2,
        message_rate: 2,
        ..Limits::default()
    })
    .await;
    let mut ann = Client::connect(&server, "ann").await;
    ann.join("general", None).await;
    let (_, id) = ann.send_acked("general", "m0", "draft").await;
    let started = tokio::time::Instant::now();
    for n in 1..=5 {
        ann.send_json(serde_json::json!({
            "type": "edit_message", "room": "general", "id": id,
            "client_id": format!("e{n}"), "body": format!("draft {n}")
        }))
        .await;
    }
    let mut landed = Vec::new();
    while landed.len() < 5 {
        if let ServerMsg::Event(event) = ann.recv_until(|m| matches!(m, ServerMsg::Event(_))).await
            && let confab_shared::EventKind::MessageEdited(edit) = event.kind
        {
            landed.push(edit.client_id.as_str().to_owned());
        }
    }
    assert_eq!(landed, ["e1", "e2", "e3", "e4", "e5"], "all, in order");
    // One message and five edits against a burst of 2 and 2 a second: at least four
    // waited their turn, half a second each.
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "paced: {:?}",
        started.elapsed()
    );
    server.stop().await;
}
