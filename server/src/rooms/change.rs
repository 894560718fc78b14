//! Changes to who is in a room and what they may do, and to its messages: each is
//! turned into the events it makes (given where its subject stands now), stored with
//! the room's next seqs, then folded into the [`Directory`](super::Directory).
//!
//! Deciding here, from the directory, keeps the stores simple: they store the events
//! they are given (and what each means in their tables), in one transaction. Every
//! change goes through the sequencer, one at a time, so the standing read here is
//! still true when the events are stored.

use confab_shared::{
    ClientId, Deletion, Edit, Emoji, EventKind, MemberChange, MessageBody, MessageId, Reaction,
    Role, RoomName, Topic, TopicChange, UserId, UserName,
};

/// Someone, as the room's log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    pub name: UserName,
}

/// One change to a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Becomes a member with `role`: joined a public room (`by` none) or was invited.
    Join {
        who: Person,
        role: Role,
        by: Option<Person>,
    },
    /// Stops being a member, by their own choice (`leave_room`).
    Leave {
        who: Person,
    },
    Kick {
        who: Person,
        by: Person,
    },
    Ban {
        who: Person,
        by: Person,
    },
    Unban {
        who: Person,
        by: Person,
    },
    Mute {
        who: Person,
        by: Person,
    },
    Unmute {
        who: Person,
        by: Person,
    },
    /// A new role; `Owner` hands the room over (the old owner becomes a moderator).
    SetRole {
        who: Person,
        role: Role,
        by: Person,
    },
    /// Deletes message `id` of the room (whether `by` may was asked before: their
    /// own message, or they moderate).
    Delete {
        id: MessageId,
        by: Person,
    },
    /// Gives message `id` of the room new text (its author's: asked before). The
    /// store applies it only to a message not deleted, and only if `client_id` is
    /// later than its last edit's.
    Edit {
        id: MessageId,
        client_id: ClientId,
        body: MessageBody,
    },
    /// Adds (`added`) or takes away `who`'s reaction to message `id` (whether they may
    /// was asked before). The store applies it only to a message not deleted, only
    /// if `client_id` is later than their last reaction command for the emoji there,
    /// only if it changes something, and adds no emoji past the most a message holds.
    React {
        id: MessageId,
        emoji: Emoji,
        who: Person,
        client_id: ClientId,
        added: bool,
    },
    /// Gives the room a new topic (whether `by` may was asked before); none when it
    /// has that topic already.
    SetTopic {
        topic: Topic,
        by: Person,
    },
}

/// A change and the room it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomChange {
    pub room: RoomName,
    pub change: Change,
}

/// Where a person stands in a room now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    pub role: Option<Role>,
    pub banned: bool,
    pub muted: bool,
}

impl RoomChange {
    /// The events this change makes now, as the directory knows the room (none if
    /// there is no such room).
    pub fn plan(&self, directory: &super::Directory, ts: &str) -> Vec<EventKind> {
        let standing = match self.change.subject() {
            Some(user) => match directory.access(&self.room, user) {
                Some(access) => access.standing,
                None => return Vec::new(),
            },
            None if directory.exists(&self.room) => Standing::default(),
            None => return Vec::new(),
        };
        if let Change::SetTopic { topic, .. } = &self.change
            && directory.topic(&self.room).as_ref() == Some(topic)
        {
            return Vec::new();
        }
        self.change.events(standing, ts)
    }
}

impl Change {
    /// Whom the change is about, if a person.
    pub fn subject(&self) -> Option<&UserId> {
        match self {
            Change::Join { who, .. }
            | Change::Leave { who }
            | Change::Kick { who, .. }
            | Change::Ban { who, .. }
            | Change::Unban { who, .. }
            | Change::Mute { who, .. }
            | Change::Unmute { who, .. }
            | Change::SetRole { who, .. } => Some(&who.id),
            Change::Delete { .. }
            | Change::Edit { .. }
            | Change::React { .. }
            | Change::SetTopic { .. } => None,
        }
    }

    /// The events this change makes when its subject stands as `now`: none when it
    /// would change nothing (joining twice, muting the muted, removing the owner).
    /// `ts` is when it happens.
    pub fn events(&self, now: Standing, ts: &str) -> Vec<EventKind> {
        let about = |who: &Person, by: Option<&Person>, role: Option<Role>| MemberChange {
            user: who.name.clone(),
            user_id: who.id.clone(),
            by: by.map(|p| p.name.clone()),
            role,
            ts: ts.to_owned(),
        };
        let owner = now.role == Some(Role::Owner);
        match self {
            Change::Join { who, role, by } if now.role.is_none() && !now.banned => {
                vec![EventKind::MemberJoined(about(
                    who,
                    by.as_ref(),
                    Some(*role),
                ))]
            }
            Change::Leave { who } if now.role.is_some() && !owner => {
                vec![EventKind::MemberLeft(about(who, None, None))]
            }
            Change::Kick { who, by } if !owner => {
                vec![EventKind::MemberKicked(about(who, Some(by), None))]
            }
            Change::Ban { who, by } if !owner && !now.banned => {
                vec![EventKind::MemberBanned(about(who, Some(by), None))]
            }
            Change::Unban { who, by } if now.banned => {
                vec![EventKind::MemberUnbanned(about(who, Some(by), None))]
            }
            Change::Mute { who, by } if !owner && !now.muted => {
                vec![EventKind::MemberMuted(about(who, Some(by), None))]
            }
            Change::Unmute { who, by } if now.muted => {
                vec![EventKind::MemberUnmuted(about(who, Some(by), None))]
            }
            Change::SetRole { who, role, by } if now.role.is_some() && !owner => {
                if *role == Role::Owner {
                    vec![
                        EventKind::RoleChanged(about(who, Some(by), Some(Role::Owner))),
                        EventKind::RoleChanged(about(by, Some(by), Some(Role::Moderator))),
                    ]
                } else if now.role == Some(*role) {
                    Vec::new()
                } else {
                    vec![EventKind::RoleChanged(about(who, Some(by), Some(*role)))]
                }
            }
            Change::Delete { id, by } => vec![EventKind::MessageDeleted(Deletion {
                id: *id,
                by: by.name.clone(),
                ts: ts.to_owned(),
                // A reply's thread after it: the store says, as it deletes.
                thread: None,
                tombstone: None,
            })],
            Change::Edit {
                id,
                client_id,
                body,
            } => vec![EventKind::MessageEdited(Edit {
                id: *id,
                body: body.clone(),
                edited_at: ts.to_owned(),
                client_id: client_id.clone(),
            })],
            Change::React {
                id,
                emoji,
                who,
                client_id,
                added,
            } => {
                let reaction = Reaction {
                    id: *id,
                    emoji: emoji.clone(),
                    user: who.name.clone(),
                    user_id: who.id.clone(),
                    client_id: client_id.clone(),
                };
                vec![if *added {
                    EventKind::ReactionAdded(reaction)
                } else {
                    EventKind::ReactionRemoved(reaction)
                }]
            }
            Change::SetTopic { topic, by } => vec![EventKind::TopicChanged(TopicChange {
                topic: topic.clone(),
                by: by.name.clone(),
                ts: ts.to_owned(),
            })],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> Person {
        Person {
            id: UserId::new(format!("u:{name}")).unwrap(),
            name: UserName::new(name).unwrap(),
        }
    }

    fn member(role: Role) -> Standing {
        Standing {
            role: Some(role),
            ..Standing::default()
        }
    }

    #[test]
    fn a_change_that_changes_nothing_makes_no_event() {
        let (bob, ann) = (person("bob"), person("ann"));
        let join = Change::Join {
            who: bob.clone(),
            role: Role::Member,
            by: None,
        };
        assert_eq!(join.events(Standing::default(), "t").len(), 1);
        assert!(join.events(member(Role::Member), "t").is_empty(), "twice");
        let banned = Standing {
            banned: true,
            ..Standing::default()
        };
        assert!(
            join.events(banned, "t").is_empty(),
            "banned people stay out"
        );
        let mute = Change::Mute {
            who: bob.clone(),
            by: ann.clone(),
        };
        let muted = Standing {
            muted: true,
            ..member(Role::Member)
        };
        assert!(mute.events(muted, "t").is_empty());
        let kick = Change::Kick {
            who: ann.clone(),
            by: bob.clone(),
        };
        assert!(
            kick.events(member(Role::Owner), "t").is_empty(),
            "owners stay"
        );
        let promote = Change::SetRole {
            who: bob,
            role: Role::Moderator,
            by: ann,
        };
        assert!(
            promote.events(Standing::default(), "t").is_empty(),
            "members only"
        );
        assert!(promote.events(member(Role::Moderator), "t").is_empty());
    }

    #[test]
    fn handing_over_makes_the_old_owner_a_moderator() {
        let (bob, ann) = (person("bob"), person("ann"));
        let hand_over = Change::SetRole {
            who: bob,
            role: Role::Owner,
            by: ann,
        };
        let events = hand_over.events(member(Role::Moderator), "t");
        let roles: Vec<(String, Option<Role>)> = events
            .iter()
            .map(|e| match e {
                EventKind::RoleChanged(c) => (c.user.to_string(), c.role),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            roles,
            [
                ("bob".to_owned(), Some(Role::Owner)),
                ("ann".to_owned(), Some(Role::Moderator))
            ]
        );
    }
}
