//! What the Confab server and the browser agree on: the wire protocol
//! ([`protocol`]) and the validated values it carries ([`names`]).
//!
//! Builds for native targets and for `wasm32-unknown-unknown`; keep it light.

pub mod close;
mod emoji;
pub mod names;
pub mod protocol;

pub use emoji::EMOJI_MAX_BYTES;
pub use names::{
    ClientId, Emoji, InvalidValue, MessageBody, RequestId, RoomName, Topic, UserId, UserName,
};
pub use protocol::{
    ChatMessage, ClientMsg, DecodeError, Deletion, Edit, ErrorCode, EventKind, MemberChange,
    MemberInfo, MessageId, ModAction, Notify, Participant, PersonStatus, Posted, Reaction,
    Reactions, Reactor, Role, RoomEvent, RoomInfo, RoomKind, SearchHit, Seq, ServerMsg, Status,
    TermKind, Thread, ThreadUnread, Tombstone, TopicChange, Typist, find_terms, is_cjk,
    search_terms, term_kind,
};
