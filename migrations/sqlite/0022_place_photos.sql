-- Photos of places, both widths kept here (re-encoded JPEG, no camera
-- metadata) so that every instance serves them. A photo is never changed:
-- a new one is a new row, so its address can be cached for a year.
CREATE TABLE photos (
    -- AUTOINCREMENT: a removed photo's id (and address) is never reused.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id     INTEGER NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    alt_zh       TEXT NOT NULL,
    alt_en       TEXT,
    small        BLOB NOT NULL,
    small_width  INTEGER NOT NULL,
    small_height INTEGER NOT NULL,
    large        BLOB NOT NULL,
    large_width  INTEGER NOT NULL,
    large_height INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX photos_place ON photos (place_id, id);
