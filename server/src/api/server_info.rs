//! `GET /api/server`: what the first screen needs to know about this server before
//! anyone signs in: whether guests may join (`--guests`), so the page offers joining
//! as a guest only where it works.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::state::AppState;

pub(super) async fn read(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "guests": state.guests }))
}
