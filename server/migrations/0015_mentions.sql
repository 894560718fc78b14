-- Whom each message mentions (protocol/reading.rs `mentioned`): ' ann bob ' (lower
-- case, each name between spaces), '' for nobody; NULL for messages stored before this
-- migration, filled in once by the server when it opens the database. With it, an
-- index holds all that unread and mention counts read, so counting a member's rooms
-- on connect never touches the messages' rows.
ALTER TABLE messages ADD COLUMN mentions TEXT;
CREATE INDEX messages_unread ON messages (room_id, seq, author_id, mentions)
    WHERE deleted_at IS NULL;
