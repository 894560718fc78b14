//! The presence of people in the page's state: whom the page watches (`watch_people`:
//! the people on screen, at most [`PEOPLE_WATCH_LIMIT`]: the sidebar's conversations,
//! the members list, the authors of the current room's messages), their status as
//! the server last said (`people`), and this person's own away/back (`status`), said
//! again after a reconnect. Guests see nobody's presence, so a guest's page asks
//! nothing.

use std::collections::{BTreeMap, BTreeSet};

use confab_shared::protocol::PEOPLE_WATCH_LIMIT;
use confab_shared::{ClientMsg, PersonStatus, Status, UserId};

use super::Chat;

/// What the page knows of people's presence.
#[derive(Debug, Clone, Default)]
pub struct People {
    status: BTreeMap<UserId, Status>,
    /// Whom this connection watches, as last sent (None: nobody yet on it).
    watched: Option<Vec<UserId>>,
    /// This person said they are away (on this page).
    away: bool,
}

impl Chat {
    /// The `people` frame: statuses, all of them in its answer, then changes.
    pub(super) fn people_frame(&mut self, people: Vec<PersonStatus>) {
        for person in people {
            // A status this page does not know reads as online.
            let status = match person.status {
                Status::Unknown => Status::Online,
                known => known,
            };
            if self.people.status.insert(person.user_id, status) != Some(status) {
                self.changed.people = true;
            }
        }
    }

    /// A new connection watches nobody (the page asks again on its next look).
    pub(super) fn people_reconnected(&mut self) {
        self.people.watched = None;
    }

    /// What a new connection is told of this person: away, if they are.
    pub(super) fn resume_status(&self) -> Option<ClientMsg> {
        self.people.away.then_some(ClientMsg::Status { away: true })
    }

    /// `user`'s presence as last said: online, away, or offline (also: not known).
    pub fn status_of(&self, user: &UserId) -> Status {
        self.people
            .status
            .get(user)
            .copied()
            .unwrap_or(Status::Offline)
    }

    /// The people on screen, most wanted first: the other people of the sidebar's
    /// conversations, the current room's members, the authors of its messages
    /// (newest first); accounts only, this person left out, each once, at most
    /// [`PEOPLE_WATCH_LIMIT`].
    pub fn people_on_screen(&self) -> Vec<UserId> {
        let conversations = self
            .direct_messages()
            .into_iter()
            .filter_map(|line| self.conversation(&line.room).cloned())
            .flat_map(|c| c.members.into_iter().map(|m| m.user_id));
        let room = self.current_room();
        let members = room
            .and_then(|r| r.members.as_ref())
            .into_iter()
            .flatten()
            .map(|m| m.user_id.clone());
        let authors = room
            .into_iter()
            .flat_map(|r| r.messages.values().rev())
            .map(|m| m.author_id.clone());
        let mut seen = BTreeSet::new();
        conversations
            .chain(members)
            .chain(authors)
            .filter(|id| *id != self.me_id && !id.as_str().starts_with("guest:"))
            .filter(|id| seen.insert(id.clone()))
            .take(PEOPLE_WATCH_LIMIT)
            .collect()
    }

    /// What to send to watch the people on screen now, if they changed since the
    /// last time (the page asks every second or so: a debounce).
    pub fn watch_people(&mut self) -> Option<ClientMsg> {
        if self.is_guest() || self.link != super::Link::Online {
            return None;
        }
        let mut users = self.people_on_screen();
        users.sort();
        if self.people.watched.as_ref() == Some(&users) {
            return None;
        }
        self.people.watched = Some(users.clone());
        Some(ClientMsg::WatchPeople { users })
    }

    /// This person is away (no input for a while, or the tab hidden), or back: what
    /// to tell the server, if it changed.
    pub fn set_away(&mut self, away: bool) -> Option<ClientMsg> {
        if self.people.away == away || self.is_guest() {
            return None;
        }
        self.people.away = away;
        Some(ClientMsg::Status { away })
    }
}
