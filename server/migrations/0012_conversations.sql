-- Conversations (private messages) are rooms of their own kind: `kind` is 'room' or
-- 'conversation'. A conversation's `people_key` is its people's user ids, sorted and
-- joined by spaces; unique, so starting the same conversation twice (at once, from
-- any node) makes one. Rooms have none.
ALTER TABLE rooms ADD COLUMN kind TEXT NOT NULL DEFAULT 'room'
    CHECK (kind IN ('room', 'conversation'));
ALTER TABLE rooms ADD COLUMN people_key TEXT;
CREATE UNIQUE INDEX rooms_by_people ON rooms (people_key) WHERE people_key IS NOT NULL;
