//! How a row's columns look, the same in both SQL stores (SQLite and PostgreSQL):
//! what either writes or reads back goes through here.

use confab_shared::Seq;

use super::StoreError;

/// The `mentions` column of a message: the names its text mentions, sorted, each
/// between spaces (` ann bob `), so a reader's mentions are found with `LIKE '% ann %'`;
/// empty when it mentions no one.
pub(crate) fn mentions_column(body: &str) -> String {
    let mut names: Vec<String> = confab_shared::protocol::mentioned(body).collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort();
    names.dedup();
    format!(" {} ", names.join(" "))
}

/// A seq as both databases keep it (a signed 64-bit integer).
pub(crate) fn to_db_seq(seq: Seq) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("seq {seq} out of range")))
}

/// A seq read back.
pub(crate) fn from_db_seq(seq: i64) -> Result<Seq, StoreError> {
    Seq::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative seq {seq}")))
}
