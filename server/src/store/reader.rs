//! Read-only queries written once for both SQL stores: `?` for each argument (made
//! `$1, $2, ...` for PostgreSQL), text and integer arguments, rows read through
//! [`Columns`](super::rows::Columns). For reads whose SQL both databases speak alike;
//! what they do not (a list of ids) is a method of its own.

use std::collections::HashMap;

use async_trait::async_trait;
use confab_shared::{ChatMessage, MessageId, Reactions};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, SqlitePool};

use super::StoreError;
use super::rows::Columns;

/// An argument of a query.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Text(&'a str),
    Int(i64),
}

#[async_trait]
pub(crate) trait Reader: Sync {
    type Row: Columns + Send;

    /// The rows `sql` selects, with `args` for its `?`s in order.
    async fn read(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<Self::Row>, StoreError>;

    /// The present reactions of the messages `ids`, by message.
    async fn reactions(
        &self,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<Reactions>>, StoreError>;

    /// Fills in each message's reactions.
    async fn attach_reactions(&self, messages: &mut [ChatMessage]) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
        let mut found = self.reactions(&ids).await?;
        for message in messages {
            if let Some(reactions) = found.remove(&message.id) {
                message.reactions = reactions;
            }
        }
        Ok(())
    }
}

/// Binds `args` in order.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match *arg {
                Arg::Text(text) => query.bind(text),
                Arg::Int(n) => query.bind(n),
            };
        }
        query
    }};
}

#[async_trait]
impl Reader for SqlitePool {
    type Row = SqliteRow;

    async fn read(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<SqliteRow>, StoreError> {
        Ok(bind_all!(sqlx::query(sql), args).fetch_all(self).await?)
    }

    async fn reactions(
        &self,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<Reactions>>, StoreError> {
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let found = sqlx::query(
            REACTIONS
                .replace("= ANY(?)", "IN (SELECT value FROM json_each(?))")
                .as_str(),
        )
        .bind(ids)
        .fetch_all(self)
        .await?;
        super::rows::reactions(&found)
    }
}

#[async_trait]
impl Reader for PgPool {
    type Row = PgRow;

    async fn read(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<PgRow>, StoreError> {
        let sql = numbered(sql);
        Ok(bind_all!(sqlx::query(&sql), args).fetch_all(self).await?)
    }

    async fn reactions(
        &self,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<Reactions>>, StoreError> {
        let found = sqlx::query(&numbered(REACTIONS))
            .bind(ids)
            .fetch_all(self)
            .await?;
        super::rows::reactions(&found)
    }
}

/// The present reactions of some messages, in the order they came (`rows::reactions`).
const REACTIONS: &str = "SELECT message_id, emoji, name, user_id FROM reactions
     WHERE present AND message_id = ANY(?) ORDER BY message_id, seq";

/// `sql` with its `?`s numbered, PostgreSQL's way (the queries here hold no `?` in
/// a string).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            super::numbered("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
    }
}
