-- A workshop's impact figure may be "about" a value, as a district's may
-- (0010).
ALTER TABLE workshop_figures DROP CONSTRAINT workshop_figures_qualifier_check;
ALTER TABLE workshop_figures ADD CONSTRAINT workshop_figures_qualifier_check
    CHECK (qualifier IN ('exact', 'about', 'more_than'));
