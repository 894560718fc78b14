-- Read state: the seq up to which each account has read each room (conversations
-- included). Moves forward only, but for an explicit "mark unread".
CREATE TABLE read_markers (
    user_id TEXT NOT NULL,
    room_id INTEGER NOT NULL REFERENCES rooms (id),
    seq     INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
) STRICT, WITHOUT ROWID;

-- Memberships from before read state: read up to their rooms' newest event, so an
-- upgrade does not make every room's history unread.
INSERT INTO read_markers (user_id, room_id, seq)
SELECT m.user_id, m.room_id, max(
    coalesce((SELECT max(seq) FROM messages WHERE room_id = m.room_id), 0),
    coalesce((SELECT max(seq) FROM room_events WHERE room_id = m.room_id), 0))
FROM room_members m;
