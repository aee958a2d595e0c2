-- Staff edit places in the portal: hours per weekday with dated
-- exceptions, a closure "until" with a reason, an amenities note,
-- accessibility notes. `version` counts saves (0: as seeded, never edited
-- here); a save names the version it was made from, so a second editor's
-- save is refused instead of silently overwriting the first.
ALTER TABLE places ADD COLUMN week_hours TEXT;
ALTER TABLE places ADD COLUMN hours_exceptions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN closed_until TEXT;
ALTER TABLE places ADD COLUMN closed_reason_zh TEXT;
ALTER TABLE places ADD COLUMN closed_reason_en TEXT;
ALTER TABLE places ADD COLUMN amenities_note_zh TEXT;
ALTER TABLE places ADD COLUMN accessibility_zh TEXT;
ALTER TABLE places ADD COLUMN accessibility_en TEXT;
ALTER TABLE places ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- The one place the demo content published hours said "open 24 hours":
-- that is a week of hours, and the free text stays as its note.
UPDATE places SET week_hours = '["00:00-24:00","00:00-24:00","00:00-24:00","00:00-24:00","00:00-24:00","00:00-24:00","00:00-24:00"]'
    WHERE hours_zh = '24小时开放';

-- Every save of an editable item: its fields after the save (`snapshot`,
-- JSON) and what changed from what (`changes`, JSON). Revision 0 is the
-- item as it was before its first edit here.
CREATE TABLE revisions (
    id            INTEGER PRIMARY KEY,
    item_kind     TEXT NOT NULL,
    item_id       INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    restored_from INTEGER,
    snapshot      TEXT NOT NULL,
    changes       TEXT NOT NULL DEFAULT '[]',
    UNIQUE (item_kind, item_id, number)
);

-- The audit viewer filters by who and by kind of item, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (object, id);
