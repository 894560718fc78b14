//! How connections are kept alive and kept in check. The defaults suit production;
//! tests shorten the timings.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// How often the server pings each socket (and checks on it).
    pub ping_interval: Duration,
    /// A socket that sends nothing, not even a pong, for this long is closed with
    /// 4008: it has stopped reading, or vanished without closing. With the defaults,
    /// such a peer is gone within `idle_timeout + ping_interval` = 14 s.
    pub idle_timeout: Duration,
    /// A write that cannot complete for this long means the peer stopped reading:
    /// the socket is closed with 4008. Also how long a 4008 close frame waits (behind
    /// what was already sent) for the peer to read it.
    pub write_timeout: Duration,
    /// Frames a connection's outbound queue holds; a full queue means the reader
    /// cannot keep up, and the socket is closed with 4008.
    pub queue_capacity: usize,
    /// How long presence changes are gathered before they are announced together.
    pub presence_interval: Duration,
}

impl Settings {
    /// Sends of one connection that may await their ack at once: a quarter of the
    /// queue. Past this the connection stops reading its socket until acks go out, so
    /// a client that pipelines sends is slowed by TCP, never closed: its own acks and
    /// echoes (two frames per send) fill at most half of its queue.
    pub fn sends_in_flight(&self) -> usize {
        (self.queue_capacity / 4).max(1)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(9),
            write_timeout: Duration::from_secs(10),
            queue_capacity: 1024,
            presence_interval: Duration::from_millis(100),
        }
    }
}
