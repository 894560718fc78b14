//! The HTTP surface: the socket at `/ws`, `/healthz` (alive) and `/readyz` (ready
//! for people), and the built page for the rest
//! (`page.rs`); security headers on every response.

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::identity::Identity;
use crate::limits::ClientIp;
use crate::metrics::Limit;
use crate::state::AppState;
use crate::{api, connection, origin, page};

/// The largest client frame accepted; bigger ones close the socket with 1009.
pub(crate) const MAX_FRAME_BYTES: usize = 16 * 1024;

pub(crate) fn router(state: AppState, static_dir: &Path) -> Router {
    Router::new()
        .route("/ws", get(socket))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state.clone())
        .merge(api::router(state))
        .merge(page::service(static_dir))
        // On every response: no guessing of content types, no referrer sent on, never
        // framed (the page's own policy says so too).
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// Liveness: the process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// How long readiness waits for the store.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Readiness: whether a load balancer should send people here. Not while shutting
/// down (the sockets are being closed), nor while the store does not answer.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.shutdown.is_cancelled() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    if !state.broker.ready() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "not hearing the other nodes",
        );
    }
    match tokio::time::timeout(READY_WITHIN, state.store.epoch()).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready: the store failed");
            (StatusCode::SERVICE_UNAVAILABLE, "the store failed")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the store does not answer"),
    }
}

/// The protocol version a client names with `?v=N`; one that names none speaks
/// version 1, from before versions were named.
#[derive(Deserialize)]
struct VersionParam {
    v: Option<String>,
}

/// The identity is checked before the upgrade: a bad name is an HTTP 400, no socket;
/// so are the caps on sockets per person and per address (429).
/// So is a version that is not a number. A version too old is told so after the
/// upgrade, with a close code (docs/protocol.md): a browser cannot read an HTTP
/// status from a failed upgrade.
async fn socket(
    identity: Identity,
    ClientIp(ip): ClientIp,
    Query(param): Query<VersionParam>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, (StatusCode, &'static str)> {
    if !state.origins.allows(headers.get(ORIGIN), headers.get(HOST)) {
        return Err((StatusCode::FORBIDDEN, origin::REFUSED));
    }
    let version = match param.v {
        None => 1,
        Some(v) => v.parse::<u32>().map_err(|_| {
            (
                StatusCode::BAD_REQUEST,
                "v must be a protocol version number",
            )
        })?,
    };
    // Counted from now until the connection ends: a cap refuses before upgrading.
    // A person's sockets on other nodes count against their cap too.
    let elsewhere = state.people.sockets_elsewhere(&identity.user);
    let permit = state
        .guards
        .sockets
        .admit_besides(&identity.user, ip, elsewhere)
        .map_err(|too_many| {
            state.metrics.limited(Limit::Sockets);
            (StatusCode::TOO_MANY_REQUESTS, too_many.text())
        })?;
    // Taken now, so shutdown waits for this connection even before its task starts.
    let tracked = state.connections.token();
    let response = ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        // Small buffers: most frames are tiny, and memory per idle connection counts.
        .read_buffer_size(512)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(256 * 1024)
        .on_failed_upgrade(|error| tracing::warn!(%error, "websocket upgrade failed"))
        .on_upgrade(move |socket| {
            // A task of its own, built before it starts: axum's upgrade task (which
            // ends at once) would otherwise carry its own state beside ours for the
            // life of the connection.
            let serving = connection::serve(socket, Arc::new(identity), version, state);
            tokio::spawn(async move {
                serving.await;
                drop(permit);
                drop(tracked);
            });
            std::future::ready(())
        });
    Ok(response)
}
