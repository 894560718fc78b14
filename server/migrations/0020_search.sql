-- Search (issue 18): two full-text indexes of the messages' current text, filled by
-- the indexer (store/sqlite/search.rs) a moment after each commit, off the write
-- path. `search_grams` looks terms of three characters or more up by their
-- character triples (any script); `search_pairs` holds each message's pairs of
-- Chinese, Japanese and Korean characters, for two-character words (会议) that
-- triples cannot find. Both keep no copy of the text (contentless): a result is read
-- from `messages` and checked against its text as it is now, so an index entry left
-- by an edit or a deletion never shows. How far the indexer has come is kept in
-- `meta` (`search_messages`: the newest message id indexed; `search_events`: the
-- newest `room_events` row whose edit or deletion it applied), in the transaction
-- that indexes, so it catches up after a crash.
CREATE VIRTUAL TABLE search_grams USING fts5 (
    body, tokenize = 'trigram', content = '', contentless_delete = 1
);
CREATE VIRTUAL TABLE search_pairs USING fts5 (
    pairs, tokenize = 'unicode61', content = '', contentless_delete = 1
);
INSERT INTO meta (key, value) VALUES ('search_messages', '0'), ('search_events', '0');
