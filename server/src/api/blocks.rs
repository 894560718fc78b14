//! Blocking people: `GET /api/blocks` (whom I blocked), `POST /api/blocks`
//! (`{"username": ..}`), `DELETE /api/blocks/{username}`. Signed in with a session.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use confab_shared::UserName;
use serde::Deserialize;
use serde_json::json;

use super::{refuse, unavailable};
use crate::accounts::{Account, Blocked};
use crate::state::AppState;

const SIGN_IN: &str = "sign in to block people";

#[derive(Deserialize)]
struct Target {
    username: String,
}

/// The account `username` names, as a block names it; or the refusal.
async fn find(state: &AppState, me: &Account, username: &str) -> Result<Blocked, Response> {
    let Ok(name) = UserName::new(username) else {
        return Err(refuse(StatusCode::BAD_REQUEST, "that is not a username"));
    };
    match state.store.accounts().credentials(&name).await {
        Ok(Some(found)) if found.account.id == me.id => {
            Err(refuse(StatusCode::BAD_REQUEST, "you cannot block yourself"))
        }
        Ok(Some(found)) => Ok(Blocked {
            user_id: found.account.user_id(),
            user: found.account.username,
        }),
        Ok(None) => Err(refuse(StatusCode::NOT_FOUND, "no account has that name")),
        Err(error) => Err(unavailable(error)),
    }
}

pub(super) async fn list(State(state): State<AppState>, parts: Parts) -> Response {
    let me = match super::account(&parts, &state, SIGN_IN).await {
        Ok(me) => me,
        Err(refusal) => return refusal,
    };
    match state.store.blocks().blocked(&me.user_id()).await {
        Ok(blocked) => axum::Json(json!({ "blocked": blocked })).into_response(),
        Err(error) => unavailable(error),
    }
}

pub(super) async fn block(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let Ok(Target { username }) = serde_json::from_slice(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            r#"expected JSON: {"username": "..."}"#,
        );
    };
    set(&state, &parts, &username, true).await
}

pub(super) async fn unblock(
    State(state): State<AppState>,
    Path(username): Path<String>,
    parts: Parts,
) -> Response {
    set(&state, &parts, &username, false).await
}

/// The signed-in account blocks (`on`) or unblocks `username`: 200 with whom, or 204.
async fn set(state: &AppState, parts: &Parts, username: &str, on: bool) -> Response {
    let me = match super::account(parts, state, SIGN_IN).await {
        Ok(me) => me,
        Err(refusal) => return refusal,
    };
    let other = match find(state, &me, username).await {
        Ok(other) => other,
        Err(refusal) => return refusal,
    };
    match state
        .store
        .blocks()
        .set_blocked(&me.user_id(), &other, on)
        .await
    {
        Ok(_) if on => axum::Json(other).into_response(),
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => unavailable(error),
    }
}
