-- Messages are keyed on who wrote them (a stable user id), not on the name shown.
-- `author` stays as the name the author had when sending; `author_id` is new, and the
-- idempotency key becomes (client_id, author_id). Every message stored so far was a
-- guest's, and a guest's id is `guest:` followed by its name: so a resend after the
-- upgrade still finds its original. SQLite cannot change a table constraint in place,
-- so the table is rebuilt.
CREATE TABLE messages_new (
    id        INTEGER PRIMARY KEY,
    room_id   INTEGER NOT NULL REFERENCES rooms (id),
    seq       INTEGER NOT NULL,
    author_id TEXT NOT NULL,
    author    TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body      TEXT NOT NULL,
    ts        TEXT NOT NULL,
    UNIQUE (room_id, seq),
    UNIQUE (client_id, author_id)
) STRICT;

INSERT INTO messages_new (id, room_id, seq, author_id, author, client_id, body, ts)
SELECT id, room_id, seq, 'guest:' || author, author, client_id, body, ts FROM messages;

DROP TABLE messages;

ALTER TABLE messages_new RENAME TO messages;
