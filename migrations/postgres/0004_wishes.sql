-- Micro-wishes (微心愿) posted at love stations, and every change to them.
CREATE TABLE wishes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id      BIGINT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'open', 'claimed', 'fulfilled', 'rejected', 'withdrawn', 'expired')),
    what            TEXT NOT NULL,
    why             TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL,
    occupation      TEXT NOT NULL CHECK (occupation IN ('sanitation', 'courier', 'food_delivery', 'ride_hailing', 'security', 'care_work', 'other')),
    -- Erased a set time after the wish closes.
    phone           TEXT,
    -- Keyed hash of the tracking code; the code itself is never stored.
    code_hash       TEXT NOT NULL UNIQUE,
    claimed_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    claimed_at      TIMESTAMPTZ,
    -- The last time the wish became open: the expiry clock.
    opened_at       TIMESTAMPTZ,
    -- When it became fulfilled, rejected, withdrawn or expired: the erasure clock.
    closed_at       TIMESTAMPTZ,
    reject_reason   TEXT,
    fulfil_note     TEXT,
    arrived         BOOLEAN,
    thanks          TEXT,
    thanks_hidden   BOOLEAN NOT NULL DEFAULT FALSE,
    needs_attention BOOLEAN NOT NULL DEFAULT FALSE,
    seed_code       TEXT UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX wishes_status ON wishes (status, id);
CREATE INDEX wishes_station ON wishes (station_id, status);
CREATE INDEX wishes_claimer ON wishes (claimed_by, status);

CREATE TABLE wish_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wish_id     BIGINT NOT NULL REFERENCES wishes(id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('worker', 'volunteer', 'staff', 'system')),
    actor_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    -- Staff-only unless public_note: the rejection reason and the
    -- fulfilment note are shown to the worker.
    note        TEXT NOT NULL DEFAULT '',
    public_note BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX wish_events_wish ON wish_events (wish_id, id);

-- A volunteer's unfulfilled claims, kept as a counter so the limit holds
-- under simultaneous claims (a conditional update, not count-then-insert).
ALTER TABLE users ADD COLUMN open_claims BIGINT NOT NULL DEFAULT 0;
