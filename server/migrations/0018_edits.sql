-- Edits: a message holds its current text only (`body`), when it was last edited,
-- and that edit's client id (time first), so a resend of an edit, or an older one
-- arriving late, changes nothing. The edit itself is an event of the room's log
-- (`room_events`, kind 'edited': the message's id and the edit's client id; a replay
-- reads the current text from here, never an edited-away one).
ALTER TABLE messages ADD COLUMN edited_at TEXT;
ALTER TABLE messages ADD COLUMN edit_client_id TEXT;
