//! Storage: where messages live and where each room's seq is assigned.
//!
//! [`Store`] is the interface the rest of the server uses; [`SqliteStore`] is the one
//! implementation today. A PostgreSQL one will sit beside it for clusters, so nothing
//! outside this module names a database.

mod columns;
#[cfg(test)]
mod contract;
mod directory;
mod memory;
mod migrate;
mod postgres;
mod reader;
mod rows;
mod sqlite;
mod stored_event;
mod thread_reads;
mod threads;

use std::sync::Arc;

use async_trait::async_trait;

use crate::accounts::{Accounts, Blocks};
use crate::rooms::Rooms;
use confab_shared::{
    ChatMessage, ClientId, EventKind, MessageBody, MessageId, Reactions, RoomEvent, RoomName,
    SearchHit, Seq, Thread, Tombstone, UserId, UserName,
};
use time::OffsetDateTime;
use time::macros::format_description;

pub use memory::MemoryStore;
pub use migrate::migrate;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A message on its way in, before it has an id and a seq.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub room: RoomName,
    /// The author's name as others see it now.
    pub author: UserName,
    /// Who the author is: with `client_id`, the idempotency key.
    pub author_id: UserId,
    pub client_id: ClientId,
    pub body: MessageBody,
    /// A reply: the root of the thread it goes into (`Store::replied_to`).
    pub thread: Option<MessageId>,
    /// A reply also shown in the room's list.
    pub in_room: bool,
    /// Its author may not post there now (the writer asked the directory just
    /// before storing): the store keeps it only as a resend of what it has
    /// (acknowledged again), else refuses it with this.
    pub refused: Option<crate::rooms::PostDenied>,
}

impl NewMessage {
    /// The message as stored, with the id, seq and time the store gave it, and, for
    /// a reply, its thread after it.
    pub fn stored(&self, id: i64, seq: Seq, ts: &str, thread: Option<Thread>) -> ChatMessage {
        ChatMessage {
            room: self.room.clone(),
            seq,
            id,
            client_id: self.client_id.clone(),
            author: self.author.clone(),
            author_id: self.author_id.clone(),
            body: self.body.clone(),
            ts: ts.to_owned(),
            edited_at: None,
            reactions: Vec::new(),
            thread: thread.map(|thread| Thread {
                in_room: self.in_room,
                ..thread
            }),
        }
    }
}

/// What became of one [`NewMessage`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Stored now, with a fresh seq: to be broadcast and acknowledged.
    New(ChatMessage),
    /// The author had already sent this `client_id`: here is the original, to be
    /// acknowledged again but not broadcast again.
    Duplicate(ChatMessage),
    /// Nothing stored: the author may not post there now. A moderator's event
    /// (a mute, a ban, a removal from a private room) committed first, on another
    /// node, before this node heard of it; a store several nodes share checks.
    Refused(crate::rooms::PostDenied),
}

impl Appended {
    /// The message stored, or its original; None if it was refused.
    pub fn message(&self) -> Option<&ChatMessage> {
        match self {
            Appended::New(m) | Appended::Duplicate(m) => Some(m),
            Appended::Refused(_) => None,
        }
    }
}

/// A room's events after some seq (a resume), and where the room stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    /// The room's newest seq when it was read (0 for an empty room).
    pub last_seq: Seq,
    /// Every event after the requested seq, oldest first; empty when `truncated`.
    pub events: Vec<RoomEvent>,
    /// More events than the limit came after the requested seq: too far behind to
    /// replay (the reader needs a [`Snapshot`] instead).
    pub truncated: bool,
}

/// A room's newest messages in their current state, as of one seq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The room's newest seq when it was read: `messages` show the room as of it.
    pub last_seq: Seq,
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    /// Older messages exist before the first one here.
    pub has_more: bool,
}

/// A page of older messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Oldest first.
    pub messages: Vec<ChatMessage>,
    /// Older messages exist before the first one here.
    pub has_more: bool,
}

/// What a search looks for (`Store::search`): its terms (`protocol/search.rs`) in
/// the messages of `rooms`, with its filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// The rooms the searcher may read and asked to search.
    pub rooms: Vec<RoomName>,
    pub terms: Vec<String>,
    /// Only by the author of this name.
    pub from: Option<UserName>,
    /// Only at or after this time, and before that one (dates or RFC 3339 times,
    /// compared with `ts` as text).
    pub after: Option<String>,
    pub before: Option<String>,
    /// Only messages older than this id (the next page).
    pub older_than: Option<MessageId>,
    pub limit: u32,
}

/// What a search found, newest first, and where the next page starts, if there may
/// be one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Found {
    pub hits: Vec<SearchHit>,
    pub next: Option<MessageId>,
}

/// Why the store could not do something. In the domain's words: no database
/// library's types, so every implementation (SQLite, memory, PostgreSQL) gives the
/// same kinds.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (I/O, a constraint, a lost connection).
    #[error("database error: {0}")]
    Database(String),
    #[error("bringing the database's schema up to date failed: {0}")]
    Migrate(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("the store is closed")]
    Closed,
    #[error("unsupported database address {0:?} (expected a SQLite file path or sqlite: URL)")]
    Unsupported(String),
}

/// sqlx's errors, in the store's words (both SQL stores read through sqlx): a pool
/// closed at shutdown is a closed store.
impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolClosed => StoreError::Closed,
            other => StoreError::Database(other.to_string()),
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a batch in one transaction, in order, giving each new message the next
    /// seq of its room. Returns only once the batch is durable; on error nothing of the
    /// batch is stored.
    ///
    /// Shared, not borrowed: an implementation may hand the batch to a task of its
    /// own without copying its messages.
    async fn append(&self, batch: Arc<[NewMessage]>) -> Result<Vec<Appended>, StoreError>;

    /// The events of `room` with `seq > after`, if there are at most `limit` of them
    /// (else none, and `truncated`).
    async fn replay(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Replay, StoreError>;

    /// The newest `limit` messages of `room` and the seq they are current as of, read
    /// together.
    async fn snapshot(&self, room: &RoomName, limit: u32) -> Result<Snapshot, StoreError>;

    /// Up to `limit` messages of `room` with `seq < before` (without `before`, the
    /// newest), oldest first.
    async fn history(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Page, StoreError>;

    /// Persists `events` of `room` (a change the room log planned: `room_log.rs`)
    /// in one transaction, each with the room's next seq and what it means in the
    /// tables. Gives the stored events: an event that applies to nothing (a deletion
    /// of a message that is gone) is left out. Only the room log calls this, from the
    /// sequencer, so events are stored one change at a time, in order with the
    /// messages around them. Decides nothing: what a change means was planned, and
    /// whether it was allowed asked (`commands::authz`), before.
    async fn persist(
        &self,
        room: &RoomName,
        events: Vec<EventKind>,
    ) -> Result<Vec<RoomEvent>, StoreError>;

    /// Who wrote message `id` of `room`, unless there is no such message or it was
    /// deleted.
    async fn message_author(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<UserId>, StoreError>;

    /// The reactions of message `id` of `room` now, unless there is no such message
    /// or it was deleted.
    async fn reactions(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<Vec<Reactions>>, StoreError>;

    /// The thread a reply to message `id` of `room` goes into: `id` itself (a
    /// message outside any thread, or a root), or the root of the thread `id` is a
    /// reply in; none if there is no such message or it was deleted.
    async fn replied_to(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<MessageId>, StoreError>;

    /// Up to `limit` replies of thread `root` of `room` with `seq < before` (without
    /// `before`, the newest), oldest first; and the root as it is now (none once
    /// deleted).
    async fn thread(
        &self,
        room: &RoomName,
        root: MessageId,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<(Page, Option<ChatMessage>), StoreError>;

    /// Up to `limit` messages of `room` with `seq > after`, oldest first; `has_more`
    /// when newer ones follow them.
    async fn newer(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Page, StoreError>;

    /// The deleted roots of `room` with seqs in `from..=to` whose threads still have
    /// replies, oldest first: the places the room's list keeps for them.
    async fn tombstones(
        &self,
        room: &RoomName,
        from: Seq,
        to: Seq,
    ) -> Result<Vec<Tombstone>, StoreError>;

    /// The messages not deleted, newest first, that hold every term of `query` now
    /// (`find_terms`, the one matching rule), at most `query.limit`. May trail the
    /// newest commits by a moment (an index kept off the write path), never shows a
    /// deleted message or one whose text no longer holds the terms.
    async fn search(&self, query: &SearchQuery) -> Result<Found, StoreError>;

    /// Up to `limit` of the room's events other than messages (who joined, was
    /// invited, removed, muted, given a role; which message was deleted, by whom) with
    /// `seq < before`, newest first: the room's audit log.
    async fn audit(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<RoomEvent>, StoreError>;

    /// Identifies this history; changes when history is replaced.
    async fn epoch(&self) -> Result<String, StoreError>;

    /// The accounts kept beside this history.
    fn accounts(&self) -> &dyn Accounts;

    /// The rooms and their members.
    fn rooms(&self) -> &dyn Rooms;

    /// Whom each account blocked.
    fn blocks(&self) -> &dyn Blocks;

    /// Each account's read markers, and what is unread after them.
    fn reading(&self) -> &dyn crate::reading::Reading;

    /// Flushes and closes; called once at shutdown.
    async fn close(&self);
}

/// What an `ack` promises. See docs/protocol.md, "Delivery guarantees".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Committed to the write-ahead log: survives the server crashing or being
    /// killed (`kill -9`); the last moment of writes can be lost if the machine
    /// itself loses power. No fsync per commit, so it is fast.
    #[default]
    Process,
    /// Also synced to disk at every commit: survives power loss and OS crashes, at
    /// the cost of one fsync per batch.
    Disk,
}

/// Opens the store named by `address`: a SQLite file path or `sqlite:` URL, a
/// `postgres://` URL (a database several nodes share), or `memory:` for a store
/// that lives and dies with the process (for trying things out; nothing is kept).
pub async fn open(address: &str, durability: Durability) -> Result<Arc<dyn Store>, StoreError> {
    if address.starts_with("postgres:") || address.starts_with("postgresql:") {
        return Ok(Arc::new(PostgresStore::open(address).await?));
    }
    if address == "memory:" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    Ok(Arc::new(SqliteStore::open_with(address, durability).await?))
}

/// A backup made (`confab backup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The copy's size.
    pub bytes: u64,
    /// The copy's own epoch.
    pub epoch: String,
}

/// Copies the SQLite database `address` names to the new file `to`, safely while a
/// server writes to it; the copy gets an epoch of its own. (PostgreSQL has its own
/// tools: docs/deploy.md.)
pub async fn backup(address: &str, to: &std::path::Path) -> Result<Copied, StoreError> {
    if address.starts_with("postgres:")
        || address.starts_with("postgresql:")
        || address == "memory:"
    {
        return Err(StoreError::Unsupported(address.to_owned()));
    }
    let source = SqliteStore::file_of(address)?;
    let to = to.to_owned();
    tokio::task::spawn_blocking(move || sqlite::backup::copy(&source, &to))
        .await
        .map_err(|error| StoreError::Database(error.to_string()))?
}

/// Now, as RFC 3339 in UTC with milliseconds.
pub(crate) fn now_rfc3339() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_owned())
}
