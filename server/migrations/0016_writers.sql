-- Whether each member has written in the room or conversation: a person's presence
-- and typing reach only those who share a room with them in which they have written
-- (a reader who never writes stays unseen). Set by the server at a member's first
-- message there; filled here, once, from the messages already stored.
ALTER TABLE room_members ADD COLUMN wrote INTEGER NOT NULL DEFAULT 0;
UPDATE room_members SET wrote = 1
    WHERE (room_id, user_id) IN (SELECT room_id, author_id FROM messages);
