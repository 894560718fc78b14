-- Threads: a reply names its thread's root; a root keeps its thread's summary (the
-- replies not deleted, and when the newest came), kept by the writer with each reply
-- and each deletion of one, so reading a page of the room never counts replies.
ALTER TABLE messages ADD COLUMN thread_root INTEGER;
-- Whether the room's list shows it: 1 for every message outside a thread, and for a
-- reply also sent to the room.
ALTER TABLE messages ADD COLUMN in_room INTEGER NOT NULL DEFAULT 1;
ALTER TABLE messages ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_reply_at TEXT;

-- A thread's page, and its count after a deletion.
CREATE INDEX messages_by_thread ON messages (thread_root, seq) WHERE thread_root IS NOT NULL;
