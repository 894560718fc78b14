//! Notifications in the page's state: which arriving messages are worth one (a
//! message in a conversation, or one mentioning this person, by someone else and not
//! blocked, as the room's notification level allows: `none` never, `mentions` only
//! mentions; a conversation is `all` unless set; a reply in a thread this person
//! took part in, as a conversation), kept for the page to raise while its tab is
//! hidden; and setting a room's level (`notify`).

use confab_shared::{ChatMessage, ClientMsg, MessageId, Notify, RoomName, Seq, UserName};

use super::Chat;

/// A message worth a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub room: RoomName,
    pub seq: Seq,
    /// Tags the notification, so several tabs of the person raise one.
    pub id: MessageId,
    pub author: UserName,
    pub body: String,
    /// A reply: the root of its thread (a click opens the thread).
    pub thread: Option<MessageId>,
}

/// The most alerts held for the page at once (a burst raises the newest).
const HELD: usize = 20;

impl Chat {
    /// A message new to the page arrived live in `room` (not replayed): kept for a
    /// notification if it is worth one.
    pub(super) fn maybe_alert(&mut self, room: &RoomName, message: &ChatMessage) {
        self.alert_if(room, message, room.is_conversation(), None);
    }

    /// A reply by someone else in thread `root` of `room`, in which this person took
    /// part, is unread: worth a notification as a conversation's message is.
    pub(super) fn maybe_alert_reply(
        &mut self,
        room: &RoomName,
        reply: &ChatMessage,
        root: MessageId,
    ) {
        self.alert_if(room, reply, true, Some(root));
    }

    /// Keeps `message` for a notification if the room's level allows (`all`: if
    /// `wanted` or it mentions this person).
    fn alert_if(
        &mut self,
        room: &RoomName,
        message: &ChatMessage,
        wanted: bool,
        thread: Option<MessageId>,
    ) {
        let Some(state) = self.rooms.get(room) else {
            return;
        };
        let mentioned = self.mentions_me(&message.author_id, message.body.as_str());
        let worth = match state.reading.notify {
            Notify::None => false,
            Notify::Mentions => mentioned,
            Notify::All | Notify::Unknown => mentioned || wanted,
        };
        if !worth
            || message.author_id == self.me_id
            || self.blocked.contains(&message.author_id)
            || !state.reading.is_news(message.seq)
        {
            return;
        }
        if self.alerts.len() >= HELD {
            self.alerts.remove(0);
        }
        self.alerts.push(Alert {
            room: room.clone(),
            seq: message.seq,
            id: message.id,
            author: message.author.clone(),
            body: message.body.to_string(),
            thread,
        });
        self.changed.alerts = true;
    }

    /// The alerts kept since the last call, for the page to raise (or not).
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.alerts)
    }

    /// The current room's notification level.
    pub fn notify_level(&self) -> Notify {
        self.current_room()
            .map_or(Notify::All, |r| r.reading.notify)
    }

    /// Sets the current room's notification level (shown at once; the server's
    /// `room` frame confirms it on every device): the frame to send.
    pub fn set_notify(&mut self, notify: Notify) -> Option<ClientMsg> {
        if self.is_guest() {
            return None;
        }
        let room = self.current.clone();
        let state = self.rooms.get_mut(&room)?;
        if state.reading.notify != notify {
            state.reading.notify = notify;
            self.changed.counts = true;
        }
        Some(ClientMsg::Notify { room, notify })
    }
}
