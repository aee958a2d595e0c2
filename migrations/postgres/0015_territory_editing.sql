-- Towns and streets are edited as district content: each counts its saves
-- (`version`, 0: as adopted or added before revisions) and has a "last
-- updated". A district's towns and streets have distinct names (the
-- workshop form and the listing's filter name them); districts may share
-- a name, so the rule is for towns and streets only.
ALTER TABLE territories ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE territories ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT '1970-01-01T00:00:00+00:00';
CREATE UNIQUE INDEX territories_town_name ON territories (parent_id, name_zh)
    WHERE kind IN ('town', 'street');
