//! The smallest WebSocket client that will do for load: a hand-written upgrade, then
//! raw frames read in bulk and parsed in place. The load generator must cost less
//! than any server it measures, so it does no UTF-8 checks, no JSON parsing and no
//! allocation per frame.

use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

pub const TEXT: u8 = 0x1;
pub const CLOSE: u8 = 0x8;
pub const PING: u8 = 0x9;
pub const PONG: u8 = 0xA;

/// Connects from `local` (one of several 127.0.0.x, to get past 28k ports per source
/// address) and upgrades `path` to a WebSocket.
pub async fn connect(
    server: SocketAddr,
    local: Option<IpAddr>,
    path: &str,
    headers: &str,
    recv_buffer: Option<u32>,
) -> io::Result<(Reader, Writer)> {
    let socket = TcpSocket::new_v4()?;
    if let Some(ip) = local {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    if let Some(bytes) = recv_buffer {
        // Before connecting: the window offered in the handshake follows from it.
        socket.set_recv_buffer_size(bytes)?;
    }
    let mut stream: TcpStream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{headers}\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    let head_end = loop {
        let n = stream.read(&mut buf[len..]).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed during upgrade",
            ));
        }
        len += n;
        if let Some(at) = buf[..len].windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if len == buf.len() {
            return Err(io::Error::other("upgrade response too long"));
        }
    };
    if !buf.starts_with(b"HTTP/1.1 101") {
        let status = String::from_utf8_lossy(&buf[..head_end.min(40)]).into_owned();
        return Err(io::Error::other(format!("upgrade refused: {status}")));
    }
    let (read, write) = stream.into_split();
    let mut reader = Reader::new(read);
    reader.buf[..len - head_end].copy_from_slice(&buf[head_end..len]);
    reader.end = len - head_end;
    Ok((
        reader,
        Writer {
            half: write,
            out: Vec::with_capacity(256),
        },
    ))
}

/// Reads frames; each payload is valid until the next call.
pub struct Reader {
    half: OwnedReadHalf,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Reader {
    fn new(half: OwnedReadHalf) -> Self {
        Self {
            half,
            buf: vec![0u8; 16 * 1024],
            start: 0,
            end: 0,
        }
    }

    /// The next frame's opcode and payload. Fragmented messages are not expected from
    /// the servers measured; their continuation frames come back as opcode 0.
    pub async fn next(&mut self) -> io::Result<(u8, &[u8])> {
        loop {
            if let Some((opcode, from, to)) = parse(&self.buf[self.start..self.end]) {
                let (from, to) = (self.start + from, self.start + to);
                self.start = to;
                return Ok((opcode, &self.buf[from..to]));
            }
            // Need more bytes: compact, grow if one frame is bigger than the buffer.
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = self.half.read(&mut self.buf[self.end..]).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed",
                ));
            }
            self.end += n;
        }
    }
}

/// (opcode, payload start, payload end) of the first whole frame in `data`.
fn parse(data: &[u8]) -> Option<(u8, usize, usize)> {
    if data.len() < 2 {
        return None;
    }
    let opcode = data[0] & 0x0F;
    let (len, header) = match data[1] & 0x7F {
        126 if data.len() >= 4 => (usize::from(u16::from_be_bytes([data[2], data[3]])), 4),
        127 if data.len() >= 10 => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&data[2..10]);
            (usize::try_from(u64::from_be_bytes(b)).ok()?, 10)
        }
        126 | 127 => return None,
        n => (usize::from(n), 2),
    };
    (data.len() >= header + len).then_some((opcode, header, header + len))
}

pub struct Writer {
    half: OwnedWriteHalf,
    out: Vec<u8>,
}

impl Writer {
    /// Queues a frame; `flush` writes everything queued in one syscall.
    pub fn push(&mut self, opcode: u8, payload: &[u8]) {
        self.out.push(0x80 | opcode);
        // Client frames must be masked; a zero key leaves the payload as it is.
        match payload.len() {
            n if n < 126 => self.out.push(0x80 | n as u8),
            n if n <= usize::from(u16::MAX) => {
                self.out.push(0x80 | 126);
                self.out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                self.out.push(0x80 | 127);
                self.out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        self.out.extend_from_slice(&[0, 0, 0, 0]);
        self.out.extend_from_slice(payload);
    }

    pub fn has_pending(&self) -> bool {
        !self.out.is_empty()
    }

    pub async fn flush(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        self.half.write_all(&self.out).await?;
        self.out.clear();
        Ok(())
    }

    pub async fn send(&mut self, opcode: u8, payload: &[u8]) -> io::Result<()> {
        self.push(opcode, payload);
        self.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_whole_frames_only() {
        assert_eq!(parse(&[0x81, 2, b'h', b'i']), Some((1, 2, 4)));
        assert_eq!(parse(&[0x81, 2, b'h']), None);
        let mut long = vec![0x81, 126, 1, 0];
        long.extend(std::iter::repeat_n(b'x', 256));
        assert_eq!(parse(&long), Some((1, 4, 260)));
        assert_eq!(parse(&long[..100]), None);
    }
}
