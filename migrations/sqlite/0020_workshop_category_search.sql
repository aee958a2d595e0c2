-- Workshop search finds category names too ("编织" finds the 手工编织
-- workshops): each search text ends with its category's names in Chinese
-- and English (lower-cased), as domain::workshop::workshop_search_text
-- writes them, and the search index is cut again as 0008 first cut it.
UPDATE workshops SET search_text = search_text || char(10) || CASE category
    WHEN 'farming' THEN '种植养殖' || char(10) || 'farming'
    WHEN 'handicraft' THEN '手工编织' || char(10) || 'handicraft'
    WHEN 'food_processing' THEN '农产品加工' || char(10) || 'food processing'
    WHEN 'ecommerce' THEN '直播电商' || char(10) || 'live-streaming and e-commerce'
    WHEN 'culture_tourism' THEN '文化旅游' || char(10) || 'culture and tourism'
    WHEN 'training' THEN '技能培训' || char(10) || 'training'
    ELSE '其他' || char(10) || 'other'
END;
DELETE FROM workshop_grams;
INSERT OR IGNORE INTO workshop_grams (gram, year_key, month_key, workshop_id)
WITH RECURSIVE n (i) AS (
    SELECT 1 UNION ALL
    SELECT i + 1 FROM n WHERE i < (SELECT COALESCE(MAX(length(search_text)), 0) FROM workshops)
)
SELECT substr(w.search_text || ' ', n.i, 2), COALESCE(w.founded_year, 0),
       COALESCE(w.founded_month, 0), w.id
FROM workshops w JOIN n ON n.i <= length(w.search_text)
WHERE unicode(substr(w.search_text, n.i, 1)) > 127;
