//! Whom a batch's authors may not post as, read from the tables with the batch's
//! rooms locked: a mute, a ban, or a removal from a private room or conversation
//! recorded on another node commits before the batch or after it, never between
//! (persisting a change locks its room's row as appending does). So no message is
//! stored after the event that muted or removed its author, whichever node each was
//! on; the node that let the send in had not heard of the change yet.

use std::collections::HashMap;

use sqlx::{PgConnection, Row};

use super::append::Rooms;
use crate::rooms::PostDenied;
use crate::store::{NewMessage, StoreError};

/// Refused (room id, author id) pairs, and why.
pub(super) type Refused = HashMap<(i64, String), PostDenied>;

/// The batch's authors that may not post in their message's room now.
pub(super) async fn refused(
    tx: &mut PgConnection,
    rooms: &Rooms,
    batch: &[NewMessage],
) -> Result<Refused, StoreError> {
    let (ids, authors): (Vec<i64>, Vec<&str>) = batch
        .iter()
        .filter_map(|m| {
            let (id, _, _) = rooms.get(m.room.as_str())?;
            Some((*id, m.author_id.as_str()))
        })
        .unzip();
    let rows = sqlx::query(
        "SELECT k.r, k.a,
                EXISTS (SELECT 1 FROM room_bans b WHERE b.room_id = k.r AND b.user_id = k.a),
                EXISTS (SELECT 1 FROM room_mutes x WHERE x.room_id = k.r AND x.user_id = k.a),
                (r.private OR r.kind = 'conversation') AND NOT EXISTS
                    (SELECT 1 FROM room_members m WHERE m.room_id = k.r AND m.user_id = k.a)
         FROM (SELECT DISTINCT r, a FROM unnest($1::bigint[], $2::text[]) AS u(r, a)) AS k
         JOIN rooms r ON r.id = k.r",
    )
    .bind(&ids)
    .bind(&authors)
    .fetch_all(&mut *tx)
    .await?;
    let mut refused = HashMap::new();
    for row in rows {
        let (banned, muted, outside): (bool, bool, bool) =
            (row.try_get(2)?, row.try_get(3)?, row.try_get(4)?);
        let why = if outside {
            PostDenied::NotFound
        } else if banned {
            PostDenied::Banned
        } else if muted {
            PostDenied::Muted
        } else {
            continue;
        };
        refused.insert((row.try_get(0)?, row.try_get(1)?), why);
    }
    Ok(refused)
}
