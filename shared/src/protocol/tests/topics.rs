//! A room's topic on the wire: `set_topic` and the `topic_changed` event.

use serde_json::json;

use super::{assert_client_json, assert_server_json, room, user};
use crate::protocol::*;

#[test]
fn topics_on_the_wire() {
    assert_client_json(
        ClientMsg::SetTopic {
            room: room("plans"),
            topic: Topic::new("what we build next").unwrap(),
        },
        json!({"type": "set_topic", "room": "plans", "topic": "what we build next"}),
    );
    let too_long = json!({"type": "set_topic", "room": "plans", "topic": "x".repeat(1000)});
    assert_eq!(
        ClientMsg::decode(&too_long.to_string()).unwrap_err().code,
        ErrorCode::BadRequest
    );
    assert_server_json(
        ServerMsg::Event(RoomEvent {
            room: room("plans"),
            seq: 12,
            kind: EventKind::TopicChanged(TopicChange {
                topic: Topic::new("what we build next").unwrap(),
                by: user("ann"),
                ts: "2026-12-03T10:00:00.000Z".to_owned(),
            }),
        }),
        json!({"type": "event", "room": "plans", "seq": 12, "kind": "topic_changed",
               "topic": "what we build next", "by": "ann", "ts": "2026-12-03T10:00:00.000Z"}),
    );
}
