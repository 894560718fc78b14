//! Who is on the other end of a request.
//!
//! Today a guest picks a display name, passed as `?name=` on the socket URL. Accounts
//! with cookie sessions will replace how an [`Identity`] is obtained, not what it is,
//! so the rest of the server only ever sees this type.

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use confab_shared::{UserId, UserName};
use serde::Deserialize;

/// Who a connection acts for. Commands get the whole of it (`commands/authz.rs`
/// decides with it), never just a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Who this is, for good: what messages and presence are keyed on.
    pub(crate) user: UserId,
    /// What others see.
    pub(crate) name: UserName,
    pub(crate) kind: Kind,
}

/// How the identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Picked a name when connecting; no account behind it.
    Guest,
}

impl Identity {
    pub(crate) fn guest(name: UserName) -> Self {
        Self {
            user: UserId::guest(&name),
            name,
            kind: Kind::Guest,
        }
    }
}

#[derive(Deserialize)]
struct GuestParams {
    name: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = (StatusCode, String);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let bad = |text: String| (StatusCode::BAD_REQUEST, text);
        let Query(params) = Query::<GuestParams>::try_from_uri(&parts.uri)
            .map_err(|e| bad(format!("bad query string: {e}")))?;
        let name = params
            .name
            .ok_or_else(|| bad("a name is required: /ws?name=NAME".to_owned()))?;
        let name = UserName::new(name).map_err(|e| bad(e.to_string()))?;
        Ok(Identity::guest(name))
    }
}
