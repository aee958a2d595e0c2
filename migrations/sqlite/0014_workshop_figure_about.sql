-- A workshop's impact figure may be "about" a value, as a district's may
-- (0010): rebuilt to widen its CHECK (SQLite cannot alter one).
CREATE TABLE workshop_figures_new (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
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
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workshop_id, code)
);
INSERT INTO workshop_figures_new (id, workshop_id, code, label_zh, label_en, value, unit_zh,
        unit_en, qualifier, year, as_of_zh, as_of_en, source_zh, source_en, position)
    SELECT id, workshop_id, code, label_zh, label_en, value, unit_zh, unit_en, qualifier, year,
           as_of_zh, as_of_en, source_zh, source_en, position
    FROM workshop_figures;
DROP TABLE workshop_figures;
ALTER TABLE workshop_figures_new RENAME TO workshop_figures;
