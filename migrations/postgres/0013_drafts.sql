-- A place added in the portal may wait as a draft: hidden from every
-- public page (and from the wish form's stations) until it is published.
ALTER TABLE places ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;

-- So may a workshop a district's admins add: hidden from the listing, the
-- open data, its page and sign-ups until published.
ALTER TABLE workshops ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;

-- And a district a site admin adds: off the home page, the district list
-- and its own pages until published.
ALTER TABLE districts ADD COLUMN published BOOLEAN NOT NULL DEFAULT TRUE;
