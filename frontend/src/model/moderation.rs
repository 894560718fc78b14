//! Roles, moderation and blocking in the page's state: the room's membership events
//! folded into its members list and this person's standing, and the frames a
//! moderator's actions send.

use confab_shared::{
    ClientMsg, EventKind, MemberChange, MemberInfo, MessageId, ModAction, Role, RoomName, Seq,
    UserId, UserName,
};

use super::Chat;

impl Chat {
    /// A membership or moderation event of `room`, at `seq`.
    pub(super) fn member_event(&mut self, room: &RoomName, seq: Seq, kind: EventKind) {
        if let Some(state) = self.rooms.get_mut(room) {
            state.notes.insert(seq, kind.clone());
            while state.notes.len() > super::MAX_NOTES {
                state.notes.pop_first();
            }
            // A note only when there is a line to show.
            if describe(&kind).is_some() {
                self.changed.lines.insert(room.clone());
            }
            if let EventKind::TopicChanged(change) = &kind
                && state.topic != change.topic
            {
                state.topic = change.topic.clone();
                self.changed.rooms = true;
            }
        }
        let (change, what) = match kind {
            EventKind::MemberJoined(c) => (c, Fold::Joined),
            EventKind::MemberLeft(c) => (c, Fold::Left),
            EventKind::MemberKicked(c) => (c, Fold::Removed("removed you from")),
            EventKind::MemberBanned(c) => (c, Fold::Removed("banned you from")),
            EventKind::MemberMuted(c) => (c, Fold::Muted(true)),
            EventKind::MemberUnmuted(c) => (c, Fold::Muted(false)),
            EventKind::RoleChanged(c) => (c, Fold::Role),
            _ => return,
        };
        let about_me = change.user_id == self.me_id;
        let Some(state) = self.rooms.get_mut(room) else {
            return;
        };
        if let Some(members) = state.members.as_mut() {
            fold(members, &change, &what);
            self.changed.members.insert(room.clone());
        }
        if !about_me {
            return;
        }
        let by = change
            .by
            .as_ref()
            .map_or_else(|| "A moderator".to_owned(), UserName::to_string);
        self.changed.rooms = true;
        match what {
            Fold::Role => state.role = change.role,
            Fold::Joined => state.role = state.role.or(change.role),
            Fold::Muted(muted) => {
                state.muted = muted;
                self.tell(if muted {
                    format!("{by} muted you in #{room}: you can read but not post")
                } else {
                    format!("{by} unmuted you in #{room}")
                });
            }
            Fold::Removed(verb) => {
                self.drop_room(room);
                self.tell(format!("{by} {verb} #{room}"));
            }
            // On this device or another: the room goes from every one of them.
            Fold::Left => {
                self.drop_room(room);
                self.tell(format!("You left #{room}"));
            }
        }
    }

    /// Leaving `room` for good (on every device), as the person asked: the frame to
    /// send. The room goes when the server's `member_left` comes back.
    pub fn leave_room(&self, room: &RoomName) -> ClientMsg {
        ClientMsg::LeaveRoom { room: room.clone() }
    }

    /// A guest: no account, so nothing to block with.
    pub fn is_guest(&self) -> bool {
        self.me_id.as_str().starts_with("guest:")
    }

    /// Whether this person is a member of `room`, as far as the page knows.
    pub(super) fn is_member_of(&self, room: &RoomName) -> bool {
        self.rooms.get(room).is_some_and(|r| r.role.is_some())
    }

    /// This person's role in the current room.
    pub fn my_role(&self) -> Option<Role> {
        self.current_room().and_then(|r| r.role)
    }

    /// Whether this person may moderate someone of `their` role (None: no member)
    /// in the current room: moderators act on people below them.
    pub fn may_moderate(&self, their: Option<Role>) -> bool {
        let mine = self.my_role();
        mine >= Some(Role::Moderator) && their < mine
    }

    /// The role of `user` in the current room, if the members list says.
    pub fn role_of(&self, user: &UserId) -> Option<Role> {
        self.current_room()?
            .members
            .as_ref()?
            .iter()
            .find(|m| m.user_id == *user)
            .map(|m| m.role)
    }

    pub fn delete_message(&self, id: MessageId) -> ClientMsg {
        ClientMsg::DeleteMessage {
            room: self.current.clone(),
            id,
        }
    }

    pub fn moderate(&self, user: UserName, action: ModAction) -> ClientMsg {
        ClientMsg::Moderate {
            room: self.current.clone(),
            user,
            action,
        }
    }

    /// Whether this person may change the current room's topic: its moderators, or
    /// any of a conversation's people.
    pub fn may_set_topic(&self) -> bool {
        let Some(room) = self.current_room() else {
            return false;
        };
        if self.current.is_conversation() {
            return room.role.is_some();
        }
        room.role >= Some(Role::Moderator)
    }

    /// The `set_topic` that gives the current room `topic`, or what is wrong with it.
    pub fn set_topic(&self, topic: String) -> Result<ClientMsg, String> {
        let topic =
            confab_shared::Topic::new(topic.trim().to_owned()).map_err(|e| e.to_string())?;
        Ok(ClientMsg::SetTopic {
            room: self.current.clone(),
            topic,
        })
    }

    pub fn set_role(&self, user: UserName, role: Role) -> ClientMsg {
        ClientMsg::SetRole {
            room: self.current.clone(),
            user,
            role,
        }
    }

    /// Blocks or unblocks `user` in the page (the server was told already).
    pub fn set_blocked(&mut self, user: UserId, blocked: bool) {
        let changed = if blocked {
            self.blocked.insert(user)
        } else {
            self.blocked.remove(&user)
        };
        if changed {
            self.changed.blocked = true;
            self.changed.lines.extend(self.rooms.keys().cloned());
        }
    }

    /// Shows a collapsed message of someone blocked.
    pub fn reveal(&mut self, id: MessageId) {
        if self.revealed.insert(id) {
            self.changed.messages.insert(id);
            self.changed.lines.insert(self.current.clone());
        }
    }
}

/// An audit log entry (or any membership event) as a sentence: "ann kicked bob".
pub fn describe(kind: &EventKind) -> Option<String> {
    let line = |c: &MemberChange, did: &str| {
        let by = c.by.as_ref().map_or("someone", UserName::as_str);
        format!("{by} {did} {}", c.user)
    };
    Some(match kind {
        EventKind::MemberJoined(c) if c.by.is_none() => format!("{} joined", c.user),
        EventKind::MemberJoined(c) => line(c, "invited"),
        EventKind::MemberLeft(c) => format!("{} left", c.user),
        EventKind::MemberKicked(c) => line(c, "kicked"),
        EventKind::MemberBanned(c) => line(c, "banned"),
        EventKind::MemberUnbanned(c) => line(c, "unbanned"),
        EventKind::MemberMuted(c) => line(c, "muted"),
        EventKind::MemberUnmuted(c) => line(c, "unmuted"),
        EventKind::RoleChanged(c) if c.role == Some(Role::Owner) => {
            format!(
                "{} handed the room to {}",
                c.by.as_ref().map_or("someone", UserName::as_str),
                c.user
            )
        }
        EventKind::RoleChanged(c) => {
            let role = c.role.map_or("member", Role::as_str);
            format!(
                "{} made {} a {role}",
                c.by.as_ref().map_or("someone", UserName::as_str),
                c.user
            )
        }
        EventKind::MessageDeleted(d) => format!("{} deleted a message", d.by),
        EventKind::TopicChanged(t) if t.topic.as_str().is_empty() => {
            format!("{} cleared the topic", t.by)
        }
        EventKind::TopicChanged(t) => format!("{} set the topic: {}", t.by, t.topic),
        EventKind::Message(_)
        | EventKind::MessageEdited(_)
        | EventKind::ReactionAdded(_)
        | EventKind::ReactionRemoved(_)
        | EventKind::Unknown => return None,
    })
}

/// What an event does to a members list.
enum Fold {
    Joined,
    Left,
    Removed(&'static str),
    Muted(bool),
    Role,
}

fn fold(members: &mut Vec<MemberInfo>, change: &MemberChange, what: &Fold) {
    let at = members.iter().position(|m| m.user_id == change.user_id);
    match (what, at) {
        (Fold::Joined, None) => members.push(MemberInfo {
            user: change.user.clone(),
            user_id: change.user_id.clone(),
            role: change.role.unwrap_or(Role::Member),
            muted: false,
        }),
        (Fold::Removed(_) | Fold::Left, Some(at)) => {
            members.remove(at);
        }
        (Fold::Muted(muted), Some(at)) => members[at].muted = *muted,
        (Fold::Role, Some(at)) => members[at].role = change.role.unwrap_or(Role::Member),
        _ => {}
    }
    members.sort_by(|a, b| b.role.cmp(&a.role).then_with(|| a.user.cmp(&b.user)));
}
