-- Photos of activities as well: a photo still belongs to exactly one owner.
ALTER TABLE photos ADD COLUMN activity_id BIGINT REFERENCES activities (id) ON DELETE CASCADE;
ALTER TABLE photos DROP CONSTRAINT photos_one_owner;
ALTER TABLE photos ADD CONSTRAINT photos_one_owner CHECK (
    (place_id IS NOT NULL)::int + (workshop_id IS NOT NULL)::int + (district_id IS NOT NULL)::int
    + (story_id IS NOT NULL)::int + (activity_id IS NOT NULL)::int = 1);
CREATE INDEX photos_activity ON photos (activity_id, id);
