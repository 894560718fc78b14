-- Personal API tokens, for bots and scripts: made by their owner, shown once, stored
-- only as the SHA-256 of the token (long and random, so no slow hash is needed).
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
