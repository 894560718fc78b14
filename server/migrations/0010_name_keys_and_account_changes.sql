-- Usernames unique as people see them: each account's name key (accounts/name_key.rs:
-- NFKC, lower case in every script, the confusable skeleton). It is computed in Rust,
-- so this migration adds the column, and the store fills it for rows that lack one
-- (once, at the first start after this migration) and then indexes it, unique
-- (store/sqlite/account_feed.rs).
ALTER TABLE users ADD COLUMN name_key TEXT;

-- The account change feed: every change to an account (made, signed out, password,
-- tokens, banned, deleted), appended in the transaction that makes it, by whichever
-- process makes it (a server, the operator's CLI, later another node). Every running
-- server reads what is new every half second: it refreshes what it keeps in memory
-- (names, tokens) and ends the sockets of the credentials that ended.
CREATE TABLE account_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    -- The SHA-256 of a credential (a session's or an API token's) that ended.
    ended      TEXT,
    -- It ended because the account was banned (its sockets close with 4403, not 4401).
    banned     INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds; old changes are pruned.
    at         INTEGER NOT NULL
) STRICT;
