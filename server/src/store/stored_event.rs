//! A room's events other than messages as the stores keep them: a format of their
//! own, converted to and from the wire's `EventKind` here and nowhere else. The wire
//! may rename a field or a kind; stored rows do not change with it (a storage change
//! is a migration, as 0011 was from the wire's JSON to this).
//!
//! A stored event is a kind (a short name of the store's) and its data as JSON: for
//! a membership event whom it is about (`who`, `name`), who did it (`by`) and the
//! role it gives (`role`); for a deletion the message's `id` and who deleted it; for
//! an edit the message's `id` and the edit's `client_id`, not the text (a replay reads
//! the message's current text: [`edited`]); for a reaction the message's `id`, the
//! `emoji`, who reacted (`who`, `name`) and the command's `client_id`. When it
//! happened is kept beside it (the row's `ts`).

use confab_shared::{
    ClientId, Deletion, Emoji, EventKind, MemberChange, MessageId, Reaction, Role, UserId, UserName,
};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// An event as a store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredEvent {
    pub(crate) kind: &'static str,
    /// JSON.
    pub(crate) data: String,
}

#[derive(Serialize, Deserialize)]
struct Member {
    who: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Deleted {
    id: i64,
    by: String,
}

/// The stored kind of a deletion.
const DELETED: &str = "deleted";

#[derive(Serialize, Deserialize)]
struct TopicSet {
    topic: String,
    by: String,
}

/// The stored kind of a topic changed.
const TOPIC: &str = "topic";

#[derive(Serialize, Deserialize)]
struct Edited {
    id: i64,
    client_id: String,
}

/// The stored kind of an edit.
pub(crate) const EDITED: &str = "edited";

#[derive(Serialize, Deserialize)]
struct Reacted {
    id: i64,
    emoji: String,
    who: String,
    name: String,
    client_id: String,
}

/// The stored kinds of a reaction coming and going.
const REACTED: &str = "reacted";
const UNREACTED: &str = "unreacted";

/// The message and the edit's client id of a stored edit (kind [`EDITED`]), whose
/// text is the message's current one.
pub(crate) fn edited(data: &str) -> Result<(MessageId, ClientId), StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("stored edit: {e}"));
    let edited: Edited = serde_json::from_str(data).map_err(|e| corrupt(&e))?;
    let client_id = ClientId::new(edited.client_id).map_err(|e| corrupt(&e))?;
    Ok((edited.id, client_id))
}

/// `kind` as a store keeps it. Messages are not stored as events (they have their
/// own table), nor is a kind this server does not know.
pub(crate) fn to_stored(kind: &EventKind) -> Result<StoredEvent, StoreError> {
    let (name, change) = match kind {
        EventKind::MessageDeleted(deletion) => {
            let deleted = Deleted {
                id: deletion.id,
                by: deletion.by.to_string(),
            };
            return Ok(StoredEvent {
                kind: DELETED,
                data: json(&deleted)?,
            });
        }
        EventKind::MessageEdited(edit) => {
            let edited = Edited {
                id: edit.id,
                client_id: edit.client_id.to_string(),
            };
            return Ok(StoredEvent {
                kind: EDITED,
                data: json(&edited)?,
            });
        }
        EventKind::ReactionAdded(reaction) | EventKind::ReactionRemoved(reaction) => {
            let reacted = Reacted {
                id: reaction.id,
                emoji: reaction.emoji.to_string(),
                who: reaction.user_id.to_string(),
                name: reaction.user.to_string(),
                client_id: reaction.client_id.to_string(),
            };
            let added = matches!(kind, EventKind::ReactionAdded(_));
            return Ok(StoredEvent {
                kind: if added { REACTED } else { UNREACTED },
                data: json(&reacted)?,
            });
        }
        EventKind::TopicChanged(change) => {
            let set = TopicSet {
                topic: change.topic.to_string(),
                by: change.by.to_string(),
            };
            return Ok(StoredEvent {
                kind: TOPIC,
                data: json(&set)?,
            });
        }
        EventKind::MemberJoined(c) => ("joined", c),
        EventKind::MemberLeft(c) => ("left", c),
        EventKind::MemberKicked(c) => ("kicked", c),
        EventKind::MemberBanned(c) => ("banned", c),
        EventKind::MemberUnbanned(c) => ("unbanned", c),
        EventKind::MemberMuted(c) => ("muted", c),
        EventKind::MemberUnmuted(c) => ("unmuted", c),
        EventKind::RoleChanged(c) => ("role", c),
        EventKind::Message(_) | EventKind::Unknown => {
            return Err(StoreError::Corrupt(
                "only membership events and deletions are stored as events".to_owned(),
            ));
        }
    };
    let member = Member {
        who: change.user_id.to_string(),
        name: change.user.to_string(),
        by: change.by.as_ref().map(UserName::to_string),
        role: change.role.map(|r| r.as_str().to_owned()),
    };
    Ok(StoredEvent {
        kind: name,
        data: json(&member)?,
    })
}

/// The wire's event for a stored one, which happened at `ts`. A kind this server
/// does not know (stored by a newer one) is `Unknown`: its seq still counts.
/// When `kind` happened, as it says (its row's `ts`); none for an event that does
/// not say, which takes the time it is stored.
pub(crate) fn when(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::MessageDeleted(deletion) => Some(deletion.ts.as_str()),
        EventKind::MessageEdited(edit) => Some(edit.edited_at.as_str()),
        other => other.member_change().map(|c| c.ts.as_str()),
    }
    .filter(|ts| !ts.is_empty())
}

pub(crate) fn from_stored(kind: &str, data: &str, ts: String) -> Result<EventKind, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("stored {kind}: {e}"));
    let make: fn(MemberChange) -> EventKind = match kind {
        DELETED => {
            let deleted: Deleted = serde_json::from_str(data).map_err(|e| corrupt(&e))?;
            return Ok(EventKind::MessageDeleted(Deletion {
                id: deleted.id,
                by: UserName::new(deleted.by).map_err(|e| corrupt(&e))?,
                ts,
                // Read beside the message, as it is now (a replay's, `sqlite.rs`).
                thread: None,
                tombstone: None,
            }));
        }
        EDITED => {
            return Err(corrupt(&"an edit is read with its message's current text"));
        }
        TOPIC => {
            let set: TopicSet = serde_json::from_str(data).map_err(|e| corrupt(&e))?;
            return Ok(EventKind::TopicChanged(confab_shared::TopicChange {
                topic: confab_shared::Topic::new(set.topic).map_err(|e| corrupt(&e))?,
                by: UserName::new(set.by).map_err(|e| corrupt(&e))?,
                ts,
            }));
        }
        REACTED | UNREACTED => {
            let reacted: Reacted = serde_json::from_str(data).map_err(|e| corrupt(&e))?;
            let reaction = Reaction {
                id: reacted.id,
                emoji: Emoji::new(reacted.emoji).map_err(|e| corrupt(&e))?,
                user: UserName::new(reacted.name).map_err(|e| corrupt(&e))?,
                user_id: UserId::new(reacted.who).map_err(|e| corrupt(&e))?,
                client_id: ClientId::new(reacted.client_id).map_err(|e| corrupt(&e))?,
            };
            return Ok(if kind == REACTED {
                EventKind::ReactionAdded(reaction)
            } else {
                EventKind::ReactionRemoved(reaction)
            });
        }
        "joined" => EventKind::MemberJoined,
        "left" => EventKind::MemberLeft,
        "kicked" => EventKind::MemberKicked,
        "banned" => EventKind::MemberBanned,
        "unbanned" => EventKind::MemberUnbanned,
        "muted" => EventKind::MemberMuted,
        "unmuted" => EventKind::MemberUnmuted,
        "role" => EventKind::RoleChanged,
        _ => return Ok(EventKind::Unknown),
    };
    let member: Member = serde_json::from_str(data).map_err(|e| corrupt(&e))?;
    let role = match member.role.as_deref() {
        None => None,
        Some(role) => Some(Role::parse(role).ok_or_else(|| corrupt(&role))?),
    };
    Ok(make(MemberChange {
        user: UserName::new(member.name).map_err(|e| corrupt(&e))?,
        user_id: UserId::new(member.who).map_err(|e| corrupt(&e))?,
        by: member
            .by
            .map(UserName::new)
            .transpose()
            .map_err(|e| corrupt(&e))?,
        role,
        ts,
    }))
}

fn json(value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use confab_shared::MessageId;

    use super::*;

    fn change(role: Option<Role>, by: Option<&str>) -> MemberChange {
        MemberChange {
            user: UserName::new("bob").unwrap(),
            user_id: UserId::new("u:2").unwrap(),
            by: by.map(|b| UserName::new(b).unwrap()),
            role,
            ts: "2026-12-03T07:00:00.000Z".to_owned(),
        }
    }

    fn reaction() -> Reaction {
        Reaction {
            id: 9,
            emoji: Emoji::new("👍🏽").unwrap(),
            user: UserName::new("bob").unwrap(),
            user_id: UserId::new("u:2").unwrap(),
            client_id: ClientId::new("r1").unwrap(),
        }
    }

    #[test]
    fn every_kind_comes_back_as_it_went_in() {
        let deleted: MessageId = 9;
        let kinds = [
            EventKind::MemberJoined(change(Some(Role::Member), None)),
            EventKind::MemberJoined(change(Some(Role::Member), Some("ann"))),
            EventKind::MemberLeft(change(None, None)),
            EventKind::MemberKicked(change(None, Some("ann"))),
            EventKind::MemberBanned(change(None, Some("ann"))),
            EventKind::MemberUnbanned(change(None, Some("ann"))),
            EventKind::MemberMuted(change(None, Some("ann"))),
            EventKind::MemberUnmuted(change(None, Some("ann"))),
            EventKind::RoleChanged(change(Some(Role::Owner), Some("ann"))),
            EventKind::MessageDeleted(Deletion {
                id: deleted,
                by: UserName::new("ann").unwrap(),
                ts: "2026-12-03T07:00:00.000Z".to_owned(),
                thread: None,
                tombstone: None,
            }),
            EventKind::ReactionAdded(reaction()),
            EventKind::ReactionRemoved(reaction()),
        ];
        for kind in kinds {
            let stored = to_stored(&kind).unwrap();
            let back = from_stored(
                stored.kind,
                &stored.data,
                "2026-12-03T07:00:00.000Z".to_owned(),
            );
            assert_eq!(back.unwrap(), kind, "{stored:?}");
        }
    }

    #[test]
    fn the_stored_form_is_its_own_not_the_wire_s() {
        let stored = to_stored(&EventKind::MemberKicked(change(None, Some("ann")))).unwrap();
        assert_eq!(stored.kind, "kicked");
        assert_eq!(stored.data, r#"{"who":"u:2","name":"bob","by":"ann"}"#);
        // A kind from a newer server is read, as a kind this one does not know.
        let newer = from_stored("pinned", "{}", String::new()).unwrap();
        assert_eq!(newer, EventKind::Unknown);
        assert!(
            from_stored("kicked", "{}", String::new()).is_err(),
            "bad data"
        );
        // An edit keeps the message and its own client id, never the text.
        let edit = EventKind::MessageEdited(confab_shared::Edit {
            id: 7,
            body: confab_shared::MessageBody::new("secret draft").unwrap(),
            edited_at: "2026-12-03T07:00:00.000Z".to_owned(),
            client_id: confab_shared::ClientId::new("c-9").unwrap(),
        });
        let stored = to_stored(&edit).unwrap();
        assert_eq!(stored.kind, "edited");
        assert_eq!(stored.data, r#"{"id":7,"client_id":"c-9"}"#);
        assert_eq!(
            edited(&stored.data).unwrap(),
            (7, confab_shared::ClientId::new("c-9").unwrap())
        );
    }
}
