//! Search in SQLite (migration 0020): the indexer's step, which the writer runs on
//! its own connection whenever no batch waits (`writer.rs`), bringing the two
//! full-text indexes up to the messages a moment after they commit (new messages by
//! id, then edits and deletions from the room log); and the query, which looks
//! candidates up in an index, newest first, and keeps those whose current text holds
//! every term (the shared `find_terms` rule).

use confab_shared::{RoomName, SearchHit, TermKind, find_terms, is_cjk, term_kind};
use rusqlite::{Connection, OptionalExtension, params};
use sqlx::{Row, SqlitePool};

use super::batch::database;
use super::corrupt;
use crate::store::rows::{MESSAGE_COLUMNS, message as message_from_row};
use crate::store::{Found, SearchQuery, StoreError};

/// Messages (and edits or deletions) indexed per step: small, so a batch that
/// arrives meanwhile waits little.
const STEP: i64 = 50;

/// Candidates read per query round, and the most rounds one search reads.
const ROUND: i64 = 200;
const ROUNDS: usize = 50;

/// Indexes what came since the last step, a bounded amount: whether there may be more.
pub(super) fn step(conn: &Connection) -> Result<bool, StoreError> {
    let cursor = |key: &str| -> Result<i64, StoreError> {
        let value: String = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .map_err(database)?;
        value
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("meta {key}: {value}")))
    };
    // Cheap looks first: nothing new, no transaction.
    let (newest_message, newest_event): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM messages),
                    (SELECT COALESCE(MAX(rowid), 0) FROM room_events)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(database)?;
    let (messages_done, events_done) = (cursor("search_messages")?, cursor("search_events")?);
    if newest_message <= messages_done && newest_event <= events_done {
        return Ok(false);
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(database)?;
    let mut more = false;
    // New messages, by id.
    let rows: Vec<(i64, String)> = {
        let mut statement = conn
            .prepare_cached(
                "SELECT id, body FROM messages WHERE id > ?1 AND deleted_by IS NULL
                 ORDER BY id LIMIT ?2",
            )
            .map_err(database)?;
        statement
            .query_map(params![messages_done, STEP], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(database)?
    };
    more |= rows.len() as i64 == STEP;
    let messages_now = match rows.last() {
        Some((id, _)) if more => *id,
        _ => newest_message.max(messages_done),
    };
    for (id, body) in &rows {
        index(conn, *id, body)?;
    }
    // Edits and deletions since, of messages indexed by now.
    let changes: Vec<(i64, String, Option<i64>)> = {
        let mut statement = conn
            .prepare_cached(
                "SELECT rowid, kind, json_extract(data, '$.id') FROM room_events
                 WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid LIMIT ?3",
            )
            .map_err(database)?;
        statement
            .query_map(params![events_done, newest_event, STEP], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(Iterator::collect)
            .map_err(database)?
    };
    more |= changes.len() as i64 == STEP;
    let events_now = match changes.last() {
        Some((rowid, _, _)) if changes.len() as i64 == STEP => *rowid,
        _ => newest_event.max(events_done),
    };
    for (_, kind, id) in &changes {
        let Some(id) = *id else { continue };
        if !matches!(kind.as_str(), "edited" | "deleted") || id > messages_now {
            continue;
        }
        unindex(conn, id)?;
        let body: Option<String> = conn
            .query_row(
                "SELECT body FROM messages WHERE id = ?1 AND deleted_by IS NULL",
                [id],
                |r| r.get(0),
            )
            .optional()
            .map_err(database)?;
        if let Some(body) = body {
            index(conn, id, &body)?;
        }
    }
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'search_messages'",
        [messages_now.to_string()],
    )
    .map_err(database)?;
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'search_events'",
        [events_now.to_string()],
    )
    .map_err(database)?;
    conn.execute_batch("COMMIT").map_err(database)?;
    Ok(more)
}

fn index(conn: &Connection, id: i64, body: &str) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO search_grams (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![id, body]))
        .map_err(database)?;
    let pairs = pairs(body);
    if !pairs.is_empty() {
        conn.prepare_cached("INSERT INTO search_pairs (rowid, pairs) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, pairs]))
            .map_err(database)?;
    }
    Ok(())
}

fn unindex(conn: &Connection, id: i64) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM search_grams WHERE rowid = ?1",
        "DELETE FROM search_pairs WHERE rowid = ?1",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([id]))
            .map_err(database)?;
    }
    Ok(())
}

/// The pairs of neighbouring Chinese, Japanese or Korean characters in `text`, each
/// once, as words for the pairs index.
fn pairs(text: &str) -> String {
    let mut seen: Vec<[char; 2]> = Vec::new();
    let mut previous: Option<char> = None;
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_cjk(c) {
            if let Some(p) = previous
                && !seen.contains(&[p, c])
            {
                seen.push([p, c]);
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
    let mut out = String::new();
    for [a, b] in seen {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(a);
        out.push(b);
    }
    out
}

/// A term as an FTS5 string (its quotes doubled).
fn quoted(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// The messages that hold every term, newest first (see `Store::search`).
pub(super) async fn search(pool: &SqlitePool, query: &SearchQuery) -> Result<Found, StoreError> {
    let triples: Vec<String> = query
        .terms
        .iter()
        .filter(|t| term_kind(t) == TermKind::Triples)
        .map(|t| quoted(t))
        .collect();
    let pairs: Vec<String> = query
        .terms
        .iter()
        .filter(|t| term_kind(t) == TermKind::Pairs)
        .map(|t| quoted(t))
        .collect();
    let (table, expression) = if !triples.is_empty() {
        ("search_grams", triples.join(" AND "))
    } else if !pairs.is_empty() {
        ("search_pairs", pairs.join(" AND "))
    } else {
        return Ok(Found::default());
    };
    let rooms = serde_json::to_string(&query.rooms).map_err(|e| corrupt(e.to_string()))?;
    let sql = format!(
        "SELECT r.name, {MESSAGE_COLUMNS} FROM {table} f
         CROSS JOIN messages m ON m.id = f.rowid
         LEFT JOIN messages t ON t.id = coalesce(m.thread_root, m.id)
         JOIN rooms r ON r.id = m.room_id
         WHERE {table} MATCH ?1 AND f.rowid < ?2 AND m.deleted_by IS NULL
           AND r.name IN (SELECT value FROM json_each(?3))
           AND (?4 IS NULL OR m.author = ?4)
           AND (?5 IS NULL OR m.ts >= ?5) AND (?6 IS NULL OR m.ts < ?6)
         ORDER BY f.rowid DESC LIMIT ?7"
    );
    let want = query.limit as usize;
    let mut found = Found::default();
    let mut below = query.older_than.unwrap_or(i64::MAX);
    for _ in 0..ROUNDS {
        let rows = sqlx::query(&sql)
            .bind(&expression)
            .bind(below)
            .bind(&rooms)
            .bind(query.from.as_ref().map(|f| f.as_str()))
            .bind(query.after.as_deref())
            .bind(query.before.as_deref())
            .bind(ROUND)
            .fetch_all(pool)
            .await?;
        for row in &rows {
            let room = RoomName::new(row.try_get::<String, _>(0)?).map_err(corrupt)?;
            let message = message_from_row(&room, row, 1)?;
            below = message.id;
            if let Some(matches) = find_terms(message.body.as_str(), &query.terms) {
                if found.hits.len() == want {
                    found.next = found.hits.last().map(|hit| hit.message.id);
                    return Ok(found);
                }
                found.hits.push(SearchHit { message, matches });
            }
        }
        if (rows.len() as i64) < ROUND {
            return Ok(found);
        }
    }
    // Read as far as one search may: the next page goes on from where it stopped.
    found.next = Some(below);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::pairs;

    #[test]
    fn pairs_of_neighbouring_cjk_characters() {
        assert_eq!(pairs("明天的会议 ok 会议"), "明天 天的 的会 会议");
        assert_eq!(pairs("plain text"), "");
    }
}
