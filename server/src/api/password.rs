//! Changing one's password.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::auth::{check_password_length, too_many};
use super::{refuse, unavailable};
use crate::accounts::password;
use crate::identity::signed_in;
use crate::limits::ClientIp;
use crate::outbox::Revoked;
use crate::state::AppState;

#[derive(Deserialize)]
struct Change {
    current_password: String,
    new_password: String,
}

/// `POST /api/password`: with the current password, sets a new one and ends every
/// other session of the account (their sockets close with 4401); this one goes on.
/// API tokens are not sessions: they go on too.
pub(super) async fn change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    parts: Parts,
    body: Bytes,
) -> Response {
    let (account, session) = match signed_in(&parts, &state).await {
        Ok(Some(found)) => found,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "not signed in"),
        Err((status, text)) => return refuse(status, &text),
    };
    let Ok(change) = serde_json::from_slice::<Change>(&body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            r#"expected JSON: {"current_password": "...", "new_password": "..."}"#,
        );
    };
    if let Err(why) = check_password_length(&change.new_password) {
        return refuse(StatusCode::BAD_REQUEST, &why);
    }
    // A stolen session must not be a way around the limits on guessing.
    if let Err(refusal) = state.guards.logins.admit(ip, Some(&account.username)) {
        return too_many(&state, refusal);
    }
    let stored = match state.store.accounts().credentials(&account.username).await {
        Ok(found) => found.map(|c| c.password_hash),
        Err(error) => return unavailable(error),
    };
    if !password::verify(change.current_password, stored).await {
        state.guards.logins.failed(&account.username);
        return refuse(StatusCode::FORBIDDEN, "the current password is wrong");
    }
    state.guards.logins.succeeded(&account.username);
    let hash = match password::hash(change.new_password).await {
        Ok(hash) => hash,
        Err(error) => return unavailable(error),
    };
    let ended = state
        .store
        .accounts()
        .set_password(account.id, &hash, Some(&session))
        .await;
    match ended {
        Ok(ended) => {
            for credential in &ended {
                state.end_credential(credential, Revoked::SignedOut);
            }
            tracing::info!(user = %account.username, sessions = ended.len(), "password changed");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(error) => unavailable(error),
    }
}
