//! The room directory as both SQL stores load it when they open: every room,
//! membership, conversation, block, writer, notification level, ban and mute.

use confab_shared::{Notify, Role, RoomName, Topic, UserId, UserName};

use super::StoreError;
use super::reader::{Arg, Reader};
use super::rows::Columns;
use crate::rooms::{Directory, Person, Room};

/// Every room and what the directory keeps of it, read once when the store opens.
pub(crate) async fn load(db: &impl Reader) -> Result<Directory, StoreError> {
    let directory = Directory::default();
    let mut conversations = Vec::new();
    for row in db
        .read("SELECT name, topic, private, kind FROM rooms", &[])
        .await?
    {
        let name = room(&row, 0)?;
        if row.text(3)? == "conversation" {
            conversations.push(name);
            continue;
        }
        let topic = Topic::new(row.text(1)?).map_err(corrupt)?;
        directory.put_room(Room::new(name, topic, row.flag(2)?));
    }
    let members = db
        .read(
            "SELECT r.name, m.user_id, m.role, m.name
             FROM room_members m JOIN rooms r ON r.id = m.room_id
             WHERE r.kind = 'room'",
            &[],
        )
        .await?;
    for row in members {
        let role = row.text(2)?;
        let role = Role::parse(&role).ok_or_else(|| corrupt(format!("role {role:?}")))?;
        directory.put_member(&room(&row, 0)?, &user(&row, 1)?, &name(&row, 3)?, role);
    }
    for conversation in conversations {
        let people = conversation_people(db, &conversation).await?;
        let last = db
            .read(
                "SELECT m.ts FROM messages m JOIN rooms r ON r.id = m.room_id
                 WHERE r.name = ? ORDER BY m.seq DESC LIMIT 1",
                &[Arg::Text(conversation.as_str())],
            )
            .await?;
        let last_at = last.first().map(|row| row.text(0)).transpose()?;
        directory.put_conversation(Room::conversation(conversation), &people, last_at);
    }
    for row in db
        .read("SELECT user_id, blocked_id FROM blocks", &[])
        .await?
    {
        directory.put_block(&user(&row, 0)?, &user(&row, 1)?, true);
    }
    let writers = db
        .read(
            "SELECT r.name, m.user_id FROM room_members m JOIN rooms r ON r.id = m.room_id
             WHERE m.wrote",
            &[],
        )
        .await?;
    for row in writers {
        directory.put_writer(&room(&row, 0)?, &user(&row, 1)?);
    }
    let quieter = db
        .read(
            "SELECT r.name, m.user_id, m.notify
             FROM room_members m JOIN rooms r ON r.id = m.room_id
             WHERE m.notify <> 'all'",
            &[],
        )
        .await?;
    for row in quieter {
        let notify = Notify::parse(&row.text(2)?);
        directory.put_notify(&room(&row, 0)?, &user(&row, 1)?, notify);
    }
    for (table, banned) in [("room_bans", true), ("room_mutes", false)] {
        let sql =
            format!("SELECT r.name, x.user_id FROM {table} x JOIN rooms r ON r.id = x.room_id");
        for row in db.read(&sql, &[]).await? {
            directory.put_restriction(&room(&row, 0)?, &user(&row, 1)?, banned);
        }
    }
    Ok(directory)
}

/// A conversation's people, as stored.
pub(crate) async fn conversation_people(
    db: &impl Reader,
    conversation: &RoomName,
) -> Result<Vec<Person>, StoreError> {
    let found = db
        .read(
            "SELECT m.user_id, m.name FROM room_members m JOIN rooms r ON r.id = m.room_id
             WHERE r.name = ?",
            &[Arg::Text(conversation.as_str())],
        )
        .await?;
    found
        .iter()
        .map(|row| {
            Ok(Person {
                id: user(row, 0)?,
                name: name(row, 1)?,
            })
        })
        .collect()
}

fn room(row: &impl Columns, at: usize) -> Result<RoomName, StoreError> {
    RoomName::new(row.text(at)?).map_err(corrupt)
}

fn user(row: &impl Columns, at: usize) -> Result<UserId, StoreError> {
    UserId::new(row.text(at)?).map_err(corrupt)
}

/// A member's name as kept; memberships from before names were kept, of accounts
/// since deleted, have none.
fn name(row: &impl Columns, at: usize) -> Result<UserName, StoreError> {
    UserName::new(row.text(at)?)
        .or_else(|_| UserName::new("someone"))
        .map_err(corrupt)
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}
