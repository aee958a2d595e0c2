-- Territories as a tree: a city holds districts and counties, which hold
-- towns and streets (乡镇/街道). A district page is one node of it
-- (`districts.territory_id`); a workshop is in a town, or in its district
-- at large (`workshops.town_id` NULL). `town_zh`/`town_en` stay as the
-- name shown and searched, written from the tree on every save.
-- `db::territories::adopt` builds the tree from existing rows.
CREATE TABLE territories (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES territories(id),
    kind        TEXT NOT NULL CHECK (kind IN ('city', 'district', 'county', 'town', 'street')),
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT,
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX territories_parent ON territories (parent_id, position);
ALTER TABLE districts ADD COLUMN territory_id INTEGER REFERENCES territories(id);
ALTER TABLE workshops ADD COLUMN town_id INTEGER REFERENCES territories(id);
CREATE INDEX workshops_town ON workshops (town_id);
