-- Where figures come from and how they change.
--
-- Each district keeps a register of sources (publisher, title, authors,
-- date, page, link); every figure, a district's or a workshop's, cites one
-- of them instead of carrying its own line of text. A district figure keeps
-- its values over the years in `figure_values`: a new year adds a value, a
-- correction replaces one and leaves a public note in `figure_corrections`.
-- The figure's own value columns hold its latest value, written in the
-- same transaction as the values, so pages read one row per figure. A
-- value the portal derived (3500×12) keeps its formula in `computed_as`
-- and is never shown as reported. A new figure has no value until one is
-- added, and no page shows it until then.
CREATE TABLE sources (
    -- AUTOINCREMENT: a removed source's id (and anchor) is never reused.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    district_id  INTEGER NOT NULL REFERENCES districts (id) ON DELETE CASCADE,
    code         TEXT NOT NULL UNIQUE,
    publisher_zh TEXT NOT NULL,
    publisher_en TEXT,
    title_zh     TEXT NOT NULL,
    title_en     TEXT,
    authors_zh   TEXT,
    authors_en   TEXT,
    published_on TEXT,
    page         TEXT,
    url          TEXT,
    note_zh      TEXT,
    note_en      TEXT,
    -- The line of source text an entry was made from by this migration:
    -- a workshop revision saved before it names its source so.
    moved_from   TEXT,
    position     INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL DEFAULT '1970-01-01T00:00:00+00:00'
);
CREATE INDEX sources_district ON sources (district_id, position);

-- Every distinct source text of a district's figures and its workshops'
-- becomes an entry of its register, its publisher not yet recorded.
INSERT INTO sources (district_id, code, publisher_zh, publisher_en, title_zh, title_en, moved_from,
        position, updated_at)
    SELECT district_id, 'moved-' || district_id || '-' || MIN(n), '未登记', 'not recorded',
           source_zh, source_en, source_zh, MIN(n), '1970-01-01T00:00:00+00:00'
    FROM (SELECT f.district_id, f.id AS n, f.source_zh, f.source_en FROM figures f
          UNION ALL
          SELECT w.district_id, 1000000000 + wf.id, wf.source_zh, wf.source_en
          FROM workshop_figures wf JOIN workshops w ON w.id = wf.workshop_id)
    GROUP BY district_id, source_zh, source_en;

CREATE TABLE figures_new (
    id          INTEGER PRIMARY KEY,
    district_id INTEGER NOT NULL REFERENCES districts(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    label_en    TEXT,
    value       REAL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'about', 'more_than')),
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    source_id   INTEGER REFERENCES sources (id),
    computed_as TEXT,
    chart_group TEXT,
    headline    BOOLEAN NOT NULL DEFAULT FALSE,
    position    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 0,
    published   BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at  TEXT NOT NULL DEFAULT '1970-01-01T00:00:00+00:00',
    UNIQUE (district_id, code)
);
INSERT INTO figures_new (id, district_id, code, label_zh, label_en, value, unit_zh, unit_en,
        qualifier, year, as_of_zh, as_of_en, source_id, chart_group, headline, position, version,
        published, updated_at)
    SELECT f.id, f.district_id, f.code, f.label_zh, f.label_en, f.value, f.unit_zh, f.unit_en,
           f.qualifier, f.year, f.as_of_zh, f.as_of_en,
           (SELECT s.id FROM sources s WHERE s.district_id = f.district_id
                AND s.title_zh = f.source_zh AND s.title_en IS f.source_en),
           f.chart_group, f.headline, f.position, f.version, f.published, f.updated_at
    FROM figures f;
DROP TABLE figures;
ALTER TABLE figures_new RENAME TO figures;

CREATE TABLE workshop_figures_new (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    code        TEXT NOT NULL,
    label_zh    TEXT NOT NULL,
    label_en    TEXT,
    value       REAL NOT NULL,
    unit_zh     TEXT NOT NULL,
    unit_en     TEXT,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'about', 'more_than')),
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    source_id   INTEGER NOT NULL REFERENCES sources (id),
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workshop_id, code)
);
INSERT INTO workshop_figures_new (id, workshop_id, code, label_zh, label_en, value, unit_zh,
        unit_en, qualifier, year, as_of_zh, as_of_en, source_id, position)
    SELECT wf.id, wf.workshop_id, wf.code, wf.label_zh, wf.label_en, wf.value, wf.unit_zh,
           wf.unit_en, wf.qualifier, wf.year, wf.as_of_zh, wf.as_of_en,
           (SELECT s.id FROM sources s WHERE s.district_id = w.district_id
                AND s.title_zh = wf.source_zh AND s.title_en IS wf.source_en),
           wf.position
    FROM workshop_figures wf JOIN workshops w ON w.id = wf.workshop_id;
DROP TABLE workshop_figures;
ALTER TABLE workshop_figures_new RENAME TO workshop_figures;

CREATE TABLE figure_values (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    figure_id   INTEGER NOT NULL REFERENCES figures (id) ON DELETE CASCADE,
    year        INTEGER,
    as_of_zh    TEXT,
    as_of_en    TEXT,
    value       REAL NOT NULL,
    qualifier   TEXT NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'about', 'more_than')),
    computed_as TEXT,
    source_id   INTEGER NOT NULL REFERENCES sources (id),
    -- Where the value stands among the figure's others: its year, else
    -- the year its source was published, else the year it was entered.
    sort_year   INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (figure_id, year)
);
INSERT INTO figure_values (figure_id, year, as_of_zh, as_of_en, value, qualifier, source_id,
        sort_year, created_at)
    SELECT id, year, as_of_zh, as_of_en, value, qualifier, source_id,
           COALESCE(year, CAST(strftime('%Y', updated_at) AS INTEGER)), updated_at FROM figures;

CREATE TABLE figure_corrections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    value_id    INTEGER NOT NULL REFERENCES figure_values (id) ON DELETE CASCADE,
    was         REAL NOT NULL,
    was_qualifier TEXT NOT NULL,
    was_year      INTEGER,
    was_as_of_zh  TEXT,
    was_as_of_en  TEXT,
    note_zh     TEXT NOT NULL,
    note_en     TEXT,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX figure_corrections_value ON figure_corrections (value_id, id);

-- The demo's three sources as the article has them: one newspaper page,
-- the paper's name, date and page number not in the copy the portal holds.
UPDATE sources SET code = 'article-gongshu', publisher_zh = '报纸版面', publisher_en = 'A newspaper page',
        title_zh = '变革机制新打法 锻造干部硬肩膀 抢跑人才新赛道',
        title_en = 'Reforming mechanisms, forging cadres, racing for talent',
        authors_zh = '邹佳余、陈璐、俞琳', authors_en = 'Zou Jiayu, Chen Lu, Yu Lin',
        note_zh = '所存文本未载报名、日期与版次；文中最晚的日期是2023年11月9日。',
        note_en = 'The copy held does not give the paper''s name, date or page; the latest date in the text is 9 November 2023.'
    WHERE id = (SELECT MIN(id) FROM sources WHERE district_id = (SELECT id FROM districts WHERE slug = 'gongshu')
                AND title_zh = '《变革机制新打法 锻造干部硬肩膀 抢跑人才新赛道》（邹佳余、陈璐、俞琳）');
UPDATE sources SET code = 'article-tonglu', publisher_zh = '报纸版面', publisher_en = 'A newspaper page',
        title_zh = '村村建工坊 增收有良方——桐庐：“共富工坊”描绘乡村振兴新图景',
        title_en = 'A workshop in every village, a sound way to earn more',
        authors_zh = '方元', authors_en = 'Fang Yuan',
        note_zh = '所存文本未载报名、日期与版次。',
        note_en = 'The copy held does not give the paper''s name, date or page.'
    WHERE id = (SELECT MIN(id) FROM sources WHERE district_id = (SELECT id FROM districts WHERE slug = 'tonglu')
                AND title_zh = '《村村建工坊 增收有良方》（方元）');
UPDATE sources SET code = 'article-xihu', publisher_zh = '报纸版面', publisher_en = 'A newspaper page',
        title_zh = '西湖区：“爱心驿站”让户外劳动者暖心过冬',
        title_en = 'Xihu: love stations keep outdoor workers warm this winter',
        authors_zh = '姜晓涵、密懿', authors_en = 'Jiang Xiaohan, Mi Yi',
        note_zh = '所存文本未载报名、日期与版次。',
        note_en = 'The copy held does not give the paper''s name, date or page.'
    WHERE id = (SELECT MIN(id) FROM sources WHERE district_id = (SELECT id FROM districts WHERE slug = 'xihu')
                AND title_zh = '《西湖区：“爱心驿站”让户外劳动者暖心过冬》（姜晓涵、密懿）');
