-- Photos of activities as well: a photo still belongs to exactly one owner
-- (rebuilt: SQLite cannot change a CHECK). Ids are kept, so cached
-- addresses keep their pictures, and so is the id counter.
CREATE TABLE photos_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id     INTEGER REFERENCES places (id) ON DELETE CASCADE,
    workshop_id  INTEGER REFERENCES workshops (id) ON DELETE CASCADE,
    district_id  INTEGER REFERENCES districts (id) ON DELETE CASCADE,
    story_id     INTEGER REFERENCES stories (id) ON DELETE CASCADE,
    activity_id  INTEGER REFERENCES activities (id) ON DELETE CASCADE,
    alt_zh       TEXT NOT NULL,
    alt_en       TEXT,
    small        BLOB NOT NULL,
    small_width  INTEGER NOT NULL,
    small_height INTEGER NOT NULL,
    large        BLOB NOT NULL,
    large_width  INTEGER NOT NULL,
    large_height INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    CHECK ((place_id IS NOT NULL) + (workshop_id IS NOT NULL) + (district_id IS NOT NULL)
           + (story_id IS NOT NULL) + (activity_id IS NOT NULL) = 1)
);
INSERT INTO photos_new (id, place_id, workshop_id, district_id, story_id, alt_zh, alt_en, small,
        small_width, small_height, large, large_width, large_height, created_by, created_at)
    SELECT id, place_id, workshop_id, district_id, story_id, alt_zh, alt_en, small, small_width,
           small_height, large, large_width, large_height, created_by, created_at FROM photos;
DELETE FROM sqlite_sequence WHERE name = 'photos_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'photos_new', seq FROM sqlite_sequence WHERE name = 'photos';
DROP TABLE photos;
ALTER TABLE photos_new RENAME TO photos;
CREATE INDEX photos_place ON photos (place_id, id);
CREATE INDEX photos_workshop ON photos (workshop_id, id);
CREATE INDEX photos_district ON photos (district_id, id);
CREATE INDEX photos_story ON photos (story_id, id);
CREATE INDEX photos_activity ON photos (activity_id, id);
