-- Signed-in sessions live here, not in the cookie: the cookie carries a
-- random token whose hash is the key, so signing out, "sign out
-- everywhere", a password change, a reset, a deleted account or a revoked
-- role end a session at once on every instance.
CREATE TABLE sessions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    -- What kind of browser and system, as codes ("wechat android"); never
    -- the whole User-Agent string.
    device       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The per-user session generation is replaced by the table above.
ALTER TABLE users DROP COLUMN session_generation;
