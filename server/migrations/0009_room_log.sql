-- A room's log holds more than messages: membership and moderation events take the
-- room's next seq too. Messages stay in `messages` (a message's seq is its event's);
-- the other events are here, each as its JSON fields. A room's newest seq is the
-- larger of the two tables' (one writer hands seqs out, so they never clash).
CREATE TABLE room_events (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    seq     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    data    TEXT NOT NULL,
    ts      TEXT NOT NULL,
    PRIMARY KEY (room_id, seq)
) STRICT;

-- A deleted message keeps its row (its seq, its idempotency key) but is never served
-- again: snapshots and history skip it, and a replay gives its seq as a deletion.
ALTER TABLE messages ADD COLUMN deleted_by TEXT;
ALTER TABLE messages ADD COLUMN deleted_at TEXT;

-- Members' names, for the members list (an account's name never changes but when it
-- is deleted, and then its memberships go too).
ALTER TABLE room_members ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE room_members SET name = COALESCE(
    (SELECT username FROM users WHERE 'u:' || users.id = room_members.user_id), '');

-- Kept out of a room until unbanned.
CREATE TABLE room_bans (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT;

-- May read a room but not post in it.
CREATE TABLE room_mutes (
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    user_id TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT;

-- Whom each account blocked: their messages are collapsed, their invites refused.
CREATE TABLE blocks (
    user_id      TEXT NOT NULL,
    blocked_id   TEXT NOT NULL,
    blocked_name TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
) STRICT;
