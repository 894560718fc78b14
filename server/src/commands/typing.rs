//! `typing`: this person is typing in a joined room, or stopped. Never stored; the
//! hub gathers it and tells the room at a bounded rate (`hub/typing.rs`). From a
//! connection that has not joined the room, or from someone who may not post in it
//! (muted, banned), or who has not yet written there (whose typing would show a
//! reader who never writes), it is dropped without an answer, as a pong-less hint
//! should be.

use confab_shared::RoomName;

use super::{Reply, Session};
use crate::nodes::Note;

pub(super) fn run(session: Session<'_>, room: &RoomName, stop: bool) -> Reply {
    if !session.joined.contains_key(room) {
        return Reply::default();
    }
    let directory = session.state.store.rooms().directory();
    let user = &session.identity.user;
    if !stop && (directory.may_post(room, user).is_err() || !directory.has_written(room, user)) {
        return Reply::default();
    }
    let state = session.state;
    state.hub.typing(room, session.conn, stop);
    if state.broker.clustered() {
        state.broker.note(&Note::Typing {
            node: state.nodes.me().to_owned(),
            room: room.clone(),
            user: user.clone(),
            name: session.identity.name.clone(),
            stop,
        });
    }
    Reply::default()
}
