-- How the gift reaches the worker, agreed by the volunteer when claiming:
-- left at the station for her to pick up, handed over at the station at a
-- time (delivery_at), or another way (delivery_note). Cleared when the
-- claim ends without the gift (released, lapsed, back on the wall).
ALTER TABLE wishes ADD COLUMN delivery TEXT CHECK (delivery IN ('station', 'handover', 'other'));
ALTER TABLE wishes ADD COLUMN delivery_at TEXT;
ALTER TABLE wishes ADD COLUMN delivery_note TEXT;
-- A gift left at the station: when its staff took it in, and when the
-- worker picked it up.
ALTER TABLE wishes ADD COLUMN at_station_at TEXT;
ALTER TABLE wishes ADD COLUMN picked_up_at TEXT;
-- What waits at a station for its worker, for the station's staff page.
CREATE INDEX wishes_waiting_at_station ON wishes (station_id, at_station_at)
    WHERE at_station_at IS NOT NULL AND picked_up_at IS NULL;
