-- no-transaction
-- "It did not arrive" is a status of its own (not_received: being
-- followed up), which staff resolve; a follow-up staff close ends as
-- `closed`. The flag that stood for it (`needs_attention`) goes. SQLite
-- cannot widen a CHECK, so the table is rebuilt (the documented way:
-- foreign keys off outside the transaction, back on after it).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE wishes_new (
    id              INTEGER PRIMARY KEY,
    station_id      INTEGER NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'open', 'claimed', 'fulfilled', 'not_received', 'closed', 'rejected', 'withdrawn', 'expired')),
    what            TEXT NOT NULL,
    why             TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL,
    occupation      TEXT NOT NULL CHECK (occupation IN ('sanitation', 'courier', 'food_delivery', 'ride_hailing', 'security', 'care_work', 'other')),
    -- Erased a set time after the wish closes.
    phone           TEXT,
    -- Keyed hash of the tracking code; the code itself is never stored.
    code_hash       TEXT NOT NULL UNIQUE,
    claimed_by      INTEGER REFERENCES users(id) ON DELETE SET NULL,
    claimed_at      TEXT,
    -- The last time the wish became open: the expiry clock.
    opened_at       TEXT,
    -- When it became fulfilled, closed, rejected, withdrawn or expired:
    -- the erasure clock (cleared while a follow-up is open).
    closed_at       TEXT,
    reject_reason   TEXT,
    fulfil_note     TEXT,
    arrived         BOOLEAN,
    thanks          TEXT,
    thanks_hidden   BOOLEAN NOT NULL DEFAULT FALSE,
    seed_code       TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    district_id     INTEGER REFERENCES districts (id)
);
INSERT INTO wishes_new (id, station_id, status, what, why, display_name, occupation, phone,
        code_hash, claimed_by, claimed_at, opened_at, closed_at, reject_reason, fulfil_note,
        arrived, thanks, thanks_hidden, seed_code, created_at, updated_at, district_id)
    SELECT id, station_id,
           CASE WHEN status = 'fulfilled' AND needs_attention THEN 'not_received' ELSE status END,
           what, why, display_name, occupation, phone, code_hash, claimed_by, claimed_at,
           opened_at,
           CASE WHEN status = 'fulfilled' AND needs_attention THEN NULL ELSE closed_at END,
           reject_reason, fulfil_note, arrived, thanks, thanks_hidden, seed_code, created_at,
           updated_at, district_id
    FROM wishes;
DROP TABLE wishes;
ALTER TABLE wishes_new RENAME TO wishes;
CREATE INDEX wishes_status ON wishes (status, id);
CREATE INDEX wishes_claimer ON wishes (claimed_by, status);
CREATE INDEX wishes_wall ON wishes (status, opened_at DESC, id DESC);
CREATE INDEX wishes_station ON wishes (station_id, status, opened_at DESC, id DESC);
CREATE INDEX wishes_thanked ON wishes (updated_at DESC, id DESC)
    WHERE thanks IS NOT NULL AND thanks_hidden = FALSE;
CREATE INDEX wishes_thanked_district ON wishes (district_id, updated_at DESC, id DESC)
    WHERE thanks IS NOT NULL AND thanks_hidden = FALSE;

-- What an event was, where its status alone does not say it: a worker's
-- "it arrived" (confirmed), "it did not" (not_arrived), a new tracking
-- code (new_code), a follow-up's outcome (resolve_…). Shown from the
-- catalogue in the reader's language; the notes the portal itself wrote
-- in English go.
ALTER TABLE wish_events ADD COLUMN kind TEXT;
UPDATE wish_events SET kind = 'confirmed', note = ''
    WHERE actor_kind = 'worker' AND to_status = 'fulfilled' AND note = 'arrived';
UPDATE wish_events SET kind = 'not_arrived', note = ''
    WHERE actor_kind = 'worker' AND to_status = 'fulfilled' AND note = 'not arrived';
UPDATE wish_events SET kind = 'new_code', note = ''
    WHERE actor_kind = 'staff' AND note = 'new tracking code issued';
COMMIT;
PRAGMA foreign_keys = ON;
