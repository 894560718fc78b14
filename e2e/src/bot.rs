//! A bot: a plain WebSocket client speaking the wire protocol (docs/protocol.md),
//! for filling a room the page has open.

use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

pub struct Bot {
    room: String,
    write: Sink,
    sent: u64,
    /// Reads (and drops) everything the server sends, so the bot is never a slow
    /// reader the server cuts off.
    reader: JoinHandle<()>,
}

impl Bot {
    /// Connects to the server at `addr` as `name` and joins `room`.
    pub async fn join(addr: std::net::SocketAddr, name: &str, room: &str) -> Self {
        let url = format!("ws://{addr}/ws?v=2&name={name}");
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .expect("the bot connects");
        let (write, mut read) = socket.split();
        let reader = tokio::spawn(async move { while let Some(Ok(_)) = read.next().await {} });
        let mut bot = Self {
            room: room.to_owned(),
            write,
            sent: 0,
            reader,
        };
        bot.send(json!({ "type": "join", "room": room })).await;
        bot
    }

    /// Posts `body` to the room.
    pub async fn say(&mut self, body: &str) {
        self.sent += 1;
        let client_id = format!("bot{}", self.sent);
        let frame =
            json!({ "type": "send", "room": self.room, "client_id": client_id, "body": body });
        self.send(frame).await;
    }

    /// Reacts to message `id` with `emoji`.
    pub async fn react(&mut self, id: i64, emoji: &str) {
        self.sent += 1;
        let client_id = format!("bot{}", self.sent);
        let frame = json!({ "type": "add_reaction", "room": self.room, "id": id,
                            "emoji": emoji, "client_id": client_id });
        self.send(frame).await;
    }

    /// Gives message `id` (the bot's own: its name wrote it) new text.
    pub async fn edit(&mut self, id: i64, body: &str) {
        self.sent += 1;
        let client_id = format!("bot{:06}", self.sent);
        let frame = json!({ "type": "edit_message", "room": self.room, "id": id,
                            "body": body, "client_id": client_id });
        self.send(frame).await;
    }

    async fn send(&mut self, frame: serde_json::Value) {
        self.write
            .send(Message::text(frame.to_string()))
            .await
            .expect("the bot sends");
    }

    pub async fn leave(mut self) {
        let _ = self.write.close().await;
        self.reader.abort();
    }
}
