//! The single writer: takes sends from every connection, stores them in batches (one
//! transaction each, "group commit"), then broadcasts and acknowledges in seq order.
//!
//! Being the only task that writes is what makes the order of broadcasts equal the
//! order of seqs, and what lets one fsync cover many messages. Changes to a room
//! (members joining, moderation, deletions) come the same way: each is stored between
//! the batches around it, then broadcast like a message. Broadcasting is handing the
//! event to the other nodes (the broker) and to this node's rooms (the room feed).

use std::sync::Arc;
use std::time::Instant;

use confab_shared::{ChatMessage, ErrorCode, RoomEvent, ServerMsg};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::broker::Broker;
use crate::metrics::{Metrics, StoreOp};
use crate::outbox::{Outbound, Outbox};
use crate::people::People;
use crate::room_feed::{Ack, Origin, RoomFeed};
use crate::rooms::{PostDenied, RoomChange};
use crate::store::{Appended, NewMessage, Store, StoreError};
use crate::wire;

/// The most messages stored in one transaction.
const MAX_BATCH: usize = 512;

/// How many sends may wait for the writer before senders have to wait too.
const QUEUE: usize = 4096;

/// A message to store, and where its ack goes.
pub(crate) struct AppendRequest {
    pub(crate) message: NewMessage,
    pub(crate) reply: Outbox,
}

/// A change to a room, and where its stored events go.
struct ChangeRequest {
    change: RoomChange,
    reply: oneshot::Sender<Result<Vec<RoomEvent>, StoreError>>,
}

enum Request {
    Append(AppendRequest),
    Change(ChangeRequest),
}

/// Hands messages and changes to the writer task. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Sequencer {
    tx: mpsc::Sender<Request>,
}

#[derive(Debug, thiserror::Error)]
#[error("the server is shutting down")]
pub(crate) struct Stopped;

impl Sequencer {
    /// Starts the writer task. Once `stop` is cancelled it stores what was already
    /// submitted, refuses more, and ends.
    pub(crate) fn start(
        store: Arc<dyn Store>,
        feed: Arc<RoomFeed>,
        broker: Arc<dyn Broker>,
        people: Arc<People>,
        metrics: Arc<Metrics>,
        stop: CancellationToken,
    ) -> (Self, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let out = Out {
            feed,
            broker,
            people,
            metrics,
        };
        let task = tokio::spawn(run(rx, store, out, stop));
        (Self { tx }, task)
    }

    /// Queues a message for storing, waiting if the writer is behind.
    pub(crate) async fn submit(&self, request: AppendRequest) -> Result<(), Stopped> {
        self.tx
            .send(Request::Append(request))
            .await
            .map_err(|_| Stopped)
    }

    /// Stores a change to a room and broadcasts its events; gives them once they
    /// are stored and queued for the room's members (none: it changed nothing).
    pub(crate) async fn record(&self, change: RoomChange) -> Result<Vec<RoomEvent>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Request::Change(ChangeRequest { change, reply }))
            .await
            .map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

/// Where what the writer stored goes out: to this node's rooms, to the other
/// nodes, and (a person's first message in a room) to those who may now see their
/// presence.
struct Out {
    feed: Arc<RoomFeed>,
    broker: Arc<dyn Broker>,
    people: Arc<People>,
    /// What was stored, and how long the store took.
    metrics: Arc<Metrics>,
}

impl Out {
    /// Hands a stored event on: to the other nodes, and to this node's rooms (then
    /// `ack` to its sender, if it is a message).
    fn send(&self, event: RoomEvent, ack: Option<Ack>) {
        // Wrapped to encode and unwrapped again: no copy of the event per message.
        let msg = ServerMsg::Event(event);
        let frame = wire::encode(&msg);
        self.broker.publish(&frame);
        if let ServerMsg::Event(event) = msg {
            self.feed
                .offer_acked(event, Some(frame), Origin::Local, ack);
        }
    }
}

async fn run(
    mut rx: mpsc::Receiver<Request>,
    store: Arc<dyn Store>,
    out: Out,
    stop: CancellationToken,
) {
    let mut requests = Vec::with_capacity(MAX_BATCH);
    let mut messages = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    loop {
        let received = tokio::select! {
            n = rx.recv_many(&mut requests, MAX_BATCH) => n,
            () = stop.cancelled(), if !rx.is_closed() => {
                // Refuse new sends but keep what is queued: recv_many drains it, then
                // returns 0.
                rx.close();
                continue;
            }
        };
        if received == 0 {
            break;
        }
        for request in requests.drain(..) {
            match request {
                Request::Append(request) => {
                    messages.push(request.message);
                    replies.push(request.reply);
                }
                Request::Change(request) => {
                    // In order: the messages before it are stored first.
                    commit_messages(store.as_ref(), &out, &mut messages, &mut replies).await;
                    let recorded = record(store.as_ref(), &out, &request.change).await;
                    let _ = request.reply.send(recorded);
                }
            }
        }
        commit_messages(store.as_ref(), &out, &mut messages, &mut replies).await;
    }
    tracing::debug!("sequencer stopped");
}

/// Stores and broadcasts the messages gathered so far, if any.
async fn commit_messages(
    store: &dyn Store,
    out: &Out,
    messages: &mut Vec<NewMessage>,
    replies: &mut Vec<Outbox>,
) {
    if messages.is_empty() {
        return;
    }
    // Asked again here, where changes to rooms are recorded in order: a mute or a
    // removal recorded after a send was let in, but before it is stored, refuses
    // it. (A store shared by nodes also checks, for changes made elsewhere.)
    // The store keeps such a send only as a resend of what it has.
    let directory = store.rooms().directory();
    for message in messages.iter_mut() {
        message.refused = directory.may_post(&message.room, &message.author_id).err();
    }
    // Moved, not copied: the store may pass the batch on to a task of its own.
    let batch: Arc<[NewMessage]> = messages.drain(..).collect();
    commit(store, out, &batch, replies).await;
    replies.clear();
}

/// Stores a change and broadcasts its events.
async fn record(
    store: &dyn Store,
    out: &Out,
    change: &RoomChange,
) -> Result<Vec<RoomEvent>, StoreError> {
    let started = Instant::now();
    let events = crate::room_log::record(store, change)
        .await
        .inspect_err(|error| {
            tracing::error!(%error, room = %change.room, "storing a change failed");
        })?;
    out.metrics.store_took(StoreOp::Persist, started.elapsed());
    out.metrics.stored(0, events.len());
    for event in &events {
        out.send(event.clone(), None);
    }
    Ok(events)
}

async fn commit(store: &dyn Store, out: &Out, messages: &Arc<[NewMessage]>, replies: &[Outbox]) {
    let started = Instant::now();
    let stored = store.append(Arc::clone(messages)).await;
    let took = started.elapsed();
    tracing::debug!(
        batch = messages.len(),
        took_us = took.as_micros(),
        "committed"
    );
    out.metrics.store_took(StoreOp::Append, took);
    match stored {
        Ok(results) => {
            let fresh = results.iter().filter(|r| matches!(r, Appended::New(_)));
            out.metrics.stored(fresh.count(), 0);
            for ((result, reply), new) in results.into_iter().zip(replies).zip(messages.iter()) {
                let fresh = matches!(result, Appended::New(_));
                let message = match result {
                    Appended::New(m) | Appended::Duplicate(m) => m,
                    Appended::Refused(denied) => {
                        refuse(reply, new, denied);
                        continue;
                    }
                };
                let ack = wire::encode(&ServerMsg::Ack {
                    room: message.room.clone(),
                    client_id: message.client_id.clone(),
                    seq: message.seq,
                    id: message.id,
                });
                if fresh {
                    first_write(store, out, &message).await;
                    let ack = Ack {
                        to: reply.clone(),
                        frame: ack,
                    };
                    out.send(RoomEvent::message(message), Some(ack));
                } else {
                    // Never before the message itself reached this node's rooms
                    // (stored on another node, or earlier in this batch).
                    let ack = Ack {
                        to: reply.clone(),
                        frame: ack,
                    };
                    out.feed.ack_after(&message.room, message.seq, ack);
                }
            }
        }
        Err(error) => {
            tracing::error!(%error, batch = messages.len(), "storing messages failed");
            for (message, reply) in messages.iter().zip(replies) {
                let refusal = ServerMsg::Error {
                    code: ErrorCode::Internal,
                    message: "the message could not be stored; send it again".to_owned(),
                    client_id: Some(message.client_id.clone()),
                    retry_after_ms: None,
                    room: Some(message.room.clone()),
                    request_id: None,
                };
                reply.deliver(Outbound::Reply(wire::encode(&refusal)));
            }
        }
    }
}

/// Tells a sender its message was not stored: it may not post there now.
fn refuse(reply: &Outbox, message: &NewMessage, denied: PostDenied) {
    let (code, text) = denied.said();
    let refusal = ServerMsg::Error {
        code,
        message: text.to_owned(),
        client_id: Some(message.client_id.clone()),
        retry_after_ms: None,
        room: Some(message.room.clone()),
        request_id: None,
    };
    reply.deliver(Outbound::Reply(wire::encode(&refusal)));
}

/// Notes a stored message's author as someone who has written in its room; at their
/// first there, keeps it and lets those who may now see their presence see it.
async fn first_write(store: &dyn Store, out: &Out, message: &ChatMessage) {
    let rooms = store.rooms();
    let directory = rooms.directory();
    let author = &message.author_id;
    if !directory.posted(&message.room, author, &message.ts) {
        return;
    }
    if let Err(error) = rooms.keep_writer(&message.room, author).await {
        tracing::error!(%error, room = %message.room, "keeping a first writer failed");
    }
    out.people
        .revisit(author, |viewer| People::may_see(directory, viewer, author));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use confab_shared::{ClientId, MessageBody, RoomName, UserId, UserName};

    use super::*;
    use crate::hub::Hub;
    use crate::identity::Identity;
    use crate::store::MemoryStore;

    fn request(room: &RoomName, client_id: &str, reply: &Outbox) -> AppendRequest {
        AppendRequest {
            message: NewMessage {
                room: room.clone(),
                author: UserName::new("ann").unwrap(),
                author_id: UserId::new("guest:ann").unwrap(),
                client_id: ClientId::new(client_id).unwrap(),
                body: MessageBody::new("hi").unwrap(),
                thread: None,
                in_room: false,
                refused: None,
            },
            reply: reply.clone(),
        }
    }

    /// The next frame queued for a connection, as text.
    async fn next(queue: &mut crate::outbox::Queue, what: &str) -> (bool, String) {
        let batch = tokio::time::timeout(Duration::from_secs(10), queue.recv_batch(1))
            .await
            .unwrap_or_else(|_| panic!("no {what} within 10 s"));
        match batch.into_iter().next() {
            Some(Outbound::Reply(frame)) => (true, frame.to_string()),
            Some(Outbound::Room(shared)) => (false, shared.frame.to_string()),
            Some(Outbound::Direct(frame)) => (false, frame.to_string()),
            Some(Outbound::Removed(shared)) => (false, shared.frame.to_string()),
            None => panic!("an empty batch"),
        }
    }

    #[tokio::test]
    async fn a_failed_commit_is_refused_to_its_sender_and_broadcast_to_nobody() {
        let store = Arc::new(MemoryStore::new());
        let hub = Arc::new(Hub::default());
        let room = RoomName::new("r").unwrap();
        let made = crate::rooms::Room::new(room.clone(), Default::default(), false);
        store.rooms().create_room(&made, None).await.unwrap();
        let (member, mut member_queue) = Outbox::channel(16);
        hub.join(
            &room,
            hub.next_conn_id(),
            &Arc::new(Identity::guest(UserName::new("bob").unwrap())),
            &member,
            &crate::rooms::Directory::default(),
        );
        let (sender, mut sender_queue) = Outbox::channel(16);
        let stop = CancellationToken::new();
        let feed = RoomFeed::start(
            Arc::clone(&hub),
            store.clone(),
            Arc::default(),
            Arc::default(),
        )
        .await
        .unwrap();
        let (sequencer, task) = Sequencer::start(
            store.clone(),
            feed,
            Arc::new(crate::broker::InProcess),
            Arc::default(),
            Arc::default(),
            stop.clone(),
        );

        store.fail_appends(true);
        sequencer
            .submit(request(&room, "c1", &sender))
            .await
            .unwrap();
        let (reply, frame) = next(&mut sender_queue, "refusal").await;
        assert!(reply, "the refusal goes to the sender only");
        assert!(frame.contains(r#""type":"error""#), "{frame}");
        assert!(frame.contains(r#""code":"internal""#), "{frame}");
        assert!(frame.contains(r#""client_id":"c1""#), "{frame}");

        // Storing works again: the resend is stored once, broadcast, then acked.
        store.fail_appends(false);
        sequencer
            .submit(request(&room, "c1", &sender))
            .await
            .unwrap();
        let (_, broadcast) = next(&mut member_queue, "broadcast").await;
        assert!(broadcast.contains(r#""type":"event""#), "{broadcast}");
        assert!(broadcast.contains(r#""kind":"message""#), "{broadcast}");
        assert!(broadcast.contains(r#""seq":1"#), "{broadcast}");
        let (reply, ack) = next(&mut sender_queue, "ack").await;
        assert!(reply && ack.contains(r#""type":"ack""#), "{ack}");
        assert!(ack.contains(r#""seq":1"#), "{ack}");
        // The failed try reached nobody: the member's only frame is the stored one.
        assert!(member_queue.try_recv().is_none());
        stop.cancel();
        task.await.unwrap();
    }
}
