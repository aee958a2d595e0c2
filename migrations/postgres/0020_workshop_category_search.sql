-- Workshop search finds category names too ("编织" finds the 手工编织
-- workshops): each search text ends with its category's names in Chinese
-- and English (lower-cased), as domain::workshop::workshop_search_text
-- writes them, and the search index is cut again as 0008 first cut it.
UPDATE workshops SET search_text = search_text || chr(10) || CASE category
    WHEN 'farming' THEN '种植养殖' || chr(10) || 'farming'
    WHEN 'handicraft' THEN '手工编织' || chr(10) || 'handicraft'
    WHEN 'food_processing' THEN '农产品加工' || chr(10) || 'food processing'
    WHEN 'ecommerce' THEN '直播电商' || chr(10) || 'live-streaming and e-commerce'
    WHEN 'culture_tourism' THEN '文化旅游' || chr(10) || 'culture and tourism'
    WHEN 'training' THEN '技能培训' || chr(10) || 'training'
    ELSE '其他' || chr(10) || 'other'
END;
DELETE FROM workshop_grams;
INSERT INTO workshop_grams (gram, year_key, month_key, workshop_id)
SELECT substr(w.search_text || ' ', i, 2), COALESCE(w.founded_year, 0),
       COALESCE(w.founded_month, 0), w.id
FROM workshops w, generate_series(1, length(w.search_text)) AS i
WHERE ascii(substr(w.search_text, i, 1)) > 127
ON CONFLICT DO NOTHING;
