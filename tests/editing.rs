//! Staff keep places current: a keeper's hours, closures, amenities and
//! contact; a district admin's every field; revisions, restore, and the
//! refusal of a save made from an older version. On SQLite and PostgreSQL.

mod common;

use common::STATION;
use common::{TestApp, attr, attrs, count, scalar_for_id, scalar_with, text, texts};
use scraper::Html;

on_both_databases!(
    a_keeper_keeps_hours_closure_amenities_and_contact,
    bad_input_comes_back_at_the_field_and_nothing_is_saved,
    a_save_from_an_older_version_is_refused_with_both_versions,
    history_lists_each_change_and_restores_an_old_revision,
    a_district_admin_edits_every_field_and_takes_a_place_out_of_service,
    hours_read_in_english_too,
    the_audit_log_filters_pages_and_exports,
    the_console_counts_what_waits_and_lists_what_needs_english,
    a_district_admin_adds_a_place_and_goes_on_to_its_hours,
    a_new_place_can_wait_as_a_draft,
    a_keeper_shows_the_place_in_photos,
    workshops_districts_and_stories_have_photos_too,
    bad_uploads_are_refused_at_the_field_and_nothing_is_stored,
);

/// The fields of the edit form at `path` as the page shows them (what a
/// browser would send back unchanged), with `changes` applied.
async fn form_fields(
    client: &TestApp,
    path: &str,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    let (status, html) = client.page(path).await;
    assert_eq!(status, 200, "{path}");
    form_of(&html, changes)
}

fn form_of(html: &Html, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let inputs =
        scraper::Selector::parse("form[action$='/edit'] input, form[action$='/edit'] textarea")
            .unwrap();
    for e in html.select(&inputs) {
        let Some(name) = e.attr("name") else { continue };
        let value = if e.value().name() == "textarea" {
            e.text().collect::<String>()
        } else {
            e.attr("value").unwrap_or("").to_owned()
        };
        if e.attr("type") == Some("checkbox") && e.attr("checked").is_none() {
            continue;
        }
        out.push((name.to_owned(), value));
    }
    for (name, value) in changes {
        match (*name, *value) {
            // A checkbox group: `-code` unticks one box, `code` ticks it.
            ("amenities", v) if v.starts_with('-') => {
                out.retain(|(n, have)| !(n == "amenities" && have == &v[1..]));
            }
            ("amenities", v) => out.push(("amenities".into(), v.into())),
            // An unticked checkbox is not sent at all.
            ("in_service", "") => out.retain(|(n, _)| n != "in_service"),
            (name, v) => {
                out.retain(|(n, _)| n != name);
                out.push((name.into(), v.into()));
            }
        }
    }
    out
}

async fn post(client: &TestApp, path: &str, fields: &[(String, String)]) -> (u16, String) {
    let res = client.client.post(client.url(path)).form(fields).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

fn today() -> String {
    linli::domain::format::today().to_string()
}

async fn a_keeper_keeps_hours_closure_amenities_and_contact(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    // The station's staff page leads to the form.
    let (_, staff) = keeper.app.page(&format!("/staff/places/{id}")).await;
    assert!(attrs(&staff, "a", "href").contains(&edit));
    let (_, html) = keeper.app.page(&edit).await;
    assert!(html.select(&sel("#f-name_zh")).next().is_none(), "a keeper does not rename the place");
    let today = today();
    let fields = form_fields(
        &keeper.app,
        &edit,
        &[
            ("mon", "8:00-12:00, 14:00-18:00"),
            ("tue", "８:００-18:00"),
            ("sat", "24小时"),
            ("closed_until", &today),
            ("closed_reason_zh", "停电检修"),
            ("contact", "0571-8800 1234"),
            ("amenities", "hot_water"),
            ("amenities", "-microwave"),
            ("exc0_from", "2027-02-10"),
            ("exc0_to", "2027-02-12"),
            ("exc0_note_zh", "春节休息"),
            ("note", "冬季时间"),
        ],
    )
    .await;
    // A keeper's form carries no name; one sent anyway changes nothing.
    let mut sneaky = fields.clone();
    sneaky.push(("name_zh".into(), "改名驿站".into()));
    let (status, _) = post(&keeper.app, &edit, &sneaky).await;
    assert_eq!(status, 303);
    // The public page: closed today with the reason, the week, the contact.
    let (_, page) = app.new_anonymous().page(&format!("/stations/{id}")).await;
    assert_eq!(text(&page, "h1"), "中帽西丽环境科技集团有限公司爱心驿站");
    assert_eq!(text(&page, ".status-line"), "今天暂停开放 · 停电检修");
    // Today's row says so to screen readers; the rest read the same.
    let rows: Vec<String> =
        texts(&page, "table.hours tr").iter().map(|r| r.replace(" 今天", "")).collect();
    assert_eq!(rows[0], "周一08:00–12:00, 14:00–18:00");
    assert_eq!(rows[1], "周二08:00–18:00");
    assert_eq!(rows[2], "周三休息");
    assert_eq!(rows[5], "周六24小时");
    assert!(!text(&page, ".facts").contains("未公布"));
    assert_eq!(texts(&page, ".exceptions li"), ["2027年2月10日–2027年2月12日：休息（春节休息）"]);
    assert_eq!(attr(&page, "a[href^='tel:']", "href"), "tel:057188001234");
    assert_eq!(texts(&page, ".amenities li"), ["热水", "歇脚座椅"]);
    assert!(text(&page, ".updated").starts_with("最后更新："));
    // One revision (and the seeded state before it), audited in the same
    // transaction as the save.
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions WHERE item_kind = 'place'").await, 2);
    let audited: i64 = scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'place.update' AND actor_id = $1",
        keeper.id,
    )
    .await;
    assert_eq!(audited, 1);
    // Reopening: the closure is emptied, the day's hours decide.
    let fields =
        form_fields(&keeper.app, &edit, &[("closed_until", ""), ("closed_reason_zh", "")]).await;
    let (status, _) = post(&keeper.app, &edit, &fields).await;
    assert_eq!(status, 303);
    let (_, page) = app.new_anonymous().page(&format!("/stations/{id}")).await;
    let status_line = text(&page, ".status-line");
    assert!(
        status_line.starts_with("开放中") || status_line.starts_with("休息中"),
        "{status_line}"
    );
    // The same form a second time changes nothing and writes nothing.
    let fields = form_fields(&keeper.app, &edit, &[]).await;
    let (status, _) = post(&keeper.app, &edit, &fields).await;
    assert_eq!(status, 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions WHERE item_kind = 'place'").await, 3);
    let (_, html) = keeper.app.page(&edit).await;
    assert!(text(&html, ".flash").contains("没有改动"), "{}", text(&html, ".flash"));
}

fn sel(s: &str) -> scraper::Selector {
    scraper::Selector::parse(s).unwrap()
}

async fn bad_input_comes_back_at_the_field_and_nothing_is_saved(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    let fields = form_fields(
        &keeper.app,
        &edit,
        &[
            ("mon", "18:00-8:00"),
            ("contact", "13812345678"),
            ("closed_until", "2020-01-01"),
            ("exc0_to", "2027-01-01"),
            ("note", "一条说明"),
        ],
    )
    .await;
    let (status, body) = post(&keeper.app, &edit, &fields).await;
    assert_eq!(status, 422);
    let html = Html::parse_document(&body);
    assert!(text(&html, "title").starts_with("有错误："), "{}", text(&html, "title"));
    let summary = attrs(&html, ".error-summary a", "href");
    for field in ["#f-closed_until", "#f-mon", "#f-exc0_from", "#f-contact"] {
        assert!(summary.contains(&field.to_owned()), "{field} in {summary:?}");
    }
    assert_eq!(text(&html, "#f-mon-error"), "错误：关门时间要晚于开门时间");
    // The summary says which day it is about.
    assert!(texts(&html, ".error-summary li").contains(&"周一：关门时间要晚于开门时间".to_owned()));
    assert!(text(&html, "#f-contact-error").contains("不要填个人手机"));
    assert_eq!(attr(&html, "#f-mon", "value"), "18:00-8:00", "what was typed is kept");
    assert_eq!(attr(&html, "#f-contact", "value"), "13812345678");
    assert_eq!(attr(&html, "#f-note", "value"), "一条说明");
    assert_eq!(attr(&html, "#f-mon", "aria-invalid"), "true");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions").await, 0);
    let version: i64 =
        scalar_for_id(&app.db, "SELECT CAST(version AS BIGINT) FROM places WHERE id = $1", id)
            .await;
    assert_eq!(version, 0, "nothing was half-saved");
    // A control character is refused at its field, in English too.
    keeper.app.switch_lang("en").await;
    let fields = form_fields(&keeper.app, &edit, &[("hours_note_zh", "a\u{1}b")]).await;
    let (status, body) = post(&keeper.app, &edit, &fields).await;
    assert_eq!(status, 422);
    let html = Html::parse_document(&body);
    assert!(text(&html, "#f-hours_note_zh-error").contains("special characters"));
}

async fn a_save_from_an_older_version_is_refused_with_both_versions(app: TestApp) {
    let keeper = app.station_keeper().await;
    let admin = app.district_admin("xihu").await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    // Both open the form on the same version.
    let keepers =
        form_fields(&keeper.app, &edit, &[("mon", "9:00-17:00"), ("note", "站长的修改")]).await;
    let admins = form_fields(&admin.app, &edit, &[("mon", "8:00-17:00")]).await;
    let (status, _) = post(&admin.app, &edit, &admins).await;
    assert_eq!(status, 303, "the first save goes through");
    let (status, body) = post(&keeper.app, &edit, &keepers).await;
    assert_eq!(status, 409, "the second is refused");
    let html = Html::parse_document(&body);
    let title = text(&html, "#conflict-title");
    assert!(title.starts_with("区管理员 在 "), "{title}");
    assert!(title.ends_with("改过这里，在您打开这个页面之后"), "{title}");
    let rows = texts(&html, "table.compare tbody tr");
    assert_eq!(rows, ["周一08:00-17:0009:00-17:00"], "the field, theirs and mine");
    assert_eq!(attr(&html, "#f-mon", "value"), "9:00-17:00", "the second editor's input is kept");
    assert_eq!(attr(&html, "#f-note", "value"), "站长的修改");
    assert_eq!(attr(&html, "input[name=version]", "value"), "1");
    let stored: String =
        scalar_for_id(&app.db, "SELECT week_hours FROM places WHERE id = $1", id).await;
    assert!(stored.contains("08:00-17:00"), "the first save stands: {stored}");
    // Having seen both, the keeper saves over it knowingly.
    let again = form_of(&html, &[]);
    let (status, _) = post(&keeper.app, &edit, &again).await;
    assert_eq!(status, 303);
    let stored: String =
        scalar_for_id(&app.db, "SELECT week_hours FROM places WHERE id = $1", id).await;
    assert!(stored.contains("09:00-17:00"), "{stored}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions").await, 3);
    // Two saves released together from one version: one wins, one is
    // refused, none is lost silently.
    let a = form_fields(&keeper.app, &edit, &[("tue", "7:00-11:00")]).await;
    let b = form_fields(&admin.app, &edit, &[("wed", "7:00-12:00")]).await;
    let (ra, rb) = tokio::join!(post(&keeper.app, &edit, &a), post(&admin.app, &edit, &b));
    let mut statuses = [ra.0, rb.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions").await, 4);
}

async fn history_lists_each_change_and_restores_an_old_revision(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    let history = format!("/staff/places/{id}/history");
    let (_, html) = keeper.app.page(&history).await;
    assert_eq!(text(&html, "p.empty"), "还没有在网站上修改过。");
    for (contact, note) in [("0571-1111111", "第一次"), ("0571-2222222", "")] {
        let fields = form_fields(&keeper.app, &edit, &[("contact", contact), ("note", note)]).await;
        assert_eq!(post(&keeper.app, &edit, &fields).await.0, 303);
    }
    let (status, html) = keeper.app.page(&history).await;
    assert_eq!(status, 200);
    let heads = texts(&html, ".revisions h2");
    assert_eq!(heads, ["第 2 版 · 当前版本", "第 1 版", "第 0 版"]);
    let latest = texts(&html, "#r2 tbody tr");
    assert_eq!(latest, ["服务电话0571-11111110571-2222222"]);
    assert!(text(&html, "#r1").contains("修改说明：第一次"));
    assert!(text(&html, "#r1").contains("站长"));
    assert!(text(&html, "#r0").contains("原始内容"));
    // Restore revision 1: a new revision with revision 1's contact.
    let token = keeper.app.csrf_token(&history).await;
    let restore = format!("/staff/places/{id}/restore");
    let fields: Vec<(String, String)> = vec![
        ("csrf_token".into(), token.clone()),
        ("version".into(), "2".into()),
        ("revision".into(), "1".into()),
    ];
    assert_eq!(post(&keeper.app, &restore, &fields).await.0, 303);
    let contact: String =
        scalar_for_id(&app.db, "SELECT contact FROM places WHERE id = $1", id).await;
    assert_eq!(contact, "0571-1111111");
    let (_, html) = keeper.app.page(&history).await;
    assert!(text(&html, "#r3").contains("恢复自第 1 版"));
    assert!(text(&html, ".flash").contains("已恢复"));
    let restored: i64 =
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'place.restore'").await;
    assert_eq!(restored, 1);
    // A restore from a page that is out of date is refused, as a save is.
    let stale = vec![
        ("csrf_token".into(), token.clone()),
        ("version".into(), "2".into()),
        ("revision".into(), "0".into()),
    ];
    assert_eq!(post(&keeper.app, &restore, &stale).await.0, 303);
    let (_, html) = keeper.app.page(&history).await;
    assert!(text(&html, ".flash").contains("别人又改过了"));
    // Revision 0 brings back the seeded state (no contact).
    let back = vec![
        ("csrf_token".into(), token.clone()),
        ("version".into(), "3".into()),
        ("revision".into(), "0".into()),
    ];
    assert_eq!(post(&keeper.app, &restore, &back).await.0, 303);
    let none: i64 = count(
        &app.db,
        "SELECT COUNT(*) FROM places WHERE code = 'xh-zmxl-station' AND contact IS NULL",
    )
    .await;
    assert_eq!(none, 1);
    // No such revision: said, nothing written.
    let missing = vec![
        ("csrf_token".into(), token),
        ("version".into(), "4".into()),
        ("revision".into(), "99".into()),
    ];
    assert_eq!(post(&keeper.app, &restore, &missing).await.0, 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM revisions").await, 5);
}

async fn a_district_admin_edits_every_field_and_takes_a_place_out_of_service(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    let (_, html) = admin.app.page(&edit).await;
    assert_eq!(attr(&html, "#f-name_zh", "value"), "中帽西丽环境科技集团有限公司爱心驿站");
    // Bad coordinates first: kept and named.
    let fields = form_fields(&admin.app, &edit, &[("latitude", "130"), ("longitude", "")]).await;
    let (status, body) = post(&admin.app, &edit, &fields).await;
    assert_eq!(status, 422);
    let html = Html::parse_document(&body);
    assert_eq!(attr(&html, "#f-latitude", "value"), "130");
    assert!(text(&html, "#f-latitude-error").contains("不在中国境内"));
    let fields = form_fields(
        &admin.app,
        &edit,
        &[
            ("name_zh", "之江爱心驿站"),
            ("summary_zh", "新的简介"),
            ("latitude", "30.2741"),
            ("longitude", "120.1551"),
            ("in_service", ""),
        ],
    )
    .await;
    assert_eq!(post(&admin.app, &edit, &fields).await.0, 303);
    let (_, page) = app.new_anonymous().page(&format!("/stations/{id}")).await;
    assert_eq!(text(&page, "h1"), "之江爱心驿站");
    assert_eq!(text(&page, ".status-line"), "暂停开放");
    assert!(
        attrs(&page, "a.door", "href").iter().all(|h| !h.starts_with("/wishes/new")),
        "a station out of service takes no wishes"
    );
    let maps = attrs(&page, ".facts a[rel~=external]", "href");
    assert!(
        maps[0].starts_with("https://uri.amap.com/marker?position=120.1551,30.2741&name="),
        "{maps:?}"
    );
    assert!(
        maps[1].starts_with("https://api.map.baidu.com/marker?location=30.2741,120.1551"),
        "{maps:?}"
    );
    // The wish form no longer offers the station either.
    let code_open: i64 = count(
        &app.db,
        "SELECT COUNT(*) FROM places WHERE code = 'xh-zmxl-station' AND is_open = FALSE",
    )
    .await;
    assert_eq!(code_open, 1);
    // Another district's admin may not open the form.
    let gongshu: i64 =
        scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", "gongshu").await;
    let other = app
        .persona("拱墅管理员", 9010, &[linli::domain::Role::DistrictAdmin { district_id: gongshu }])
        .await;
    assert_eq!(other.app.get(&edit).await.status().as_u16(), 403);
}

async fn hours_read_in_english_too(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    keeper.app.switch_lang("en").await;
    let (_, html) = keeper.app.page(&edit).await;
    assert_eq!(text(&html, ".lede"), "Zhongmao Xili Environmental Technology Group Love Station");
    let fields =
        form_fields(&keeper.app, &edit, &[("mon", "9-17"), ("hours_note_zh", "节假日照常")]).await;
    assert_eq!(post(&keeper.app, &edit, &fields).await.0, 303);
    let reader = app.new_anonymous();
    reader.switch_lang("en").await;
    let (_, page) = reader.page(&format!("/stations/{id}")).await;
    let rows: Vec<String> =
        texts(&page, "table.hours tr").iter().map(|r| r.replace(" today", "")).collect();
    assert_eq!(rows[0], "Mon09:00–17:00");
    assert_eq!(rows[1], "TueClosed");
    assert!(text(&page, ".updated").starts_with("Last updated: "));
    // The Chinese note stands in for the missing English, marked as such.
    assert_eq!(attr(&page, ".facts dd p span[lang]", "lang"), "zh-CN");
}

async fn the_audit_log_filters_pages_and_exports(app: TestApp) {
    let keeper = app.station_keeper().await;
    let admin = app.site_admin().await;
    let id = app.place_id(STATION).await;
    let edit = format!("/staff/places/{id}/edit");
    let fields = form_fields(&keeper.app, &edit, &[("contact", "0571-1234567")]).await;
    assert_eq!(post(&keeper.app, &edit, &fields).await.0, 303);
    let (status, html) = admin.app.page("/staff/audit").await;
    assert_eq!(status, 200);
    assert!(texts(&html, ".audit li strong").contains(&"修改场所".to_owned()));
    assert_eq!(
        attrs(&html, ".audit li a", "href")[0],
        format!("/staff/places/{id}/history"),
        "the newest row links to the item's history"
    );
    // Who: only the keeper's rows.
    let (_, html) = admin.app.page(&format!("/staff/audit?who={}", keeper.id)).await;
    let metas = texts(&html, ".audit .meta");
    assert!(!metas.is_empty() && metas.iter().all(|m| m.contains(&format!("(#{})", keeper.id))));
    // Kind and item; a date range in the future finds nothing.
    let (_, html) = admin.app.page(&format!("/staff/audit?kind=place&item={id}")).await;
    assert_eq!(texts(&html, ".audit li").len(), 1);
    let (_, html) = admin.app.page("/staff/audit?from=2099-01-01&to=2099-01-02").await;
    assert_eq!(text(&html, "p.empty"), "没有符合条件的记录。");
    // Bad filters: named at the field, what was typed kept, the rest applied.
    let (status, html) = admin.app.page("/staff/audit?from=yesterday&item=7&kind=place").await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "#f-from-error"), "错误：请按“2026-10-01”的样子填写日期");
    assert_eq!(attr(&html, "#f-from", "value"), "yesterday");
    let (_, html) = admin.app.page("/staff/audit?item=7").await;
    assert!(text(&html, "#f-item-error").contains("请先选择内容类型"));
    // A page at a time.
    let now = chrono::Utc::now();
    for i in 0..120 {
        linli::db::audit::audit(&app.db, Some(admin.id), "test.row", &format!("user:{i}"), "", now)
            .await
            .unwrap();
    }
    let (_, html) = admin.app.page(&format!("/staff/audit?who={}", admin.id)).await;
    assert_eq!(texts(&html, ".audit li").len(), 50);
    assert_eq!(text(&html, "#results-heading"), "找到 50+ 条");
    let next = attr(&html, "a[rel=next]", "href");
    assert_eq!(next, format!("/staff/audit?who={}&page=2", admin.id));
    let theirs: i64 =
        scalar_for_id(&app.db, "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1", admin.id)
            .await;
    assert!(theirs > 100 && theirs <= 150, "{theirs}");
    let (_, html) = admin.app.page(&format!("/staff/audit?who={}&page=3", admin.id)).await;
    assert_eq!(texts(&html, ".audit li").len() as i64, theirs - 100);
    assert_eq!(
        text(&html, "#results-heading"),
        format!("找到 {theirs} 条"),
        "the last page counts"
    );
    // The export: the filtered rows in the reader's language, and audited.
    let res = admin.app.get(&format!("/staff/audit.csv?who={}", admin.id)).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.unwrap();
    assert!(body.starts_with("\u{feff}序号,时间,操作人,操作代码,操作,对象,详情\r\n"), "{body:.80}");
    // The header, the export's own row (written first, so it is on record
    // even when the download fails), and every earlier row.
    assert_eq!(body.lines().count() as i64, 2 + theirs);
    assert!(body.lines().nth(1).unwrap().contains(",audit.export,"), "{body:.300}");
    let exports: i64 = count(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'audit.export' AND detail LIKE 'who=%'",
    )
    .await;
    assert_eq!(exports, 1);
    // A bad filter exports nothing: back to the viewer, which says why.
    let res = admin.app.get("/staff/audit.csv?from=nope").await;
    assert_eq!(res.status().as_u16(), 303);
    // Only site admins read the log.
    assert_eq!(keeper.app.get("/staff/audit").await.status().as_u16(), 403);
    assert_eq!(keeper.app.get("/staff/audit.csv").await.status().as_u16(), 403);
}

async fn the_console_counts_what_waits_and_lists_what_needs_english(app: TestApp) {
    let keeper = app.station_keeper().await;
    let admin = app.district_admin("xihu").await;
    let (_, html) = keeper.app.page("/staff").await;
    assert!(texts(&html, ".waiting li").contains(&"待审核的心愿：0 个".to_owned()));
    app.posted_wish("想要一副防寒手套", "").await;
    let (_, html) = keeper.app.page("/staff").await;
    assert_eq!(text(&html, ".waiting a[href='/staff/wishes?show=pending']"), "待审核的心愿：1 个");
    // Another station's keeper has nothing waiting.
    let other = app.place_id("xh-shihuiqiao-station").await;
    let elsewhere = app
        .persona("别站站长", 9011, &[linli::domain::Role::StationKeeper { place_id: other }])
        .await;
    let (_, html) = elsewhere.app.page("/staff").await;
    assert!(texts(&html, ".waiting li").contains(&"待审核的心愿：0 个".to_owned()));
    // A place without its English summary waits for its district's admin.
    let id = app.place_id(STATION).await;
    common::exec(&app.db, "UPDATE places SET summary_en = NULL WHERE code = 'xh-zmxl-station'")
        .await;
    let (_, html) = admin.app.page("/staff/english").await;
    let links = attrs(&html, ".list a", "href");
    let edit = format!("/staff/places/{id}/edit");
    assert!(links.contains(&edit), "{links:?}");
    let (_, keepers) = keeper.app.page("/staff/english").await;
    assert!(!attrs(&keepers, ".list a", "href").contains(&edit), "keepers do not write it");
    let fields =
        form_fields(&admin.app, &edit, &[("summary_en", "A rest stop for outdoor workers.")]).await;
    assert_eq!(post(&admin.app, &edit, &fields).await.0, 303);
    let (_, html) = admin.app.page("/staff/english").await;
    assert!(!attrs(&html, ".list a", "href").contains(&edit), "done, so off the list");
}

async fn a_district_admin_adds_a_place_and_goes_on_to_its_hours(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let new = "/staff/districts/xihu/places/new";
    let (_, hub) = admin.app.page("/staff/districts/xihu").await;
    assert!(attrs(&hub, "a", "href").contains(&new.to_owned()));
    // Nothing chosen or filled in: each field says so, nothing is added.
    let before = count(&app.db, "SELECT COUNT(*) FROM places").await;
    let token = admin.app.csrf_token(new).await;
    let (status, body) = post(
        &admin.app,
        new,
        &[("csrf_token".into(), token.clone()), ("name_zh".into(), "新驿站".into())],
    )
    .await;
    assert_eq!(status, 422);
    let html = Html::parse_document(&body);
    let summary = texts(&html, ".error-summary li");
    assert_eq!(summary[0], "场所类型：请从列表中选择");
    assert!(summary.iter().any(|l| l.starts_with("地址（中文）：")), "{summary:?}");
    assert_eq!(attr(&html, "#f-name_zh", "value"), "新驿站");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM places").await, before);
    // Added: then on to its hours, in the history as revision 1.
    let fields: Vec<(String, String)> = [
        ("csrf_token", token.as_str()),
        ("kind", "love_station"),
        ("name_zh", "灵隐街道爱心驿站"),
        ("summary_zh", "给户外劳动者歇脚、喝水、热饭的地方。"),
        ("address_zh", "西湖区灵隐路1号"),
        ("latitude", "30.2412"),
        ("longitude", "120.1012"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let res = admin.app.client.post(admin.app.url(new)).form(&fields).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 =
        location.trim_start_matches("/staff/places/").trim_end_matches("/edit").parse().unwrap();
    let (_, html) = admin.app.page(&location).await;
    assert_eq!(text(&html, ".flash"), "场所已添加，请接着填写开放时间、设施和联系方式。");
    let (_, html) = admin.app.page(&format!("/staff/places/{id}/history")).await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 1 版 · 当前版本"]);
    let audited: i64 =
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'place.create'").await;
    assert_eq!(audited, 1);
    // The public sees it, with neither "open" nor "closed" until hours come.
    let (status, page) = app.new_anonymous().page(&format!("/stations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&page, "h1"), "灵隐街道爱心驿站");
    assert!(text(&page, ".facts").contains("未公布"));
    // Another district's admin cannot add places here.
    let gongshu: i64 =
        scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", "gongshu").await;
    let other = app
        .persona("拱墅管理员", 9012, &[linli::domain::Role::DistrictAdmin { district_id: gongshu }])
        .await;
    assert_eq!(other.app.get(new).await.status().as_u16(), 403);
}

async fn a_new_place_can_wait_as_a_draft(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let new = "/staff/districts/xihu/places/new";
    let token = admin.app.csrf_token(new).await;
    let fields: Vec<(String, String)> = [
        ("csrf_token", token.as_str()),
        ("kind", "love_station"),
        ("name_zh", "转塘街道爱心驿站"),
        ("summary_zh", "还在布置的驿站。"),
        ("address_zh", "西湖区转塘街道"),
        ("action", "draft"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let res = admin.app.client.post(admin.app.url(new)).form(&fields).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 =
        location.trim_start_matches("/staff/places/").trim_end_matches("/edit").parse().unwrap();
    // Hidden from the public: its page, the district page, the wish form.
    let reader = app.new_anonymous();
    assert_eq!(reader.get(&format!("/stations/{id}")).await.status().as_u16(), 404);
    assert_eq!(reader.get(&format!("/places/{id}")).await.status().as_u16(), 404);
    let (_, page) = reader.page("/districts/xihu").await;
    assert!(!texts(&page, ".place-link").contains(&"转塘街道爱心驿站".to_owned()));
    let (_, form) = reader.page("/wishes/new").await;
    assert!(!texts(&form, "#f-station option").iter().any(|o| o.contains("转塘")));
    // Its own page can be previewed by its staff only.
    let preview = format!("/staff/places/{id}/preview");
    let (status, page) = admin.app.page(&preview).await;
    assert_eq!(status, 200);
    assert_eq!(text(&page, "h1"), "转塘街道爱心驿站");
    assert!(text(&page, ".preview").contains("预览"));
    assert_eq!(admin.app.get(&preview).await.headers()["cache-control"], "no-store");
    assert_eq!(reader.get(&preview).await.status().as_u16(), 303);
    // The preview shows it among the rest; its form says it is a draft.
    let (_, preview) = admin.app.page("/staff/districts/xihu/preview").await;
    assert!(texts(&preview, ".place-link").contains(&"转塘街道爱心驿站".to_owned()));
    let (_, html) = admin.app.page(&location).await;
    assert!(html.select(&sel("#f-draft[checked]")).next().is_some());
    // Published by unticking: on the public pages.
    let fields = form_of(&html, &[("draft", "")]);
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "draft").collect();
    assert_eq!(post(&admin.app, &location, &fields).await.0, 303);
    assert_eq!(reader.get(&format!("/stations/{id}")).await.status().as_u16(), 200);
    let (_, history) = admin.app.page(&format!("/staff/places/{id}/history")).await;
    assert!(text(&history, "#r2").contains("草稿已发布"), "{}", text(&history, "#r2"));
}

/// A JPEG as a phone writes it: `w` × `h`, with an EXIF block that holds
/// an orientation and a GPS-looking text.
fn camera_jpeg(w: u32, h: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let img =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 200) as u8, (y % 200) as u8, 120]));
    let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS 30.2741N 120.1551E");
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// Posts the photo form of place `id` as a browser sends it (multipart),
/// with a fresh token; `token` sends that one instead.
async fn upload(
    client: &TestApp,
    id: i64,
    file: Option<Vec<u8>>,
    alt_zh: &str,
    token: Option<&str>,
) -> reqwest::Response {
    upload_to(client, &format!("/staff/places/{id}/photos"), file, alt_zh, token).await
}

/// Posts a photo form at `page` (a place's, a workshop's, a district's or
/// a story's photos page).
async fn upload_to(
    client: &TestApp,
    page: &str,
    file: Option<Vec<u8>>,
    alt_zh: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let fresh = client.csrf_token("/account").await;
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", token.unwrap_or(&fresh).to_owned())
        .text("alt_zh", alt_zh.to_owned())
        .text("alt_en", "");
    let part = reqwest::multipart::Part::bytes(file.unwrap_or_default())
        .file_name("IMG_0001.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    form = form.part("photo", part);
    client.client.post(client.url(page)).multipart(form).send().await.unwrap()
}

/// A keeper uploads a phone's photo: re-encoded in two widths without its
/// camera metadata, served for a year, shown on the station's page with
/// its size and words, removed after the confirmation step.
async fn a_keeper_shows_the_place_in_photos(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    let (status, html) = keeper.page(&format!("/staff/places/{id}/photos")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".empty"), "还没有照片。");
    let res =
        upload(&keeper, id, Some(camera_jpeg(2400, 1600)), "驿站里的微波炉和饮水机", None).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], format!("/staff/places/{id}/photos#main").as_str());
    let photo: i64 =
        scalar_for_id(&app.db, "SELECT MAX(id) FROM photos WHERE place_id = $1", id).await;
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'photo.add'").await,
        1
    );
    // On the public page: both widths, its size, lazily, in words.
    let (_, html) = app.new_anonymous().page(&format!("/stations/{id}")).await;
    let img = format!(".photos img[src='/photos/{photo}/small']");
    assert_eq!(attr(&html, &img, "alt"), "驿站里的微波炉和饮水机");
    assert_eq!(
        (attr(&html, &img, "width"), attr(&html, &img, "height")),
        ("480".into(), "320".into())
    );
    assert_eq!(attr(&html, &img, "loading"), "lazy");
    assert!(attr(&html, &img, "srcset").contains(&format!("/photos/{photo}/large 1200w")));
    for (size, width) in [("small", 480), ("large", 1200)] {
        let res = app.get(&format!("/photos/{photo}/{size}")).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
        let bytes = res.bytes().await.unwrap();
        let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!found(b"Exif") && !found(b"GPS"), "{size}: the camera's metadata is gone");
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (width, width * 2 / 3), "{size}");
    }
    assert_eq!(app.get(&format!("/photos/{photo}/huge")).await.status().as_u16(), 404);
    // A draft place's photo is its staff's only, and never stored.
    let sql = format!("UPDATE places SET published = FALSE WHERE id = {id}");
    common::exec_script(&app.db, sql).await;
    let small = format!("/photos/{photo}/small");
    assert_eq!(app.new_anonymous().get(&small).await.status().as_u16(), 404);
    let res = keeper.get(&small).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let sql = format!("UPDATE places SET published = TRUE WHERE id = {id}");
    common::exec_script(&app.db, sql).await;
    // Removing asks first, then the photo is gone everywhere.
    let delete = format!("/staff/places/{id}/photos/{photo}/delete");
    let page = format!("/staff/places/{id}/photos");
    let res = keeper.post_form(&page, &delete, &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "删除照片“驿站里的微波炉和饮水机”？");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM photos").await, 1);
    let res = keeper.post_form(&page, &delete, &[("confirm", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM photos").await, 0);
    assert_eq!(app.get(&format!("/photos/{photo}/small")).await.status().as_u16(), 404);
    // A photo that is gone, or no number at all: not found.
    for bad in [photo.to_string(), "abc".to_owned()] {
        let gone = format!("/staff/places/{id}/photos/{bad}/delete");
        let res = keeper.post_form(&page, &gone, &[("confirm", "yes")]).await;
        assert_eq!(res.status().as_u16(), 404, "{bad}");
    }
    assert_eq!(app.get("/photos/abc/small").await.status().as_u16(), 404);
    // Another station's keeper may not upload here; nor may a volunteer.
    let volunteer = app.volunteer(51).await;
    let res = volunteer.get(&page).await;
    assert_eq!(res.status().as_u16(), 403);
    let res = upload(&volunteer, id, Some(camera_jpeg(100, 100)), "x", Some("x")).await;
    assert_eq!(res.status().as_u16(), 403);
}

/// Not an image, too large, a decompression bomb, no words, no file, no
/// token: each refused (at its field, with the words kept), nothing stored.
async fn bad_uploads_are_refused_at_the_field_and_nothing_is_stored(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.place_id(STATION).await;
    // A PNG of a few bytes that declares 60,000 × 60,000 pixels.
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        bomb.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        bomb.extend_from_slice(&body);
        bomb.extend_from_slice(&png_crc(&body).to_be_bytes());
    };
    let mut header = 60_000u32.to_be_bytes().to_vec();
    header.extend_from_slice(&60_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    let too_large = vec![0xFF; 10 * 1024 * 1024 + 1];
    for (file, says) in [
        (b"%PDF-1.4 a letter".to_vec(), "不是 JPEG、PNG 或 WebP"),
        (too_large, "最大10 MB"),
        (bomb, "像素太多"),
        (Vec::new(), "请选择一张照片"),
    ] {
        let res = upload(&keeper, id, Some(file), "驿站门口", None).await;
        assert_eq!(res.status().as_u16(), 422, "{says}");
        let html = Html::parse_document(&res.text().await.unwrap());
        assert!(text(&html, "#f-photo-error").contains(says), "{}", text(&html, "#f-photo-error"));
        assert_eq!(attr(&html, "#f-alt_zh", "value"), "驿站门口", "the words are kept");
        assert!(text(&html, ".error-summary").contains(says));
    }
    let res = upload(&keeper, id, Some(camera_jpeg(64, 64)), " ", None).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-alt_zh-error").contains("请写下照片里是什么"));
    // No token, or another site's: refused before anything is read.
    let res = upload(&keeper, id, Some(camera_jpeg(64, 64)), "驿站门口", Some("")).await;
    assert_eq!(res.status().as_u16(), 403);
    let page = format!("/staff/places/{id}/photos");
    let token = keeper.csrf_token(&page).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("alt_zh", "驿站门口")
        .part("photo", reqwest::multipart::Part::bytes(camera_jpeg(64, 64)).file_name("a.jpg"));
    let res = keeper
        .client
        .post(keeper.url(&page))
        .header("origin", "https://elsewhere.example")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    // A form elsewhere does not take a file at all.
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", keeper.csrf_token(&page).await)
        .part("photo", reqwest::multipart::Part::bytes(camera_jpeg(64, 64)).file_name("a.jpg"));
    let res = keeper
        .client
        .post(keeper.url(&format!("/staff/places/{id}/edit")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM photos").await, 0);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'photo.add'").await,
        0
    );
}

/// PNG's CRC-32 of a chunk's type and data (for the hand-made header).
fn png_crc(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The same photos page serves a workshop (its keepers), a district (its
/// admins) and a story (its district's admins): uploaded, shown on the
/// public page with their words, a draft's kept to its staff, removed
/// after the confirmation step; nobody else reaches them.
async fn workshops_districts_and_stories_have_photos_too(app: TestApp) {
    let keeper = app.workshop_keeper("honey-pear").await;
    let admin = app.district_admin("xihu").await;
    let reader = app.new_anonymous();
    let story: i64 = scalar_with(
        &app.db,
        "SELECT MIN(s.id) FROM stories s JOIN districts d ON d.id = s.district_id WHERE d.slug = $1",
        "xihu",
    )
    .await;
    let station_keeper = app.station_keeper().await;
    let activity: i64 = scalar_with(
        &app.db,
        "SELECT id FROM activities WHERE code = $1",
        "xh-riders-health-check-cards",
    )
    .await;
    let activity_page = format!("/activities/{activity}");
    let cases = [
        (
            &station_keeper,
            format!("/staff/activities/{activity}/photos"),
            activity_page.as_str(),
            "SELECT MAX(id) FROM photos WHERE activity_id IS NOT NULL",
            "骑手在驿站领体检卡",
        ),
        (
            &keeper,
            "/staff/workshops/honey-pear/photos".to_owned(),
            "/workshops/honey-pear",
            "SELECT MAX(id) FROM photos WHERE workshop_id IS NOT NULL",
            "蜜梨园里的采摘",
        ),
        (
            &admin,
            "/staff/districts/xihu/photos".to_owned(),
            "/districts/xihu",
            "SELECT MAX(id) FROM photos WHERE district_id IS NOT NULL",
            "西湖区的户外劳动者驿站",
        ),
        (
            &admin,
            format!("/staff/stories/{story}/photos"),
            "/districts/xihu",
            "SELECT MAX(id) FROM photos WHERE story_id IS NOT NULL",
            "驿站里的热乎饭",
        ),
    ];
    let volunteer = app.volunteer(61).await;
    for (who, page, public, newest, alt) in &cases {
        let (status, html) = who.page(page).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(text(&html, ".empty"), "还没有照片。", "{page}");
        // Words missing: refused at the field, nothing stored.
        let res = upload_to(who, page, Some(camera_jpeg(800, 600)), "", None).await;
        assert_eq!(res.status().as_u16(), 422, "{page}");
        let res = upload_to(who, page, Some(camera_jpeg(2400, 1600)), alt, None).await;
        assert_eq!(res.status().as_u16(), 303, "{page}");
        assert_eq!(res.headers()["location"], format!("{page}#main").as_str());
        let photo: i64 = common::scalar(&app.db, newest).await;
        let (_, html) = reader.page(public).await;
        let img = format!(".photos img[src='/photos/{photo}/small']");
        assert_eq!(attr(&html, &img, "alt"), *alt, "{public}");
        assert_eq!(
            (attr(&html, &img, "width"), attr(&html, &img, "height")),
            ("480".into(), "320".into())
        );
        let res = app.get(&format!("/photos/{photo}/large")).await;
        assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
        let bytes = res.bytes().await.unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{page}: no camera metadata");
        // A volunteer reaches none of it.
        assert_eq!(volunteer.get(page).await.status().as_u16(), 403, "{page}");
        // Removing asks first.
        let delete = format!("{page}/{photo}/delete");
        let res = who.post_form(page, &delete, &[]).await;
        assert_eq!(res.status().as_u16(), 200);
        let res = who.post_form(page, &delete, &[("confirm", "yes")]).await;
        assert_eq!(res.status().as_u16(), 303);
        assert_eq!(app.get(&format!("/photos/{photo}/small")).await.status().as_u16(), 404);
    }
    // A draft activity's photo is for its staff only, never stored.
    let page = format!("/staff/activities/{activity}/photos");
    let sent = upload_to(&station_keeper, &page, Some(camera_jpeg(600, 400)), "体检", None).await;
    assert_eq!(sent.status().as_u16(), 303);
    let photo: i64 =
        common::scalar(&app.db, "SELECT MAX(id) FROM photos WHERE activity_id IS NOT NULL").await;
    common::exec_script(
        &app.db,
        format!("UPDATE activities SET published = FALSE WHERE id = {activity}"),
    )
    .await;
    let small = format!("/photos/{photo}/small");
    assert_eq!(app.new_anonymous().get(&small).await.status().as_u16(), 404);
    let res = station_keeper.get(&small).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    // A draft workshop's photo is for its keepers only, never stored.
    let page = "/staff/workshops/honey-pear/photos";
    assert_eq!(
        upload_to(&keeper, page, Some(camera_jpeg(600, 400)), "梨园", None).await.status().as_u16(),
        303
    );
    let photo: i64 =
        common::scalar(&app.db, "SELECT MAX(id) FROM photos WHERE workshop_id IS NOT NULL").await;
    common::exec_script(
        &app.db,
        "UPDATE workshops SET published = FALSE WHERE slug = 'honey-pear'".to_owned(),
    )
    .await;
    let small = format!("/photos/{photo}/small");
    assert_eq!(app.new_anonymous().get(&small).await.status().as_u16(), 404);
    let res = keeper.get(&small).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    // Another district's admin does not reach Xihu's or its stories'.
    let tonglu: i64 =
        scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", "tonglu").await;
    let tonglu = app
        .persona("桐庐管理员", 9013, &[linli::domain::Role::DistrictAdmin { district_id: tonglu }])
        .await;
    assert_eq!(tonglu.get("/staff/districts/xihu/photos").await.status().as_u16(), 403);
    assert_eq!(tonglu.get(&format!("/staff/stories/{story}/photos")).await.status().as_u16(), 403);
    // Each step is audited with its owner.
    let objects: Vec<String> = common::column(
        &app.db,
        "SELECT object FROM audit_log WHERE action = 'photo.add' ORDER BY id",
    )
    .await;
    let of_activity = format!("activity:{activity}");
    assert_eq!(objects.iter().filter(|o| **o == of_activity).count(), 2, "{objects:?}");
    let objects: Vec<&String> = objects.iter().filter(|o| **o != of_activity).collect();
    assert_eq!(objects.len(), 4);
    assert_eq!(objects[0], "workshop:honey-pear", "a workshop by its slug, as its other entries");
    assert!(
        objects[1].starts_with("district:") && *objects[2] == format!("story:{story}"),
        "{objects:?}"
    );
}
