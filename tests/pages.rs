//! The public pages, on SQLite and on PostgreSQL.

mod common;

use common::{TestApp, attr, attrs, text, texts};
use scraper::{Html, Selector};

on_both_databases!(
    home_shows_the_three_districts_in_chinese,
    english_switch_turns_every_word_into_english,
    language_defaults_from_accept_language,
    bad_language_values_fall_back_to_chinese,
    tonglu_shows_the_county_figures,
    gongshu_shows_figures_chart_programmes_and_places,
    xihu_lists_its_love_stations,
    a_district_page_lists_a_few_places_of_a_kind_and_links_to_all,
    place_page_shows_its_facts,
    unknown_things_get_a_404_page_in_the_readers_language,
    wrong_method_gets_a_405_page,
    security_headers_on_every_response,
    pages_fit_the_size_budget,
    stylesheet_is_cached_for_a_year,
    larger_text_switch_is_remembered,
    seeding_twice_changes_nothing_and_keeps_staff_edits,
    missing_english_shows_marked_chinese_and_content_is_escaped_once,
    health_check_reports_the_database,
    every_route_in_the_table_answers,
    instances_share_one_cookie_key,
    figures_and_long_pages_read_easily,
);

async fn home_shows_the_three_districts_in_chinese(app: TestApp) {
    let (status, html) = app.page("/").await;
    assert_eq!(status, 200);
    assert_eq!(attr(&html, "html", "lang"), "zh-CN");
    assert!(text(&html, "title").contains("邻里"));
    let names = texts(&html, "#districts-heading + ul h3 a");
    assert_eq!(names, ["拱墅区", "桐庐县", "西湖区"]);
    let links = attrs(&html, "#districts-heading + ul h3 a", "href");
    assert_eq!(links, ["/districts/gongshu", "/districts/tonglu", "/districts/xihu"]);
    // Only doors to pages that exist.
    for href in attrs(&html, "main a", "href") {
        let res = app.get(&href).await;
        assert_eq!(res.status().as_u16(), 200, "{href}");
    }
}

/// Collects the text of every element whose nearest `lang` says English:
/// after the switch, no Chinese may appear there.
fn chinese_outside_marked_spans(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    let body = html.select(&Selector::parse("body").unwrap()).next().unwrap();
    for node in body.descendants() {
        let Some(t) = node.value().as_text() else {
            continue;
        };
        if !t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            continue;
        }
        let marked = node.ancestors().any(|a| {
            a.value().as_element().and_then(|e| e.attr("lang")).is_some_and(|l| l.starts_with("zh"))
        });
        if !marked {
            found.push(t.trim().to_owned());
        }
    }
    found
}

async fn english_switch_turns_every_word_into_english(app: TestApp) {
    let (_, html) = app.page("/districts/tonglu").await;
    let switch = attrs(&html, ".prefs a[hreflang]", "href").remove(0);
    assert_eq!(switch, "/prefs/lang/en?next=/districts/tonglu");
    let res = app.get(&switch).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/districts/tonglu");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    assert!(cookie.contains("Max-Age"), "the choice is remembered: {cookie}");

    let gongshu_home = app.place_id("gs-caima-happy-home").await;
    let station = app.place_id("xh-zmxl-station").await;
    for path in [
        "/".to_owned(),
        "/districts".to_owned(),
        "/districts/gongshu".to_owned(),
        "/districts/tonglu".to_owned(),
        "/districts/xihu".to_owned(),
        format!("/places/{gongshu_home}"),
        format!("/stations/{station}"),
        format!("/stations/{station}/poster"),
        "/wishes".to_owned(),
        "/wishes/new".to_owned(),
        "/wishes/track".to_owned(),
        "/workshops".to_owned(),
        "/workshops/joy-skilful-hands".to_owned(),
        "/account/register".to_owned(),
        "/account/login".to_owned(),
        "/no-such-page".to_owned(),
    ] {
        let (_, html) = app.page(&path).await;
        assert_eq!(attr(&html, "html", "lang"), "en", "{path}");
        let chinese = chinese_outside_marked_spans(&html);
        assert!(chinese.is_empty(), "{path} shows Chinese on the English page: {chinese:?}");
    }
    let (_, html) = app.page("/districts/tonglu").await;
    assert_eq!(text(&html, "h1"), "Tonglu County");

    // And back.
    app.switch_lang("zh").await;
    let (_, html) = app.page("/").await;
    assert_eq!(attr(&html, "html", "lang"), "zh-CN");
}

async fn language_defaults_from_accept_language(app: TestApp) {
    let fresh = reqwest::Client::new();
    let body = fresh
        .get(app.url("/"))
        .header("Accept-Language", "en-GB,en;q=0.9,zh;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"en\">"));
    let body = fresh
        .get(app.url("/"))
        .header("Accept-Language", "fr-FR")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"zh-CN\">"));
    // A remembered choice wins over the browser's.
    app.switch_lang("en").await;
    let body = app
        .client
        .get(app.url("/"))
        .header("Accept-Language", "zh-CN")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"en\">"));
}

async fn bad_language_values_fall_back_to_chinese(app: TestApp) {
    let res = app.get("/prefs/lang/klingon?next=/districts").await;
    assert_eq!(res.status().as_u16(), 303);
    assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("lang=zh"));
    let (status, html) = app.page("/districts?lang=%3Cscript%3E").await;
    assert_eq!(status, 200);
    assert_eq!(attr(&html, "html", "lang"), "zh-CN");
    // A query value that is valid wins for that page only.
    let (_, html) = app.page("/districts?lang=en").await;
    assert_eq!(attr(&html, "html", "lang"), "en");
    // The switch never sends anyone to another site.
    for next in ["//evil.example/", "https://evil.example/", "/\\evil.example"] {
        let res = app.get(&format!("/prefs/lang/en?next={}", urlencode(next))).await;
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
}

async fn tonglu_shows_the_county_figures(app: TestApp) {
    let (status, html) = app.page("/districts/tonglu").await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "桐庐县");
    let figures = figure_map(&html);
    assert_eq!(figures.get("已建成共富工坊").map(String::as_str), Some("171 家"));
    assert_eq!(figures.get("吸收就业").map(String::as_str), Some("5,651 人"));
    assert_eq!(figures.get("其中低收入农户").map(String::as_str), Some("771 人"));
    assert_eq!(figures.get("人均月增收").map(String::as_str), Some("2,699 元/人/月"));
    assert_eq!(figures.get("参与共富工坊建设的企业").map(String::as_str), Some("16 家"));
    assert_eq!(figures.get("钟山乡蜜梨种植面积").map(String::as_str), Some("10,000+ 亩"));
    // Each figure cites its source by number; the numbers lead to the list.
    let cited = texts(&html, ".figures .figure-source");
    assert_eq!(cited.len(), figures.len());
    assert!(cited.iter().all(|s| s == "来源 1"), "{cited:?}");
    assert!(attrs(&html, ".figures .figure-source", "href").iter().all(|h| h == "#source-1"));
    // The source as the register has it: title, author, publisher, and
    // what the copy held does not say.
    assert_eq!(attrs(&html, "ol.sources li", "id"), ["source-1"]);
    assert_eq!(
        texts(&html, "ol.sources li"),
        [
            "《村村建工坊 增收有良方——桐庐：“共富工坊”描绘乡村振兴新图景》，方元。报纸版面。所存文本未载报名、日期与版次。"
        ]
    );
    // The employed and low-income counts share a unit: one chart of two bars.
    let bars = Selector::parse("figure.chart svg rect").unwrap();
    assert_eq!(html.select(&bars).count(), 2);
    let widths: Vec<u32> =
        html.select(&bars).map(|r| r.attr("width").unwrap().parse().unwrap()).collect();
    assert!(widths[0] > widths[1] * 7, "5,651 is drawn longer than 771: {widths:?}");
    assert!(text(&html, "figure.chart desc").contains("5,651"));

    app.switch_lang("en").await;
    let (_, html) = app.page("/districts/tonglu").await;
    let figures = figure_map(&html);
    assert_eq!(
        figures.get("Common-prosperity workshops built").map(String::as_str),
        Some("171 workshops")
    );
    assert_eq!(figures.get("People employed").map(String::as_str), Some("5,651 people"));
    assert_eq!(
        figures.get("Average income increase").map(String::as_str),
        Some("2,699 yuan per person per month")
    );
}

async fn gongshu_shows_figures_chart_programmes_and_places(app: TestApp) {
    let (status, html) = app.page("/districts/gongshu").await;
    assert_eq!(status, 200);
    let figures = figure_map(&html);
    assert_eq!(figures.get("区域面积").map(String::as_str), Some("119 平方公里"));
    assert_eq!(figures.get("已建成商务社区").map(String::as_str), Some("17 个"));
    assert_eq!(figures.get("商务社区服务企业").map(String::as_str), Some("15,000+ 家"));
    assert_eq!(figures.get("新增落地人才项目").map(String::as_str), Some("116 个"));
    assert_eq!(figures.get("人才项目同比增长").map(String::as_str), Some("314 %"));
    assert!(texts(&html, ".figure-when").iter().any(|w| w == "2023年"));
    assert_eq!(html.select(&Selector::parse("figure.chart svg rect").unwrap()).count(), 2);
    let programmes = texts(&html, "#programmes-heading ~ ul h3");
    assert!(programmes.contains(&"大运河幸福家园".to_owned()), "{programmes:?}");
    assert!(programmes.contains(&"商务社区".to_owned()));
    let groups = texts(&html, "#places-heading ~ h3");
    assert_eq!(groups, ["幸福家园", "其他场所和平台"]);
    assert!(texts(&html, ".place-link").contains(&"上塘·蔡马大运河幸福家园".to_owned()));
    assert!(texts(&html, ".stories h3").iter().any(|s| s.contains("任阿姨")));
}

async fn xihu_lists_its_love_stations(app: TestApp) {
    let (_, html) = app.page("/districts/xihu").await;
    assert_eq!(texts(&html, "#places-heading ~ h3"), ["爱心驿站"]);
    let stations = texts(&html, ".place-link");
    assert_eq!(stations, ["石灰桥社区爱心驿站", "中帽西丽环境科技集团有限公司爱心驿站"]);
    let figures = figure_map(&html);
    assert_eq!(figures.get("镇街新就业形态联合工会").map(String::as_str), Some("10 个"));
    assert_eq!(figures.get("新就业形态劳动者服务阵地").map(String::as_str), Some("26 个"));
    for href in attrs(&html, ".place-link", "href") {
        assert_eq!(app.get(&href).await.status().as_u16(), 200, "{href}");
    }
}

async fn a_district_page_lists_a_few_places_of_a_kind_and_links_to_all(app: TestApp) {
    // 30 more love stations in Xihu (32 in all), after the two of the seed.
    let mut sql = String::new();
    for i in 0..30 {
        sql.push_str(&format!(
            "INSERT INTO places (district_id, code, kind, name_zh, summary_zh, address_zh, \
             amenities, is_open, position, created_at, updated_at) VALUES \
             ((SELECT id FROM districts WHERE slug = 'xihu'), 'more-station-{i}', 'love_station', \
             '加开驿站{i:02}', '歇脚', '地址{i}', '', TRUE, {}, '2026-01-01T00:00:00Z', \
             '2026-01-01T00:00:00Z');\n",
            100 + i
        ));
    }
    sql.push_str("UPDATE content_version SET version = version + 1;");
    common::exec_script(&app.db, sql).await;
    let (_, html) = app.page("/districts/xihu").await;
    let stations = texts(&html, ".place-link");
    assert_eq!(stations.len(), 12, "{stations:?}");
    assert_eq!(stations[0], "石灰桥社区爱心驿站", "in the district's order");
    let all = attr(&html, "#places-heading ~ p a.more", "href");
    assert_eq!(all, "/districts/xihu/places/love_station");
    let (status, html) = app.page(&all).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "爱心驿站");
    assert_eq!(text(&html, "#results-heading"), "共 20+ 处");
    let first: Vec<String> = texts(&html, ".place-link");
    assert_eq!(first.len(), 20);
    let next = attr(&html, ".pagination a[rel=next]", "href");
    assert_eq!(next, "/districts/xihu/places/love_station?page=2");
    let (_, html) = app.page(&next).await;
    let second = texts(&html, ".place-link");
    assert_eq!((second.len(), text(&html, "#results-heading")), (12, "共 32 处".to_owned()));
    assert!(second.iter().all(|s| !first.contains(s)), "no place on two pages");
    assert_eq!(second.last().map(String::as_str), Some("加开驿站29"));
    // A page number that is none shows the first page; one past the last
    // allowed shows the last allowed (here past the end, which says so).
    let (_, html) = app.page("/districts/xihu/places/love_station?page=abc").await;
    assert_eq!(texts(&html, ".place-link"), first);
    let (_, html) = app.page("/districts/xihu/places/love_station?page=999").await;
    assert!(text(&html, "#results-heading").contains("没有内容"));
    // A kind that is not one, or a district that does not exist: the 404 page.
    assert_eq!(app.get("/districts/xihu/places/castle").await.status().as_u16(), 404);
    assert_eq!(app.get("/districts/nowhere/places/love_station").await.status().as_u16(), 404);
    // A kind with few places lists them without a link.
    let (_, html) = app.page("/districts/gongshu").await;
    assert!(attrs(&html, "#places-heading ~ p a.more", "href").is_empty());
}

async fn place_page_shows_its_facts(app: TestApp) {
    let id = app.place_id("xh-zmxl-station").await;
    // A love station's place page is its station page.
    let res = app.get(&format!("/places/{id}")).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"].to_str().unwrap(), format!("/stations/{id}"));
    let (status, html) = app.page(&format!("/stations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "中帽西丽环境科技集团有限公司爱心驿站");
    assert!(text(&html, ".kind").contains("爱心驿站"));
    // No hours are published: the page says neither open nor closed.
    assert!(texts(&html, ".status-line").is_empty());
    assert_eq!(texts(&html, ".amenities li"), ["歇脚座椅", "微波炉"]);
    assert!(text(&html, ".facts").contains("文新街道"));
    assert!(text(&html, ".facts").contains("未公布，请到现场咨询"), "unknown hours say so");
    assert!(texts(&html, ".stories h3").contains(&"陈大姐的热乎饭".to_owned()));
    assert!(attrs(&html, ".crumbs a", "href").contains(&"/districts/xihu".to_owned()));
}

async fn unknown_things_get_a_404_page_in_the_readers_language(app: TestApp) {
    for path in [
        "/districts/atlantis",
        "/places/999999",
        "/places/abc",
        "/places/-1",
        "/nope",
        "/static/none.css",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 404, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
        let html = Html::parse_document(&res.text().await.unwrap());
        assert_eq!(text(&html, "h1"), "找不到这个页面", "{path}");
        assert_eq!(text(&html, ".other-lang strong"), "Page not found");
        let id_line = text(&html, ".request-id");
        assert!(id_line.contains("请求编号"), "{id_line}");
    }
    app.switch_lang("en").await;
    let (status, html) = app.page("/districts/atlantis").await;
    assert_eq!(status, 404);
    assert_eq!(text(&html, "h1"), "Page not found");
    assert_eq!(attr(&html, "html", "lang"), "en");
}

async fn wrong_method_gets_a_405_page(app: TestApp) {
    let token = app.csrf_token("/account/login").await;
    let res =
        app.client.post(app.url("/districts")).form(&[("csrf_token", token)]).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 405);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "不能这样打开这个页面");
}

async fn security_headers_on_every_response(app: TestApp) {
    for path in ["/", "/districts/xihu", "/nope", "/static/app.css", "/healthz"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for part in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "script-src 'self'",
            "style-src 'self'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
    }
    // No inline style or script anywhere: the CSP would block it.
    for path in ["/", "/districts/gongshu", "/districts/tonglu", "/districts/xihu"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(!body.contains("style="), "{path} has an inline style");
        assert!(!body.contains("<script"), "{path} has a script");
    }
}

async fn pages_fit_the_size_budget(app: TestApp) {
    let place = app.place_id("gs-caima-happy-home").await;
    let mut paths = vec![
        "/".to_owned(),
        "/districts".to_owned(),
        format!("/places/{place}"),
        "/workshops".to_owned(),
        "/workshops/honey-pear".to_owned(),
        "/account/register".to_owned(),
        "/activities".to_owned(),
    ];
    paths.extend(["gongshu", "tonglu", "xihu"].map(|d| format!("/districts/{d}")));
    let dance: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE code = $1", "gs-lehuo-dance")
            .await;
    paths.push(format!("/activities/{dance}"));
    for lang in ["zh", "en"] {
        app.switch_lang(lang).await;
        for path in &paths {
            let res = app
                .client
                .get(app.url(path))
                .header("Accept-Encoding", "gzip")
                .send()
                .await
                .unwrap();
            assert_eq!(res.headers()["content-encoding"], "gzip", "{path}");
            let size = res.bytes().await.unwrap().len();
            assert!(size <= 14 * 1024, "{path} ({lang}) is {size} bytes compressed");
        }
    }
    let css = app.get("/static/app.css").await.bytes().await.unwrap().len();
    assert!(css <= 10 * 1024, "the stylesheet is {css} bytes");
}

async fn stylesheet_is_cached_for_a_year(app: TestApp) {
    let (_, html) = app.page("/").await;
    let href = attr(&html, "link[rel=stylesheet]", "href");
    assert!(href.starts_with("/static/app.css?v="), "{href}");
    let res = app.get(&href).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let cache = res.headers()["cache-control"].to_str().unwrap();
    assert!(cache.contains("max-age=31536000"), "{cache}");
    let etag = res.headers()["etag"].clone();
    let res = app.client.get(app.url(&href)).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 304);
}

async fn larger_text_switch_is_remembered(app: TestApp) {
    let (_, html) = app.page("/districts").await;
    assert!(attr_opt(&html, "body", "class").is_none());
    let res = app.get("/prefs/text/large?next=/districts").await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/districts");
    let (_, html) = app.page("/districts").await;
    assert_eq!(attr(&html, "body", "class"), "large");
    assert_eq!(attr(&html, ".prefs a:last-child", "href"), "/prefs/text/normal?next=/districts");
    app.get("/prefs/text/normal?next=/").await;
    let (_, html) = app.page("/districts").await;
    assert!(attr_opt(&html, "body", "class").is_none());
}

async fn seeding_twice_changes_nothing_and_keeps_staff_edits(app: TestApp) {
    let files = linli::seed::demo().unwrap();
    // The app seeded an empty database at start; a second run adds nothing.
    assert_eq!(linli::db::seed::apply(&app.db, &files).await.unwrap(), 0);
    let counts = table_counts(&app).await;
    assert_eq!(counts[0], 3, "districts");
    assert!(counts.iter().all(|&c| c > 0), "{counts:?}");
    // A keeper edits a figure; seeding again leaves the edit alone.
    common::exec(
        &app.db,
        "UPDATE figures SET label_zh = '工坊总数（已核实）' WHERE code = 'workshops'",
    )
    .await;
    assert_eq!(linli::db::seed::apply(&app.db, &files).await.unwrap(), 0);
    assert_eq!(table_counts(&app).await, counts);
    let (_, html) = app.page("/districts/tonglu").await;
    assert!(figure_map(&html).contains_key("工坊总数（已核实）"));
}

async fn missing_english_shows_marked_chinese_and_content_is_escaped_once(app: TestApp) {
    let file: linli::seed::SeedFile = toml::from_str(
        r#"
        [district]
        slug = "test-town"
        kind = "city"
        position = 9
        name_zh = "测试<b>镇</b> & 村"
        summary_zh = "只有中文简介"
        "#,
    )
    .unwrap();
    assert!(linli::db::seed::apply(&app.db, &[file]).await.unwrap() > 0);
    let body = app.get("/districts/test-town").await.text().await.unwrap();
    assert!(body.contains("测试&lt;b&gt;镇&lt;/b&gt; &amp; 村"), "escaped once");
    assert!(!body.contains("&amp;lt;"), "not twice");
    app.switch_lang("en").await;
    let (_, html) = app.page("/districts/test-town").await;
    assert_eq!(attr(&html, "h1 span", "lang"), "zh-CN");
    assert_eq!(text(&html, "h1"), "测试<b>镇</b> & 村");
    assert_eq!(text(&html, "title"), "测试<b>镇</b> & 村 · Linli");
}

async fn health_check_reports_the_database(app: TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["database"], "ok");
    // With the database gone, the instance says it cannot serve.
    app.db.close().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status().as_u16(), 503);
    let res = app.get("/districts").await;
    assert_eq!(res.status().as_u16(), 503);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "服务暂时不可用");
}

async fn every_route_in_the_table_answers(app: TestApp) {
    let place = app.place_id("xh-shihuiqiao-station").await.to_string();
    // Public pages; protected routes and every POST are walked by the
    // access-matrix and CSRF tests in tests/accounts.rs.
    let public_gets = linli::web::routes().into_iter().filter(|r| {
        r.method == actix_web::http::Method::GET && r.access == linli::web::Access::Public
    });
    for route in public_gets {
        let workshop = route.path.starts_with("/workshops/");
        let opening = opening_of_hangshu(&app).await.to_string();
        let wish = common::count(&app.db, "SELECT MIN(id) FROM wishes").await.to_string();
        let activity: i64 = common::scalar_with(
            &app.db,
            "SELECT id FROM activities WHERE code = $1",
            "gs-lehuo-dance",
        )
        .await;
        let activity = activity.to_string();
        let id = if workshop {
            &opening
        } else if route.path.starts_with("/wishes/") {
            &wish
        } else if route.path.starts_with("/activities/") {
            &activity
        } else {
            &place
        };
        let path = route
            .path
            .replace("{slug}", if workshop { "hangshu-base" } else { "xihu" })
            .replace("{id}", id)
            .replace(
                "{code}",
                if route.path.starts_with("/wishes/") || route.path.starts_with("/activities/") {
                    "0000-0000"
                } else {
                    "en"
                },
            )
            .replace("{size}", "large")
            .replace("{kind}", "love_station")
            .replace("{file}", "app.css")
            .replace("{token}", "no-such-token");
        assert!(!path.contains('{'), "a route parameter has no sample value: {}", route.path);
        let res = app
            .client
            .request(
                reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap(),
                app.url(&path),
            )
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        // A made-up reset token is gone; a made-up tracking code is not found.
        // The switches send the reader back, and a place that is a love
        // station sends them to its station page; every other page answers.
        let expected = if route.path.contains("{token}") {
            410
        } else if (route.path.contains("{code}")
            && (route.path.starts_with("/wishes/") || route.path.starts_with("/activities/")))
            || route.path == "/photos/{id}/{size}"
        {
            // A made-up code, and a photo no place has: not found.
            404
        } else if route.path.starts_with("/prefs/") || route.path == "/places/{id}" {
            303
        } else {
            200
        };
        assert_eq!(status, expected, "{} {path}", route.method);
        // HEAD answers every GET route alike, without a body (monitoring
        // and link checkers send HEAD).
        let head = app.client.head(app.url(&path)).send().await.unwrap();
        assert_eq!(head.status().as_u16(), expected, "HEAD {path}");
        // (The client reads no body after HEAD; what the server sends is
        // actix's own HEAD handling.) The headers are the GET's.
        assert!(head.headers().contains_key("content-type") || expected != 200, "HEAD {path}");
    }
}

// ---------------------------------------------------------------- helpers

fn attr_opt(html: &Html, selector: &str, name: &str) -> Option<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel).next().and_then(|e| e.attr(name)).map(str::to_owned)
}

/// Figure label → "value unit", as a reader sees the card.
fn figure_map(html: &Html) -> std::collections::HashMap<String, String> {
    let card = Selector::parse(".figures .figure").unwrap();
    let label = Selector::parse(".figure-label").unwrap();
    let value = Selector::parse(".figure-value").unwrap();
    let clean = |e: scraper::ElementRef| {
        e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
    };
    html.select(&card)
        .map(|c| (clean(c.select(&label).next().unwrap()), clean(c.select(&value).next().unwrap())))
        .collect()
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn table_counts(app: &TestApp) -> Vec<i64> {
    vec![
        common::count(&app.db, "SELECT COUNT(*) FROM districts").await,
        common::count(&app.db, "SELECT COUNT(*) FROM figures").await,
        common::count(&app.db, "SELECT COUNT(*) FROM programmes").await,
        common::count(&app.db, "SELECT COUNT(*) FROM places").await,
        common::count(&app.db, "SELECT COUNT(*) FROM stories").await,
        common::count(&app.db, "SELECT COUNT(*) FROM workshops").await,
        common::count(&app.db, "SELECT COUNT(*) FROM openings").await,
    ]
}

async fn opening_of_hangshu(app: &TestApp) -> i64 {
    let sql = "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
               WHERE w.slug = 'hangshu-base' ORDER BY o.id LIMIT 1";
    common::count(&app.db, sql).await
}

async fn instances_share_one_cookie_key(app: TestApp) {
    // Neither instance is given LINLI_SECRET: the first generated a key and
    // stored it; the second, starting on the same database, reads it.
    let me = app.volunteer(1).await;
    let (second, handle) = app.second_instance(|_| {}).await;
    // Cookies go by host, not port: the same browser, sent to the second
    // instance, carries the session the first signed.
    let res = me.client.get(second.url("/account")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "the second instance knows the session");
    assert!(res.text().await.unwrap().contains("志愿者1"));
    // And it would not, were its key another.
    let (other, other_handle) = app
        .second_instance(|s| s.secret = Some(linli::config::Secret::new(vec![b'c'; 64]).unwrap()))
        .await;
    let res = me.client.get(other.url("/account")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "another key cannot read the cookie");
    handle.stop(false).await;
    other_handle.stop(false).await;
    // The stored key is kept whatever key a later instance would offer.
    let first =
        linli::db::settings::cookie_secret_or_insert(&app.db, &"a".repeat(128)).await.unwrap();
    assert_ne!(first, "a".repeat(128), "the key generated at start was kept");
    assert!(first.len() >= 64);
}

/// Found walking the pages as an elderly reader: large sums read the
/// Chinese way (the exact sum kept for screen readers and machines),
/// English counts in the singular, Chinese units explained in English,
/// charts naming each bar's own unit and growing with larger text, and
/// long district pages opening with an "on this page" list.
async fn figures_and_long_pages_read_easily(app: TestApp) {
    // 140,000,000 yuan: 1.4亿元, 140 million yuan.
    let (_, html) = app.page("/districts/tonglu").await;
    let value = "data[value='140000000']";
    assert_eq!(text(&html, &format!("{value} [aria-hidden=true]")), "1.4亿元");
    assert_eq!(text(&html, &format!("{value} .visually-hidden")), "140,000,000元");
    // More than 5,200,000: 520万元+.
    let (_, page) = app.page("/workshops/honey-pear").await;
    assert_eq!(text(&page, "data[value='5200000'] [aria-hidden=true]"), "520万元+");
    assert!(!text(&html, "main").contains("mu:"), "Chinese readers know 亩");
    let en = app.new_anonymous();
    en.switch_lang("en").await;
    let (_, html) = en.page("/districts/tonglu").await;
    assert_eq!(text(&html, &format!("{value} [aria-hidden=true]")), "140 million");
    assert_eq!(text(&html, &format!("{value} .visually-hidden")), "140,000,000 yuan");
    let card = texts(&html, ".figure").into_iter().find(|c| c.contains("Honey pear orchards"));
    assert!(card.unwrap().contains("1 mu is about 667 m²"));
    let (_, page) = en.page("/workshops/hangshang-maker-base").await;
    assert!(text(&page, ".figures").contains("person-times: each time a person took part"));

    // Xihu's chart groups 10 unions with 26 places: each bar its own unit.
    let (_, html) = en.page("/districts/xihu").await;
    let bars = texts(&html, "svg text[font-weight=bold]");
    assert!(
        bars.contains(&"10 unions".to_owned()) && bars.contains(&"26 places".to_owned()),
        "{bars:?}"
    );
    assert_eq!(text(&html, "figcaption"), "Figures compared");
    // Larger text: a narrower drawing in the same column, so larger labels.
    let normal = attr(&html, "figure.chart svg", "viewBox");
    en.get("/prefs/text/large?next=/").await;
    let (_, large) = en.page("/districts/xihu").await;
    assert!(normal.starts_with("0 0 340 "), "{normal}");
    assert!(attr(&large, "figure.chart svg", "viewBox").starts_with("0 0 240 "));

    // One workshop found, in the singular.
    let (_, html) = en.page("/workshops?q=%E5%96%9C%E4%B9%90").await;
    assert_eq!(text(&html, "#results-heading"), "1 workshop found");
    let (_, html) = en.page("/workshops").await;
    assert!(text(&html, "#results-heading").ends_with("workshops found"));

    // Gongshu opens with what is on the page, each link to its heading.
    let (_, html) = app.page("/districts/gongshu").await;
    let links = attrs(&html, "nav.toc a", "href");
    assert!(links.len() >= 4, "{links:?}");
    assert!(links.contains(&"#places-happy_home".to_owned()), "{links:?}");
    for href in links {
        let id = href.trim_start_matches('#');
        assert_eq!(texts(&html, &format!("[id='{id}']")).len(), 1, "{href} leads nowhere");
    }
    assert_eq!(text(&html, "#toc-heading"), "本页内容");
}
