-- When each member is notified of a room's (or conversation's) messages: 'all',
-- 'mentions' or 'none'. Kept by the server so it follows the person to every device.
ALTER TABLE room_members ADD COLUMN notify TEXT NOT NULL DEFAULT 'all'
    CHECK (notify IN ('all', 'mentions', 'none'));
