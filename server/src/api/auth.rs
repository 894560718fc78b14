//! Register, sign in, sign out, and who am I.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use confab_shared::UserName;
use serde::Deserialize;
use serde_json::json;

use super::{refuse, unavailable};
use crate::accounts::{Account, AccountError, password, session};
use crate::identity::{signed_in, unix_now};
use crate::limits::{ClientIp, LoginRefusal};
use crate::metrics::{Limit, Login};
use crate::outbox::Revoked;
use crate::state::AppState;

/// The shortest password taken (OWASP: at least 8).
const MIN_PASSWORD: usize = 8;
/// The longest (in characters): long passphrases yes, megabytes to hash no.
const MAX_PASSWORD: usize = 256;

#[derive(Deserialize)]
struct Form {
    username: String,
    password: String,
}

/// The body as a username and a password, or why not (for a 400).
fn read_form(body: &[u8]) -> Result<(UserName, String), String> {
    let form: Form = serde_json::from_slice(body)
        .map_err(|_| r#"expected JSON: {"username": "...", "password": "..."}"#.to_owned())?;
    let username = UserName::new(form.username).map_err(|e| e.to_string())?;
    check_password_length(&form.password)?;
    Ok((username, form.password))
}

/// Whether `password` is of a length taken, or why not.
pub(crate) fn check_password_length(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&length) {
        Ok(())
    } else {
        Err(format!(
            "a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        ))
    }
}

fn account_json(account: &Account) -> serde_json::Value {
    json!({ "id": account.user_id(), "username": account.username, "admin": account.is_admin })
}

/// Starts a session for `account` and answers with it and its cookie.
async fn signed_in_as(state: &AppState, account: &Account, status: StatusCode) -> Response {
    let token = session::new_token();
    let ttl = state.sessions.ttl_secs;
    let stored = state
        .store
        .accounts()
        .create_session(account.id, &session::token_hash(&token), unix_now() + ttl)
        .await;
    if let Err(error) = stored {
        return unavailable(error);
    }
    let cookie = session::set_cookie(&token, ttl, state.sessions.secure);
    let mut response = (status, axum::Json(account_json(account))).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// 429, with `Retry-After` in whole seconds (rounded up); counted.
pub(super) fn too_many(state: &AppState, refusal: LoginRefusal) -> Response {
    state.metrics.limited(Limit::Logins);
    let text = match refusal {
        LoginRefusal::Address(_) => "too many attempts from this address: wait and try again",
        LoginRefusal::Account(_) => "too many wrong passwords for this account: wait and try again",
    };
    let wait = refusal.retry_after();
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, text);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
}

pub(super) async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Response {
    let (username, password) = match read_form(&body) {
        Ok(form) => form,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    if let Err(refusal) = state.guards.logins.admit(ip, None) {
        return too_many(&state, refusal);
    }
    let hash = match password::hash(password).await {
        Ok(hash) => hash,
        Err(error) => return unavailable(error),
    };
    let created = state
        .store
        .accounts()
        .create_account(&username, &hash, false)
        .await;
    match created {
        Ok(account) => {
            state.metrics.login(Login::SignedUp);
            signed_in_as(&state, &account, StatusCode::CREATED).await
        }
        Err(AccountError::Taken) => refuse(StatusCode::CONFLICT, "that username is taken"),
        Err(AccountError::Store(error)) => unavailable(error),
    }
}

pub(super) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Bytes,
) -> Response {
    let (username, password) = match read_form(&body) {
        Ok(form) => form,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    // Before any hashing: a refused attempt costs nothing.
    if let Err(refusal) = state.guards.logins.admit(ip, Some(&username)) {
        return too_many(&state, refusal);
    }
    let found = match state.store.accounts().credentials(&username).await {
        Ok(found) => found,
        Err(error) => return unavailable(error),
    };
    let stored = found.as_ref().map(|c| c.password_hash.clone());
    // Verified even when there is no such account: the answer takes as long, and
    // says the same, for a wrong name as for a wrong password.
    let matches = password::verify(password, stored).await;
    match found {
        Some(credentials) if matches && credentials.banned => {
            state.guards.logins.succeeded(&username);
            state.metrics.login(Login::Banned);
            refuse(
                StatusCode::FORBIDDEN,
                "this account is banned from this server",
            )
        }
        Some(credentials) if matches => {
            state.guards.logins.succeeded(&username);
            state.metrics.login(Login::SignedIn);
            signed_in_as(&state, &credentials.account, StatusCode::OK).await
        }
        _ => {
            state.guards.logins.failed(&username);
            state.metrics.login(Login::Wrong);
            refuse(StatusCode::UNAUTHORIZED, "wrong username or password")
        }
    }
}

pub(super) async fn logout(State(state): State<AppState>, parts: Parts) -> Response {
    let token = session::from_headers(&parts.headers).map(session::token_hash);
    if let Some(hash) = token {
        if let Err(error) = state.store.accounts().end_session(&hash).await {
            return unavailable(error);
        }
        // Every tab of this session: their sockets close with 4401.
        let ended = state.end_credential(&hash, Revoked::SignedOut);
        tracing::info!(sockets = ended, "signed out");
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) = HeaderValue::from_str(&session::clear_cookie(state.sessions.secure)) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// Whether a guest may use `name`: 204 if so, 409 if an account has it, 400 if it
/// is no valid name. (The socket refuses such a guest with a 409 too, but a browser
/// cannot read the status of a refused upgrade: the page asks here first.)
pub(super) async fn guest_name(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    if !state.guests {
        return refuse(
            StatusCode::FORBIDDEN,
            "guests are not allowed here: sign in",
        );
    }
    let name = match UserName::new(name) {
        Ok(name) => name,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match state.store.accounts().username_taken(&name).await {
        Ok(false) => StatusCode::NO_CONTENT.into_response(),
        Ok(true) => refuse(
            StatusCode::CONFLICT,
            "that name belongs to an account: sign in to use it",
        ),
        Err(error) => unavailable(error),
    }
}

/// Who is signed in; the cookie is set again for the full session length, so a
/// browser that keeps coming back stays signed in as long as the server's session
/// does (both slide).
pub(super) async fn me(State(state): State<AppState>, parts: Parts) -> Response {
    match signed_in(&parts, &state).await {
        Ok(Some((account, _))) => {
            let mut response = axum::Json(account_json(&account)).into_response();
            if let Some(token) = session::from_headers(&parts.headers) {
                let cookie =
                    session::set_cookie(token, state.sessions.ttl_secs, state.sessions.secure);
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().insert(SET_COOKIE, value);
                }
            }
            response
        }
        Ok(None) => refuse(StatusCode::UNAUTHORIZED, "not signed in"),
        Err((status, text)) => refuse(status, &text),
    }
}
