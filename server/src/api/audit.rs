//! `GET /api/rooms/{room}/audit`: a room's audit log (who joined, was invited,
//! removed, muted, given a role; which message was deleted, by whom, when), newest
//! first, for its owner and moderators and for site admins. To anyone else a
//! private room is not found, as everywhere.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use confab_shared::{RoomName, Seq};
use serde::Deserialize;
use serde_json::json;

use super::{refuse, unavailable};
use crate::commands::authz::{self, Action, Denied};
use crate::identity::{Identity, Kind};
use crate::state::AppState;

/// Entries per page.
const PAGE: u32 = 100;

#[derive(Deserialize)]
pub(super) struct Params {
    /// Entries with a seq below this (the next page).
    before: Option<Seq>,
}

pub(super) async fn read(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Query(params): Query<Params>,
    parts: Parts,
) -> Response {
    let me = match super::account(&parts, &state, "sign in to read an audit log").await {
        Ok(me) => me,
        Err(refusal) => return refusal,
    };
    let Ok(room) = RoomName::new(room) else {
        return refuse(StatusCode::NOT_FOUND, "no such room");
    };
    if !me.is_admin {
        let identity = Identity {
            user: me.user_id(),
            name: me.username.clone(),
            kind: Kind::Member,
            credential: None,
        };
        let access = state
            .store
            .rooms()
            .directory()
            .access(&room, &identity.user);
        match authz::check(&identity, access.as_ref(), Action::Oversee) {
            Ok(_) => {}
            Err(Denied::NotFound) => return refuse(StatusCode::NOT_FOUND, "no such room"),
            Err(denial) => return refuse(StatusCode::FORBIDDEN, denial.text()),
        }
    } else if !state.store.rooms().directory().exists(&room) {
        return refuse(StatusCode::NOT_FOUND, "no such room");
    }
    match state.store.audit(&room, params.before, PAGE + 1).await {
        Ok(mut events) => {
            let has_more = events.len() > PAGE as usize;
            events.truncate(PAGE as usize);
            axum::Json(json!({ "room": room, "entries": events, "has_more": has_more }))
                .into_response()
        }
        Err(error) => unavailable(error),
    }
}
