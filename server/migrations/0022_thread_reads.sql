-- Who took part in each thread (wrote its root or a reply in it), kept by the writer
-- with each reply; and each one's read marker in it (the seq of the newest reply
-- read), moved by `read` with `thread` and by their own replies.
CREATE TABLE thread_people (
    root_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (root_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX thread_people_by_user ON thread_people (user_id);

CREATE TABLE thread_reads (
    user_id TEXT NOT NULL,
    root_id INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (user_id, root_id)
) STRICT, WITHOUT ROWID;
