//! `confab migrate`: a single node's SQLite database moved into an empty PostgreSQL
//! one, whole: every room with its log (ids, seqs), every account (ids, so `u:N`
//! stays each person's), session and token, membership, read marker, reaction and
//! thread, and the epoch, so clients resume across the move without starting over.
//! One transaction: a move that fails leaves the PostgreSQL database as it was.

use confab_shared::protocol::folded;
use futures_util::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{PgConnection, Row, SqlitePool};

use super::{PostgresStore, SqliteStore, Store, StoreError};

/// Rows copied per statement.
const CHUNK: usize = 5000;

/// What a column holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
    /// SQLite's 0 and 1, PostgreSQL's booleans.
    Flag,
}

use Kind::{Flag, Int, Text};

/// A table and its columns, the same in both schemas; `always`: its id is
/// `GENERATED ALWAYS` on PostgreSQL (given here all the same).
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    always: bool,
}

const TABLES: &[Table] = &[
    Table {
        name: "rooms",
        columns: &[
            ("id", Int),
            ("name", Text),
            ("created_at", Text),
            ("topic", Text),
            ("private", Flag),
            ("created_by", Text),
            ("kind", Text),
            ("people_key", Text),
        ],
        always: false,
    },
    Table {
        name: "messages",
        columns: &[
            ("id", Int),
            ("room_id", Int),
            ("seq", Int),
            ("author_id", Text),
            ("author", Text),
            ("client_id", Text),
            ("body", Text),
            ("ts", Text),
            ("deleted_by", Text),
            ("deleted_at", Text),
            ("mentions", Text),
            ("edited_at", Text),
            ("edit_client_id", Text),
            ("thread_root", Int),
            ("in_room", Flag),
            ("replies", Int),
            ("last_reply_at", Text),
        ],
        always: false,
    },
    Table {
        name: "room_events",
        columns: &[
            ("room_id", Int),
            ("seq", Int),
            ("kind", Text),
            ("data", Text),
            ("ts", Text),
        ],
        always: false,
    },
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("username", Text),
            ("password_hash", Text),
            ("is_admin", Flag),
            ("created_at", Text),
            ("banned", Flag),
            ("name_key", Text),
        ],
        always: false,
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("user_id", Int),
            ("created_at", Text),
            ("expires_at", Int),
        ],
        always: false,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Int),
            ("user_id", Int),
            ("name", Text),
            ("token_hash", Text),
            ("created_at", Text),
        ],
        always: false,
    },
    Table {
        name: "account_changes",
        columns: &[
            ("seq", Int),
            ("account_id", Int),
            ("ended", Text),
            ("banned", Flag),
            ("at", Int),
        ],
        always: true,
    },
    Table {
        name: "room_members",
        columns: &[
            ("room_id", Int),
            ("user_id", Text),
            ("role", Text),
            ("joined_at", Text),
            ("name", Text),
            ("notify", Text),
            ("wrote", Flag),
        ],
        always: false,
    },
    Table {
        name: "room_bans",
        columns: &[("room_id", Int), ("user_id", Text)],
        always: false,
    },
    Table {
        name: "room_mutes",
        columns: &[("room_id", Int), ("user_id", Text)],
        always: false,
    },
    Table {
        name: "blocks",
        columns: &[
            ("user_id", Text),
            ("blocked_id", Text),
            ("blocked_name", Text),
            ("created_at", Text),
        ],
        always: false,
    },
    Table {
        name: "read_markers",
        columns: &[("user_id", Text), ("room_id", Int), ("seq", Int)],
        always: false,
    },
    Table {
        name: "reactions",
        columns: &[
            ("message_id", Int),
            ("user_id", Text),
            ("emoji", Text),
            ("name", Text),
            ("client_id", Text),
            ("present", Flag),
            ("seq", Int),
        ],
        always: false,
    },
    Table {
        name: "thread_people",
        columns: &[("root_id", Int), ("user_id", Text)],
        always: false,
    },
    Table {
        name: "thread_reads",
        columns: &[("user_id", Text), ("root_id", Int), ("seq", Int)],
        always: false,
    },
];

/// Identities to move past the ids copied: (table, column).
const IDENTITIES: &[(&str, &str)] = &[
    ("rooms", "id"),
    ("messages", "id"),
    ("users", "id"),
    ("api_tokens", "id"),
    ("account_changes", "seq"),
];

/// Copies the SQLite database `from` (brought up to date first) into the empty
/// PostgreSQL database `to`; gives the rows copied per table, in order.
pub async fn migrate(from: &str, to: &str) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let file = SqliteStore::file_of(from)?;
    if !file.is_file() {
        return Err(StoreError::Database(format!(
            "no database at {}",
            file.display()
        )));
    }
    // Its schema up to date (and its writer's work done), then read as it is.
    let sqlite = SqliteStore::open(from).await?;
    let epoch = sqlite.epoch().await?;
    sqlite.close().await;
    let source = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(SqliteConnectOptions::new().filename(file).read_only(true))
        .await?;
    let target = PostgresStore::open(to).await?;
    let copied = copy(&source, &target.pool, &epoch).await;
    source.close().await;
    target.close().await;
    copied
}

async fn copy(
    source: &SqlitePool,
    target: &sqlx::PgPool,
    epoch: &str,
) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let mut tx = target.begin().await?;
    let used: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM users)
              + (SELECT count(*) FROM room_events)
              + (SELECT count(*) FROM rooms WHERE name <> 'general' OR last_seq <> 0)",
    )
    .fetch_one(&mut *tx)
    .await?;
    if used > 0 {
        return Err(StoreError::Database(
            "the PostgreSQL database is not empty: migrate moves into a new one".to_owned(),
        ));
    }
    // The room the schema made comes again, with its id, from SQLite.
    sqlx::query("DELETE FROM rooms").execute(&mut *tx).await?;
    let mut counts = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        counts.push((table.name, copy_table(source, &mut tx, table).await?));
    }
    sqlx::query(
        "UPDATE rooms r SET last_seq = greatest(
             coalesce((SELECT max(seq) FROM messages WHERE room_id = r.id), 0),
             coalesce((SELECT max(seq) FROM room_events WHERE room_id = r.id), 0))",
    )
    .execute(&mut *tx)
    .await?;
    for (table, column) in IDENTITIES {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                           coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE meta SET value = $1 WHERE key = 'epoch'")
        .bind(epoch)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(counts)
}

/// Copies one table, `CHUNK` rows to a statement.
async fn copy_table(
    source: &SqlitePool,
    tx: &mut PgConnection,
    table: &Table,
) -> Result<u64, StoreError> {
    let names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let select = format!("SELECT {} FROM {}", names.join(", "), table.name);
    let mut rows = sqlx::query(&select).fetch(source);
    let mut chunk: Vec<SqliteRow> = Vec::with_capacity(CHUNK);
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        chunk.push(row);
        if chunk.len() == CHUNK {
            copied += insert(tx, table, &chunk).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        copied += insert(tx, table, &chunk).await?;
    }
    Ok(copied)
}

/// Inserts `rows` of `table` in one statement, a column at a time (`unnest` of one
/// array per column); a message also gets its lowered text for search.
async fn insert(
    tx: &mut PgConnection,
    table: &Table,
    rows: &[SqliteRow],
) -> Result<u64, StoreError> {
    let mut names: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    let mut types: Vec<&str> = Vec::new();
    let mut arguments = PgArguments::default();
    let mut bodies: Vec<Option<String>> = Vec::new();
    for (at, (name, kind)) in table.columns.iter().enumerate() {
        match kind {
            Int => {
                let column: Vec<Option<i64>> = rows
                    .iter()
                    .map(|row| row.try_get(at))
                    .collect::<Result<_, _>>()?;
                add(&mut arguments, column)?;
                types.push("bigint[]");
            }
            Text => {
                let column: Vec<Option<String>> = rows
                    .iter()
                    .map(|row| row.try_get(at))
                    .collect::<Result<_, _>>()?;
                if *name == "body" {
                    bodies.clone_from(&column);
                }
                add(&mut arguments, column)?;
                types.push("text[]");
            }
            Flag => {
                let column: Vec<Option<bool>> = rows
                    .iter()
                    .map(|row| Ok(row.try_get::<Option<i64>, _>(at)?.map(|n| n != 0)))
                    .collect::<Result<_, sqlx::Error>>()?;
                add(&mut arguments, column)?;
                types.push("boolean[]");
            }
        }
    }
    if table.name == "messages" {
        let lowered: Vec<Option<String>> = bodies
            .iter()
            .map(|body| Some(folded(body.as_deref().unwrap_or(""))))
            .collect();
        add(&mut arguments, lowered)?;
        names.push("folded");
        types.push("text[]");
    }
    let arrays: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("${}::{ty}", i + 1))
        .collect();
    let overriding = if table.always {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO {} ({}){overriding} SELECT * FROM unnest({})",
        table.name,
        names.join(", "),
        arrays.join(", ")
    );
    let done = sqlx::query_with(&sql, arguments).execute(&mut *tx).await?;
    Ok(done.rows_affected())
}

fn add<T>(arguments: &mut PgArguments, value: T) -> Result<(), StoreError>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
{
    use sqlx::Arguments;
    arguments
        .add(value)
        .map_err(|e| StoreError::Database(e.to_string()))
}
