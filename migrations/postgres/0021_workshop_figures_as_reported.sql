-- A workshop's people employed may be reported as "more than" (20+,
-- 120+): the number stays exact for sorting and open data, the qualifier
-- goes everywhere the number goes. Its income increase may be computed
-- by the portal from a reported figure rather than reported itself
-- (3,500 a month → 42,000 a year): the formula as written (3500×12),
-- shown beside the number and published with it.
ALTER TABLE workshops ADD COLUMN employed_more_than BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE workshops ADD COLUMN income_formula TEXT;
-- The demo content as the article has it: 20余 and 120余 people employed;
-- 蜜桃红's 42,000 a year is 3,500 a month times 12, not a reported figure.
UPDATE workshops SET employed_more_than = TRUE
    WHERE (slug = 'hangshu-base' AND employed = 20) OR (slug = 'joy-skilful-hands' AND employed = 120);
UPDATE workshops SET income_formula = '3500×12'
    WHERE slug = 'honey-peach-red' AND income_per_person_year = 42000 AND income_formula IS NULL;
