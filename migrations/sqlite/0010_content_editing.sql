-- Staff edit what a district page shows: its summary, figures,
-- programmes, stories and notices. Each item counts its saves (`version`,
-- 0: as seeded) so a second editor's save is refused instead of lost; an
-- item is published or a draft (`published`), hidden from the public
-- until published; `updated_at` is its "last updated".
ALTER TABLE districts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- A figure may be "about" a value as well as "more than" it: rebuilt to
-- widen its CHECK (SQLite cannot alter one).
CREATE TABLE figures_new (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    label_en    TEXT,
    value       REAL NOT NULL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'about', 'more_than')),
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    source_zh   TEXT NOT NULL,
    source_en   TEXT,
    chart_group TEXT,
    headline    BOOLEAN NOT NULL DEFAULT FALSE,
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0,
    published   BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at  TEXT NOT NULL DEFAULT '1970-01-01T00:00:00+00:00',
    UNIQUE (district_id, code)
);
INSERT INTO figures_new (id, district_id, code, label_zh, label_en, value, unit_zh, unit_en,
        qualifier, year, as_of_zh, as_of_en, source_zh, source_en, chart_group, headline,
        position, updated_at)
    SELECT f.id, f.district_id, f.code, f.label_zh, f.label_en, f.value, f.unit_zh, f.unit_en,
           f.qualifier, f.year, f.as_of_zh, f.as_of_en, f.source_zh, f.source_en, f.chart_group,
           f.headline, f.position, d.updated_at
    FROM figures f JOIN districts d ON d.id = f.district_id;
DROP TABLE figures;
ALTER TABLE figures_new RENAME TO figures;

ALTER TABLE programmes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programmes ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00+00:00';
UPDATE programmes SET updated_at = (SELECT d.updated_at FROM districts d WHERE d.id = programmes.district_id);

ALTER TABLE stories ADD COLUMN story_date TEXT;
ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE stories ADD COLUMN updated_at TEXT NOT NULL DEFAULT '1970-01-01T00:00:00+00:00';
UPDATE stories SET updated_at = (SELECT d.updated_at FROM districts d WHERE d.id = stories.district_id);

-- Short dated notices ("今天驿站有姜茶") on a district page or at a place;
-- shown from `starts_on` to `ends_on` and gone by themselves after.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    place_id    INTEGER REFERENCES places(id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE,
    text_zh     TEXT NOT NULL,
    text_en     TEXT,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0,
    published   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX notices_district ON notices (district_id, ends_on);
CREATE INDEX notices_place ON notices (place_id, ends_on);
