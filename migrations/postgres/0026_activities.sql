-- Activities: classes, service days, contests, trainings, talks and health
-- checks at a place of the portal (or an address), with sessions.
-- The schedule is kept as its form writes it (first day, weekdays, every
-- how many weeks, last day, times, days left out: Beijing time) and its
-- sessions are written from it, each with its own places; a sign-up is a
-- registration of a session, registered or on its waiting list, known by
-- the keyed hash of its code.
CREATE TABLE activities (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_id    BIGINT NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    place_id       BIGINT REFERENCES places (id) ON DELETE SET NULL,
    code           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('class', 'service_day', 'contest', 'training',
                                                 'talk', 'health_check', 'other')),
    audience       TEXT NOT NULL DEFAULT 'everyone' CHECK (audience IN ('everyone', 'elderly',
                                   'outdoor_workers', 'youth', 'enterprises')),
    title_zh       TEXT NOT NULL,
    title_en       TEXT,
    summary_zh     TEXT NOT NULL,
    summary_en     TEXT,
    -- Where, when it is at no place of the portal.
    address_zh     TEXT,
    address_en     TEXT,
    organiser_zh   TEXT NOT NULL,
    organiser_en   TEXT,
    -- NULL: free.
    cost_zh        TEXT,
    cost_en        TEXT,
    bring_zh       TEXT,
    bring_en       TEXT,
    -- What came of it, once held (as reported; never invented).
    outcome_zh     TEXT,
    outcome_en     TEXT,
    signup         TEXT NOT NULL DEFAULT 'none' CHECK (signup IN ('none', 'places', 'waitlist')),
    places         INTEGER CHECK (places IS NULL OR places > 0),
    party_max      INTEGER NOT NULL DEFAULT 1 CHECK (party_max BETWEEN 1 AND 10),
    phone_required BOOLEAN NOT NULL DEFAULT FALSE,
    first_day      DATE NOT NULL,
    weekdays       TEXT NOT NULL DEFAULT '',
    every_weeks    INTEGER NOT NULL DEFAULT 1 CHECK (every_weeks IN (1, 2)),
    until_day      DATE,
    start_time     TEXT NOT NULL,
    end_time       TEXT NOT NULL,
    except_days    TEXT NOT NULL DEFAULT '',
    published      BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_district ON activities (district_id);
CREATE INDEX activities_place ON activities (place_id);

CREATE TABLE activity_sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id   BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    starts_at     TIMESTAMPTZ NOT NULL,
    ends_at       TIMESTAMPTZ NOT NULL,
    -- NULL: no sign-up (just come).
    places        INTEGER,
    places_left   INTEGER CHECK (places_left IS NULL OR places_left >= 0),
    cancelled_at  TIMESTAMPTZ,
    cancel_note_zh TEXT,
    cancel_note_en TEXT,
    UNIQUE (activity_id, starts_at)
);
CREATE INDEX activity_sessions_when ON activity_sessions (starts_at, activity_id);

CREATE TABLE activity_registrations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id   BIGINT NOT NULL REFERENCES activity_sessions (id) ON DELETE CASCADE,
    code_hash    TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    -- Erased a set time after the session.
    phone        TEXT,
    people       INTEGER NOT NULL CHECK (people BETWEEN 1 AND 10),
    status       TEXT NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled', 'attended')),
    user_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    promoted_at  TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    attended_at  TIMESTAMPTZ
);
-- The waiting list moves up in the order people joined it (by id).
CREATE INDEX activity_registrations_session ON activity_registrations (session_id, status, id);
-- One live sign-up per phone per session.
CREATE UNIQUE INDEX activity_registrations_phone ON activity_registrations (session_id, phone)
    WHERE phone IS NOT NULL AND status IN ('registered', 'waiting', 'attended');
