//! Who is on the other end of a request: the account of its API token (`Authorization:
//! Bearer`), or of its session cookie, or else a guest who picked a display name
//! (`?name=` on the socket URL). The rest of the
//! server only ever sees the [`Identity`] this makes.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use confab_shared::{UserId, UserName};
use serde::Deserialize;

use crate::accounts::{Account, session};
use crate::state::AppState;

/// Who a connection acts for. Commands get the whole of it (`commands/authz.rs`
/// decides with it), never just a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Who this is, for good: what messages and presence are keyed on.
    pub(crate) user: UserId,
    /// What others see.
    pub(crate) name: UserName,
    pub(crate) kind: Kind,
    /// What it signed in with (a session's token hash): revoking it ends the
    /// connection. None for guests.
    pub(crate) credential: Option<Arc<str>>,
}

/// How the identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Picked a name when connecting; no account behind it.
    Guest,
    /// Signed in to an account.
    Member,
}

impl Identity {
    pub(crate) fn guest(name: UserName) -> Self {
        Self {
            user: UserId::guest(&name),
            name,
            kind: Kind::Guest,
            credential: None,
        }
    }

    /// The identity as a room's log names it.
    pub(crate) fn person(&self) -> crate::rooms::Person {
        crate::rooms::Person {
            id: self.user.clone(),
            name: self.name.clone(),
        }
    }

    pub(crate) fn member(account: &Account, credential: &str) -> Self {
        Self {
            user: account.user_id(),
            name: account.username.clone(),
            kind: Kind::Member,
            credential: Some(Arc::from(credential)),
        }
    }
}

/// Now, in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The account of the request's session cookie, if it has a live one (extending it),
/// and the session's token hash.
pub(crate) async fn signed_in(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(Account, String)>, Refused> {
    let Some(token) = session::from_headers(&parts.headers) else {
        return Ok(None);
    };
    let now = unix_now();
    let hash = session::token_hash(token);
    let account = state
        .store
        .accounts()
        .session_account(&hash, now, now + state.sessions.ttl_secs)
        .await
        .map_err(|error| {
            tracing::error!(%error, "reading a session failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again".to_owned())
        })?;
    Ok(account.map(|account| (account, hash)))
}

/// A refusal before any socket: a status and a sentence.
pub(crate) type Refused = (StatusCode, String);

#[derive(Deserialize)]
struct GuestParams {
    name: Option<String>,
}

impl FromRequestParts<AppState> for Identity {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Refused> {
        // A bot's personal token: it is the account, or nobody (no falling back to a
        // guest with a token that does not work).
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(session::from_bearer);
        if let Some(token) = bearer {
            let hash = session::token_hash(token);
            let account = state.store.accounts().token_account(&hash).await;
            return match account {
                Ok(Some(account)) => Ok(Identity::member(&account, &hash)),
                Ok(None) => Err((StatusCode::UNAUTHORIZED, "no such API token".to_owned())),
                Err(_) => Err((StatusCode::SERVICE_UNAVAILABLE, "try again".to_owned())),
            };
        }
        if let Some((account, credential)) = signed_in(parts, state).await? {
            return Ok(Identity::member(&account, &credential));
        }
        if !state.guests {
            return Err((
                StatusCode::UNAUTHORIZED,
                "sign in (a session cookie or an API token): guests are not allowed here"
                    .to_owned(),
            ));
        }
        let bad = |text: String| (StatusCode::BAD_REQUEST, text);
        let Query(params) = Query::<GuestParams>::try_from_uri(&parts.uri)
            .map_err(|e| bad(format!("bad query string: {e}")))?;
        let name = params
            .name
            .ok_or_else(|| bad("sign in, or give a guest name: /ws?v=2&name=NAME".to_owned()))?;
        let name = UserName::new(name).map_err(|e| bad(e.to_string()))?;
        let taken = state
            .store
            .accounts()
            .username_taken(&name)
            .await
            .map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "try again".to_owned()))?;
        if taken {
            return Err((
                StatusCode::CONFLICT,
                "that name belongs to an account: sign in to use it".to_owned(),
            ));
        }
        Ok(Identity::guest(name))
    }
}
