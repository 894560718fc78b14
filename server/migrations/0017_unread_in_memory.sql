-- Unread and mention counts are read off each room's newest messages kept in memory
-- by the server (store/sqlite/recent.rs), not off an index: the `messages_unread`
-- index of migration 0015 cost every message one more index page to write, a
-- quarter of the writer's top rate. The `mentions` column stays: memory is filled
-- from it.
DROP INDEX messages_unread;
