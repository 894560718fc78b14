//! Accepting connections: each TCP connection is served as HTTP/1.1 (upgrades to
//! WebSocket included), with every request told its peer's address, and with a
//! handshake timeout: a client that has not sent a whole request head within
//! `--handshake-timeout` is disconnected, so idle or trickling connections cannot pile
//! up. (axum's own `serve` sets no timer, and so no such timeout.)

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets
/// each connection finish its request, and returns once all have. (Upgraded sockets
/// are not waited for here: they close on the server's own shutdown signal.)
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    handshake_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let stop = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                pause_after(&error).await;
                continue;
            }
        };
        connections.spawn(serve_one(
            tcp,
            peer,
            app.clone(),
            handshake_timeout,
            stop.clone(),
        ));
    }
    drop(listener);
    stop.cancel();
    connections.close();
    connections.wait().await;
}

/// One TCP connection, until it closes, upgrades, or the server stops.
async fn serve_one(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Router,
    handshake_timeout: Duration,
    stop: CancellationToken,
) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::warn!(%error, "could not set TCP_NODELAY");
    }
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(handshake_timeout)
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let done = tokio::select! {
        done = connection.as_mut() => done,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = done {
        tracing::debug!(%error, %peer, "connection ended");
    }
}

/// After a failed accept: nothing for a connection's own failure, a pause for the
/// server's (out of file descriptors, say), so the loop does not spin.
async fn pause_after(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
