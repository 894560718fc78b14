//! Encoding server frames: each is serialized once, into shareable bytes.

use axum::extract::ws::Utf8Bytes;
use confab_shared::ServerMsg;

pub(crate) fn encode(msg: &ServerMsg) -> Utf8Bytes {
    match serde_json::to_string(msg) {
        Ok(text) => Utf8Bytes::from(text),
        // Our own types always serialize; this is a bug, not an input problem.
        Err(error) => {
            tracing::error!(%error, "could not serialize a server frame");
            Utf8Bytes::from_static(
                r#"{"type":"error","code":"internal","message":"internal error"}"#,
            )
        }
    }
}
