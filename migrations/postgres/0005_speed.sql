-- What the page cache keys on: every transaction that changes what a
-- public page shows bumps this one counter, so the cached pages of every
-- instance sharing the database go stale together.
CREATE TABLE content_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO content_version (id, version) VALUES (1, 1);

-- The wish wall reads open wishes newest first; with these it walks an
-- index in that order and stops after one page.
CREATE INDEX wishes_wall ON wishes (status, opened_at DESC, id DESC);
-- Thank-yous shown as warm stories, newest first.
CREATE INDEX wishes_thanked ON wishes (updated_at DESC, id DESC)
    WHERE status = 'fulfilled' AND thanks IS NOT NULL AND thanks_hidden = FALSE;
DROP INDEX wishes_station;
CREATE INDEX wishes_station ON wishes (station_id, status, opened_at DESC, id DESC);

-- The workshop listing's three orders (a missing figure sorts last).
CREATE INDEX workshops_newest ON workshops ((COALESCE(founded_year, 0)) DESC, (COALESCE(founded_month, 0)) DESC, id DESC);
CREATE INDEX workshops_most_employed ON workshops ((COALESCE(employed, -1)) DESC, id DESC);
CREATE INDEX workshops_largest_increase ON workshops ((COALESCE(income_per_person_year, -1)) DESC, id DESC);
