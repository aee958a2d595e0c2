-- Activities are district content staff edit (revisions, drafts, the
-- district's staff list): they take the listed kinds' order column.
ALTER TABLE activities ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE activities SET position = id;
