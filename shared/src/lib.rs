//! What the Confab server and the browser agree on: the wire protocol
//! ([`protocol`]) and the validated values it carries ([`names`]).
//!
//! Builds for native targets and for `wasm32-unknown-unknown`; keep it light.

pub mod close;
pub mod names;
pub mod protocol;

pub use names::{ClientId, InvalidValue, MessageBody, RoomName, Topic, UserId, UserName};
pub use protocol::{
    ChatMessage, ClientMsg, DecodeError, Deletion, Edit, ErrorCode, EventKind, MemberChange,
    MemberInfo, MessageId, ModAction, Notify, Participant, PersonStatus, Posted, Role, RoomEvent,
    RoomInfo, RoomKind, Seq, ServerMsg, Status, Typist,
};
