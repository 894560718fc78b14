//! What site admins do over the API: ban an account from the whole server, and lift
//! a ban.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use confab_shared::UserName;
use serde::Deserialize;

use super::{refuse, unavailable};
use crate::accounts::name_key;
use crate::identity::signed_in;
use crate::outbox::Revoked;
use crate::state::AppState;

#[derive(Deserialize)]
struct Ban {
    username: String,
}

/// `POST /api/admin/bans` `{"username": ..}`: the account cannot sign in, its sessions
/// end and its tokens stop working; its open sockets close with 4403.
pub(super) async fn ban(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    let Ok(Ban { username }) = serde_json::from_slice::<Ban>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            r#"expected JSON: {"username": "..."}"#,
        );
    };
    set(&state, &parts, &username, true).await
}

/// `DELETE /api/admin/bans/{username}`: lifts a ban (its tokens work again; it signs
/// in anew).
pub(super) async fn unban(
    State(state): State<AppState>,
    Path(username): Path<String>,
    parts: Parts,
) -> Response {
    set(&state, &parts, &username, false).await
}

async fn set(state: &AppState, parts: &Parts, username: &str, banned: bool) -> Response {
    let admin = match signed_in(parts, state).await {
        Ok(Some((account, _))) => account,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "not signed in"),
        Err((status, text)) => return refuse(status, &text),
    };
    if !admin.is_admin {
        return refuse(StatusCode::FORBIDDEN, "only site admins ban accounts");
    }
    let Ok(username) = UserName::new(username) else {
        return refuse(StatusCode::NOT_FOUND, "no account has that name");
    };
    // The same name as people see it (any case, any look-alike) is the same account.
    if banned && name_key(username.as_str()) == name_key(admin.username.as_str()) {
        return refuse(StatusCode::BAD_REQUEST, "admins cannot ban themselves");
    }
    match state.store.accounts().set_banned(&username, banned).await {
        Ok(Some((account, ended))) => {
            let sockets: usize = ended
                .iter()
                .map(|credential| state.end_credential(credential, Revoked::Banned))
                .sum();
            tracing::info!(admin = %admin.username, user = %account.username, banned, sockets, "site ban changed");
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(None) => refuse(StatusCode::NOT_FOUND, "no account has that name"),
        Err(error) => unavailable(error),
    }
}
