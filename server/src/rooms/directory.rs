//! Every room, its members, its bans and mutes, in memory: what authorisation asks
//! on each join, history request and send, answered without the database. The
//! stores write through it after each change commits ([`Directory::apply`] folds a
//! stored event in).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use confab_shared::RoomKind;
use confab_shared::protocol::{PUBLIC_ROOMS_LIMIT, PublicRoom};
use confab_shared::{
    EventKind, MemberInfo, Notify, Participant, Role, RoomInfo, RoomName, UserId, UserName,
};

use super::{Person, Room, Standing};

#[derive(Default)]
pub struct Directory {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    rooms: HashMap<RoomName, Entry>,
    /// Each person's rooms, for the list they get on connecting.
    by_user: HashMap<UserId, BTreeSet<RoomName>>,
    /// Conversations by their people ([`super::people_key`]).
    by_people: HashMap<String, RoomName>,
    /// Whom each person blocked.
    blocks: HashMap<UserId, HashSet<UserId>>,
}

struct Entry {
    room: Room,
    members: HashMap<UserId, Member>,
    banned: HashSet<UserId>,
    muted: HashSet<UserId>,
    /// A conversation's latest message: when (RFC 3339).
    last_at: Option<String>,
    /// Who has written here (members, and guests since this node started): whose
    /// presence and typing the others may see.
    writers: HashSet<UserId>,
}

struct Member {
    role: Role,
    name: UserName,
    /// When they are notified of its messages.
    notify: Notify,
}

/// A room and where one person stands in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub room: Room,
    pub standing: Standing,
}

/// Why someone may not post in a room they joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostDenied {
    /// The room is gone, or private and they are no member now.
    NotFound,
    Banned,
    Muted,
    /// A conversation of two whose other person blocked them.
    Blocked,
}

impl PostDenied {
    /// How a refusal of something written says it: its code and text.
    pub(crate) fn said(self) -> (confab_shared::ErrorCode, &'static str) {
        use confab_shared::ErrorCode;
        match self {
            PostDenied::Muted => (ErrorCode::Muted, "a moderator muted you in this room"),
            PostDenied::Banned => (ErrorCode::Forbidden, "you are banned from this room"),
            PostDenied::NotFound => (ErrorCode::NotFound, "no such room"),
            PostDenied::Blocked => (
                ErrorCode::Forbidden,
                "not delivered: this person does not accept messages from you",
            ),
        }
    }
}

impl State {
    fn blocked(&self, blocker: &UserId, blocked: &UserId) -> bool {
        self.blocks
            .get(blocker)
            .is_some_and(|theirs| theirs.contains(blocked))
    }
}

impl Entry {
    fn info(&self, user: &UserId) -> RoomInfo {
        let member = self.members.get(user);
        let mut info = self.room.info(member.map(|m| m.role));
        info.notify = member.map_or(Notify::All, |m| m.notify);
        if self.room.is_conversation() {
            let mut members: Vec<Participant> = self
                .members
                .iter()
                .map(|(id, member)| Participant {
                    user: member.name.clone(),
                    user_id: id.clone(),
                })
                .collect();
            members.sort();
            info.members = members;
            info.last_at = self.last_at.clone();
        }
        info
    }

    fn standing(&self, user: &UserId) -> Standing {
        Standing {
            role: self.members.get(user).map(|m| m.role),
            banned: self.banned.contains(user),
            muted: self.muted.contains(user),
        }
    }
}

impl Directory {
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a room (after it was stored).
    pub fn put_room(&self, room: Room) {
        let mut state = self.write();
        match state.rooms.get_mut(&room.name) {
            Some(entry) => entry.room = room,
            None => {
                let name = room.name.clone();
                let entry = Entry {
                    room,
                    members: HashMap::new(),
                    banned: HashSet::new(),
                    muted: HashSet::new(),
                    last_at: None,
                    writers: HashSet::new(),
                };
                state.rooms.insert(name, entry);
            }
        }
    }

    /// Records a membership (after it was stored); false if the room is unknown.
    pub fn put_member(&self, room: &RoomName, user: &UserId, name: &UserName, role: Role) -> bool {
        let mut state = self.write();
        let Some(entry) = state.rooms.get_mut(room) else {
            return false;
        };
        let notify = entry.members.get(user).map_or(Notify::All, |m| m.notify);
        let member = Member {
            role,
            name: name.clone(),
            notify,
        };
        entry.members.insert(user.clone(), member);
        state
            .by_user
            .entry(user.clone())
            .or_default()
            .insert(room.clone());
        true
    }

    /// Records a conversation and its people (after it was stored), with its latest
    /// message's time.
    pub fn put_conversation(&self, room: Room, people: &[Person], last_at: Option<String>) {
        let name = room.name.clone();
        self.put_room(room);
        for person in people {
            self.put_member(&name, &person.id, &person.name, Role::Member);
        }
        let mut state = self.write();
        if let Some(entry) = state.rooms.get_mut(&name) {
            entry.last_at = last_at;
        }
        state.by_people.insert(super::people_key(people), name);
    }

    /// The conversation of the people whose [`super::people_key`] this is.
    pub fn conversation_of(&self, people_key: &str) -> Option<RoomName> {
        self.read().by_people.get(people_key).cloned()
    }

    /// `author` posted a message in `room` at `at`: a conversation's activity moves,
    /// and the author counts as having written there. Gives whether this was their
    /// first (to be kept by the store). A write lock only for conversations and
    /// first messages.
    pub fn posted(&self, room: &RoomName, author: &UserId, at: &str) -> bool {
        let first = self
            .read()
            .rooms
            .get(room)
            .is_some_and(|entry| !entry.writers.contains(author));
        if !first && !room.is_conversation() {
            return false;
        }
        let mut state = self.write();
        let Some(entry) = state.rooms.get_mut(room) else {
            return false;
        };
        if room.is_conversation() {
            entry.last_at = Some(at.to_owned());
        }
        entry.writers.insert(author.clone())
    }

    /// Records that `user` has written in `room` (read from storage).
    pub fn put_writer(&self, room: &RoomName, user: &UserId) {
        if let Some(entry) = self.write().rooms.get_mut(room) {
            entry.writers.insert(user.clone());
        }
    }

    /// Whether `user` has written in `room`.
    pub fn has_written(&self, room: &RoomName, user: &UserId) -> bool {
        self.read()
            .rooms
            .get(room)
            .is_some_and(|entry| entry.writers.contains(user))
    }

    /// Takes `room` as `fresh` has it (read again from the store) in place of what
    /// this directory had: members, roles, bans and mutes as they are now, none
    /// left over from changes this node missed. Who wrote there is kept (guests'
    /// writing is not stored).
    pub fn replace_room(&self, room: &RoomName, fresh: &Directory) {
        let (entry, key) = {
            let mut from = fresh.write();
            let Some(entry) = from.rooms.remove(room) else {
                return;
            };
            let key = from
                .by_people
                .iter()
                .find(|(_, name)| *name == room)
                .map(|(key, _)| key.clone());
            (entry, key)
        };
        let mut entry = entry;
        let mut state = self.write();
        if let Some(old) = state.rooms.remove(room) {
            for user in old.members.keys() {
                if let Some(rooms) = state.by_user.get_mut(user) {
                    rooms.remove(room);
                    if rooms.is_empty() {
                        state.by_user.remove(user);
                    }
                }
            }
            entry.writers.extend(old.writers);
        }
        for user in entry.members.keys() {
            state
                .by_user
                .entry(user.clone())
                .or_default()
                .insert(room.clone());
        }
        if let Some(key) = key {
            state.by_people.insert(key, room.clone());
        }
        state.rooms.insert(room.clone(), entry);
    }

    /// `blocker` blocks exactly `blocked` now (read again from the store: a change
    /// made on another node).
    pub fn set_blocks(&self, blocker: &UserId, blocked: impl IntoIterator<Item = UserId>) {
        let blocked: HashSet<UserId> = blocked.into_iter().collect();
        let mut state = self.write();
        if blocked.is_empty() {
            state.blocks.remove(blocker);
        } else {
            state.blocks.insert(blocker.clone(), blocked);
        }
    }

    /// Records that `blocker` blocked (`on`) or unblocked `blocked` (after it was
    /// stored).
    pub fn put_block(&self, blocker: &UserId, blocked: &UserId, on: bool) {
        let mut state = self.write();
        if on {
            let theirs = state.blocks.entry(blocker.clone()).or_default();
            theirs.insert(blocked.clone());
        } else if let Some(theirs) = state.blocks.get_mut(blocker) {
            theirs.remove(blocked);
            if theirs.is_empty() {
                state.blocks.remove(blocker);
            }
        }
    }

    /// Whether `viewer` and `person` are both members of some room or conversation
    /// in which `person` has written: whose presence `viewer` may see.
    pub fn shares_where_written(&self, viewer: &UserId, person: &UserId) -> bool {
        let state = self.read();
        let (Some(of_viewer), Some(of_person)) =
            (state.by_user.get(viewer), state.by_user.get(person))
        else {
            return false;
        };
        let (fewer, more) = if of_viewer.len() <= of_person.len() {
            (of_viewer, of_person)
        } else {
            (of_person, of_viewer)
        };
        fewer
            .iter()
            .filter(|room| more.contains(*room))
            .any(|room| {
                state
                    .rooms
                    .get(room)
                    .is_some_and(|entry| entry.writers.contains(person))
            })
    }

    /// Whether `blocker` blocked `blocked`.
    pub fn has_blocked(&self, blocker: &UserId, blocked: &UserId) -> bool {
        State::blocked(&self.read(), blocker, blocked)
    }

    /// Whether `user` blocked anyone at all.
    pub fn blocks_anyone(&self, user: &UserId) -> bool {
        self.read().blocks.contains_key(user)
    }

    /// Records when a member is notified of a room's messages (after it was stored);
    /// false if they are no member.
    pub fn put_notify(&self, room: &RoomName, user: &UserId, notify: Notify) -> bool {
        let mut state = self.write();
        let member = state
            .rooms
            .get_mut(room)
            .and_then(|entry| entry.members.get_mut(user));
        match member {
            Some(member) => {
                member.notify = notify;
                true
            }
            None => false,
        }
    }

    /// The public rooms whose name or topic holds `query` (without case), most
    /// members first, at most `PUBLIC_ROOMS_LIMIT`.
    pub fn public_rooms(&self, query: &str) -> Vec<PublicRoom> {
        let query = query.to_lowercase();
        let state = self.read();
        let mut found: Vec<PublicRoom> = state
            .rooms
            .values()
            .filter(|entry| !entry.room.private && entry.room.kind == RoomKind::Room)
            .filter(|entry| {
                query.is_empty()
                    || entry.room.name.as_str().contains(&query)
                    || entry.room.topic.as_str().to_lowercase().contains(&query)
            })
            .map(|entry| PublicRoom {
                room: entry.room.name.clone(),
                topic: entry.room.topic.clone(),
                members: u32::try_from(entry.members.len()).unwrap_or(u32::MAX),
            })
            .collect();
        found.sort_by(|a, b| b.members.cmp(&a.members).then_with(|| a.room.cmp(&b.room)));
        found.truncate(PUBLIC_ROOMS_LIMIT);
        found
    }

    /// Records a ban or a mute read from storage.
    pub fn put_restriction(&self, room: &RoomName, user: &UserId, banned: bool) {
        let mut state = self.write();
        if let Some(entry) = state.rooms.get_mut(room) {
            let set = if banned {
                &mut entry.banned
            } else {
                &mut entry.muted
            };
            set.insert(user.clone());
        }
    }

    fn remove_member(state: &mut State, room: &RoomName, user: &UserId) {
        if let Some(entry) = state.rooms.get_mut(room) {
            entry.members.remove(user);
            entry.writers.remove(user);
        }
        if let Some(rooms) = state.by_user.get_mut(user) {
            rooms.remove(room);
            if rooms.is_empty() {
                state.by_user.remove(user);
            }
        }
    }

    /// Folds a stored event of `room` in.
    pub fn apply(&self, room: &RoomName, event: &EventKind) {
        match event {
            EventKind::MemberJoined(change) | EventKind::RoleChanged(change) => {
                let role = change.role.unwrap_or(Role::Member);
                self.put_member(room, &change.user_id, &change.user, role);
            }
            // Leaving keeps a mute: leaving and coming back does not lift it.
            EventKind::MemberLeft(change) => {
                Self::remove_member(&mut self.write(), room, &change.user_id);
            }
            EventKind::MemberKicked(change) | EventKind::MemberBanned(change) => {
                let mut state = self.write();
                Self::remove_member(&mut state, room, &change.user_id);
                if let Some(entry) = state.rooms.get_mut(room) {
                    entry.muted.remove(&change.user_id);
                    if matches!(event, EventKind::MemberBanned(_)) {
                        entry.banned.insert(change.user_id.clone());
                    }
                }
            }
            EventKind::MemberUnbanned(change) => {
                if let Some(entry) = self.write().rooms.get_mut(room) {
                    entry.banned.remove(&change.user_id);
                }
            }
            EventKind::MemberMuted(change) => {
                if let Some(entry) = self.write().rooms.get_mut(room) {
                    entry.muted.insert(change.user_id.clone());
                }
            }
            EventKind::MemberUnmuted(change) => {
                if let Some(entry) = self.write().rooms.get_mut(room) {
                    entry.muted.remove(&change.user_id);
                }
            }
            EventKind::TopicChanged(change) => {
                if let Some(entry) = self.write().rooms.get_mut(room) {
                    entry.room.topic = change.topic.clone();
                }
            }
            EventKind::Message(_)
            | EventKind::MessageDeleted(_)
            | EventKind::MessageEdited(_)
            | EventKind::ReactionAdded(_)
            | EventKind::ReactionRemoved(_)
            | EventKind::Unknown => {}
        }
    }

    pub fn exists(&self, room: &RoomName) -> bool {
        self.read().rooms.contains_key(room)
    }

    /// The room's topic now; None if there is no such room.
    pub fn topic(&self, room: &RoomName) -> Option<confab_shared::Topic> {
        self.read()
            .rooms
            .get(room)
            .map(|entry| entry.room.topic.clone())
    }

    /// The room, and where `user` stands in it; None if there is no such room.
    pub fn access(&self, room: &RoomName, user: &UserId) -> Option<Access> {
        let state = self.read();
        let entry = state.rooms.get(room)?;
        Some(Access {
            room: entry.room.clone(),
            standing: entry.standing(user),
        })
    }

    /// Whether `user` may post in `room` (which they joined, so could read) now.
    /// Asked for every message: one read lock, no copies.
    pub fn may_post(&self, room: &RoomName, user: &UserId) -> Result<(), PostDenied> {
        let state = self.read();
        let Some(entry) = state.rooms.get(room) else {
            return Err(PostDenied::NotFound);
        };
        if entry.banned.contains(user) {
            return Err(PostDenied::Banned);
        }
        if entry.room.private && !entry.members.contains_key(user) {
            return Err(PostDenied::NotFound);
        }
        if entry.muted.contains(user) {
            return Err(PostDenied::Muted);
        }
        if entry.room.is_conversation() && entry.members.len() == 2 {
            let blocked = entry
                .members
                .keys()
                .any(|other| State::blocked(&state, other, user));
            if blocked {
                return Err(PostDenied::Blocked);
            }
        }
        Ok(())
    }

    /// The room's members: the owner, then moderators, then members, each by name.
    pub fn members(&self, room: &RoomName) -> Vec<MemberInfo> {
        let state = self.read();
        let Some(entry) = state.rooms.get(room) else {
            return Vec::new();
        };
        let mut members: Vec<MemberInfo> = entry
            .members
            .iter()
            .map(|(id, member)| MemberInfo {
                user: member.name.clone(),
                user_id: id.clone(),
                role: member.role,
                muted: entry.muted.contains(id),
            })
            .collect();
        members.sort_by(|a, b| b.role.cmp(&a.role).then_with(|| a.user.cmp(&b.user)));
        members
    }

    /// The rooms whose messages `user` may search: those they are a member of, and
    /// with `public` every public room (not conversations); none they are banned
    /// from. Sorted by name.
    pub fn searchable(&self, user: &UserId, public: bool) -> Vec<RoomName> {
        let state = self.read();
        let mut rooms: BTreeSet<RoomName> = state.by_user.get(user).cloned().unwrap_or_default();
        if public {
            rooms.extend(
                state
                    .rooms
                    .values()
                    .filter(|e| !e.room.private && e.room.kind == RoomKind::Room)
                    .map(|e| e.room.name.clone()),
            );
        }
        rooms
            .into_iter()
            .filter(|name| {
                state
                    .rooms
                    .get(name)
                    .is_some_and(|e| !e.banned.contains(user))
            })
            .collect()
    }

    /// The rooms `user` is a member of, sorted by name.
    pub fn rooms_of(&self, user: &UserId) -> Vec<RoomInfo> {
        let state = self.read();
        let Some(names) = state.by_user.get(user) else {
            return Vec::new();
        };
        names
            .iter()
            .filter_map(|name| Some(state.rooms.get(name)?.info(user)))
            .collect()
    }

    /// `room` as `user` sees it (a conversation with its people and activity).
    pub fn info(&self, room: &RoomName, user: &UserId) -> Option<RoomInfo> {
        Some(self.read().rooms.get(room)?.info(user))
    }
}
