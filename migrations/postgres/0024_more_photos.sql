-- Photos of workshops, districts and stories as well as places: a photo
-- belongs to exactly one of them.
ALTER TABLE photos ALTER COLUMN place_id DROP NOT NULL;
ALTER TABLE photos ADD COLUMN workshop_id BIGINT REFERENCES workshops (id) ON DELETE CASCADE;
ALTER TABLE photos ADD COLUMN district_id BIGINT REFERENCES districts (id) ON DELETE CASCADE;
ALTER TABLE photos ADD COLUMN story_id BIGINT REFERENCES stories (id) ON DELETE CASCADE;
ALTER TABLE photos ADD CONSTRAINT photos_one_owner CHECK (
    (place_id IS NOT NULL)::int + (workshop_id IS NOT NULL)::int + (district_id IS NOT NULL)::int
    + (story_id IS NOT NULL)::int = 1);
CREATE INDEX photos_workshop ON photos (workshop_id, id);
CREATE INDEX photos_district ON photos (district_id, id);
CREATE INDEX photos_story ON photos (story_id, id);
