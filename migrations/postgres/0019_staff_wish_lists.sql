-- A district's wishes by status for its admins' list and export, newest
-- first, a page at a time (a station's list reads wishes_station).
CREATE INDEX wishes_district_status ON wishes (district_id, status, id);
