-- A room's newest seq is read from its messages (MAX(seq) over the (room_id, seq)
-- index) instead of being kept in a column that every write had to update.
ALTER TABLE rooms DROP COLUMN last_seq;
