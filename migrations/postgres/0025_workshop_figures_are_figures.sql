-- A workshop's impact figures become figures like a district's: each keeps
-- its values over the years, with public correction notes, and is edited
-- on its own page by the workshop's keepers and the district's admins.
-- A figure of a workshop keeps the workshop's district (it cites that
-- district's sources register) and names its workshop; a district's own
-- figures have none. Each figure's one value becomes its first value.
ALTER TABLE figures ADD COLUMN workshop_id BIGINT REFERENCES workshops (id) ON DELETE CASCADE;
CREATE INDEX figures_workshop ON figures (workshop_id, position, id);

INSERT INTO figures (district_id, workshop_id, code, label_zh, label_en, value, unit_zh, unit_en,
        qualifier, year, as_of_zh, as_of_en, source_id, position, version, published, updated_at)
    SELECT w.district_id, w.id, 'workshop-' || w.slug || '-' || wf.code, wf.label_zh, wf.label_en,
           wf.value, wf.unit_zh, wf.unit_en, wf.qualifier, wf.year, wf.as_of_zh, wf.as_of_en,
           wf.source_id, wf.position, 0, TRUE, w.updated_at
    FROM workshop_figures wf JOIN workshops w ON w.id = wf.workshop_id
    ORDER BY wf.workshop_id, wf.position, wf.id;

-- Placed as staff's values are: by its year, else its source's year of
-- publication, else the year it was last saved.
INSERT INTO figure_values (figure_id, year, as_of_zh, as_of_en, value, qualifier, source_id,
        sort_year, created_at)
    SELECT f.id, f.year, f.as_of_zh, f.as_of_en, f.value, f.qualifier, f.source_id,
           COALESCE(f.year, CAST(EXTRACT(YEAR FROM s.published_on) AS INTEGER),
                    CAST(EXTRACT(YEAR FROM f.updated_at) AS INTEGER)),
           f.updated_at
    FROM figures f JOIN sources s ON s.id = f.source_id
    WHERE f.workshop_id IS NOT NULL;

DROP TABLE workshop_figures;

-- The line of text each source entry was made from served only to restore
-- workshop revisions that held their figures; a workshop's form no longer does.
ALTER TABLE sources DROP COLUMN moved_from;
