//! Refused frames: each gets an `error` with the right code, and the socket stays open.

mod common;

use common::{Client, TestServer};
use confab_shared::ErrorCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// Proves the connection still works: it can join a room and send to it.
async fn assert_still_usable(client: &mut Client) {
    let joined = client.join("general", None).await;
    let (seq, _) = client.send_acked("general", "still-ok", "still here").await;
    assert_eq!(
        seq,
        joined.last_seq + 1,
        "the send after the error is stored"
    );
}

/// Starts a server, sends `frame` from a fresh client and checks the refusal's code
/// and echoed client id, then that the socket is still usable.
async fn refused(frame: Message, code: ErrorCode, client_id: Option<&str>) {
    let server = TestServer::start().await;
    let mut client = server.client("alice").await;
    client.send_frame(frame).await;
    let echoed = client.recv_error(code).await;
    assert_eq!(echoed.as_deref(), client_id, "echoed client_id");
    assert_still_usable(&mut client).await;
    server.stop().await;
}

fn text(value: serde_json::Value) -> Message {
    Message::text(value.to_string())
}

#[tokio::test]
async fn not_json_is_a_bad_request() {
    refused(Message::text("hello?"), ErrorCode::BadRequest, None).await;
}

#[tokio::test]
async fn an_unknown_type_is_refused_as_such_and_the_connection_goes_on() {
    let frame = text(json!({ "type": "shout", "room": "general" }));
    refused(frame, ErrorCode::UnknownType, None).await;
}

#[tokio::test]
async fn missing_field_is_a_bad_request() {
    refused(text(json!({ "type": "join" })), ErrorCode::BadRequest, None).await;
    let no_client_id = json!({ "type": "send", "room": "general", "body": "hi" });
    refused(text(no_client_id), ErrorCode::BadRequest, None).await;
}

#[tokio::test]
async fn mistyped_field_is_a_bad_request() {
    let frame = text(json!({ "type": "join", "room": "general", "after": "five" }));
    refused(frame, ErrorCode::BadRequest, None).await;
}

#[tokio::test]
async fn invalid_room_name_is_refused() {
    let frame = text(json!({ "type": "join", "room": "Not A Room" }));
    refused(frame, ErrorCode::InvalidRoom, None).await;
}

#[tokio::test]
async fn invalid_client_id_is_refused() {
    let frame = text(json!({
        "type": "send", "room": "general", "client_id": "has space", "body": "hi"
    }));
    refused(frame, ErrorCode::InvalidClientId, None).await;
}

#[tokio::test]
async fn binary_frame_is_a_bad_request() {
    refused(Message::binary(b"{}".to_vec()), ErrorCode::BadRequest, None).await;
}

#[tokio::test]
async fn send_to_a_room_not_joined_is_refused() {
    let frame = text(json!({
        "type": "send", "room": "elsewhere", "client_id": "c-1", "body": "hi"
    }));
    refused(frame, ErrorCode::NotJoined, Some("c-1")).await;
}

#[tokio::test]
async fn history_of_a_room_not_joined_is_refused() {
    let frame = text(json!({ "type": "history", "room": "elsewhere", "limit": 10 }));
    refused(frame, ErrorCode::NotJoined, None).await;
}

#[tokio::test]
async fn blank_body_is_refused_and_not_stored() {
    let server = TestServer::start().await;
    let mut client = server.client("alice").await;
    client.join("general", None).await;

    client.send_chat("general", "c-1", "  \n\t ").await;
    let echoed = client.recv_error(ErrorCode::InvalidBody).await;
    assert_eq!(echoed.as_deref(), Some("c-1"), "the refused send is named");

    // The same client id is still free: the blank message was never stored.
    client.send_chat("general", "c-1", "now with words").await;
    let message = client.recv_message().await;
    assert_eq!((message.seq, message.body.as_str()), (1, "now with words"));
    assert_eq!(client.recv_ack("c-1").await, (1, message.id));
    server.stop().await;
}
