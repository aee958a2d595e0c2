//! Workshops: listing, search, sign-ups, keepers and open data, on SQLite
//! and PostgreSQL.

mod common;

use common::{TestApp, attr, attrs, count, exec, scalar, text, texts};
use linli::db::Db;
use scraper::Html;

on_both_databases!(
    the_article_workshops_and_county_totals,
    filters_search_sorts_and_pages_over_500_workshops,
    bad_filter_values_are_ignored_with_a_note,
    a_villager_signs_up_without_an_account,
    sign_up_errors_duplicates_and_closed_openings,
    places_left_never_go_below_zero,
    keeper_manages_openings_and_sign_ups,
    keeper_forms_refuse_absurd_numbers,
    open_data_carries_no_personal_data,
    old_sign_up_phones_are_erased,
    signup_throttle with |s| {
        s.signups_per_hour = 2;
        s.signups_per_phone_per_hour = 1;
    },
    a_keeper_keeps_impact_figures_over_the_years,
    a_district_admin_adds_a_workshop,
    towns_are_a_tree_that_workshops_choose_from,
    search_finds_category_names,
    more_than_counts_and_computed_incomes_say_so_everywhere,
    a_revision_saved_while_figures_were_in_the_form_still_restores,
);

async fn the_article_workshops_and_county_totals(app: TestApp) {
    let (status, html) = app.page("/workshops").await;
    assert_eq!(status, 200);
    let names = texts(&html, ".cards h3 a");
    for name in ["杭蔬基地", "京喜农场", "蜜梨工坊", "蜜桃红", "喜乐·巧手", "深澳百匠艺术街区"]
    {
        assert!(names.contains(&name.to_owned()), "{name} missing from {names:?}");
    }
    assert_eq!(names.len(), 7);
    // The county's reported totals and the portal's own count, each labelled.
    let reported = text(&html, ".totals-grid > div:first-child");
    assert!(reported.contains("县里报告的数字"));
    for n in ["171", "5,651", "771", "2,699", "16"] {
        assert!(reported.contains(n), "{n} missing from {reported}");
    }
    let portal = text(&html, ".totals-grid > div:last-child");
    assert!(portal.contains("本站收录的") && portal.contains('7'), "{portal}");

    let (_, html) = app.page("/workshops/honey-peach-red").await;
    assert_eq!(text(&html, "h1"), "蜜桃红");
    let figures = texts(&html, ".figures .figure-value");
    assert!(figures.contains(&"50 人".to_owned()), "{figures:?}");
    assert!(figures.contains(&"3,500 元/人/月".to_owned()), "{figures:?}");
    // Large sums by 万, the rest of the unit after them; exact for machines.
    assert_eq!(text(&html, "data[value='400000'] [aria-hidden=true]"), "40万元+");
    assert_eq!(text(&html, "data[value='400000'] .visually-hidden"), "400,000元+/年（村集体）");
    assert!(texts(&html, ".figure-unit").contains(&"/年（村集体）".to_owned()));
    let (_, html) = app.page("/workshops/honey-pear").await;
    assert_eq!(text(&html, "data[value='5200000'] [aria-hidden=true]"), "520万元+");

    // Tonglu's page lists its workshops; the home page has the door.
    let (_, html) = app.page("/districts/tonglu").await;
    assert_eq!(texts(&html, "#workshops-heading ~ ul .workshop h3").len(), 7);
    let (_, html) = app.page("/").await;
    assert!(texts(&html, ".door").iter().any(|d| d.contains("找家门口的活")));
}

/// 500 more workshops, straight into the database, with known spreads of
/// district, town, category, employment and income.
async fn generate(db: &Db) {
    let mut sql = String::new();
    for i in 0..500 {
        let district = if i % 2 == 0 { "tonglu" } else { "xihu" };
        let town = format!("镇{}", i % 5);
        let category = ["farming", "handicraft", "training", "ecommerce"][i % 4];
        let employed = if i % 10 == 0 { "NULL".to_owned() } else { (i * 3).to_string() };
        let income = if i % 7 == 0 { "NULL".to_owned() } else { (10_000 + i * 10).to_string() };
        let name = match i {
            13 => "合作社 100% 纯手工".to_owned(),
            14 => "合作社 100 纯手工".to_owned(),
            15 => "Under_score Crafts".to_owned(),
            _ => format!("生成工坊{i}"),
        };
        let search = name.to_lowercase();
        sql.push_str(&format!(
            "INSERT INTO workshops (slug, district_id, category, name_zh, town_zh, villages_zh, summary_zh, \
             founded_year, founded_month, employed, income_per_person_year, search_text, created_at, updated_at) \
             VALUES ('gen-{i}', (SELECT id FROM districts WHERE slug = '{district}'), '{category}', '{name}', \
             '{town}', '', '生成的', {}, {}, {employed}, {income}, '{search}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');\n",
            2000 + (i % 20),
            1 + (i % 12)
        ));
    }
    common::exec_script(db, sql).await;
    // Written past the portal's own paths: index their search text too.
    linli::db::workshops::index_all(db).await.unwrap();
}

/// Every match of a listing, counted by following its "next" links to the
/// last page, which alone says the exact total (earlier pages say "20+",
/// "40+"…: nothing counts every match up front).
async fn matches(app: &TestApp, url: &str) -> i64 {
    let mut url = url.to_owned();
    let mut seen = 0;
    loop {
        let (_, html) = app.page(&url).await;
        seen += texts(&html, ".cards > li").len() as i64;
        let heading = text(&html, "#results-heading");
        match attrs(&html, ".pagination a[rel=next]", "href").into_iter().next() {
            Some(next) => {
                assert!(heading.contains(&format!("{seen}+")), "{url}: {heading}");
                url = next;
            }
            None => {
                assert_eq!(found(&html), seen, "{url}: the last page says the total");
                assert!(!heading.contains('+'), "{heading}");
                return seen;
            }
        }
    }
}

fn found(html: &Html) -> i64 {
    let h = text(html, "#results-heading");
    h.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

async fn filters_search_sorts_and_pages_over_500_workshops(app: TestApp) {
    generate(&app.db).await;
    let (_, html) = app.page("/workshops").await;
    assert_eq!(text(&html, "#results-heading"), "找到 20+ 家工坊");
    assert_eq!(texts(&html, ".cards > li").len(), 20);
    assert_eq!(matches(&app, "/workshops").await, 507);
    // District, town, category, and together.
    assert_eq!(matches(&app, "/workshops?district=xihu").await, 250);
    assert_eq!(matches(&app, "/workshops?town=%E9%95%870").await, 100); // 镇0
    let training = matches(&app, "/workshops?category=training").await;
    assert_eq!(training, 125 + 1, "125 generated + the training base");
    assert_eq!(matches(&app, "/workshops?district=xihu&category=handicraft").await, 125);
    // Searched through the bigram index (a rare pair: 生成 is in all 497
    // generated names, 工坊9 in eleven) and by one character.
    assert_eq!(matches(&app, "/workshops?q=%E7%94%9F%E6%88%90").await, 497); // 生成
    assert_eq!(matches(&app, "/workshops?q=%E5%B7%A5%E5%9D%8A9").await, 11); // 工坊9: 9, 90–99
    // Hiring now: the four article workshops with openings.
    let (_, html) = app.page("/workshops?hiring=1").await;
    assert_eq!(found(&html), 4);
    // Chinese substring; literal wildcards; Latin case.
    let (_, html) = app.page("/workshops?q=%E8%9C%9C%E6%A2%A8").await; // 蜜梨
    assert_eq!(texts(&html, ".cards h3 a"), ["蜜梨工坊"]);
    let (_, html) = app.page("/workshops?q=100%25").await; // 100%
    assert_eq!(texts(&html, ".cards h3 a"), ["合作社 100% 纯手工"]);
    let (_, html) = app.page("/workshops?q=un_er").await;
    assert_eq!(found(&html), 0, "_ is not a wildcard");
    let (_, html) = app.page("/workshops?q=under_SCORE").await;
    assert_eq!(texts(&html, ".cards h3 a"), ["Under_score Crafts"]);
    let (_, html) = app.page("/workshops?q=HONEY%20pear").await;
    assert_eq!(texts(&html, ".cards h3 a"), ["蜜梨工坊"], "English description, any case");
    let (_, html) = app.page("/workshops?q=%27%22%5C").await; // '"\
    assert_eq!(found(&html), 0);
    // Sorts: most employed first; unknown numbers last.
    let (_, html) = app.page("/workshops?sort=employed").await;
    assert_eq!(texts(&html, ".cards h3 a")[0], "生成工坊499");
    let (_, html) = app.page("/workshops?sort=income&district=xihu").await;
    assert_eq!(texts(&html, ".cards h3 a")[0], "生成工坊499");
    let (_, html) = app.page("/workshops?sort=employed&page=26").await;
    let last = texts(&html, ".cards h3 a");
    assert_eq!(last.len(), 7, "507 = 25 pages of 20 + 7");
    assert!(
        texts(&html, ".cards .facts-inline").iter().all(|f| !f.contains("吸纳就业"))
            || last.len() == 7
    );
    // The open data pages the same way: the total only on the last page.
    let api = async |q: &str| {
        let res = app.get(&format!("/api/v1/workshops{q}")).await;
        res.json::<serde_json::Value>().await.unwrap()
    };
    let first = api("?district=xihu").await;
    assert!(first["total"].is_null(), "{first}");
    assert!(first["next"].as_str().unwrap().ends_with("/api/v1/workshops?district=xihu&page=2"));
    assert_eq!(first["workshops"].as_array().unwrap().len(), 20);
    let last = api("?district=xihu&page=13").await;
    assert_eq!((last["total"].as_i64(), last["next"].is_null()), (Some(250), true), "{last}");
    let past = api("?district=xihu&page=40").await;
    assert!(past["total"].is_null() && past["workshops"].as_array().unwrap().is_empty());
    // A page past the end says so and links to the first page; links
    // keep the filters.
    let (status, html) = app.page("/workshops?district=xihu&page=40").await;
    assert_eq!(status, 200);
    assert!(text(&html, "#results-heading").contains("没有内容"));
    assert_eq!(attr(&html, ".empty a", "href"), "/workshops?district=xihu");
    let (_, html) = app.page("/workshops?district=xihu&page=13").await;
    assert_eq!(text(&html, ".pagination strong"), "13");
    assert_eq!(text(&html, "#results-heading"), "找到 250 家工坊");
    let prev = attr(&html, ".pagination a[rel=prev]", "href");
    assert_eq!(prev, "/workshops?district=xihu&page=12");
    let (_, html) = app.page(&prev).await;
    assert_eq!(texts(&html, ".cards > li").len(), 20);
    assert_eq!(text(&html, "#results-heading"), "找到 240+ 家工坊");
    // The newest first by founding date.
    let (_, html) = app.page("/workshops?district=xihu").await;
    assert!(
        texts(&html, ".cards .facts-inline")[0].contains("2019"),
        "{:?}",
        texts(&html, ".cards .facts-inline")
    );
}

async fn bad_filter_values_are_ignored_with_a_note(app: TestApp) {
    let (status, html) = app
        .page("/workshops?category=mining&sort=random&page=abc&district=%3Cx%3E&hiring=maybe")
        .await;
    assert_eq!(status, 200);
    let note = text(&html, ".note");
    for word in ["类别", "排序方式", "页码", "地区", "是否招人"] {
        assert!(note.contains(word), "{note}");
    }
    assert_eq!(found(&html), 7, "the listing still shows, unfiltered");
    let (_, html) = app.page("/workshops?q=nothing-like-this").await;
    assert!(text(&html, ".empty").contains("没有找到"));
    assert_eq!(attr(&html, ".empty a", "href"), "/workshops");
    assert_eq!(app.get("/workshops/no-such-workshop").await.status().as_u16(), 404);
}

async fn opening_id(db: &Db, slug: &str) -> i64 {
    let sql = "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id WHERE w.slug = $1 ORDER BY o.id LIMIT 1";
    common::scalar_with(db, sql, slug).await
}

async fn a_villager_signs_up_without_an_account(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    let (_, html) = app.page("/workshops/hangshu-base").await;
    assert!(text(&html, ".signup .privacy").contains("180天后自动删除"));
    assert!(text(&html, &format!("#opening-{id}")).contains("还剩 10 个（共 10 个）"));
    let res = app
        .post_form(
            "/workshops/hangshu-base",
            &format!("/workshops/hangshu-base/openings/{id}/signup"),
            &[
                ("name", "邱根来"),
                ("phone", "13812345678"),
                ("village", "小京村"),
                ("note", "上午有空"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, format!("/workshops/hangshu-base/openings/{id}/signed-up"));
    let (status, html) = app.page(&to).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "报名成功");
    assert!(text(&html, "main").contains("会打电话联系您"));
    assert!(!text(&html, "main").contains("13812345678"));
    let (_, html) = app.page("/workshops/hangshu-base").await;
    assert!(text(&html, &format!("#opening-{id}")).contains("还剩 9 个"));
}

async fn sign_up_errors_duplicates_and_closed_openings(app: TestApp) {
    let id = opening_id(&app.db, "joy-skilful-hands").await;
    let path = format!("/workshops/joy-skilful-hands/openings/{id}/signup");
    let res = app
        .post_form(
            "/workshops/joy-skilful-hands",
            &path,
            &[("name", "<b>李</b>"), ("phone", "1234"), ("village", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    let form = format!("#opening-{id}");
    assert!(text(&html, &format!("{form} #f-phone-error")).contains("11位手机号码"));
    assert!(text(&html, &format!("{form} #f-village-error")).contains("村"));
    assert_eq!(attr(&html, &format!("{form} #f-name"), "value"), "<b>李</b>", "kept as typed");
    assert_eq!(attr(&html, &format!("{form} #f-phone"), "value"), "1234");
    // The answer opens at this form (its summary first), far down the page,
    // without script: the form's address names it.
    assert_eq!(
        attr(&html, &format!("{form} form.signup"), "action"),
        format!("{path}#signup-{id}")
    );
    assert_eq!(attr(&html, &format!("form#signup-{id} .error-summary"), "role"), "alert");

    let ok = [("name", "张大姐"), ("phone", "13900001111"), ("village", "大庄村")];
    assert_eq!(
        app.post_form("/workshops/joy-skilful-hands", &path, &ok).await.status().as_u16(),
        303
    );
    // The same phone again: the same answer as a first sign-up (so the
    // form tells nobody who has signed up), and still one sign-up.
    let again = app.post_form("/workshops/joy-skilful-hands", &path, &ok).await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(
        again.headers()["location"],
        format!("/workshops/joy-skilful-hands/openings/{id}/signed-up")
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM signups WHERE phone = '13900001111'").await, 1);
    // A villager with only a landline signs up with it, as typed with
    // spaces; the keeper's list holds it with its area code.
    let landline = [("name", "邱大伯"), ("phone", "0571 6461234"), ("village", "大庄村")];
    assert_eq!(
        app.post_form("/workshops/joy-skilful-hands", &path, &landline).await.status().as_u16(),
        303
    );
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM signups WHERE phone = '0571-6461234'").await,
        1
    );

    exec(&app.db, "UPDATE openings SET is_open = FALSE").await;
    let res = app
        .post_form(
            "/account/login",
            &path,
            &[("name", "王"), ("phone", "13900002222"), ("village", "大庄村")],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, &form).contains("停止报名"));
}

async fn places_left_never_go_below_zero(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    exec(&app.db, "UPDATE openings SET places = 5, places_left = 5").await;
    // Every villager opens the page first; then all press "sign up" at once.
    let mut ready = Vec::new();
    for n in 0..30 {
        let client = app.new_client();
        let page = client
            .get(app.url("/workshops/hangshu-base"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = page
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        ready.push((client, token, format!("1370000{n:04}")));
    }
    let url = app.url(&format!("/workshops/hangshu-base/openings/{id}/signup"));
    let mut tasks = Vec::new();
    for (client, token, phone) in ready {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("name", "村民"),
                    ("phone", phone.as_str()),
                    ("village", "小京村"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 5, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 422), "{statuses:?}");
    assert_eq!(
        count(&app.db, "SELECT places_left FROM openings WHERE code = 'field-work'").await,
        0
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM signups").await, 5);
}

async fn keeper_manages_openings_and_sign_ups(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    app.post_form(
        "/workshops/hangshu-base",
        &format!("/workshops/hangshu-base/openings/{id}/signup"),
        &[
            ("name", "邱根来"),
            ("phone", "13812345678"),
            ("village", "小京村"),
            ("note", "=cmd|' /C calc'!A0, \"quoted\"\nsecond line"),
        ],
    )
    .await;
    let keeper = app.workshop_keeper("hangshu-base").await;
    let (status, html) = keeper.page("/staff/workshops").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, "main .list a"), ["杭蔬基地"]);
    let res = keeper.get("/staff/workshops/hangshu-base").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".signups").contains("13812345678"), "the keeper sees the phone");
    let signup: i64 = count(&app.db, "SELECT id FROM signups").await;
    let res = keeper
        .post_form(
            "/staff/workshops/hangshu-base",
            &format!("/staff/workshops/hangshu-base/signups/{signup}"),
            &[("status", "contacted")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let status: String = scalar(&app.db, "SELECT status FROM signups").await;
    assert_eq!(status, "contacted");

    // CSV: BOM, header in the keeper's language, quoting, formulas neutralised.
    let res = keeper.get("/staff/workshops/hangshu-base/signups.csv").await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = res.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'));
    let mut lines = body.trim_start_matches('\u{feff}').split("\r\n");
    assert_eq!(lines.next().unwrap(), "编号,岗位,姓名,电话,村,备注,状态,报名时间");
    assert!(body.contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\nsecond line\""), "{body}");
    assert!(body.contains(",13812345678,小京村,"));
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'signup.export'").await,
        1
    );

    // Post an opening (with a mistake first), then close it.
    let res = keeper
        .post_form(
            "/staff/workshops/hangshu-base",
            "/staff/workshops/hangshu-base/openings",
            &[("task_zh", "采摘"), ("pay_zh", "日结"), ("hours_zh", "上午"), ("places", "0")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-places-error").contains("1到10000"));
    assert_eq!(attr(&html, "#f-task_zh", "value"), "采摘");
    let res = keeper
        .post_form(
            "/staff/workshops/hangshu-base",
            "/staff/workshops/hangshu-base/openings",
            &[("task_zh", "采摘"), ("pay_zh", "日结"), ("hours_zh", "上午"), ("places", "3")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let new_id: i64 = count(&app.db, "SELECT MAX(id) FROM openings").await;
    let (_, html) = app.page("/workshops/hangshu-base").await;
    assert!(text(&html, &format!("#opening-{new_id}")).contains("采摘"));
    let res = keeper
        .post_form(
            "/staff/workshops/hangshu-base",
            &format!("/staff/workshops/hangshu-base/openings/{new_id}/close"),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = app.page("/workshops/hangshu-base").await;
    assert!(text(&html, &format!("#opening-{new_id}")).contains("已停止报名"));
    // Another workshop's opening cannot be closed from here.
    let other = opening_id(&app.db, "honey-pear").await;
    let res = keeper
        .post_form(
            "/staff/workshops/hangshu-base",
            &format!("/staff/workshops/hangshu-base/openings/{other}/close"),
            &[],
        )
        .await;
    assert_eq!(res.status().as_u16(), 404);
    for action in ["opening.create", "opening.close", "signup.status"] {
        let sql: &'static str = match action {
            "opening.create" => "SELECT COUNT(*) FROM audit_log WHERE action = 'opening.create'",
            "opening.close" => "SELECT COUNT(*) FROM audit_log WHERE action = 'opening.close'",
            _ => "SELECT COUNT(*) FROM audit_log WHERE action = 'signup.status'",
        };
        assert_eq!(count(&app.db, sql).await, 1, "{action}");
    }
}

async fn keeper_forms_refuse_absurd_numbers(app: TestApp) {
    let keeper = app.workshop_keeper("honey-pear").await;
    let res = keeper
        .post_form(
            "/staff/workshops/honey-pear",
            "/staff/workshops/honey-pear",
            &[
                ("version", "0"),
                ("name_zh", "蜜梨工坊"),
                ("category", "food_processing"),
                ("summary_zh", "介绍"),
                ("employed", "2000000"),
                ("founded", "2099-01"),
                ("income_per_person_year", "abc"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-employed-error").contains("合理范围"));
    assert!(text(&html, "#f-founded-error").contains("不能晚于本月"));
    assert!(text(&html, "#f-income_per_person_year-error").contains("整数"));
    assert_eq!(attr(&html, "#f-employed", "value"), "2000000");
    // A form from elsewhere (no version) is refused outright.
    let res = keeper
        .post_form(
            "/staff/workshops/honey-pear",
            "/staff/workshops/honey-pear",
            &[("name_zh", "x")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 400);
    // A partial form loses nothing it did not send, and its figures,
    // items of their own, stay.
    let res = keeper
        .post_form(
            "/staff/workshops/honey-pear",
            "/staff/workshops/honey-pear",
            &[("version", "0"), ("contact", "0571-6461 2345"), ("is_active", "on")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let figures = count(
        &app.db,
        "SELECT COUNT(*) FROM figures f JOIN workshops w ON w.id = f.workshop_id \
         WHERE w.slug = 'honey-pear'",
    )
    .await;
    assert_eq!(figures, 5);
    // A personal mobile is no public contact.
    let (_, html) = keeper.page("/staff/workshops/honey-pear").await;
    let fields = facts_form(&html, "/staff/workshops/honey-pear", &[("contact", "13812345678")]);
    let res = keeper
        .client
        .post(keeper.url("/staff/workshops/honey-pear"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    // The whole form as the page holds it, with the changes.
    let (_, html) = keeper.page("/staff/workshops/honey-pear").await;
    let fields = facts_form(
        &html,
        "/staff/workshops/honey-pear",
        &[("summary_zh", "新的介绍，含蜜梨膏"), ("employed", "160"), ("founded", "2020-05")],
    );
    let res = keeper
        .client
        .post(keeper.url("/staff/workshops/honey-pear"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = app.page("/workshops/honey-pear").await;
    assert_eq!(text(&html, ".lede"), "新的介绍，含蜜梨膏");
    let (_, html) = app.page("/workshops?q=%E8%9C%9C%E6%A2%A8%E8%86%8F").await; // 蜜梨膏: search follows edits
    assert_eq!(texts(&html, ".cards h3 a"), ["蜜梨工坊"]);
    search_index_matches_the_search_texts(&app.db).await;
}

/// The bigram table holds exactly the pairs of each workshop's search text,
/// cut as the domain cuts a query (the SQL of both databases and Rust agree).
async fn search_index_matches_the_search_texts(db: &Db) {
    use linli::domain::workshop::grams;
    let ids: Vec<i64> = common::column(db, "SELECT id FROM workshops ORDER BY id").await;
    let search: Vec<String> =
        common::column(db, "SELECT search_text FROM workshops ORDER BY id").await;
    let held: Vec<String> =
        common::column(db, "SELECT CAST(workshop_id AS TEXT) || ':' || gram FROM workshop_grams")
            .await;
    let texts: Vec<(i64, String)> = ids.into_iter().zip(search).collect();
    assert!(!texts.is_empty());
    for (id, text) in texts {
        let want = grams(&text);
        let prefix = format!("{id}:");
        let got: std::collections::BTreeSet<String> =
            held.iter().filter_map(|h| h.strip_prefix(&prefix)).map(str::to_owned).collect();
        assert_eq!(got, want, "workshop {id}: {text}");
    }
}

async fn open_data_carries_no_personal_data(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    app.post_form(
        "/workshops/hangshu-base",
        &format!("/workshops/hangshu-base/openings/{id}/signup"),
        &[("name", "测试村民甲"), ("phone", "13812345678"), ("village", "小京村")],
    )
    .await;
    let json: serde_json::Value =
        app.get("/api/v1/workshops?category=farming").await.json().await.unwrap();
    assert_eq!(json["total"], 3);
    assert!(
        json["workshops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["slug"] == "hangshu-base" && w["hiring"] == true)
    );
    let all = app.get("/api/v1/workshops").await.text().await.unwrap();
    let csv = app.get("/workshops.csv").await.text().await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 1 + 7);
    let page = app.get("/workshops/hangshu-base").await.text().await.unwrap();
    for body in [&all, &csv, &page] {
        assert!(
            !body.contains("13812345678") && !body.contains("测试村民甲"),
            "personal data leaked"
        );
    }
}

async fn old_sign_up_phones_are_erased(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    app.post_form(
        "/workshops/hangshu-base",
        &format!("/workshops/hangshu-base/openings/{id}/signup"),
        &[("name", "邱根来"), ("phone", "13812345678"), ("village", "小京村")],
    )
    .await;
    let settings = common::test_settings(String::new());
    assert_eq!(linli::startup::maintenance(&app.db, &settings).await.unwrap(), 0, "too recent");
    exec(&app.db, "UPDATE signups SET created_at = '2020-01-01T00:00:00Z'").await;
    assert_eq!(linli::startup::maintenance(&app.db, &settings).await.unwrap(), 1);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM signups WHERE phone IS NULL").await, 1);
    assert_eq!(linli::startup::maintenance(&app.db, &settings).await.unwrap(), 0, "idempotent");
}

// ---------------------------------------------------------------- helpers

/// Sign-ups meet a phone's limit and a generous address's, and the
/// refusal says which, with what was typed kept.
async fn signup_throttle(app: TestApp) {
    let id = opening_id(&app.db, "hangshu-base").await;
    let path = format!("/workshops/hangshu-base/openings/{id}/signup");
    let form = format!("#opening-{id}");
    let app = &app;
    let sign_up = |name: &'static str, phone: &'static str| {
        let fields = [("name", name), ("phone", phone), ("village", "小京村")];
        let path = path.clone();
        async move { app.post_form("/workshops/hangshu-base", &path, &fields).await }
    };
    assert_eq!(sign_up("甲", "13900000001").await.status().as_u16(), 303);
    // The same phone again within the hour (limit 1): the phone's refusal.
    let res = sign_up("甲", "13900000001").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, &format!("{form} .error-summary")).contains("这个电话号码一小时内"));
    assert_eq!(sign_up("乙", "13900000002").await.status().as_u16(), 303);
    // The address's third counted sign-up (limit 2): the network's refusal.
    let res = sign_up("第三位", "13900000009").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, &format!("{form} .error-summary")).contains("这个网络"));
    assert_eq!(attr(&html, &format!("{form} #f-name"), "value"), "第三位", "input kept");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM signups").await, 2);
}

/// The fields of the POST form to `action` as a browser sends them back
/// (inputs, text areas, chosen options, ticked boxes), with `changes`.
fn facts_form(html: &Html, action: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out = common::form_fields_of(html, action);
    for (name, value) in changes {
        out.retain(|(n, _)| n != name);
        out.push(((*name).to_owned(), (*value).to_owned()));
    }
    out
}

async fn post_fields(client: &TestApp, path: &str, fields: &[(String, String)]) -> (u16, Html) {
    let res = client.client.post(client.url(path)).form(fields).send().await.unwrap();
    let status = res.status().as_u16();
    (status, Html::parse_document(&res.text().await.unwrap()))
}

/// Posts a form; its status, where it sends the reader, and the page.
async fn post_to(client: &TestApp, path: &str, fields: &[(String, String)]) -> (u16, String, Html) {
    let res = client.client.post(client.url(path)).form(fields).send().await.unwrap();
    let status = res.status().as_u16();
    let location =
        res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, Html::parse_document(&res.text().await.unwrap()))
}

fn workshop_card(html: &Html, label: &str) -> String {
    texts(html, ".figures .figure").into_iter().find(|c| c.contains(label)).unwrap_or_default()
}

/// A workshop's impact figures are figures as a district's are: each on
/// its own page, for the workshop's keepers (and the district's admins),
/// keeping its values over the years with public corrections; the
/// workshop's page draws the trend and shows the correction notes.
async fn a_keeper_keeps_impact_figures_over_the_years(app: TestApp) {
    let staff = "/staff/workshops/honey-pear";
    let keeper = app.workshop_keeper("honey-pear").await;
    let reader = app.new_anonymous();
    // The seeded figures are listed, each a link to its own page.
    let (_, html) = keeper.app.page(staff).await;
    let links = attrs(&html, "#figures .list a", "href");
    assert_eq!(links.len(), 5, "{links:?}");
    assert!(links.iter().all(|l| l.starts_with("/staff/content/figure/")), "{links:?}");
    assert!(texts(&html, "#figures .list a").contains(&"占地面积".to_owned()));
    assert!(html.select(&scraper::Selector::parse("#f-fig0_label_zh").unwrap()).next().is_none());
    // A new one: refused at the field with what was typed kept, then added.
    let new = format!("{staff}/figures/new");
    assert!(attrs(&html, "#figures a.more", "href").contains(&new));
    let (status, form) = keeper.app.page(&new).await;
    assert_eq!(status, 200);
    let names = attrs(&form, &format!("form[action='{new}'] [name]"), "name");
    assert!(names.contains(&"unit_zh".to_owned()), "{names:?}");
    assert!(
        !names.contains(&"chart_group".to_owned()) && !names.contains(&"headline".to_owned()),
        "a workshop's figure is in no chart: {names:?}"
    );
    let mut fields = facts_form(&form, &new, &[("label_zh", "梨膏年销量"), ("action", "publish")]);
    let (status, _, page) = post_to(&keeper.app, &new, &fields).await;
    assert_eq!(status, 422);
    assert_eq!(text(&page, "#f-unit_zh-error"), "错误：这一项必须填写");
    assert_eq!(attr(&page, "#f-label_zh", "value"), "梨膏年销量");
    fields.retain(|(n, _)| n != "unit_zh");
    fields.push(("unit_zh".into(), "瓶".into()));
    // What the form does not offer is not stored either.
    fields.push(("headline".into(), "on".into()));
    fields.push(("chart_group".into(), "规模".into()));
    let (status, to, _) = post_to(&keeper.app, &new, &fields).await;
    assert_eq!(status, 303);
    let id: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(to, format!("/staff/content/figure/{id}"));
    let owner: String = common::scalar_for_id(
        &app.db,
        "SELECT w.slug || ' ' || d.slug FROM figures f JOIN workshops w ON w.id = f.workshop_id \
         JOIN districts d ON d.id = f.district_id WHERE f.id = $1",
        id,
    )
    .await;
    assert_eq!(owner, "honey-pear tonglu");
    let charted: i64 = common::scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM figures WHERE id = $1 AND (headline OR chart_group IS NOT NULL)",
        id,
    )
    .await;
    assert_eq!(charted, 0, "in no chart and no headlines");
    // The workshop's page says it changed today; the county's does not move.
    let district_before: String = common::scalar_for_id(
        &app.db,
        "SELECT CAST(updated_at AS TEXT) FROM districts WHERE slug = 'tonglu' AND id > $1",
        0,
    )
    .await;
    // It has no English label yet: on its keepers' English list, not on
    // another workshop's keepers'.
    let (_, english) = keeper.app.page("/staff/english").await;
    assert!(attrs(&english, ".list a", "href").contains(&to), "{to}");
    // Its page leads back to the workshop and adds its values.
    let (_, page) = keeper.app.page(&to).await;
    assert!(attrs(&page, "a", "href").contains(&format!("{staff}#figures-heading")));
    let add = format!("/staff/figures/{id}/values/new");
    let source: i64 =
        common::scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-tonglu")
            .await;
    for (year, value) in [("2024", "9000"), ("2025", "12000")] {
        let (_, form) = keeper.app.page(&add).await;
        let source = source.to_string();
        let fields = facts_form(
            &form,
            &add,
            &[("value", value), ("qualifier", "more_than"), ("year", year), ("source_id", &source)],
        );
        let (status, to, _) = post_to(&keeper.app, &add, &fields).await;
        assert_eq!((status, to), (303, format!("/staff/content/figure/{id}#values-heading")));
    }
    // The workshop's page: the latest value, the trend, the values in words.
    let (_, public) = reader.page("/workshops/honey-pear").await;
    let card = workshop_card(&public, "梨膏年销量");
    assert!(card.contains("12,000+") && card.contains("2025年"), "{card}");
    assert!(card.contains("历年：2024年 9,000+ → 2025年 12,000+ 瓶"), "{card}");
    assert_eq!(attrs(&public, ".figure svg polyline", "points").len(), 1, "one trend");
    let today = linli::domain::format::date(linli::domain::Lang::Zh, chrono::Utc::now());
    assert_eq!(text(&public, ".updated"), format!("最后更新：{today}"));
    let district_after: String = common::scalar_for_id(
        &app.db,
        "SELECT CAST(updated_at AS TEXT) FROM districts WHERE slug = 'tonglu' AND id > $1",
        0,
    )
    .await;
    assert_eq!(district_before, district_after);
    // It is the workshop's, not the district's.
    let (_, county) = reader.page("/districts/tonglu").await;
    assert!(workshop_card(&county, "梨膏年销量").is_empty());
    let county_admin = app.district_admin("tonglu").await;
    let (_, hub) = county_admin.app.page("/staff/districts/tonglu").await;
    assert!(!texts(&hub, ".list a").iter().any(|t| t.contains("梨膏年销量")));
    // A seeded figure corrected: the note is public, on the workshop's page.
    let area: i64 = common::scalar_with(
        &app.db,
        "SELECT id FROM figures WHERE code = $1",
        "workshop-honey-pear-area",
    )
    .await;
    let (_, form) = keeper.app.page(&format!("/staff/content/figure/{area}")).await;
    let correct = attrs(&form, "#values-heading ~ ul.list a", "href")[0].clone();
    let (_, form) = keeper.app.page(&correct).await;
    let fields = facts_form(&form, &correct, &[("value", "2430"), ("note_zh", "面积复核")]);
    assert_eq!(post_to(&keeper.app, &correct, &fields).await.0, 303);
    let (_, public) = reader.page("/workshops/honey-pear").await;
    let card = workshop_card(&public, "占地面积");
    assert!(
        card.contains("2,430") && card.contains("原为 2,420") && card.contains("面积复核"),
        "{card}"
    );
    let actions: Vec<String> = common::column(
        &app.db,
        "SELECT action FROM audit_log WHERE action LIKE 'figure.%' ORDER BY id",
    )
    .await;
    assert_eq!(
        actions,
        ["figure.create", "figure.value_add", "figure.value_add", "figure.value_correct"]
    );
    // Another workshop's keeper, another district's admin and a volunteer
    // reach none of it; the county's admins do.
    let hangshu = app
        .persona(
            "杭蔬负责人",
            9014,
            &[linli::domain::Role::WorkshopKeeper { workshop: "hangshu-base".into() }],
        )
        .await;
    let gongshu: i64 =
        common::scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", "gongshu").await;
    let gongshu = app
        .persona("拱墅管理员", 9015, &[linli::domain::Role::DistrictAdmin { district_id: gongshu }])
        .await;
    let volunteer = app.volunteer(1).await;
    let (_, english) = hangshu.app.page("/staff/english").await;
    assert!(!attrs(&english, ".list a", "href").contains(&format!("/staff/content/figure/{id}")));
    for who in [&hangshu.app, &gongshu.app, &volunteer.app] {
        for path in [new.clone(), format!("/staff/content/figure/{id}"), add.clone()] {
            assert_eq!(who.get(&path).await.status().as_u16(), 403, "{path}");
        }
    }
    let (status, _) = county_admin.app.page(&format!("/staff/content/figure/{id}")).await;
    assert_eq!(status, 200);
}

async fn a_district_admin_adds_a_workshop(app: TestApp) {
    let admin = app.district_admin("tonglu").await;
    let new = "/staff/districts/tonglu/workshops/new";
    let (_, hub) = admin.app.page("/staff/districts/tonglu").await;
    assert!(attrs(&hub, "a", "href").contains(&new.to_owned()));
    let token = admin.app.csrf_token(new).await;
    let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut out = vec![("csrf_token".to_owned(), token.clone())];
        out.extend(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        out
    };
    // Each missing or wrong field is named; nothing is added.
    let before = count(&app.db, "SELECT COUNT(*) FROM workshops").await;
    let (status, html) =
        post_fields(&admin.app, new, &form(&[("slug", "蜜梨"), ("name_zh", "板栗工坊")])).await;
    assert_eq!(status, 422);
    let summary = texts(&html, ".error-summary li");
    assert!(
        summary.iter().any(|l| l.starts_with("网址名（可不填）：只能用小写字母")),
        "{summary:?}"
    );
    assert!(summary.iter().any(|l| l.starts_with("类别：")), "{summary:?}");
    assert_eq!(attr(&html, "#f-name_zh", "value"), "板栗工坊");
    assert_eq!(attr(&html, "#f-slug", "value"), "蜜梨");
    let good = [
        ("name_zh", "板栗工坊"),
        ("category", "food_processing"),
        ("town_zh", "钟山乡"),
        ("villages_zh", "大市村"),
        ("summary_zh", "收购村里的板栗，炒制、包装后网上销售。"),
    ];
    // An address another workshop has is refused at its field.
    let mut taken = good.to_vec();
    taken.push(("slug", "honey-pear"));
    let (status, html) = post_fields(&admin.app, new, &form(&taken)).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-slug-error"), "错误：这个网址名已经有人用了，请换一个");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM workshops").await, before);
    // Added: its form opens, the listing and search find it.
    let mut ok = good.to_vec();
    ok.push(("slug", "Chestnut-Craft"));
    let res = admin.app.client.post(admin.app.url(new)).form(&form(&ok)).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/staff/workshops/chestnut-craft");
    let (status, html) = admin.app.page("/staff/workshops/chestnut-craft").await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".flash"), "工坊已添加。请到“用户和角色”给它的管理员授予角色。");
    let (_, html) = app.page("/workshops?q=%E6%9D%BF%E6%A0%97").await; // 板栗
    assert_eq!(texts(&html, ".cards h3 a"), ["板栗工坊"]);
    let (_, html) = admin.app.page("/staff/workshops/chestnut-craft/history").await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 1 版 · 当前版本"]);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'workshop.create'").await,
        1
    );
    // Without an address name the portal chooses one; saved as a draft,
    // the public sees nothing of it until it is published.
    let res = admin
        .app
        .client
        .post(admin.app.url(new))
        .form(&form(&[
            ("name_zh", "竹编工坊"),
            ("category", "handicraft"),
            ("summary_zh", "竹编。"),
            ("action", "draft"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let edit = res.headers()["location"].to_str().unwrap().to_owned();
    let slug = edit.trim_start_matches("/staff/workshops/").to_owned();
    assert!(slug.starts_with("ws-"), "{slug}");
    assert_eq!(app.get(&format!("/workshops/{slug}")).await.status().as_u16(), 404);
    let (status, page) = admin.app.page(&format!("/staff/workshops/{slug}/preview")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&page, "h1"), "竹编工坊");
    let (_, html) = app.page("/workshops?q=%E7%AB%B9%E7%BC%96").await; // 竹编
    assert!(texts(&html, ".cards h3 a").is_empty());
    let (_, html) = admin.app.page(&edit).await;
    assert!(html.select(&scraper::Selector::parse("#f-draft[checked]").unwrap()).next().is_some());
    let fields: Vec<(String, String)> =
        facts_form(&html, &edit, &[]).into_iter().filter(|(k, _)| k != "draft").collect();
    assert_eq!(post_fields(&admin.app, &edit, &fields).await.0, 303);
    assert_eq!(app.get(&format!("/workshops/{slug}")).await.status().as_u16(), 200);
    // Another district's admin adds nothing to Tonglu.
    let xihu = app
        .persona(
            "西湖管理员",
            9015,
            &[linli::domain::Role::DistrictAdmin {
                district_id: scalar(&app.db, "SELECT id FROM districts WHERE slug = 'xihu'").await,
            }],
        )
        .await;
    assert_eq!(xihu.app.get(new).await.status().as_u16(), 403);
    // Nor puts a workshop of Xihu in a town of Tonglu.
    let baijiang: i64 =
        scalar(&app.db, "SELECT id FROM territories WHERE name_zh = '百江镇'").await;
    let xihu_new = "/staff/districts/xihu/workshops/new";
    let token = xihu.app.csrf_token(xihu_new).await;
    let fields: Vec<(String, String)> = [
        ("csrf_token", token.as_str()),
        ("name_zh", "西湖工坊"),
        ("category", "farming"),
        ("summary_zh", "介绍"),
        ("town", &baijiang.to_string()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let (status, html) = post_fields(&xihu.app, xihu_new, &fields).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-town-error"), "错误：请从列表中选择");
}

async fn towns_are_a_tree_that_workshops_choose_from(app: TestApp) {
    // The article's data moved into the tree: a city, its districts and
    // county, and the towns workshops named; a county or a village named as
    // a town is no town.
    let (_, html) = app.page("/workshops").await;
    let towns: Vec<String> = texts(&html, "#f-town option").into_iter().skip(1).collect();
    assert_eq!(towns, ["富春江镇", "横村镇", "百江镇", "钟山乡"]);
    let nodes: Vec<String> = common::column(
        &app.db,
        "SELECT t.kind || ':' || t.name_zh || '<' || COALESCE(p.name_zh, '') FROM territories t \
         LEFT JOIN territories p ON p.id = t.parent_id ORDER BY t.kind, t.name_zh",
    )
    .await;
    assert!(nodes.contains(&"city:杭州市<".to_owned()), "{nodes:?}");
    assert!(nodes.contains(&"county:桐庐县<杭州市".to_owned()), "{nodes:?}");
    assert!(nodes.contains(&"district:西湖区<杭州市".to_owned()), "{nodes:?}");
    assert!(nodes.contains(&"town:钟山乡<桐庐县".to_owned()), "{nodes:?}");
    assert!(!nodes.iter().any(|n| n.contains("深澳村")), "{nodes:?}");
    assert_eq!(linli::db::territories::adopt(&app.db).await.unwrap(), 0, "built once");
    // The district's admin adds a town; a bad or taken name is refused.
    let admin = app.district_admin("tonglu").await;
    let page = "/staff/districts/tonglu/towns";
    let (_, hub) = admin.app.page("/staff/districts/tonglu").await;
    assert!(attrs(&hub, "a", "href").contains(&page.to_owned()));
    let token = admin.app.csrf_token(page).await;
    let client = &admin.app;
    let add = |name: &'static str| {
        let token = token.clone();
        async move {
            let fields: Vec<(String, String)> = vec![
                ("csrf_token".into(), token),
                ("kind".into(), "town".into()),
                ("name_zh".into(), name.into()),
                ("name_en".into(), "Jiangnan Town".into()),
            ];
            post_fields(client, page, &fields).await
        }
    };
    let (status, html) = add("江").await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-name_zh-error"), "错误：请写2到20个字的名称");
    assert_eq!(attr(&html, "#f-name_zh", "value"), "江");
    let (status, _) = add("江南镇").await;
    assert_eq!(status, 303);
    let (status, html) = add("江南镇").await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-name_zh-error"), "错误：本地区已经有这个名称了");
    // A keeper puts the workshop in it: a choice among the district's towns.
    let keeper = app.workshop_keeper("shenao-artisans").await;
    let edit = "/staff/workshops/shenao-artisans";
    let (_, html) = keeper.app.page(edit).await;
    let choices = texts(&html, "#f-town option");
    assert_eq!(choices[0], "不在某个乡镇（桐庐县）");
    assert_eq!(attr(&html, "#f-town option[selected]", "value"), "", "at large until now");
    let jiangnan: i64 =
        scalar(&app.db, "SELECT id FROM territories WHERE name_zh = '江南镇'").await;
    let xihu_town: i64 = count(
        &app.db,
        "SELECT COUNT(*) FROM territories t JOIN districts d ON t.parent_id = d.territory_id \
         WHERE d.slug = 'xihu' AND t.kind = 'town'",
    )
    .await;
    assert_eq!(xihu_town, 0);
    let fields = facts_form(&html, edit, &[("town", &jiangnan.to_string())]);
    let (status, _) = post_fields(&keeper.app, edit, &fields).await;
    assert_eq!(status, 303);
    let (_, html) = app.page("/workshops/shenao-artisans").await;
    assert!(text(&html, ".kind").contains("江南镇"), "{}", text(&html, ".kind"));
    let (_, html) = app.page("/workshops").await;
    assert!(texts(&html, "#f-town option").contains(&"江南镇".to_owned()));
    // A town of another district is no choice.
    exec(
        &app.db,
        "UPDATE workshops SET district_id = (SELECT id FROM districts WHERE slug = 'gongshu') \
         WHERE slug = 'hangshu-base'",
    )
    .await;
    let hangshu = app
        .persona(
            "杭蔬负责人",
            9016,
            &[linli::domain::Role::WorkshopKeeper { workshop: "hangshu-base".into() }],
        )
        .await;
    let other = "/staff/workshops/hangshu-base";
    let (_, html) = hangshu.app.page(other).await;
    let fields = facts_form(&html, other, &[("town", &jiangnan.to_string())]);
    let (status, html) = post_fields(&hangshu.app, other, &fields).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-town-error"), "错误：请从列表中选择");
}

/// A category's name finds its workshops, in either language, also after
/// a keeper saves one ("编织" finds the 手工编织 workshop 喜乐·巧手).
async fn search_finds_category_names(app: TestApp) {
    let found = |html: &Html| attrs(html, ".cards h3 a", "href");
    let (_, html) = app.page("/workshops?q=%E7%BC%96%E7%BB%87").await;
    assert_eq!(found(&html), ["/workshops/joy-skilful-hands"]);
    let (_, html) = app.page("/workshops?q=Handicraft").await;
    assert_eq!(found(&html), ["/workshops/joy-skilful-hands"]);
    // Saved by its keeper: found the same way.
    let keeper = app.workshop_keeper("joy-skilful-hands").await;
    let page = "/staff/workshops/joy-skilful-hands";
    let (_, form) = keeper.page(page).await;
    let fields = facts_form(&form, page, &[("summary_en", "Weaving at home for a wage.")]);
    let (status, _) = post_fields(&keeper.app, page, &fields).await;
    assert_eq!(status, 303, "saved");
    let summary: String =
        scalar(&app.db, "SELECT summary_en FROM workshops WHERE slug = 'joy-skilful-hands'").await;
    assert_eq!(summary, "Weaving at home for a wage.");
    let (_, html) = app.new_anonymous().page("/workshops?q=%E7%BC%96%E7%BB%87").await;
    assert_eq!(found(&html), ["/workshops/joy-skilful-hands"]);
}

/// "20余人" is 20 for sorting and open data, and "20+" wherever the number
/// goes; 蜜桃红's 42,000 a year is 3,500 a month × 12, computed here and
/// said to be. Keepers type both the same way (120+, 3500×12).
async fn more_than_counts_and_computed_incomes_say_so_everywhere(app: TestApp) {
    let (_, html) = app.page("/workshops/hangshu-base").await;
    assert!(text(&html, "main").contains("吸纳就业 20+ 人"), "{}", text(&html, "main"));
    let (_, html) = app.page("/workshops/honey-peach-red").await;
    assert!(
        text(&html, "main").contains("人均年增收 42,000 元（本站按 3500×12 算出，不是报道的数字）")
    );
    let (_, html) = app.page("/workshops").await;
    assert!(text(&html, ".totals-grid").contains('+'), "the portal's total is a lower bound");
    let en = app.new_anonymous();
    en.switch_lang("en").await;
    let (_, html) = en.page("/workshops/joy-skilful-hands").await;
    assert!(text(&html, "main").contains("120+ people employed"));
    let (_, html) = en.page("/workshops/honey-peach-red").await;
    assert!(
        text(&html, "main").contains("(computed by this portal as 3500×12, not a reported figure)")
    );

    // Open data: the exact number, its qualifier, how an income was computed.
    let json: serde_json::Value = app.get("/api/v1/workshops").await.json().await.unwrap();
    let of = |slug: &str| {
        json["workshops"].as_array().unwrap().iter().find(|w| w["slug"] == slug).cloned().unwrap()
    };
    assert_eq!(
        (
            of("hangshu-base")["employed"].as_i64(),
            of("hangshu-base")["employed_qualifier"].as_str()
        ),
        (Some(20), Some("more_than"))
    );
    assert_eq!(of("honey-peach-red")["employed_qualifier"], "exact");
    assert_eq!(of("honey-peach-red")["income_computed_as"], "3500×12");
    assert!(of("hangshu-base")["income_computed_as"].is_null());
    let csv = app.get("/workshops.csv").await.text().await.unwrap();
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let row: Vec<&str> =
        lines.find(|l| l.starts_with("honey-peach-red,")).unwrap().split(',').collect();
    assert_eq!(
        (
            row[col("employed")],
            row[col("employed_qualifier")],
            row[col("income_per_person_year")],
            row[col("income_computed_as")]
        ),
        ("50", "exact", "42000", "3500×12")
    );
    // Sorting reads the exact number: 120 before 50 before 20.
    let (_, html) = app.page("/workshops?sort=employed").await;
    let order = attrs(&html, ".cards h3 a", "href");
    let at = |slug: &str| order.iter().position(|h| h.ends_with(slug)).unwrap();
    assert!(
        at("joy-skilful-hands") < at("honey-peach-red")
            && at("honey-peach-red") < at("hangshu-base"),
        "{order:?}"
    );

    // The keeper types them so, gets them back so, and bad ones at the field.
    let keeper = app.workshop_keeper("hangshu-base").await;
    let page = "/staff/workshops/hangshu-base";
    let (_, form) = keeper.page(page).await;
    assert_eq!(attr(&form, "#f-employed", "value"), "20+");
    let bad = facts_form(&form, page, &[("employed", "+"), ("income_per_person_year", "3500×")]);
    let (status, html) = post_fields(&keeper.app, page, &bad).await;
    assert_eq!(status, 422);
    assert!(text(&html, "#f-employed-error").contains("整数"));
    assert!(text(&html, "#f-income_per_person_year-error").contains("3500×12"));
    assert_eq!(attr(&html, "#f-income_per_person_year", "value"), "3500×", "kept as typed");
    let good =
        facts_form(&form, page, &[("employed", "30+"), ("income_per_person_year", "2,000×12")]);
    let (status, _) = post_fields(&keeper.app, page, &good).await;
    assert_eq!(status, 303);
    let (_, html) = app.new_anonymous().page("/workshops/hangshu-base").await;
    assert!(text(&html, "main").contains("吸纳就业 30+ 人"));
    assert!(text(&html, "main").contains("人均年增收 24,000 元（本站按 2000×12 算出"));
    let (_, form) = keeper.page(page).await;
    assert_eq!(attr(&form, "#f-income_per_person_year", "value"), "2000×12");
}

/// A revision saved while a workshop's figures were rows of its form
/// still restores: its facts come back; its figure rows are named on the
/// history page but no longer read (each figure keeps its own values).
async fn a_revision_saved_while_figures_were_in_the_form_still_restores(app: TestApp) {
    use linli::domain::revision::Fields;
    let keeper = app.workshop_keeper("honey-pear").await;
    let edit = "/staff/workshops/honey-pear";
    let (_, html) = keeper.app.page(edit).await;
    let mine = facts_form(&html, edit, &[("contact", "0571-6461 2345"), ("note", "换了电话")]);
    assert_eq!(post_fields(&keeper.app, edit, &mine).await.0, 303);
    // Revision 0 as it was stored then: with a figure row.
    let stored: String = scalar(
        &app.db,
        "SELECT r.snapshot FROM revisions r JOIN workshops w ON w.id = r.item_id \
         WHERE r.item_kind = 'workshop' AND w.slug = 'honey-pear' AND r.number = 0",
    )
    .await;
    let mut old = Fields::from_stored(&stored);
    for (name, value) in [
        ("fig0_label_zh", "占地面积"),
        ("fig0_value", "2400"),
        ("fig0_unit_zh", "平方米"),
        ("fig0_qualifier", "exact"),
        ("fig0_source_zh", "钟山乡政府"),
    ] {
        old.set(name, value);
    }
    let sql = format!(
        "UPDATE revisions SET snapshot = '{}' WHERE item_kind = 'workshop' \
         AND number = 0 AND item_id = (SELECT id FROM workshops WHERE slug = 'honey-pear')",
        old.to_stored().replace('\'', "''")
    );
    common::exec_script(&app.db, sql).await;
    let restore = format!("{edit}/restore");
    let token = keeper.app.csrf_token(&format!("{edit}/history")).await;
    let res = keeper
        .app
        .client
        .post(keeper.app.url(&restore))
        .form(&[("csrf_token", token.as_str()), ("version", "1"), ("revision", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, after) = keeper.app.page(&format!("{edit}/history")).await;
    assert!(!text(&after, ".flash").contains("不能"), "{}", text(&after, ".flash"));
    assert_eq!(texts(&after, ".revisions > li h2")[0], "第 2 版 · 当前版本");
    let contact: Option<String> =
        scalar(&app.db, "SELECT contact FROM workshops WHERE slug = 'honey-pear'").await;
    assert_ne!(contact.as_deref(), Some("0571-6461 2345"), "the facts are back");
    let area: f64 =
        scalar(&app.db, "SELECT value FROM figures WHERE code = 'workshop-honey-pear-area'").await;
    assert_eq!(area, 2420.0, "the figure keeps its own value");
}
