//! Client commands: each decoded `ClientMsg` is checked and carried out here, one
//! file per command. The connection (`connection.rs`) only moves frames; what a frame
//! asks for, whether it is allowed ([`authz`]), and what it does happen here.
//!
//! A command answers with the frames to write to its own socket ([`Reply`]); what it
//! starts elsewhere (a send handed to the sequencer) answers later through the
//! connection's outbox.

pub(crate) mod authz;
mod create_room;
mod delete_message;
mod edit_message;
mod history;
mod invite;
mod join;
mod leave;
mod leave_room;
mod members;
mod moderate;
mod notify;
mod people;
mod public_rooms;
mod react;
mod read;
mod search;
mod send;
mod set_topic;
mod start_conversation;
mod typing;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use confab_shared::{ClientId, ClientMsg, ErrorCode, RequestId, RoomName, Seq, ServerMsg};

use crate::hub::ConnId;
use crate::identity::Identity;
use crate::limits::{Admit, Pace};
use crate::metrics::Limit;
use crate::outbox::Outbox;
use crate::rooms::PostDenied;
use crate::state::AppState;
use crate::wire;

/// The rooms a connection has joined, with the newest seq it has been sent in each.
pub(crate) type Joined = HashMap<RoomName, Seq>;

/// What a command may see and change of the connection it came on.
pub(crate) struct Session<'a> {
    pub(crate) state: &'a AppState,
    /// Shared with the hub's presence, which counts people by it.
    pub(crate) identity: &'a Arc<Identity>,
    pub(crate) conn: ConnId,
    /// Where answers that come later (acks) are queued.
    pub(crate) outbox: &'a Outbox,
    pub(crate) joined: &'a mut Joined,
    /// This connection's standing with the message rate limit.
    pub(crate) pace: &'a mut Pace,
    /// The frame was held back by the rate limit before, and is asked about again.
    pub(crate) held: bool,
}

/// A command's answer on its own socket.
#[derive(Default)]
pub(crate) struct Reply {
    /// Frames to write now, in order.
    pub(crate) frames: Vec<Utf8Bytes>,
    /// A send was handed to the sequencer: its ack (or refusal) will come through the
    /// outbox.
    pub(crate) submitted: bool,
    /// Not carried out yet (the sender is over its rate): read nothing more, and hand
    /// the same frame in again after this long.
    pub(crate) hold: Option<Duration>,
    /// Sustained abuse: close the socket with 1008.
    pub(crate) abuse: bool,
}

impl Reply {
    fn frame(msg: &ServerMsg) -> Self {
        Self {
            frames: vec![wire::encode(msg)],
            ..Self::default()
        }
    }

    /// A `rate_limited` error: try again after `wait`.
    fn rate_limited(wait: Duration, client_id: Option<ClientId>) -> Self {
        let retry_after_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        Self::frame(&ServerMsg::Error {
            code: ErrorCode::RateLimited,
            message: "you are sending too fast: wait a moment".to_owned(),
            client_id,
            retry_after_ms: Some(retry_after_ms),
            room: None,
            request_id: None,
        })
    }

    /// An `error` frame; the connection stays open.
    fn refusal(code: ErrorCode, message: &str, client_id: Option<ClientId>) -> Self {
        Self::frame(&ServerMsg::Error {
            code,
            message: message.to_owned(),
            client_id,
            retry_after_ms: None,
            room: None,
            request_id: None,
        })
    }

    /// An `error` frame refusing the request `request_id`.
    fn refusal_of(code: ErrorCode, message: &str, request_id: Option<RequestId>) -> Self {
        Self::frame(&ServerMsg::Error {
            code,
            message: message.to_owned(),
            client_id: None,
            retry_after_ms: None,
            room: None,
            request_id,
        })
    }
}

/// A text frame from the client: decoded, then carried out (or refused).
pub(crate) async fn text(session: Session<'_>, text: &str) -> Reply {
    match ClientMsg::decode(text) {
        Ok(msg) => execute(session, msg).await,
        Err(refusal) => Reply::frame(&refusal.into_server_msg()),
    }
}

/// A binary frame from the client: the protocol has none.
pub(crate) fn binary() -> Reply {
    Reply::refusal(ErrorCode::BadRequest, "frames must be JSON text", None)
}

async fn execute(session: Session<'_>, msg: ClientMsg) -> Reply {
    match msg {
        ClientMsg::Join { room, after } => join::run(session, room, after).await,
        ClientMsg::Leave { room } => leave::run(session, &room),
        ClientMsg::LeaveRoom { room } => leave_room::run(session, room).await,
        ClientMsg::Send {
            room,
            client_id,
            body,
            thread,
            in_room,
        } => {
            let post = send::Post {
                room,
                client_id,
                body,
                thread,
                in_room,
            };
            send::run(session, post).await
        }
        ClientMsg::History {
            room,
            before,
            limit,
            around,
            request_id,
            thread,
        } => {
            let ask = history::Ask {
                room,
                before,
                limit,
                around,
                request_id,
                thread,
            };
            history::run(session, ask).await
        }
        ClientMsg::Search {
            request_id,
            query,
            room,
            from,
            after,
            before,
            public,
            older_than,
            limit,
        } => {
            let ask = search::Ask {
                request_id,
                query,
                room,
                from,
                after,
                before,
                public,
                older_than,
                limit,
            };
            search::run(session, ask).await
        }
        ClientMsg::Ping => Reply::frame(&ServerMsg::Pong),
        ClientMsg::Typing { room, stop } => typing::run(session, &room, stop),
        ClientMsg::CreateRoom {
            room,
            topic,
            private,
        } => create_room::run(session, room, topic, private).await,
        ClientMsg::Read {
            room,
            seq,
            thread: None,
        } => read::run(session, room, seq, false).await,
        ClientMsg::Read {
            room,
            seq,
            thread: Some(root),
        } => read::thread(session, room, root, seq).await,
        ClientMsg::SetTopic { room, topic } => set_topic::run(session, room, topic).await,
        ClientMsg::MarkUnread { room, seq } => read::run(session, room, seq, true).await,
        ClientMsg::WatchPeople { users } => people::watch(session, users),
        ClientMsg::Status { away } => people::status(session, away),
        ClientMsg::StartConversation { with } => start_conversation::run(session, with).await,
        ClientMsg::Invite { room, user } => invite::run(session, room, user).await,
        ClientMsg::Members {
            room,
            limit,
            after,
            query,
            request_id,
        } => members::run(
            session,
            room,
            members::Page {
                limit,
                after,
                query,
                request_id,
            },
        ),
        ClientMsg::Notify { room, notify } => notify::run(session, room, notify).await,
        ClientMsg::PublicRooms { query } => public_rooms::run(session, &query),
        ClientMsg::Moderate { room, user, action } => {
            moderate::run(session, room, user, action).await
        }
        ClientMsg::SetRole { room, user, role } => {
            moderate::set_role(session, room, user, role).await
        }
        ClientMsg::DeleteMessage { room, id } => delete_message::run(session, room, id).await,
        ClientMsg::EditMessage {
            room,
            id,
            client_id,
            body,
        } => edit_message::run(session, room, id, client_id, body).await,
        ClientMsg::AddReaction {
            room,
            id,
            emoji,
            client_id,
        } => {
            let added = true;
            react::run(
                session,
                react::Reacting {
                    room,
                    id,
                    emoji,
                    client_id,
                    added,
                },
            )
            .await
        }
        ClientMsg::RemoveReaction {
            room,
            id,
            emoji,
            client_id,
        } => {
            let added = false;
            react::run(
                session,
                react::Reacting {
                    room,
                    id,
                    emoji,
                    client_id,
                    added,
                },
            )
            .await
        }
    }
}

/// Asks the message rate limit (`limits/pace.rs`) whether this command may go now:
/// None if so, else the answer that holds, refuses or closes instead.
fn paced(session: &mut Session<'_>, client_id: Option<&ClientId>) -> Option<Reply> {
    let limiter = &session.state.guards.messages;
    match session
        .pace
        .admit(limiter, &session.identity.user, session.held, client_id)
    {
        Admit::Go => None,
        Admit::Wait(wait) => Some(Reply {
            hold: Some(wait),
            ..Reply::default()
        }),
        Admit::Refuse(wait) => {
            session.state.metrics.limited(Limit::Messages);
            Some(Reply::rate_limited(wait, client_id.cloned()))
        }
        Admit::Abuse => Some(Reply {
            abuse: true,
            ..Reply::default()
        }),
    }
}

/// Whether this connection may change something of `room` it reads (an edit, a
/// reaction) now: it reads the room (`authz`), joined it, may post there (not muted,
/// banned or blocked), and is within the message rate. None if so, else the answer
/// that refuses (with `client_id`) or holds it.
fn may_change(session: &mut Session<'_>, room: &RoomName, client_id: &ClientId) -> Option<Reply> {
    let user = &session.identity.user;
    let directory = session.state.store.rooms().directory();
    let access = directory.access(room, user);
    if let Err(denial) = authz::check(session.identity, access.as_ref(), authz::Action::Read) {
        return Some(denied(denial, room));
    }
    if !session.joined.contains_key(room) {
        let text = "join the room first";
        return Some(Reply::refusal(
            ErrorCode::NotJoined,
            text,
            Some(client_id.clone()),
        ));
    }
    if let Err(refusal) = directory.may_post(room, user) {
        return Some(may_not_post(refusal, room.clone(), client_id.clone()));
    }
    paced(session, Some(client_id))
}

/// The refusal of something written (`send`, `edit_message`, by its client id) in a
/// room where the writer may not post now.
fn may_not_post(denied: PostDenied, room: RoomName, client_id: ClientId) -> Reply {
    let (code, text) = denied.said();
    Reply::frame(&ServerMsg::Error {
        code,
        message: text.to_owned(),
        client_id: Some(client_id),
        retry_after_ms: None,
        room: Some(room),
        request_id: None,
    })
}

/// The refusal for a room the identity may not act on (`authz`), naming the room.
fn denied(denial: authz::Denied, room: &RoomName) -> Reply {
    denied_request(denial, room, None)
}

/// [`denied`], refusing the request `request_id`.
fn denied_request(denial: authz::Denied, room: &RoomName, request_id: Option<RequestId>) -> Reply {
    Reply::frame(&ServerMsg::Error {
        code: denial.code(),
        message: denial.text().to_owned(),
        client_id: None,
        retry_after_ms: None,
        room: Some(room.clone()),
        request_id,
    })
}
