-- Settings the application keeps for itself (e.g. the generated cookie key).
CREATE TABLE app_settings (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE districts (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('district', 'county', 'city')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT,
    summary_zh  TEXT NOT NULL,
    summary_en  TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE figures (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    label_en    TEXT,
    value       REAL NOT NULL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'more_than')),
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    source_zh   TEXT NOT NULL,
    source_en   TEXT,
    chart_group TEXT,
    headline    BOOLEAN NOT NULL DEFAULT FALSE,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (district_id, code)
);

CREATE TABLE programmes (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    name_en     TEXT,
    summary_zh  TEXT NOT NULL,
    summary_en  TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (district_id, code)
);

CREATE TABLE places (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('happy_home', 'business_community', 'love_station', 'other')),
    name_zh     TEXT NOT NULL,
    name_en     TEXT,
    summary_zh  TEXT NOT NULL,
    summary_en  TEXT,
    address_zh  TEXT NOT NULL,
    address_en  TEXT,
    hours_zh    TEXT,
    hours_en    TEXT,
    amenities   TEXT NOT NULL DEFAULT '',
    contact     TEXT,
    latitude    REAL,
    longitude   REAL,
    is_open     BOOLEAN NOT NULL DEFAULT TRUE,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX places_district_kind ON places (district_id, kind, position);

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    place_id    INTEGER REFERENCES places(id) ON DELETE SET NULL,
    code        TEXT NOT NULL,
    title_zh    TEXT NOT NULL,
    title_en    TEXT,
    body_zh     TEXT NOT NULL,
    body_en     TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (district_id, code)
);
