-- Wishes a station's staff post for a worker who asks them (no phone, or
-- the form is hard for her): approved by the posting, "posted by the
-- station" in the timeline. posted_by: who posted it (NULL once their
-- account is gone; `assisted` stays).
ALTER TABLE wishes ADD COLUMN assisted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE wishes ADD COLUMN posted_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
