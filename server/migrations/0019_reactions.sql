-- Reactions: who reacted to which message with which emoji (`present`), and each
-- person's last reaction command for that emoji there (`client_id`, time first), kept
-- when the reaction is taken away, so a late resend of an older command changes
-- nothing. `seq` is the room event that last added it: reactors are listed in that
-- order, each emoji where its earliest reactor stands. The events themselves are in
-- `room_events` (kinds 'reacted' and 'unreacted').
CREATE TABLE reactions (
    message_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    emoji TEXT NOT NULL,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL,
    present INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
) WITHOUT ROWID;
