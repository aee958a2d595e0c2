-- Workshop search by bigrams. Chinese has no spaces, and a query is often
-- two characters (蜜梨, 茶叶): trigram indexes cannot serve it, and
-- LIKE '%蜜梨%' reads every workshop. Each workshop's search text is cut
-- into every pair of neighbouring characters whose first is not ASCII (the
-- last character pairs with a space), and a search starts from the rarest
-- pair of its query, then checks the whole query with LIKE. Each pair's
-- workshops are kept in the listing's default order (newest founded
-- first, the keys of workshops_newest), so a search walks them in display
-- order and stops after one page, however many hold the pair. Kept by
-- db::workshops::index_search_sql whenever a search text is written.
CREATE TABLE workshop_grams (
    gram        TEXT NOT NULL,
    year_key    INTEGER NOT NULL,
    month_key   INTEGER NOT NULL,
    workshop_id INTEGER NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, year_key, month_key, workshop_id)
) WITHOUT ROWID;
CREATE INDEX workshop_grams_workshop ON workshop_grams (workshop_id);

INSERT OR IGNORE INTO workshop_grams (gram, year_key, month_key, workshop_id)
WITH RECURSIVE n (i) AS (
    SELECT 1 UNION ALL
    SELECT i + 1 FROM n WHERE i < (SELECT COALESCE(MAX(length(search_text)), 0) FROM workshops)
)
SELECT substr(w.search_text || ' ', n.i, 2), COALESCE(w.founded_year, 0),
       COALESCE(w.founded_month, 0), w.id
FROM workshops w JOIN n ON n.i <= length(w.search_text)
WHERE unicode(substr(w.search_text, n.i, 1)) > 127;

-- A filtered listing in the default order walks the index of its filter
-- (a district's page shows its first workshops from the district one:
-- walking the whole order instead read 1,500 workshops of other
-- districts first on the large dataset, whose founding dates cluster).
CREATE INDEX workshops_district_only_newest ON workshops (district_id, COALESCE(founded_year, 0) DESC, COALESCE(founded_month, 0) DESC, id DESC);
CREATE INDEX workshops_category_newest ON workshops (category, COALESCE(founded_year, 0) DESC, COALESCE(founded_month, 0) DESC, id DESC);
CREATE INDEX workshops_district_newest ON workshops (district_id, category, COALESCE(founded_year, 0) DESC, COALESCE(founded_month, 0) DESC, id DESC);
