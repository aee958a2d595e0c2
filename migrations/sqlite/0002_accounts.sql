-- Volunteers and staff. A deleted account keeps its row (history points at
-- it) with every personal field cleared and deleted_at set.
CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    display_name       TEXT NOT NULL,
    phone              TEXT UNIQUE,
    email              TEXT UNIQUE,
    password_hash      TEXT,
    organisation       TEXT,
    party_member       BOOLEAN NOT NULL DEFAULT FALSE,
    session_generation INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    deleted_at         TEXT
);

-- Roles with the thing they cover. scope is the canonical key of that
-- thing ('' for site admin, 'place:12', 'district:3', 'workshop:slug'),
-- so a user holds each role on each thing at most once.
CREATE TABLE user_roles (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('station_keeper', 'workshop_keeper', 'district_admin', 'site_admin')),
    scope         TEXT NOT NULL DEFAULT '',
    place_id      INTEGER REFERENCES places(id) ON DELETE CASCADE,
    district_id   INTEGER REFERENCES districts(id) ON DELETE CASCADE,
    workshop_slug TEXT,
    granted_by    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (user_id, role, scope)
);
CREATE INDEX user_roles_user ON user_roles (user_id);

-- One-time password-reset links issued by an admin. Only a hash of the
-- token is kept.
CREATE TABLE password_resets (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    issued_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

-- Fixed-window counters for throttling, shared by every instance.
-- bucket names what is counted (hashed where it names a person).
CREATE TABLE rate_limits (
    bucket       TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- What staff did and what happened to accounts. Never passwords or tokens.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    object      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
