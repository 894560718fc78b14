//! Read-only queries written once for both SQL stores: `?` for each argument (made
//! `$1, $2, ...` for PostgreSQL), text arguments, rows read through
//! [`Columns`](super::rows::Columns). For reads whose SQL both databases speak alike.

use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgPool, SqlitePool};

use super::StoreError;
use super::rows::Columns;

#[async_trait]
pub(crate) trait Reader: Sync {
    type Row: Columns + Send;

    /// The rows `sql` selects, with `args` for its `?`s in order.
    async fn read(&self, sql: &str, args: &[&str]) -> Result<Vec<Self::Row>, StoreError>;
}

#[async_trait]
impl Reader for SqlitePool {
    type Row = SqliteRow;

    async fn read(&self, sql: &str, args: &[&str]) -> Result<Vec<SqliteRow>, StoreError> {
        let mut query = sqlx::query(sql);
        for arg in args {
            query = query.bind(*arg);
        }
        Ok(query.fetch_all(self).await?)
    }
}

#[async_trait]
impl Reader for PgPool {
    type Row = PgRow;

    async fn read(&self, sql: &str, args: &[&str]) -> Result<Vec<PgRow>, StoreError> {
        let sql = numbered(sql);
        let mut query = sqlx::query(&sql);
        for arg in args {
            query = query.bind(*arg);
        }
        Ok(query.fetch_all(self).await?)
    }
}

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
