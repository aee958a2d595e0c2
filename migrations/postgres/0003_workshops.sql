-- Common-prosperity workshops (共富工坊), their impact figures, openings
-- and villagers' sign-ups.
CREATE TABLE workshops (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    district_id     BIGINT NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    category        TEXT NOT NULL CHECK (category IN ('farming', 'handicraft', 'food_processing', 'ecommerce', 'culture_tourism', 'training', 'other')),
    name_zh         TEXT NOT NULL,
    name_en         TEXT,
    town_zh         TEXT NOT NULL,
    town_en         TEXT,
    villages_zh     TEXT NOT NULL DEFAULT '',
    villages_en     TEXT,
    summary_zh      TEXT NOT NULL,
    summary_en      TEXT,
    model_zh        TEXT,
    model_en        TEXT,
    partners_zh     TEXT,
    partners_en     TEXT,
    founded_year    INTEGER,
    founded_month   INTEGER,
    contact         TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    -- Plain numbers for sorting, where known.
    employed        BIGINT,
    income_per_person_year BIGINT,
    -- Lower-cased name, villages and description in both languages, for search.
    search_text     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX workshops_district ON workshops (district_id, town_zh);
CREATE INDEX workshops_category ON workshops (category);

CREATE TABLE workshop_figures (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id BIGINT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    label_en    TEXT,
    value       DOUBLE PRECISION NOT NULL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'more_than')),
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    source_zh   TEXT NOT NULL,
    source_en   TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workshop_id, code)
);

CREATE TABLE openings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workshop_id BIGINT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    code        TEXT,
    task_zh     TEXT NOT NULL,
    task_en     TEXT,
    pay_zh      TEXT NOT NULL,
    pay_en      TEXT,
    hours_zh    TEXT NOT NULL,
    hours_en    TEXT,
    places      BIGINT NOT NULL CHECK (places > 0),
    places_left BIGINT NOT NULL CHECK (places_left >= 0),
    closes_on   DATE,
    is_open     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (workshop_id, code)
);
CREATE INDEX openings_workshop ON openings (workshop_id, is_open);

-- What a villager typed, stored as typed. The phone is erased a set time
-- after the sign-up (linli maintenance / the server's background task).
CREATE TABLE signups (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    opening_id  BIGINT NOT NULL REFERENCES openings(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    phone       TEXT,
    village     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'contacted', 'hired', 'declined')),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (opening_id, phone)
);
CREATE INDEX signups_created ON signups (created_at);
