//! Real services for Confab's tests, started by the tests themselves: a PostgreSQL
//! server, once per test process, each test with a database of its own, and Redis
//! servers, one per test that asks. Nothing is
//! mocked: the server is Debian's PostgreSQL (`cargo xtask test` installs it where it
//! is missing).
//!
//! The server stops by itself when the test process ends: a small shell watchdog
//! started beside it waits for the process to be gone, then shuts the server down
//! (SIGINT, PostgreSQL's fast shutdown) and removes its folder.

mod postgres;
mod redis;

pub use postgres::{Postgres, postgres};
pub use redis::Redis;
