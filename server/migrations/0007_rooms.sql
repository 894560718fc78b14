-- Rooms are made on purpose, with a topic, public or private; people belong to them.
-- Rooms that exist already (made by a first message, before this) are public.
ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
-- The user id of whoever made it ('system' for rooms from before).
ALTER TABLE rooms ADD COLUMN created_by TEXT NOT NULL DEFAULT 'system';

INSERT INTO rooms (name, created_at)
SELECT 'general', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE NOT EXISTS (SELECT 1 FROM rooms WHERE name = 'general');

-- Membership lasts, apart from which rooms a connection is subscribed to. Kept for
-- accounts (a guest belongs to no room).
CREATE TABLE room_members (
    room_id   INTEGER NOT NULL REFERENCES rooms (id),
    user_id   TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT;

CREATE INDEX room_members_by_user ON room_members (user_id);
