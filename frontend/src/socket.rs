//! The one WebSocket: opens it, feeds what arrives into the chat state, sends what the
//! page asks for, and reconnects with backoff when it drops. Components never touch
//! gloo-net; they call [`Socket::send`].

use std::time::Duration;

use confab_shared::close::{self, Action};
use confab_shared::protocol::PROTOCOL_VERSION;
use confab_shared::{ClientMsg, ServerMsg};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::future::Fuse;
use futures::stream::FusedStream;
use futures::{FutureExt, SinkExt, StreamExt, select};
use gloo_net::websocket::events::CloseEvent;
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};
use gloo_timers::future::{IntervalStream, TimeoutFuture, sleep};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::account::Who;
use crate::model::{Chat, Link};
use crate::state::ChatState;

const FIRST_RETRY: Duration = Duration::from_millis(500);
const MAX_RETRY: Duration = Duration::from_secs(15);

/// A browser cannot see WebSocket pings, so the page checks the line itself: after
/// this much silence it sends a `ping`...
const PING_AFTER_MS: f64 = 10_000.0;
/// ...and after this much it takes the socket for dead (a sleeping laptop, a
/// half-open connection) and reconnects.
const DEAD_AFTER_MS: f64 = 20_000.0;
const CHECK_EVERY_MS: u32 = 2_500;

/// Sends frames on the current socket. Frames given while offline are dropped: the
/// chat state keeps what matters (rooms, unconfirmed messages) and is replayed by
/// [`Chat::resume`] on every (re)connect.
#[derive(Clone, Copy)]
pub struct Socket {
    tx: StoredValue<UnboundedSender<ClientMsg>>,
}

impl Socket {
    pub fn send(&self, msg: ClientMsg) {
        let sent = self.tx.try_with_value(|tx| tx.unbounded_send(msg).is_ok());
        if sent != Some(true) {
            log("socket task is gone; frame dropped");
        }
    }

    /// Ends the connection loop and closes the socket (when the chat view goes away).
    pub fn stop(&self) {
        self.tx.try_with_value(|tx| tx.close_channel());
    }

    /// Starts the connection loop for `who`, updating `chat`.
    pub fn start(who: Who, chat: ChatState) -> Self {
        let (tx, rx) = unbounded();
        spawn_local(run(who, chat, rx));
        Self {
            tx: StoredValue::new(tx),
        }
    }
}

fn log(text: &str) {
    web_sys::console::log_1(&text.into());
}

/// The socket's address: a guest names itself; an account's session cookie goes with
/// the upgrade by itself.
fn socket_url(who: &Who) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().ok()?;
    let base = format!("{scheme}://{host}/ws?v={PROTOCOL_VERSION}");
    Some(match who {
        Who::Member(_) => base,
        Who::Guest(name) => {
            let name = String::from(js_sys::encode_uri_component(name.as_str()));
            format!("{base}&name={name}")
        }
    })
}

async fn run(who: Who, chat: ChatState, mut outgoing: UnboundedReceiver<ClientMsg>) {
    let Some(url) = socket_url(&who) else {
        log("cannot tell the page's address; not connecting");
        return;
    };
    let mut retry = FIRST_RETRY;
    loop {
        chat.update(|c| c.set_link(Link::Connecting));
        match WebSocket::open(&url) {
            Ok(ws) => {
                let (welcomed, closed) = session(ws, chat, &mut outgoing).await;
                if welcomed {
                    retry = FIRST_RETRY;
                }
                if let Some(close) = closed
                    && !obey(&close, chat)
                {
                    return;
                }
            }
            Err(error) => log(&format!("could not open the socket: {error}")),
        }
        if outgoing.is_terminated() || chat.update(|c| c.set_link(Link::Offline)).is_none() {
            return; // the chat view was torn down
        }
        // Frames asked for while offline are covered by the next resume.
        while outgoing.try_recv().is_ok() {}
        let pause = jitter(retry);
        log(&format!("reconnecting in {} ms", pause.as_millis()));
        sleep(pause).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// Does what the server's close code asks (docs/protocol.md, "Close codes"); returns
/// whether to reconnect.
fn obey(close: &CloseEvent, chat: ChatState) -> bool {
    let stop = |text: String| {
        log(&text);
        let _ = chat.update(|c| {
            c.tell(text);
            c.set_link(Link::Stopped);
        });
        false
    };
    match close::action(close.code) {
        Action::Reconnect => true,
        Action::Stop => stop(with_reason(
            "The server ended the connection and asked not to reconnect",
            close,
        )),
        Action::SignIn => {
            let _ = chat.update(Chat::end_session);
            stop(with_reason("Your session ended; sign in again", close))
        }
        Action::Reload => reload_once(close).unwrap_or_else(stop),
    }
}

fn with_reason(text: &str, close: &CloseEvent) -> String {
    if close.reason.is_empty() {
        format!("{text}.")
    } else {
        format!("{text}: {}.", close.reason)
    }
}

/// Loads the page anew (a newer one speaks the server's protocol), unless it did so a
/// moment ago: then the newer page is not there yet, and reloading again would loop.
/// Returns what to tell the person when it does not reload.
fn reload_once(close: &CloseEvent) -> Result<bool, String> {
    const KEY: &str = "confab.reloaded_at";
    let now = js_sys::Date::now();
    let window = web_sys::window().ok_or_else(|| "This page cannot reload itself".to_owned())?;
    let session = window.session_storage().ok().flatten();
    let last: f64 = session
        .as_ref()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    if now - last < 60_000.0 {
        return Err(with_reason(
            "This page is older than the server; reload it later",
            close,
        ));
    }
    if let Some(session) = session {
        let _ = session.set_item(KEY, &now.to_string());
    }
    log("the server speaks a newer protocol; reloading the page");
    window
        .location()
        .reload()
        .map_err(|_| "This page is older than the server; reload it".to_owned())?;
    Ok(false)
}

/// Runs one connection until it closes. Returns whether it got as far as a welcome,
/// and the server's close, if it sent one.
async fn session(
    ws: WebSocket,
    chat: ChatState,
    outgoing: &mut UnboundedReceiver<ClientMsg>,
) -> (bool, Option<CloseEvent>) {
    let (mut write, mut read) = ws.split();
    let mut welcomed = false;
    let mut checks = IntervalStream::new(CHECK_EVERY_MS).fuse();
    let mut last_heard = js_sys::Date::now();
    let mut pinged = false;
    let mut closed = None;
    // Sends the server refused for now (rate limited) go again when this fires.
    let mut resend: Fuse<TimeoutFuture> = Fuse::terminated();
    let close_it = 'session: loop {
        select! {
            () = resend => {
                let frames = chat.update(Chat::resends).unwrap_or_default();
                for frame in frames {
                    if !send(&mut write, &frame).await {
                        break 'session false;
                    }
                }
            },
            _ = checks.next() => {
                let silence = js_sys::Date::now() - last_heard;
                if silence > DEAD_AFTER_MS {
                    log("no answer from the server; reconnecting");
                    break 'session true;
                }
                if silence > PING_AFTER_MS && welcomed && !pinged {
                    pinged = true;
                    if !send(&mut write, &ClientMsg::Ping).await {
                        break 'session false;
                    }
                }
            },
            incoming = read.next().fuse() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_heard = js_sys::Date::now();
                    pinged = false;
                    match serde_json::from_str::<ServerMsg>(&text) {
                    Ok(msg) => {
                        let first = matches!(msg, ServerMsg::Welcome { .. });
                        chat.apply(msg);
                        let asked = chat.update(Chat::take_outgoing).unwrap_or_default();
                        if welcomed {
                            for frame in asked {
                                if !send(&mut write, &frame).await {
                                    break 'session false;
                                }
                            }
                        }
                        if let Some(ms) = chat.update(Chat::take_resend_delay).flatten() {
                            resend = sleep(Duration::from_millis(ms)).fuse();
                        }
                        if first {
                            welcomed = true;
                            log("connected");
                            let frames = chat.read_untracked(Chat::resume);
                            for frame in frames {
                                if !send(&mut write, &frame).await {
                                    break 'session false;
                                }
                            }
                        }
                    }
                    Err(error) => log(&format!("unreadable frame from the server: {error}")),
                }},
                Some(Ok(Message::Bytes(_))) => log("unexpected binary frame"),
                Some(Err(WebSocketError::ConnectionClose(close))) => {
                    log(&format!("socket closed: {} {}", close.code, close.reason));
                    closed = Some(close);
                    break false;
                }
                Some(Err(error)) => {
                    log(&format!("socket closed: {error}"));
                    break false;
                }
                None => break false,
            },
            msg = outgoing.next() => match msg {
                // Before the welcome, resume will cover it.
                Some(msg) if welcomed => {
                    if !send(&mut write, &msg).await {
                        break false;
                    }
                }
                Some(_) => {}
                None => break true,
            },
        }
    };
    if close_it {
        // gloo-net closes a socket only when asked to, not when dropped.
        if let Ok(ws) = read.reunite(write) {
            let _closed = ws.close(Some(close::NORMAL), Some("page closed"));
        }
    }
    (welcomed, closed)
}

async fn send(write: &mut (impl futures::Sink<Message> + Unpin), msg: &ClientMsg) -> bool {
    match serde_json::to_string(msg) {
        Ok(text) => write.send(Message::Text(text)).await.is_ok(),
        Err(_) => true,
    }
}

/// Spreads reconnects of many pages over time: 75%-125% of `base`.
fn jitter(base: Duration) -> Duration {
    base.mul_f64(0.75 + js_sys::Math::random() / 2.0)
}
