//! Reading a client frame: [`ClientMsg::decode`] gives each kind of bad value its own
//! error code (and the client or request id it was about), not one parse error.

use serde::Deserialize;

use super::search;
use super::*;
use crate::names::{ClientId, Emoji, MessageBody, RequestId, RoomName, Topic, UserId, UserName};

/// A client frame that could not be turned into a [`ClientMsg`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    pub code: ErrorCode,
    pub message: String,
    /// The `client_id` of a refused `send`, when it had a valid one.
    pub client_id: Option<ClientId>,
    /// The `request_id` of a refused request, when it had a valid one.
    pub request_id: Option<RequestId>,
}

impl DecodeError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            client_id: None,
            request_id: None,
        }
    }

    /// The same refusal, about the request `request_id`.
    fn about(mut self, request_id: Option<RequestId>) -> Self {
        self.request_id = request_id;
        self
    }

    /// The `error` frame that tells the client about this.
    pub fn into_server_msg(self) -> ServerMsg {
        ServerMsg::Error {
            code: self.code,
            message: self.message,
            client_id: self.client_id,
            retry_after_ms: None,
            room: None,
            request_id: self.request_id,
        }
    }
}

/// The shape of a client frame before its fields are validated, so that each kind of
/// bad value gets its own error code rather than one generic parse error.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum RawClientMsg {
    Join {
        room: String,
        after: Option<Seq>,
    },
    Leave {
        room: String,
    },
    LeaveRoom {
        room: String,
    },
    Typing {
        room: String,
        #[serde(default)]
        stop: bool,
    },
    Send {
        room: String,
        client_id: String,
        body: String,
        #[serde(default)]
        thread: Option<MessageId>,
        #[serde(default)]
        in_room: bool,
    },
    History {
        room: String,
        before: Option<Seq>,
        limit: Option<u32>,
        #[serde(default)]
        around: Option<Seq>,
        #[serde(default)]
        request_id: Option<String>,
        #[serde(default)]
        thread: Option<MessageId>,
    },
    Search {
        #[serde(default)]
        request_id: Option<String>,
        query: String,
        #[serde(default)]
        room: Option<String>,
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        after: Option<String>,
        #[serde(default)]
        before: Option<String>,
        #[serde(default)]
        public: bool,
        #[serde(default)]
        older_than: Option<MessageId>,
        #[serde(default)]
        limit: Option<u32>,
    },
    Ping,
    CreateRoom {
        room: String,
        #[serde(default)]
        topic: String,
        #[serde(default)]
        private: bool,
    },
    StartConversation {
        with: Vec<String>,
    },
    WatchPeople {
        users: Vec<String>,
    },
    Read {
        room: String,
        seq: Seq,
        #[serde(default)]
        thread: Option<MessageId>,
    },
    MarkUnread {
        room: String,
        seq: Seq,
    },
    Status {
        away: bool,
    },
    Invite {
        room: String,
        user: String,
    },
    DeleteMessage {
        room: String,
        id: MessageId,
    },
    EditMessage {
        room: String,
        id: MessageId,
        client_id: String,
        body: String,
    },
    AddReaction {
        room: String,
        id: MessageId,
        emoji: String,
        client_id: String,
    },
    RemoveReaction {
        room: String,
        id: MessageId,
        emoji: String,
        client_id: String,
    },
    Moderate {
        room: String,
        user: String,
        action: String,
    },
    SetRole {
        room: String,
        user: String,
        role: String,
    },
    SetTopic {
        room: String,
        topic: String,
    },
    Members {
        room: String,
        #[serde(default)]
        limit: Option<u32>,
        #[serde(default)]
        after: Option<String>,
        #[serde(default)]
        query: String,
        #[serde(default)]
        request_id: Option<String>,
    },
    Notify {
        room: String,
        notify: Notify,
    },
    PublicRooms {
        #[serde(default)]
        query: String,
    },
    #[serde(other)]
    Other,
}

impl ClientMsg {
    /// Reads one text frame from a client.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let raw: RawClientMsg = serde_json::from_str(text)
            .map_err(|e| DecodeError::new(ErrorCode::BadRequest, bad_request_text(&e)))?;
        let room = |name: String| {
            RoomName::new(name).map_err(|e| DecodeError::new(ErrorCode::InvalidRoom, e.to_string()))
        };
        Ok(match raw {
            RawClientMsg::Join { room: name, after } => ClientMsg::Join {
                room: room(name)?,
                after,
            },
            RawClientMsg::Leave { room: name } => ClientMsg::Leave { room: room(name)? },
            RawClientMsg::LeaveRoom { room: name } => ClientMsg::LeaveRoom { room: room(name)? },
            RawClientMsg::Send {
                room: name,
                client_id,
                body,
                thread,
                in_room,
            } => {
                let (room, client_id, body) = written(name, client_id, body)?;
                ClientMsg::Send {
                    room,
                    client_id,
                    body,
                    thread,
                    in_room: in_room && thread.is_some(),
                }
            }
            RawClientMsg::Ping => ClientMsg::Ping,
            RawClientMsg::Typing { room: name, stop } => ClientMsg::Typing {
                room: room(name)?,
                stop,
            },
            RawClientMsg::CreateRoom {
                room: name,
                topic,
                private,
            } => ClientMsg::CreateRoom {
                room: room(name)?,
                topic: Topic::new(topic)
                    .map_err(|e| DecodeError::new(ErrorCode::BadRequest, e.to_string()))?,
                private,
            },
            RawClientMsg::WatchPeople { users } => {
                if users.len() > PEOPLE_WATCH_LIMIT {
                    return Err(DecodeError::new(
                        ErrorCode::BadRequest,
                        format!("watch at most {PEOPLE_WATCH_LIMIT} people at once"),
                    ));
                }
                let users = users
                    .into_iter()
                    .map(|id| {
                        UserId::new(id)
                            .map_err(|e| DecodeError::new(ErrorCode::BadRequest, e.to_string()))
                    })
                    .collect::<Result<_, _>>()?;
                ClientMsg::WatchPeople { users }
            }
            RawClientMsg::Status { away } => ClientMsg::Status { away },
            RawClientMsg::Read {
                room: name,
                seq,
                thread,
            } => ClientMsg::Read {
                room: room(name)?,
                seq,
                thread,
            },
            RawClientMsg::MarkUnread { room: name, seq } => ClientMsg::MarkUnread {
                room: room(name)?,
                seq,
            },
            RawClientMsg::StartConversation { with } => {
                if with.len() >= CONVERSATION_MAX_PEOPLE {
                    return Err(DecodeError::new(
                        ErrorCode::BadRequest,
                        format!("a conversation holds at most {CONVERSATION_MAX_PEOPLE} people"),
                    ));
                }
                ClientMsg::StartConversation {
                    with: with.into_iter().map(user_name).collect::<Result<_, _>>()?,
                }
            }
            RawClientMsg::Invite { room: name, user } => ClientMsg::Invite {
                room: room(name)?,
                user: user_name(user)?,
            },
            RawClientMsg::DeleteMessage { room: name, id } => ClientMsg::DeleteMessage {
                room: room(name)?,
                id,
            },
            RawClientMsg::EditMessage {
                room: name,
                id,
                client_id,
                body,
            } => {
                let (room, client_id, body) = written(name, client_id, body)?;
                ClientMsg::EditMessage {
                    room,
                    id,
                    client_id,
                    body,
                }
            }
            RawClientMsg::AddReaction {
                room: name,
                id,
                emoji,
                client_id,
            } => {
                let (room, emoji, client_id) = reacted(name, emoji, client_id)?;
                ClientMsg::AddReaction {
                    room,
                    id,
                    emoji,
                    client_id,
                }
            }
            RawClientMsg::RemoveReaction {
                room: name,
                id,
                emoji,
                client_id,
            } => {
                let (room, emoji, client_id) = reacted(name, emoji, client_id)?;
                ClientMsg::RemoveReaction {
                    room,
                    id,
                    emoji,
                    client_id,
                }
            }
            RawClientMsg::Moderate {
                room: name,
                user,
                action,
            } => ClientMsg::Moderate {
                room: room(name)?,
                user: user_name(user)?,
                action: ModAction::parse(&action).ok_or_else(|| {
                    DecodeError::new(
                        ErrorCode::BadRequest,
                        "action must be kick, ban, unban, mute or unmute",
                    )
                })?,
            },
            RawClientMsg::SetRole {
                room: name,
                user,
                role,
            } => ClientMsg::SetRole {
                room: room(name)?,
                user: user_name(user)?,
                role: Role::parse(&role).ok_or_else(|| {
                    DecodeError::new(
                        ErrorCode::BadRequest,
                        "role must be owner, moderator or member",
                    )
                })?,
            },
            RawClientMsg::Members {
                room: name,
                limit,
                after,
                query,
                request_id,
            } => {
                let request_id = request(request_id)?;
                let about = |e: DecodeError| e.about(request_id.clone());
                ClientMsg::Members {
                    room: room(name).map_err(about)?,
                    limit,
                    after: after.map(user_name).transpose().map_err(about)?,
                    query: short_query(query).map_err(about)?,
                    request_id,
                }
            }
            RawClientMsg::SetTopic { room: name, topic } => ClientMsg::SetTopic {
                room: room(name)?,
                topic: Topic::new(topic)
                    .map_err(|e| DecodeError::new(ErrorCode::BadRequest, e.to_string()))?,
            },
            RawClientMsg::Notify { room: name, notify } => ClientMsg::Notify {
                room: room(name)?,
                notify,
            },
            RawClientMsg::PublicRooms { query } => ClientMsg::PublicRooms {
                query: short_query(query)?,
            },
            RawClientMsg::Other => {
                return Err(DecodeError::new(
                    ErrorCode::UnknownType,
                    "unknown frame type (see docs/protocol.md)",
                ));
            }
            RawClientMsg::History {
                room: name,
                before,
                limit,
                around,
                request_id,
                thread,
            } => {
                let request_id = request(request_id)?;
                let limit = limit.unwrap_or(DEFAULT_REPLAY);
                if limit == 0 || limit > MAX_HISTORY_LIMIT {
                    return Err(DecodeError::new(
                        ErrorCode::BadRequest,
                        format!("limit must be between 1 and {MAX_HISTORY_LIMIT}"),
                    )
                    .about(request_id));
                }
                ClientMsg::History {
                    room: room(name).map_err(|e| e.about(request_id.clone()))?,
                    before,
                    limit,
                    around,
                    request_id,
                    thread,
                }
            }
            RawClientMsg::Search {
                request_id,
                query,
                room: name,
                from,
                after,
                before,
                public,
                older_than,
                limit,
            } => {
                let request_id = request(request_id)?;
                let refuse = |text: &str| {
                    DecodeError::new(ErrorCode::BadRequest, text).about(request_id.clone())
                };
                search::check_query(&query).map_err(|text| refuse(&text))?;
                let limit = limit.unwrap_or(SEARCH_LIMIT);
                if limit == 0 || limit > SEARCH_LIMIT {
                    return Err(refuse(&format!(
                        "limit must be between 1 and {SEARCH_LIMIT}"
                    )));
                }
                for time in [&after, &before].into_iter().flatten() {
                    if !search::is_time(time) {
                        return Err(refuse(
                            "after and before are dates (2026-12-03) or RFC 3339 times",
                        ));
                    }
                }
                ClientMsg::Search {
                    room: name
                        .map(room)
                        .transpose()
                        .map_err(|e| e.about(request_id.clone()))?,
                    from: from
                        .map(user_name)
                        .transpose()
                        .map_err(|e| e.about(request_id.clone()))?,
                    request_id,
                    query,
                    after,
                    before,
                    public,
                    older_than,
                    limit: Some(limit),
                }
            }
        })
    }
}

/// A search's text: at most 100 characters.
fn short_query(query: String) -> Result<String, DecodeError> {
    if query.chars().count() > 100 {
        return Err(DecodeError::new(
            ErrorCode::BadRequest,
            "a query is at most 100 characters",
        ));
    }
    Ok(query)
}

/// The room, client id and text of something written (`send`, `edit_message`): a
/// refusal of a valid client id carries it, so the writer knows which one failed.
fn written(
    room: String,
    client_id: String,
    body: String,
) -> Result<(RoomName, ClientId, MessageBody), DecodeError> {
    let client_id = ClientId::new(client_id)
        .map_err(|e| DecodeError::new(ErrorCode::InvalidClientId, e.to_string()))?;
    let with_id = |mut e: DecodeError| {
        e.client_id = Some(client_id.clone());
        e
    };
    let room = RoomName::new(room)
        .map_err(|e| with_id(DecodeError::new(ErrorCode::InvalidRoom, e.to_string())))?;
    let body = MessageBody::new(body)
        .map_err(|e| with_id(DecodeError::new(ErrorCode::InvalidBody, e.to_string())))?;
    Ok((room, client_id, body))
}

/// The room, emoji and client id of a reaction command: a refusal of a valid client
/// id carries it.
fn reacted(
    room: String,
    emoji: String,
    client_id: String,
) -> Result<(RoomName, Emoji, ClientId), DecodeError> {
    let client_id = ClientId::new(client_id)
        .map_err(|e| DecodeError::new(ErrorCode::InvalidClientId, e.to_string()))?;
    let with_id = |code, e: crate::InvalidValue| DecodeError {
        client_id: Some(client_id.clone()),
        ..DecodeError::new(code, e.to_string())
    };
    let room = RoomName::new(room).map_err(|e| with_id(ErrorCode::InvalidRoom, e))?;
    let emoji = Emoji::new(emoji).map_err(|e| with_id(ErrorCode::BadRequest, e))?;
    Ok((room, emoji, client_id))
}

/// A request's id, if it has one (a bad one is refused without it).
fn request(request_id: Option<String>) -> Result<Option<RequestId>, DecodeError> {
    request_id
        .map(RequestId::new)
        .transpose()
        .map_err(|e| DecodeError::new(ErrorCode::BadRequest, e.to_string()))
}

fn user_name(name: String) -> Result<UserName, DecodeError> {
    UserName::new(name).map_err(|e| DecodeError::new(ErrorCode::BadRequest, e.to_string()))
}

/// Serde's message without the line/column noise, which means nothing to a client
/// that sent a single frame.
fn bad_request_text(e: &serde_json::Error) -> String {
    if e.is_syntax() || e.is_eof() {
        return "frame is not valid JSON".to_owned();
    }
    let text = e.to_string();
    match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}
