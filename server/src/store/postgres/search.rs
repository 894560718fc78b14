//! Search on PostgreSQL, by the one matching rule (`protocol::find_terms`: every
//! term, without case, anywhere in the text, newest first).
//!
//! Each message keeps its text lowered by the server (`folded`, written with each
//! insert and edit), so what the database compares does not hang on its locale; a
//! trigram index (pg_trgm) over it finds the candidates of `LIKE '%term%'` for every
//! term of three characters or more, in any script. A query of only shorter terms
//! (a two-character Chinese word) is answered by reading the rooms' messages newest
//! first, which is right but slower (`docs/deploy.md`). Each candidate is checked
//! against its current text by `find_terms` before it is shown, as SQLite's are.

use confab_shared::protocol::find_terms;
use confab_shared::{RoomName, SearchHit};
use sqlx::Row;

use super::PostgresStore;
use crate::store::reader::Reader;
use crate::store::rows::{self, MESSAGE_COLUMNS};
use crate::store::{Found, SearchQuery, StoreError};

/// Candidates read per round, and the most rounds one search reads.
const ROUND: i64 = 200;
const ROUNDS: usize = 50;

impl PostgresStore {
    /// The messages not deleted, newest first, that hold every term of `query`.
    pub async fn search(&self, query: &SearchQuery) -> Result<Found, StoreError> {
        let patterns: Vec<String> = query
            .terms
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", like_escaped(t)))
            .collect();
        if patterns.is_empty() || query.rooms.is_empty() {
            return Ok(Found::default());
        }
        let rooms: Vec<&str> = query.rooms.iter().map(RoomName::as_str).collect();
        let sql = format!(
            "SELECT r.name, {MESSAGE_COLUMNS} FROM messages m
             LEFT JOIN messages t ON t.id = coalesce(m.thread_root, m.id)
             JOIN rooms r ON r.id = m.room_id
             WHERE m.folded LIKE ALL ($1) AND m.id < $2 AND m.deleted_by IS NULL
               AND r.name = ANY ($3)
               AND ($4::text IS NULL OR m.author = $4)
               AND ($5::text IS NULL OR m.ts >= $5) AND ($6::text IS NULL OR m.ts < $6)
             ORDER BY m.id DESC LIMIT $7"
        );
        let want = query.limit as usize;
        let mut found = Found::default();
        let mut below = query.older_than.unwrap_or(i64::MAX);
        for _ in 0..ROUNDS {
            let candidates = sqlx::query(&sql)
                .bind(&patterns)
                .bind(below)
                .bind(&rooms)
                .bind(query.from.as_ref().map(|f| f.as_str()))
                .bind(query.after.as_deref())
                .bind(query.before.as_deref())
                .bind(ROUND)
                .fetch_all(&self.pool)
                .await?;
            for row in &candidates {
                let room = RoomName::new(row.try_get::<String, _>(0)?)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let message = rows::message(&room, row, 1)?;
                below = message.id;
                if let Some(matches) = find_terms(message.body.as_str(), &query.terms) {
                    if found.hits.len() == want {
                        found.next = found.hits.last().map(|hit| hit.message.id);
                        return self.with_reactions(found).await;
                    }
                    found.hits.push(SearchHit { message, matches });
                }
            }
            if (candidates.len() as i64) < ROUND {
                return self.with_reactions(found).await;
            }
        }
        // Read as far as one search may: the next page goes on from where it stopped.
        found.next = Some(below);
        self.with_reactions(found).await
    }

    /// Each hit with its reactions now.
    async fn with_reactions(&self, mut found: Found) -> Result<Found, StoreError> {
        if found.hits.is_empty() {
            return Ok(found);
        }
        let ids: Vec<i64> = found.hits.iter().map(|hit| hit.message.id).collect();
        let mut reactions = self.pool.reactions(&ids).await?;
        for hit in &mut found.hits {
            if let Some(those) = reactions.remove(&hit.message.id) {
                hit.message.reactions = those;
            }
        }
        Ok(found)
    }
}

/// `term` for a LIKE pattern: its `%`, `_` and `\` taken as themselves.
fn like_escaped(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
