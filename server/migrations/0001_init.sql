-- Confab's schema, version 1.

-- Facts about this database as a whole. `epoch` changes whenever history is replaced
-- (a restore, a wipe), so a client holding seqs from another history can tell.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8))));

-- A room exists once something was posted to it. `last_seq` is the seq of its newest
-- message; the next message gets last_seq + 1, inside the transaction that stores it.
CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE messages (
    id        INTEGER PRIMARY KEY,
    room_id   INTEGER NOT NULL REFERENCES rooms (id),
    seq       INTEGER NOT NULL,
    author    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    ts        TEXT NOT NULL,
    -- Gapless per-room order; also the index every replay and history read uses.
    UNIQUE (room_id, seq),
    -- Idempotent sends: a resend of the same client_id by the same author is the
    -- same message.
    UNIQUE (author, client_id)
) STRICT;
