//! The well-known axum chat pattern, as a peer to measure against: one
//! `tokio::sync::broadcast` channel of `String`s, a task per direction per socket,
//! axum's default WebSocket settings (128 KiB read buffer, no write batching), and
//! default `axum::serve` (no TCP_NODELAY). Only two changes, so that it keeps all its
//! clients under load: the channel holds 1024 messages, and a receiver that falls
//! behind skips ahead instead of being dropped. Nothing is stored.
//!
//! Usage: naive-axum 127.0.0.1:PORT

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::any;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3200".to_owned());
    let (tx, _) = broadcast::channel::<String>(1024);
    let app = Router::new().fallback(any(upgrade)).with_state(tx);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn upgrade(ws: WebSocketUpgrade, State(tx): State<broadcast::Sender<String>>) -> Response {
    ws.on_upgrade(move |socket| chat(socket, tx))
}

async fn chat(socket: WebSocket, tx: broadcast::Sender<String>) {
    let (mut sink, mut stream) = socket.split();
    let mut rx = tx.subscribe();
    let mut send = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(text) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    });
    let mut recv = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                // No receivers is not an error worth stopping for.
                let _ = tx.send(text.to_string());
            }
        }
    });
    tokio::select! {
        _ = &mut send => recv.abort(),
        _ = &mut recv => send.abort(),
    }
}
