-- Staff edit what a district page shows: its summary, figures,
-- programmes, stories and notices. Each item counts its saves (`version`,
-- 0: as seeded) so a second editor's save is refused instead of lost; an
-- item is published or a draft (`published`), hidden from the public
-- until published; `updated_at` is its "last updated".
ALTER TABLE districts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- A figure may be "about" a value as well as "more than" it.
ALTER TABLE figures DROP CONSTRAINT figures_qualifier_check;
ALTER TABLE figures ADD CONSTRAINT figures_qualifier_check
    CHECK (qualifier IN ('exact', 'about', 'more_than'));
ALTER TABLE figures ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE figures ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE figures ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE figures SET updated_at = (SELECT d.updated_at FROM districts d WHERE d.id = figures.district_id);

ALTER TABLE programmes ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programmes ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE programmes ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE programmes SET updated_at = (SELECT d.updated_at FROM districts d WHERE d.id = programmes.district_id);

ALTER TABLE stories ADD COLUMN story_date DATE;
ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE stories ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE stories SET updated_at = (SELECT d.updated_at FROM districts d WHERE d.id = stories.district_id);

-- Short dated notices ("今天驿站有姜茶") on a district page or at a place;
-- shown from `starts_on` to `ends_on` and gone by themselves after.
CREATE TABLE notices (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    district_id BIGINT NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    place_id    BIGINT REFERENCES places(id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE,
    text_zh     TEXT NOT NULL,
    text_en     TEXT,
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0,
    published   BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_district ON notices (district_id, ends_on);
CREATE INDEX notices_place ON notices (place_id, ends_on);
