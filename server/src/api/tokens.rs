//! Personal API tokens: made, listed and revoked by their owner, signed in with a
//! session. A token is shown once, when it is made; revoking it closes its sockets.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{refuse, unavailable};
use crate::accounts::{Account, session};
use crate::outbox::Revoked;
use crate::state::AppState;

/// The longest token name, in characters.
const MAX_NAME: usize = 64;

#[derive(Deserialize)]
struct NewToken {
    name: String,
}

/// The signed-in account, or the refusal to send.
async fn owner(parts: &Parts, state: &AppState) -> Result<Account, Response> {
    super::account(parts, state, "sign in to manage tokens").await
}

pub(super) async fn create(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let account = match owner(&parts, &state).await {
        Ok(account) => account,
        Err(refusal) => return refusal,
    };
    let Ok(NewToken { name }) = serde_json::from_slice(&body) else {
        return refuse(StatusCode::BAD_REQUEST, r#"expected JSON: {"name": "..."}"#);
    };
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        let text = format!("a token's name is 1 to {MAX_NAME} characters");
        return refuse(StatusCode::BAD_REQUEST, &text);
    }
    let token = session::new_api_token();
    let made = state
        .store
        .accounts()
        .create_token(account.id, &name, &session::token_hash(&token))
        .await;
    match made {
        Ok(info) => (
            StatusCode::CREATED,
            axum::Json(json!({ "id": info.id, "name": info.name, "token": token })),
        )
            .into_response(),
        Err(error) => unavailable(error),
    }
}

pub(super) async fn list(State(state): State<AppState>, parts: Parts) -> Response {
    let account = match owner(&parts, &state).await {
        Ok(account) => account,
        Err(refusal) => return refusal,
    };
    match state.store.accounts().tokens(account.id).await {
        Ok(tokens) => axum::Json(tokens).into_response(),
        Err(error) => unavailable(error),
    }
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    parts: Parts,
) -> Response {
    let account = match owner(&parts, &state).await {
        Ok(account) => account,
        Err(refusal) => return refusal,
    };
    match state.store.accounts().delete_token(account.id, id).await {
        Ok(Some(hash)) => {
            let ended = state.end_credential(&hash, Revoked::SignedOut);
            tracing::info!(sockets = ended, "API token revoked");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => refuse(StatusCode::NOT_FOUND, "no such token"),
        Err(error) => unavailable(error),
    }
}
