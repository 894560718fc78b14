//! The little of Redis's protocol (RESP2) the broker speaks: commands out as arrays
//! of bulk strings, replies and pushed messages in. One connection per use (a
//! subscriber cannot publish), reconnected by its owner.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// The longest bulk string read: a room event is far smaller; more is a broken peer.
const MAX_BULK: usize = 16 * 1024 * 1024;
/// The most items of an array read.
const MAX_ITEMS: usize = 1024;
/// How long connecting may take.
const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// A reply, or a message pushed to a subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Value>>),
}

/// Where Redis is: `redis://[[user]:password@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisUrl {
    host: String,
    port: u16,
    /// An ACL user (Redis 6 and later), with the password.
    user: Option<String>,
    password: Option<String>,
}

impl std::str::FromStr for RedisUrl {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| format!("{url:?} is not a redis:// URL"))?;
        // The last `@` ends the user's part (a password may hold `@` or `/`).
        let (user_info, rest) = match rest.rsplit_once('@') {
            Some((user_info, rest)) => (Some(user_info), rest),
            None => (None, rest),
        };
        let (user, password) = match user_info {
            Some(info) => {
                let (user, password) = info.split_once(':').unwrap_or(("", info));
                (decoded(user)?, decoded(password)?)
            }
            None => (None, None),
        };
        let at = rest.split('/').next().unwrap_or_default();
        let (host, port) = match at.strip_prefix('[') {
            // An IPv6 address: [::1] or [::1]:6380.
            Some(v6) => {
                let (host, after) = v6
                    .split_once(']')
                    .ok_or_else(|| format!("{url:?}: an unclosed ["))?;
                (host, after.strip_prefix(':'))
            }
            None => match at.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (at, None),
            },
        };
        let port = match port {
            Some(port) => port
                .parse()
                .map_err(|_| format!("{port:?} in {url:?} is not a port"))?,
            None => 6379,
        };
        if host.is_empty() {
            return Err(format!("{url:?} names no host"));
        }
        Ok(Self {
            host: host.to_owned(),
            port,
            user,
            password,
        })
    }
}

/// A URL's user or password, percent-decoded; None if empty.
fn decoded(text: &str) -> Result<Option<String>, String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, after)) = rest.split_first() {
        if first == b'%' {
            let hex = after
                .get(..2)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| "a bad %-escape in the Redis URL".to_owned())?;
            bytes.push(hex);
            rest = &after[2..];
        } else {
            bytes.push(first);
            rest = after;
        }
    }
    let text = String::from_utf8(bytes).map_err(|_| "the Redis URL is not UTF-8".to_owned())?;
    Ok(Some(text).filter(|t| !t.is_empty()))
}

impl std::fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password: this goes to logs.
        write!(f, "redis://{}:{}", self.host, self.port)
    }
}

/// One connection to Redis.
pub(crate) struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
}

fn broken(why: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.into())
}

impl Conn {
    /// Connects (and signs in, if the URL has a password).
    pub(crate) async fn connect(url: &RedisUrl) -> std::io::Result<Self> {
        let stream = tokio::time::timeout(
            CONNECT_WITHIN,
            TcpStream::connect((url.host.as_str(), url.port)),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connecting to Redis"))??;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        let mut conn = Self {
            reader: BufReader::new(read),
            writer: BufWriter::new(write),
        };
        if let Some(password) = &url.password {
            let reply = match &url.user {
                Some(user) => {
                    conn.call(&[b"AUTH", user.as_bytes(), password.as_bytes()])
                        .await?
                }
                None => conn.call(&[b"AUTH", password.as_bytes()]).await?,
            };
            if let Value::Error(why) = reply {
                return Err(broken(format!("Redis refused the password: {why}")));
            }
        }
        Ok(conn)
    }

    /// Writes one command (buffered: [`Conn::flush`] sends).
    pub(crate) async fn send(&mut self, args: &[&[u8]]) -> std::io::Result<()> {
        let w = &mut self.writer;
        w.write_all(format!("*{}\r\n", args.len()).as_bytes())
            .await?;
        for arg in args {
            w.write_all(format!("${}\r\n", arg.len()).as_bytes())
                .await?;
            w.write_all(arg).await?;
            w.write_all(b"\r\n").await?;
        }
        Ok(())
    }

    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush().await
    }

    /// Sends one command and reads its reply.
    pub(crate) async fn call(&mut self, args: &[&[u8]]) -> std::io::Result<Value> {
        self.send(args).await?;
        self.flush().await?;
        self.read().await
    }

    /// Reads one reply or pushed message.
    pub(crate) async fn read(&mut self) -> std::io::Result<Value> {
        read_value(&mut self.reader, 0).await
    }
}

/// One line, without its CRLF.
async fn line(reader: &mut BufReader<OwnedReadHalf>) -> std::io::Result<String> {
    let mut text = String::new();
    // Lines (not bulk bodies) are short: a type byte and a number or a word.
    let read = (&mut *reader).take(64 * 1024).read_line(&mut text).await?;
    if read == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    text.strip_suffix("\r\n")
        .map(str::to_owned)
        .ok_or_else(|| broken("a Redis line without CRLF"))
}

fn number(text: &str) -> std::io::Result<i64> {
    text.parse()
        .map_err(|_| broken(format!("{text:?} is not a number")))
}

fn read_value(
    reader: &mut BufReader<OwnedReadHalf>,
    depth: usize,
) -> std::pin::Pin<Box<dyn Future<Output = std::io::Result<Value>> + Send + '_>> {
    Box::pin(async move {
        if depth > 4 {
            return Err(broken("Redis arrays nested too deep"));
        }
        let head = line(reader).await?;
        let (kind, rest) = head
            .split_at_checked(1)
            .ok_or_else(|| broken("an empty line"))?;
        match kind {
            "+" => Ok(Value::Simple(rest.to_owned())),
            "-" => Ok(Value::Error(rest.to_owned())),
            ":" => Ok(Value::Int(number(rest)?)),
            "$" => {
                let Ok(len) = usize::try_from(number(rest)?) else {
                    return Ok(Value::Bulk(None));
                };
                if len > MAX_BULK {
                    return Err(broken(format!("a bulk string of {len} bytes")));
                }
                let mut body = vec![0; len + 2];
                reader.read_exact(&mut body).await?;
                if !body.ends_with(b"\r\n") {
                    return Err(broken("a bulk string without CRLF"));
                }
                body.truncate(len);
                Ok(Value::Bulk(Some(body)))
            }
            "*" => {
                let Ok(len) = usize::try_from(number(rest)?) else {
                    return Ok(Value::Array(None));
                };
                if len > MAX_ITEMS {
                    return Err(broken(format!("an array of {len} items")));
                }
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(read_value(reader, depth + 1).await?);
                }
                Ok(Value::Array(Some(items)))
            }
            other => Err(broken(format!("a Redis reply of type {other:?}"))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_and_shown_without_their_password() {
        let url: RedisUrl = "redis://:secret@10.0.0.5:6380/0".parse().unwrap();
        assert_eq!(url.host, "10.0.0.5");
        assert_eq!(url.port, 6380);
        assert_eq!(url.password.as_deref(), Some("secret"));
        assert_eq!(url.user, None);
        let acl: RedisUrl = "redis://confab:pw@redis.example.com".parse().unwrap();
        assert_eq!(acl.user.as_deref(), Some("confab"));
        assert_eq!(acl.password.as_deref(), Some("pw"));
        assert_eq!(acl.to_string(), "redis://redis.example.com:6379");
        assert_eq!(url.to_string(), "redis://10.0.0.5:6380");
        let plain: RedisUrl = "redis://localhost".parse().unwrap();
        assert_eq!((plain.port, plain.password), (6379, None));
        assert!("http://x".parse::<RedisUrl>().is_err());
        assert!("redis://:1".parse::<RedisUrl>().is_err());
        assert!("redis://h:port".parse::<RedisUrl>().is_err());
        let odd: RedisUrl = "redis://:p%40ss/w@[::1]".parse().unwrap();
        assert_eq!(odd.password.as_deref(), Some("p@ss/w"));
        assert_eq!((odd.host.as_str(), odd.port), ("::1", 6379));
        let v6: RedisUrl = "redis://[::1]:6380/2".parse().unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 6380));
    }
}
