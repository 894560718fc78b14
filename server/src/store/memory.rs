//! The in-memory twin of the SQLite store: the same contract (gapless seqs per room,
//! one message per author and client id, replay and history pages), kept in a map.
//! It is what `--database memory:` runs on and what tests use where a real database
//! adds nothing; [`MemoryStore::fail_appends`] makes it refuse, so the paths that
//! handle a failed commit can be tested.

mod accounts;
mod reactions;
mod reading;
mod rooms;
mod search;
mod threads;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use confab_shared::{
    ChatMessage, ClientId, Deletion, EventKind, MessageId, RoomEvent, RoomName, Seq, UserId,
    UserName,
};

use crate::accounts::{AccountChange, Accounts, Blocked, Blocks, Credentials, TokenInfo, name_key};
use crate::rooms::{Directory, Rooms};

use super::{Appended, NewMessage, Page, Replay, Snapshot, Store, StoreError, now_rfc3339};

pub struct MemoryStore {
    state: Mutex<State>,
    epoch: String,
    failing: AtomicBool,
    /// Rooms and members: here, the directory is all there is.
    directory: Directory,
}

/// One seq of a room's log.
enum Entry {
    /// A message, and who deleted it when, if someone did.
    Message(ChatMessage, Option<(UserName, String)>),
    /// Any other event.
    Event(RoomEvent),
}

impl Entry {
    /// The message here, unless it was deleted.
    fn live(&self) -> Option<&ChatMessage> {
        match self {
            Entry::Message(message, None) => Some(message),
            _ => None,
        }
    }

    /// The entry as a replay gives it, in `log` (its room's): an edit with its
    /// message's current text, or once that is deleted as its deletion; a deletion
    /// with its message's thread as it is now.
    fn replayed(&self, log: &[Entry]) -> RoomEvent {
        if let Entry::Event(event) = self
            && let EventKind::MessageEdited(edit) = &event.kind
        {
            let message = log.iter().find_map(|entry| match entry {
                Entry::Message(message, deleted) if message.id == edit.id => {
                    Some((message, deleted))
                }
                _ => None,
            });
            let kind = match message {
                Some((message, Some((by, ts)))) => EventKind::MessageDeleted(Deletion {
                    id: edit.id,
                    by: by.clone(),
                    ts: ts.clone(),
                    thread: threads::after_deletion(log, message),
                    tombstone: threads::tombstone(log, message),
                }),
                Some((message, None)) => EventKind::MessageEdited(confab_shared::Edit {
                    body: message.body.clone(),
                    edited_at: message.edited_at.clone().unwrap_or_default(),
                    ..edit.clone()
                }),
                None => event.kind.clone(),
            };
            return RoomEvent {
                room: event.room.clone(),
                seq: event.seq,
                kind,
            };
        }
        match self {
            Entry::Message(message, None) => RoomEvent::message(threads::current(log, message)),
            Entry::Message(message, Some((by, ts))) => RoomEvent {
                room: message.room.clone(),
                seq: message.seq,
                kind: EventKind::MessageDeleted(Deletion {
                    id: message.id,
                    by: by.clone(),
                    ts: ts.clone(),
                    thread: threads::after_deletion(log, message),
                    tombstone: threads::tombstone(log, message),
                }),
            },
            // A deletion says its message's thread as it is now.
            Entry::Event(event) => {
                let mut event = event.clone();
                if let EventKind::MessageDeleted(deletion) = &mut event.kind
                    && let Some(message) = log.iter().find_map(|entry| match entry {
                        Entry::Message(message, _) if message.id == deletion.id => Some(message),
                        _ => None,
                    })
                {
                    deletion.thread = threads::after_deletion(log, message);
                    deletion.tombstone = threads::tombstone(log, message);
                }
                event
            }
        }
    }
}

#[derive(Default)]
struct State {
    /// Each room's log, seq 1 first.
    rooms: HashMap<RoomName, Vec<Entry>>,
    /// Where each (author id, client id) was stored: room and index.
    sent: HashMap<(UserId, ClientId), (RoomName, usize)>,
    last_id: i64,
    closed: bool,
    /// Accounts by name key (`accounts::name_key`), with their password hashes.
    accounts: HashMap<String, Credentials>,
    /// The account change feed: (entry, when, in Unix seconds).
    changes: Vec<(AccountChange, i64)>,
    /// The newest entry's seq.
    last_change: i64,
    /// Sessions: token hash to (account id, expires at).
    sessions: HashMap<String, (i64, i64)>,
    /// API tokens: (account id, token hash, what its owner sees).
    tokens: Vec<(i64, String, TokenInfo)>,
    /// The newest account id given.
    last_account: i64,
    /// Who blocked whom.
    blocks: Vec<(UserId, Blocked)>,
    /// Read markers: (reader, room) to seq.
    read: HashMap<(UserId, RoomName), Seq>,
    /// Each person's last reaction command per message and emoji.
    reacted: reactions::LastCommands,
    /// Read markers in threads: (reader, root) to the seq of the newest reply read.
    thread_reads: HashMap<(UserId, MessageId), Seq>,
}

impl State {
    /// Appends `account`'s change to the feed: one entry per credential ended, or
    /// one saying only that it changed.
    fn record(&mut self, account: i64, ended: &[String], banned: bool) {
        let at = crate::identity::unix_now();
        let ended: Vec<Option<String>> = if ended.is_empty() {
            vec![None]
        } else {
            ended.iter().cloned().map(Some).collect()
        };
        for ended in ended {
            self.last_change += 1;
            let change = AccountChange {
                seq: self.last_change,
                account,
                ended,
                banned,
            };
            self.changes.push((change, at));
        }
    }

    /// The key of the account called `username`: exactly that name if one has it,
    /// else the one with its name key.
    fn key_of(&self, username: &UserName) -> Option<String> {
        let key = name_key(username.as_str());
        let exact = self
            .accounts
            .iter()
            .find(|(_, c)| c.account.username == *username)
            .map(|(k, _)| k.clone());
        exact.or_else(|| self.accounts.contains_key(&key).then_some(key))
    }

    /// Ends `account`'s sessions but `keep`; gives the ended ones' hashes.
    fn end_sessions(&mut self, account: i64, keep: Option<&str>) -> Vec<String> {
        let ended: Vec<String> = self
            .sessions
            .iter()
            .filter(|(hash, (owner, _))| *owner == account && Some(hash.as_str()) != keep)
            .map(|(hash, _)| hash.clone())
            .collect();
        for hash in &ended {
            self.sessions.remove(hash);
        }
        ended
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    pub fn new() -> Self {
        // A new history every time: seqs from another process's memory mean nothing.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Self {
            state: Mutex::default(),
            epoch: format!("mem{:013x}", nanos & 0xf_ffff_ffff_ffff),
            failing: AtomicBool::new(false),
            directory: rooms::general_only(),
        }
    }

    /// While `on`, every append fails (and stores nothing), as a database that lost
    /// its disk would.
    pub fn fail_appends(&self, on: bool) {
        self.failing.store(on, Ordering::SeqCst);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn append(&self, batch: Arc<[NewMessage]>) -> Result<Vec<Appended>, StoreError> {
        let mut state = self.lock();
        if state.closed {
            return Err(StoreError::Closed);
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Database(
                "appends are failing (test switch)".into(),
            ));
        }
        let ts = now_rfc3339();
        let mut out = Vec::with_capacity(batch.len());
        for new in batch.iter() {
            let key = (new.author_id.clone(), new.client_id.clone());
            if let Some((room, at)) = state.sent.get(&key) {
                let original = match state.rooms.get(room).and_then(|m| m.get(*at)) {
                    Some(Entry::Message(message, _)) => Some(message.clone()),
                    _ => None,
                };
                let original =
                    original.ok_or_else(|| StoreError::Corrupt("lost a sent message".into()))?;
                out.push(Appended::Duplicate(original));
                continue;
            }
            if let Some(why) = new.refused {
                out.push(Appended::Refused(why));
                continue;
            }
            state.last_id += 1;
            let id = state.last_id;
            let messages = state.rooms.entry(new.room.clone()).or_default();
            let seq = messages.len() as Seq + 1;
            let thread = new.thread.map(|root| threads::summary(messages, root));
            let message = new.stored(id, seq, &ts, thread);
            messages.push(Entry::Message(message.clone(), None));
            let message = threads::current(messages, &message);
            let at = messages.len() - 1;
            if let Some(root) = new.thread {
                // Replying reads the thread up to the reply.
                let read = state
                    .thread_reads
                    .entry((new.author_id.clone(), root))
                    .or_insert(0);
                *read = (*read).max(seq);
            }
            state.sent.insert(key, (new.room.clone(), at));
            out.push(Appended::New(message));
        }
        Ok(out)
    }

    async fn replay(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Replay, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        let last_seq = log.len() as Seq;
        let from = usize::try_from(after.min(last_seq)).unwrap_or(usize::MAX);
        let newer = &log[from.min(log.len())..];
        let truncated = newer.len() > usize::try_from(limit).unwrap_or(usize::MAX);
        let events = if truncated {
            Vec::new()
        } else {
            newer.iter().map(|entry| entry.replayed(log)).collect()
        };
        Ok(Replay {
            last_seq,
            events,
            truncated,
        })
    }

    async fn snapshot(&self, room: &RoomName, limit: u32) -> Result<Snapshot, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        let (page, has_more) = newest(log, log.len(), limit);
        Ok(Snapshot {
            last_seq: log.len() as Seq,
            messages: page,
            has_more,
        })
    }

    async fn history(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        let end = match before {
            Some(seq) => usize::try_from(seq.saturating_sub(1)).unwrap_or(usize::MAX),
            None => log.len(),
        };
        let (messages, has_more) = newest(log, end, limit);
        Ok(Page { messages, has_more })
    }

    async fn persist(
        &self,
        room: &RoomName,
        events: Vec<EventKind>,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        let mut guard = self.lock();
        let state = &mut *guard;
        if state.closed {
            return Err(StoreError::Closed);
        }
        let now = now_rfc3339();
        let log = state.rooms.entry(room.clone()).or_default();
        let mut stored = Vec::with_capacity(events.len());
        for mut kind in events {
            if let EventKind::MessageDeleted(deletion) = &mut kind {
                let found = log.iter_mut().find_map(|entry| match entry {
                    Entry::Message(message, deleted @ None) if message.id == deletion.id => {
                        Some(deleted)
                    }
                    _ => None,
                });
                let Some(deleted) = found else {
                    continue;
                };
                let ts = if deletion.ts.is_empty() {
                    now.clone()
                } else {
                    deletion.ts.clone()
                };
                *deleted = Some((deletion.by.clone(), ts));
                let gone = log.iter().find_map(|entry| match entry {
                    Entry::Message(message, _) if message.id == deletion.id => Some(message),
                    _ => None,
                });
                deletion.thread = gone.and_then(|message| threads::after_deletion(log, message));
                deletion.tombstone = gone.and_then(|message| threads::tombstone(log, message));
            }
            if let EventKind::MessageEdited(edit) = &kind {
                // Only a message not deleted, and only an edit later than its last.
                let last_edit = log
                    .iter()
                    .filter_map(|entry| match entry {
                        Entry::Event(RoomEvent {
                            kind: EventKind::MessageEdited(earlier),
                            ..
                        }) if earlier.id == edit.id => Some(earlier.client_id.clone()),
                        _ => None,
                    })
                    .max();
                if last_edit.is_some_and(|last| last >= edit.client_id) {
                    continue;
                }
                let found = log.iter_mut().find_map(|entry| match entry {
                    Entry::Message(message, None) if message.id == edit.id => Some(message),
                    _ => None,
                });
                let Some(message) = found else {
                    continue;
                };
                message.body = edit.body.clone();
                message.edited_at = Some(edit.edited_at.clone());
            }
            if let EventKind::ReactionAdded(reaction) | EventKind::ReactionRemoved(reaction) = &kind
            {
                let added = matches!(kind, EventKind::ReactionAdded(_));
                if !reactions::apply(log, &mut state.reacted, reaction, added) {
                    continue;
                }
            }
            let event = RoomEvent {
                room: room.clone(),
                seq: log.len() as Seq + 1,
                kind,
            };
            log.push(Entry::Event(event.clone()));
            stored.push(event);
        }
        Ok(stored)
    }

    async fn message_author(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<UserId>, StoreError> {
        Ok(self.lock().rooms.get(room).and_then(|log| {
            log.iter().find_map(|entry| match entry.live() {
                Some(message) if message.id == id => Some(message.author_id.clone()),
                _ => None,
            })
        }))
    }

    async fn replied_to(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<MessageId>, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(threads::replied_to(log, id))
    }

    async fn thread(
        &self,
        room: &RoomName,
        root: MessageId,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<(Page, Option<ChatMessage>), StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(threads::page(log, root, before, limit))
    }

    async fn newer(&self, room: &RoomName, after: Seq, limit: u32) -> Result<Page, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(search::newer(log, after, limit))
    }

    async fn tombstones(
        &self,
        room: &RoomName,
        from: Seq,
        to: Seq,
    ) -> Result<Vec<confab_shared::Tombstone>, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(threads::tombstones(log, from, to))
    }

    async fn search(
        &self,
        query: &crate::store::SearchQuery,
    ) -> Result<crate::store::Found, StoreError> {
        Ok(search::search(&self.lock(), query))
    }

    async fn reactions(
        &self,
        room: &RoomName,
        id: MessageId,
    ) -> Result<Option<Vec<confab_shared::Reactions>>, StoreError> {
        Ok(self.lock().rooms.get(room).and_then(|log| {
            log.iter().find_map(|entry| match entry.live() {
                Some(message) if message.id == id => Some(message.reactions.clone()),
                _ => None,
            })
        }))
    }

    async fn audit(
        &self,
        room: &RoomName,
        before: Option<Seq>,
        limit: u32,
    ) -> Result<Vec<RoomEvent>, StoreError> {
        let state = self.lock();
        let log = state.rooms.get(room).map_or(&[][..], Vec::as_slice);
        Ok(log
            .iter()
            .rev()
            .filter_map(|entry| match entry {
                // Edits are the author's, not the room's moderation.
                Entry::Event(event)
                    if before.is_none_or(|before| event.seq < before)
                        && !matches!(
                            event.kind,
                            EventKind::MessageEdited(_)
                                | EventKind::ReactionAdded(_)
                                | EventKind::ReactionRemoved(_)
                        ) =>
                {
                    Some(event.clone())
                }
                _ => None,
            })
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect())
    }

    async fn epoch(&self) -> Result<String, StoreError> {
        Ok(self.epoch.clone())
    }

    fn accounts(&self) -> &dyn Accounts {
        self
    }

    fn rooms(&self) -> &dyn Rooms {
        self
    }

    fn blocks(&self) -> &dyn Blocks {
        self
    }

    fn reading(&self) -> &dyn crate::reading::Reading {
        self
    }

    async fn close(&self) {
        self.lock().closed = true;
    }
}

/// The newest `limit` messages of the room's list among the log's first `end`
/// entries, each with its thread as it is now (replies after `end` count too).
fn newest(log: &[Entry], end: usize, limit: u32) -> (Vec<ChatMessage>, bool) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut live = log[..end.min(log.len())]
        .iter()
        .rev()
        .filter_map(Entry::live)
        .filter(|m| threads::listed(m));
    let mut page: Vec<ChatMessage> = live
        .by_ref()
        .take(limit)
        .map(|m| threads::current(log, m))
        .collect();
    page.reverse();
    (page, live.next().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::contract::{self, new_message};

    #[tokio::test]
    async fn keeps_the_store_contract() {
        contract::seqs_and_duplicates(&MemoryStore::new()).await;
        contract::replay_and_history(&MemoryStore::new()).await;
        contract::accounts(&MemoryStore::new()).await;
        contract::look_alike_names(&MemoryStore::new()).await;
        contract::account_feed(&MemoryStore::new()).await;
        contract::rooms(&MemoryStore::new()).await;
        contract::room_log(&MemoryStore::new()).await;
        contract::blocks(&MemoryStore::new()).await;
        contract::conversations(&MemoryStore::new()).await;
        contract::reading(&MemoryStore::new()).await;
        contract::editing(&MemoryStore::new()).await;
        contract::reactions(&MemoryStore::new()).await;
        contract::threads(&MemoryStore::new()).await;
        contract::thread_reads(&MemoryStore::new()).await;
    }

    #[tokio::test]
    async fn a_failing_append_stores_nothing() {
        let store = MemoryStore::new();
        store.fail_appends(true);
        let batch: Arc<[NewMessage]> = Arc::from([new_message("a", "ann", "1", "x")]);
        assert!(store.append(Arc::clone(&batch)).await.is_err());
        store.fail_appends(false);
        let out = store.append(batch).await.unwrap();
        assert!(matches!(&out[..], [Appended::New(m)] if m.seq == 1));
    }
}
