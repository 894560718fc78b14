//! Setting up for the benchmark, before a scenario starts (not timed): rooms made,
//! accounts registered and API tokens minted; and wrong passwords sent beside one (a
//! login storm). Plain HTTP/1.1 on loopback, one request per connection.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::task::JoinSet;

/// One request; gives the status, the `Set-Cookie` value (its `name=value`) and the
/// body.
async fn request(
    server: SocketAddr,
    local: Option<IpAddr>,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> io::Result<(u16, Option<String>, String)> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let mut stream = socket.connect(server).await?;
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{cookie}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other("no status line"))?;
    let set_cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    Ok((status, set_cookie, body.to_owned()))
}

/// Registers `accounts` accounts, makes each a member of `room` (so the run measures
/// joining, not becoming a member: that is an event every member would hear of), and
/// mints `per_account` API tokens for each; gives the tokens (account after account).
pub async fn mint_tokens(
    server: SocketAddr,
    accounts: usize,
    per_account: usize,
    room: &str,
) -> anyhow::Result<Vec<String>> {
    let mut tasks = JoinSet::new();
    // A few at a time: the server hashes two passwords at once anyway.
    let lanes = 8;
    for lane in 0..lanes {
        let room = room.to_owned();
        tasks.spawn(async move {
            let mut tokens = Vec::new();
            for a in (lane..accounts).step_by(lanes) {
                tokens.extend(account_tokens(server, a, per_account, &room).await?);
            }
            anyhow::Ok(tokens)
        });
    }
    let mut all = Vec::with_capacity(accounts * per_account);
    while let Some(done) = tasks.join_next().await {
        all.extend(done??);
    }
    Ok(all)
}

async fn account_tokens(
    server: SocketAddr,
    a: usize,
    per_account: usize,
    room: &str,
) -> anyhow::Result<Vec<String>> {
    let form = format!(r#"{{"username":"bench{a}","password":"bench password {a}"}}"#);
    let (status, cookie, body) = request(server, None, "/api/register", None, &form).await?;
    anyhow::ensure!(status == 201, "registering bench{a}: {status} {body}");
    let cookie = cookie.context("no session cookie after registering")?;
    become_member(server, &cookie, room).await?;
    let mut tokens = Vec::with_capacity(per_account);
    for t in 0..per_account {
        let body = format!(r#"{{"name":"bench {t}"}}"#);
        let (status, _, answer) =
            request(server, None, "/api/tokens", Some(&cookie), &body).await?;
        anyhow::ensure!(status == 201, "minting a token: {status} {answer}");
        // {"id": .., "token": "cfb_..."}: the token has no quotes or escapes in it.
        let token = answer
            .split(r#""token":""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .context("no token in the answer")?;
        tokens.push(token.to_owned());
    }
    Ok(tokens)
}

/// Joins `room` once with the session `cookie` and waits for `joined`: the account
/// is a member from then on.
async fn become_member(server: SocketAddr, cookie: &str, room: &str) -> anyhow::Result<()> {
    use crate::ws::TEXT;
    let headers = format!("Cookie: {cookie}\r\n");
    let (mut reader, mut writer) =
        crate::ws::connect(server, None, "/ws?v=2", &headers, None).await?;
    let frame = format!(r#"{{"type":"join","room":"{room}"}}"#);
    writer.push(TEXT, frame.as_bytes());
    writer.flush().await?;
    loop {
        let (_, payload) = tokio::time::timeout(Duration::from_secs(30), reader.next())
            .await
            .context("no answer to join in 30 s")??;
        if payload.starts_with(br#"{"type":"joined""#) {
            return Ok(());
        }
        anyhow::ensure!(
            !payload.starts_with(br#"{"type":"error""#),
            "joining {room}: {}",
            String::from_utf8_lossy(payload)
        );
    }
}

/// Wrong passwords at `per_second`, each for a name of its own and from an address of
/// its own (127.200.x.y), so that no limit stops them before the hasher, until
/// `stop` resolves. Gives how many were answered 401.
pub async fn login_storm(
    server: SocketAddr,
    per_second: f64,
    stop: impl Future<Output = ()>,
) -> u64 {
    let refused = Arc::new(AtomicU64::new(0));
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = std::pin::pin!(stop);
    let mut attempts = JoinSet::new();
    for n in 0u32.. {
        tokio::select! {
            () = &mut stop => break,
            _ = ticks.tick() => {}
        }
        let [_, _, x, y] = n.to_be_bytes();
        let local = IpAddr::V4(Ipv4Addr::new(127, 200, x, y.max(1)));
        let refused = Arc::clone(&refused);
        attempts.spawn(async move {
            let form = format!(r#"{{"username":"nobody{n}","password":"wrong password"}}"#);
            if let Ok((401, _, _)) = request(server, Some(local), "/api/login", None, &form).await {
                refused.fetch_add(1, Ordering::Relaxed);
            }
        });
        // Reap finished ones as we go.
        while attempts.try_join_next().is_some() {}
    }
    attempts.abort_all();
    refused.load(Ordering::Relaxed)
}

/// Makes each of `rooms` over one socket (a guest's: public rooms). A build from
/// before rooms were made on purpose answers with an error for each, and makes
/// rooms as they are joined: either way, every room is there afterwards.
pub async fn create_rooms(server: SocketAddr, rooms: &[String]) -> anyhow::Result<()> {
    use crate::ws::TEXT;
    if rooms.is_empty() {
        return Ok(());
    }
    let (mut reader, mut writer) =
        crate::ws::connect(server, None, "/ws?v=2&name=bench-setup", "", None).await?;
    for room in rooms {
        let frame = format!(r#"{{"type":"create_room","room":"{room}"}}"#);
        writer.push(TEXT, frame.as_bytes());
    }
    writer.flush().await?;
    let mut answered = 0;
    while answered < rooms.len() {
        let (_, payload) = tokio::time::timeout(Duration::from_secs(30), reader.next())
            .await
            .context("no answer to create_room in 30 s")??;
        if payload.starts_with(br#"{"type":"room""#) || payload.starts_with(br#"{"type":"error""#) {
            answered += 1;
        }
    }
    Ok(())
}
