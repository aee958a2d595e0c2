-- A workshop's facts and impact figures are saved as revisions like every
-- other edited item: `version` counts its saves in the portal (0: as
-- seeded), so a keeper's save made from an older version is refused.
ALTER TABLE workshops ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
