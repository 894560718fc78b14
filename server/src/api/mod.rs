//! The HTTP API, JSON in and out (docs/api.md): accounts and sessions today.
//! Every refusal is a status and `{"error": "..."}`; requests from other sites'
//! pages are refused before anything else (the session cookie would ride along).

mod admin;
mod audit;
mod auth;
mod blocks;
mod password;
mod server_info;
mod tokens;

pub(crate) use auth::check_password_length;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, ORIGIN, TRANSFER_ENCODING};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::state::AppState;

/// The largest request body the API reads (its JSON is a username and a password).
const MAX_BODY: usize = 4 * 1024;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/register", post(auth::register))
        .route("/api/login", post(auth::login))
        .route("/api/logout", post(auth::logout))
        .route("/api/me", get(auth::me))
        .route("/api/server", get(server_info::read))
        .route("/api/password", post(password::change))
        .route("/api/admin/bans", post(admin::ban))
        .route(
            "/api/admin/bans/{username}",
            axum::routing::delete(admin::unban),
        )
        .route("/api/guest-names/{name}", get(auth::guest_name))
        .route("/api/tokens", post(tokens::create).get(tokens::list))
        .route("/api/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/api/blocks", post(blocks::block).get(blocks::list))
        .route(
            "/api/blocks/{username}",
            axum::routing::delete(blocks::unblock),
        )
        .route("/api/rooms/{room}/audit", get(audit::read))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(json_bodies_only))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_site_only,
        ))
        .with_state(state)
}

/// The account signed in by the request's session cookie, or the refusal to send
/// (401 with `hint`).
pub(crate) async fn account(
    parts: &axum::http::request::Parts,
    state: &AppState,
    hint: &str,
) -> Result<crate::accounts::Account, Response> {
    match crate::identity::signed_in(parts, state).await {
        Ok(Some((account, _))) => Ok(account),
        Ok(None) => Err(refuse(StatusCode::UNAUTHORIZED, hint)),
        Err((status, text)) => Err(refuse(status, &text)),
    }
}

/// A JSON refusal.
pub(crate) fn refuse(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "error": text }))).into_response()
}

/// The database failed: 503, said for people, logged for the operator.
pub(crate) fn unavailable(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "accounts are unavailable");
    refuse(StatusCode::SERVICE_UNAVAILABLE, "try again in a moment")
}

/// Refuses a request body that is not declared JSON (415): the API reads JSON only,
/// and a cross-site HTML form can send no other type than form data or text (so it
/// fails here as well as on its origin). A request without a body passes.
async fn json_bodies_only(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let has_body = headers.contains_key(TRANSFER_ENCODING)
        || headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the body as JSON, with Content-Type: application/json",
        );
    }
    next.run(request).await
}

/// Refuses requests that change something when they come from another site's page:
/// `Sec-Fetch-Site: cross-site`, or an `Origin` this server does not take.
async fn same_site_only(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        let headers = request.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == "cross-site");
        if cross_site || !state.origins.allows(headers.get(ORIGIN), headers.get(HOST)) {
            return refuse(
                StatusCode::FORBIDDEN,
                "requests from other sites are refused",
            );
        }
    }
    next.run(request).await
}
