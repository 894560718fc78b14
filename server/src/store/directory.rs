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
    load_into(db, &directory, None).await?;
    for row in db
        .read("SELECT user_id, blocked_id FROM blocks", &[])
        .await?
    {
        directory.put_block(&user(&row, 0)?, &user(&row, 1)?, true);
    }
    Ok(directory)
}

/// Reads `room` (made on another node, or changed there while this node did not
/// hear) into `directory`, in place of what it had; false if the store has no
/// such room.
pub(crate) async fn load_room(
    db: &impl Reader,
    directory: &Directory,
    room: &RoomName,
) -> Result<bool, StoreError> {
    let fresh = Directory::default();
    let found = load_into(db, &fresh, Some(room)).await?;
    if found {
        directory.replace_room(room, &fresh);
    }
    Ok(found)
}

/// Reads every room (`only` None) or one into `directory`; false if there was none.
async fn load_into(
    db: &impl Reader,
    directory: &Directory,
    only: Option<&RoomName>,
) -> Result<bool, StoreError> {
    // Every query below names the room as `r.name`; one room: `AND r.name = ?`.
    let (filter, args) = match only {
        Some(room) => (" AND r.name = ?", vec![Arg::Text(room.as_str())]),
        None => ("", Vec::new()),
    };
    let mut conversations = Vec::new();
    let rooms = db
        .read(
            &format!("SELECT r.name, r.topic, r.private, r.kind FROM rooms r WHERE TRUE{filter}"),
            &args,
        )
        .await?;
    let found = !rooms.is_empty();
    for row in rooms {
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
            &format!(
                "SELECT r.name, m.user_id, m.role, m.name
                 FROM room_members m JOIN rooms r ON r.id = m.room_id
                 WHERE r.kind = 'room'{filter}"
            ),
            &args,
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
    let writers = db
        .read(
            &format!(
                "SELECT r.name, m.user_id FROM room_members m JOIN rooms r ON r.id = m.room_id
                 WHERE m.wrote{filter}"
            ),
            &args,
        )
        .await?;
    for row in writers {
        directory.put_writer(&room(&row, 0)?, &user(&row, 1)?);
    }
    let quieter = db
        .read(
            &format!(
                "SELECT r.name, m.user_id, m.notify
                 FROM room_members m JOIN rooms r ON r.id = m.room_id
                 WHERE m.notify <> 'all'{filter}"
            ),
            &args,
        )
        .await?;
    for row in quieter {
        let notify = Notify::parse(&row.text(2)?);
        directory.put_notify(&room(&row, 0)?, &user(&row, 1)?, notify);
    }
    for (table, banned) in [("room_bans", true), ("room_mutes", false)] {
        let sql = format!(
            "SELECT r.name, x.user_id FROM {table} x JOIN rooms r ON r.id = x.room_id
             WHERE TRUE{filter}"
        );
        for row in db.read(&sql, &args).await? {
            directory.put_restriction(&room(&row, 0)?, &user(&row, 1)?, banned);
        }
    }
    Ok(found)
}

/// Rooms' names and seqs as read: checked.
pub(crate) fn room_seqs(
    rows: Vec<(String, i64)>,
) -> Result<Vec<(RoomName, confab_shared::Seq)>, StoreError> {
    rows.into_iter()
        .map(|(name, seq)| {
            let name = RoomName::new(name).map_err(corrupt)?;
            Ok((name, super::columns::from_db_seq(seq)?))
        })
        .collect()
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
