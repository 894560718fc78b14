-- The idempotency key is indexed as (client_id, author) instead of (author, client_id).
-- Client ids that begin with the time (as Confab's page and bench make them, like
-- UUIDv7 or ULID) then land at the right edge of the index: a batch of messages from
-- a hundred people dirties one or two index pages instead of one per person, which
-- halves the pages each commit writes to the WAL. Lookups are by both columns, so
-- either order serves them. SQLite cannot drop a table constraint, so the table is
-- rebuilt.
CREATE TABLE messages_new (
    id        INTEGER PRIMARY KEY,
    room_id   INTEGER NOT NULL REFERENCES rooms (id),
    seq       INTEGER NOT NULL,
    author    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    ts        TEXT NOT NULL,
    UNIQUE (room_id, seq),
    UNIQUE (client_id, author)
) STRICT;

INSERT INTO messages_new (id, room_id, seq, author, client_id, body, ts)
SELECT id, room_id, seq, author, client_id, body, ts FROM messages;

DROP TABLE messages;

ALTER TABLE messages_new RENAME TO messages;
