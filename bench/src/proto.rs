//! What each kind of server expects on the wire: Confab's protocol, a plain broadcast
//! server (every text frame goes to everyone), and socket.io's engine.io framing.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ws::{self, PING, PONG, Reader, TEXT, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Confab,
    Plain,
    SocketIo,
}

/// What a received frame was, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A chat message, with the send time it carries (ns since the Unix epoch).
    Delivery(Option<u64>),
    /// Confab's ack of one of our sends.
    Ack,
    Other,
}

/// Whether an `event` frame is of kind `message` (the kind comes right after the
/// room and seq, so only the frame's head is searched).
fn posts_a_message(payload: &[u8]) -> bool {
    let head = &payload[..payload.len().min(160)];
    head.windows(16).any(|w| w == br#""kind":"message""#)
}

/// Bodies are this long, as in the peers' published figures.
pub const BODY_LEN: usize = 64;

/// A 64-byte body that carries its send time: `t=<20 digits>;xxxx...`.
pub fn body(now_ns: u64) -> [u8; BODY_LEN] {
    let mut out = [b'x'; BODY_LEN];
    let stamp = format!("t={now_ns:020};");
    out[..stamp.len()].copy_from_slice(stamp.as_bytes());
    out
}

pub fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The `seq` of a Confab event (it comes right after the room, in the frame's head).
pub fn seq_in(payload: &[u8]) -> Option<u64> {
    let head = &payload[..payload.len().min(160)];
    let at = head.windows(6).position(|w| w == br#""seq":"#)? + 6;
    let digits: Vec<u8> = head[at..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn stamp_in(payload: &[u8]) -> Option<u64> {
    let at = payload.windows(2).position(|w| w == b"t=")? + 2;
    let digits = payload.get(at..at + 20)?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

impl Proto {
    fn path(self, user: &str, token: Option<&str>) -> String {
        match self {
            // Signed in by the token's header.
            Proto::Confab if token.is_some() => "/ws?v=2".to_owned(),
            // Version 2; an older Confab (a --baseline) ignores the `v`.
            Proto::Confab => format!("/ws?v=2&name={user}"),
            Proto::Plain => "/".to_owned(),
            Proto::SocketIo => "/socket.io/?EIO=4&transport=websocket".to_owned(),
        }
    }

    /// Connects as `user` (or with an API `token`) and, for Confab, joins `room`
    /// (waiting for the reply).
    pub async fn connect(
        self,
        server: SocketAddr,
        local: Option<IpAddr>,
        user: &str,
        token: Option<&str>,
        room: &str,
        recv_buffer: Option<u32>,
    ) -> io::Result<(Reader, Writer)> {
        let header = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let (mut reader, mut writer) =
            ws::connect(server, local, &self.path(user, token), &header, recv_buffer).await?;
        match self {
            Proto::Plain => {}
            Proto::Confab => {
                let join = format!(r#"{{"type":"join","room":"{room}"}}"#);
                writer.send(TEXT, join.as_bytes()).await?;
                loop {
                    let (_, payload) = reader.next().await?;
                    if payload.starts_with(br#"{"type":"joined""#) {
                        break;
                    }
                }
            }
            Proto::SocketIo => {
                reader.next().await?; // engine.io "open"
                writer.send(TEXT, b"40").await?;
                loop {
                    let (_, payload) = reader.next().await?;
                    if payload.starts_with(b"40") {
                        break;
                    }
                }
            }
        }
        Ok((reader, writer))
    }

    /// Queues one chat message (`n` makes Confab's client_id unique per sender).
    pub fn push_message(self, writer: &mut Writer, room: &str, sender: &str, n: u64) {
        let body = body(now_ns());
        let body = std::str::from_utf8(&body).unwrap_or("x");
        match self {
            Proto::Confab => {
                // Time first, as Confab's page makes them: see docs/protocol.md.
                let ms = now_ns() / 1_000_000;
                let frame = format!(
                    r#"{{"type":"send","room":"{room}","client_id":"{ms:012x}-{sender}-{n}","body":"{body}"}}"#
                );
                writer.push(TEXT, frame.as_bytes());
            }
            Proto::Plain => writer.push(TEXT, body.as_bytes()),
            Proto::SocketIo => writer.push(TEXT, format!(r#"42["msg","{body}"]"#).as_bytes()),
        }
    }

    /// Classifies a frame, and answers what must be answered (pings).
    pub fn classify(self, opcode: u8, payload: &[u8], replies: &mut Writer) -> Seen {
        if opcode == PING {
            replies.push(PONG, payload);
            return Seen::Other;
        }
        if opcode != TEXT {
            return Seen::Other;
        }
        match self {
            Proto::Plain => Seen::Delivery(stamp_in(payload)),
            // Protocol 2's message events (not the room's other events: members
            // joining); `message` is how version 1 (a --baseline) sends them.
            Proto::Confab
                if (payload.starts_with(br#"{"type":"event""#) && posts_a_message(payload))
                    || payload.starts_with(br#"{"type":"message""#) =>
            {
                Seen::Delivery(stamp_in(payload))
            }
            Proto::Confab if payload.starts_with(br#"{"type":"ack""#) => Seen::Ack,
            Proto::Confab => Seen::Other,
            Proto::SocketIo if payload.starts_with(b"42") => Seen::Delivery(stamp_in(payload)),
            Proto::SocketIo if payload == b"2" => {
                replies.push(TEXT, b"3");
                Seen::Other
            }
            Proto::SocketIo => Seen::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_carry_their_time() {
        let b = body(1_234_567_890_123);
        assert_eq!(b.len(), BODY_LEN);
        assert_eq!(stamp_in(&b), Some(1_234_567_890_123));
        let framed = format!(
            r#"{{"type":"message","body":"{}"}}"#,
            std::str::from_utf8(&b).unwrap()
        );
        assert_eq!(stamp_in(framed.as_bytes()), Some(1_234_567_890_123));
    }
}
