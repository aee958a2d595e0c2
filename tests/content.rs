//! Staff keep a district page current: its summary, figures (drafts,
//! preview, publishing), programmes and stories; a station's keepers post
//! notices that expire by themselves; a second save is refused, history
//! restores, and deleting (site admins only) asks first. On SQLite and
//! PostgreSQL.

mod common;

use common::STATION;
use common::{TestApp, attr, attrs, count, scalar_for_id, scalar_with, text, texts};
use linli::domain::Role;
use scraper::Html;

on_both_databases!(
    a_district_admin_edits_the_summary_and_publishes_a_figure_after_a_preview,
    bad_content_comes_back_at_the_field_with_what_was_typed,
    a_keeper_posts_a_notice_that_goes_by_itself,
    a_second_save_is_refused_history_restores_and_deleting_asks_first,
    a_site_admin_adds_a_district,
    every_seeded_item_passes_its_own_form,
    a_town_is_renamed_with_history_and_its_workshops_follow,
);

/// The fields of the POST form whose action is `action`, as a browser
/// would send them back unchanged, with `changes` applied (a value of
/// `None` leaves the field out, as an unticked box).
fn form_of(html: &Html, action: &str, changes: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    let mut out = common::form_fields_of(html, action);
    assert!(!out.is_empty(), "no form posts to {action}");
    for (name, value) in changes {
        out.retain(|(n, _)| n != name);
        if let Some(v) = value {
            out.push(((*name).to_owned(), (*v).to_owned()));
        }
    }
    out
}

async fn post(client: &TestApp, path: &str, fields: &[(String, String)]) -> (u16, String, Html) {
    let res = client.client.post(client.url(path)).form(fields).send().await.unwrap();
    let status = res.status().as_u16();
    let location =
        res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, location, Html::parse_document(&res.text().await.unwrap()))
}

/// Opens the form at `page`, changes it and posts it back.
async fn submit(
    client: &TestApp,
    page: &str,
    action: &str,
    changes: &[(&str, Option<&str>)],
) -> (u16, String, Html) {
    let (status, html) = client.page(page).await;
    assert_eq!(status, 200, "{page}");
    let fields = form_of(&html, action, changes);
    post(client, action, &fields).await
}

fn today() -> chrono::NaiveDate {
    linli::domain::format::today()
}

async fn district_id(app: &TestApp, slug: &str) -> i64 {
    scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", slug).await
}

async fn a_district_admin_edits_the_summary_and_publishes_a_figure_after_a_preview(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let xihu = district_id(&app, "xihu").await;
    let reader = app.new_anonymous();
    // The district's staff page leads to every kind of content.
    let (status, hub) = admin.app.page("/staff/districts/xihu").await;
    assert_eq!(status, 200);
    let links = attrs(&hub, "a", "href");
    let edit = format!("/staff/content/district/{xihu}");
    for href in [
        edit.as_str(),
        "/staff/districts/xihu/preview",
        "/staff/districts/xihu/new/figure",
        "/staff/districts/xihu/new/programme",
        "/staff/districts/xihu/new/story",
        "/staff/districts/xihu/new/notice",
    ] {
        assert!(links.iter().any(|l| l == href), "{href} in {links:?}");
    }
    // The summary: saved as a revision, on the public page at once.
    let (status, location, _) =
        submit(&admin.app, &edit, &edit, &[("summary_zh", Some("西湖区的新简介。"))]).await;
    assert_eq!((status, location.as_str()), (303, edit.as_str()));
    let (_, page) = reader.page("/districts/xihu").await;
    assert_eq!(text(&page, ".lede"), "西湖区的新简介。");
    let updated = linli::domain::format::date(linli::domain::Lang::Zh, chrono::Utc::now());
    assert_eq!(text(&page, ".updated"), format!("最后更新：{updated}"));
    let (_, history) = admin.app.page(&format!("{edit}/history")).await;
    assert_eq!(texts(&history, ".revisions > li").len(), 2, "the seed's text, then the edit");
    assert!(text(&history, "#r1").contains("区管理员"));
    assert!(text(&history, "#r1 table").contains("西湖区的新简介。"));

    // A new figure, saved as a draft: not public, in the preview, marked.
    let new = "/staff/districts/xihu/new/figure";
    let (status, location, _) = submit(
        &admin.app,
        new,
        new,
        &[
            ("label_zh", Some("新增志愿者")),
            ("value", Some("1,250")),
            ("unit_zh", Some("人")),
            ("qualifier", Some("about")),
            ("year", Some("2025")),
            ("source_zh", Some("西湖区文明办")),
            ("action", Some("draft")),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let figure: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(location, format!("/staff/content/figure/{figure}"));
    let published: bool =
        scalar_for_id(&app.db, "SELECT published FROM figures WHERE id = $1", figure).await;
    assert!(!published);
    let (_, page) = reader.page("/districts/xihu").await;
    assert!(!texts(&page, ".figure-label").iter().any(|l| l.contains("新增志愿者")));
    let (status, preview) = admin.app.page("/staff/districts/xihu/preview").await;
    assert_eq!(status, 200);
    let card = texts(&preview, ".figure")
        .into_iter()
        .find(|c| c.contains("新增志愿者"))
        .expect("the draft is in the preview");
    assert!(card.starts_with("草稿 新增志愿者"), "{card}");
    assert!(card.contains("约1,250"), "{card}");
    assert!(text(&preview, ".preview").contains("预览"));
    let res = admin.app.get("/staff/districts/xihu/preview").await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    // The hub marks it, and says some content waits.
    let (_, hub) = admin.app.page("/staff/districts/xihu").await;
    assert!(texts(&hub, "#sec-figure ~ ul li").iter().any(|l| l.starts_with("草稿 新增志愿者")));
    // Readers and keepers cannot preview.
    assert_eq!(reader.get("/staff/districts/xihu/preview").await.status().as_u16(), 303);
    let keeper = app.station_keeper().await;
    assert_eq!(keeper.app.get("/staff/districts/xihu/preview").await.status().as_u16(), 403);
    assert_eq!(keeper.app.get(&location).await.status().as_u16(), 403);

    // Published: on the public page with "about", then unpublished again.
    let (status, _, _) =
        submit(&admin.app, &location, &location, &[("action", Some("publish"))]).await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/xihu").await;
    let card = texts(&page, ".figure").into_iter().find(|c| c.contains("新增志愿者")).unwrap();
    assert!(card.contains("约1,250") && card.contains("2025年"), "{card}");
    assert!(!card.contains("草稿"));
    let (_, form) = admin.app.page(&location).await;
    assert_eq!(text(&form, ".state"), "已发布");
    let (status, _, _) =
        submit(&admin.app, &location, &location, &[("action", Some("draft"))]).await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/xihu").await;
    assert!(!texts(&page, ".figure-label").iter().any(|l| l.contains("新增志愿者")));
    // Every step is in the audit log, with the revisions behind it.
    let actions: Vec<String> = common::column(
        &app.db,
        "SELECT action FROM audit_log WHERE action LIKE 'district.%' OR action LIKE 'figure.%' \
         ORDER BY id",
    )
    .await;
    assert_eq!(actions, ["district.update", "figure.create", "figure.update", "figure.update"]);
    let revisions: i64 = scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM revisions WHERE item_kind = 'figure' AND item_id = $1",
        figure,
    )
    .await;
    assert_eq!(revisions, 3);
    // A field sent twice keeps its first value; one not sent is kept.
    let (_, form) = admin.app.page(&location).await;
    let mut twice = form_of(&form, &location, &[("label_en", Some("New volunteers"))]);
    twice.push(("value".into(), "5".into()));
    assert_eq!(post(&admin.app, &location, &twice).await.0, 303);
    let value: f64 =
        scalar_for_id(&app.db, "SELECT value FROM figures WHERE id = $1", figure).await;
    assert_eq!(value, 1250.0);
    let (_, form) = admin.app.page(&location).await;
    let partial: Vec<(String, String)> = form_of(&form, &location, &[])
        .into_iter()
        .filter(|(k, _)| ["csrf_token", "version", "value"].contains(&k.as_str()))
        .map(|(k, v)| if k == "value" { (k, "1300".to_owned()) } else { (k, v) })
        .collect();
    assert_eq!(post(&admin.app, &location, &partial).await.0, 303);
    let (_, form) = admin.app.page(&location).await;
    assert_eq!(attr(&form, "#f-label_en", "value"), "New volunteers", "not sent, so kept");
    assert_eq!(attr(&form, "#f-value", "value"), "1300");
    // Invisible marks are refused at the field.
    let hidden = form_of(&form, &location, &[("label_zh", Some("\u{200b}"))]);
    let (status, _, html) = post(&admin.app, &location, &hidden).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-label_zh-error"), "错误：这里有无法保存的特殊字符，请删掉后再试");
    // Put back as it was for what follows.
    let back = form_of(&form, &location, &[("label_en", Some("")), ("value", Some("1,250"))]);
    assert_eq!(post(&admin.app, &location, &back).await.0, 303);
    // The new figure has no English yet: on its district admin's list.
    let (_, english) = admin.app.page("/staff/english").await;
    assert!(attrs(&english, ".list a", "href").contains(&location));
    let (_, english) = keeper.app.page("/staff/english").await;
    assert!(!attrs(&english, ".list a", "href").contains(&location));
    // In English the figure form reads in English.
    admin.app.switch_lang("en").await;
    let (_, form) = admin.app.page(&location).await;
    assert_eq!(text(&form, "h1"), "Edit figure");
    assert_eq!(text(&form, "label[for=f-qualifier]"), "The value is");
}

async fn bad_content_comes_back_at_the_field_with_what_was_typed(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let new = "/staff/districts/xihu/new/figure";
    let before = count(&app.db, "SELECT COUNT(*) FROM figures").await;
    let (status, _, html) = submit(
        &admin.app,
        new,
        new,
        &[
            ("label_zh", Some("新增志愿者")),
            ("value", Some("很多")),
            ("unit_zh", Some("")),
            ("qualifier", Some("roughly")),
            ("year", Some("1800")),
            ("source_zh", Some("报道")),
            ("action", Some("publish")),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text(&html, "title").starts_with("有错误："));
    assert_eq!(text(&html, "#f-value-error"), "错误：请只填数字，例如 5651 或 1.4");
    assert_eq!(attr(&html, "#f-value", "value"), "很多");
    assert_eq!(attr(&html, "#f-value", "aria-invalid"), "true");
    assert_eq!(text(&html, "#f-unit_zh-error"), "错误：这一项必须填写");
    assert_eq!(text(&html, "#f-qualifier-error"), "错误：请从列表中选择");
    assert_eq!(text(&html, "#f-year-error"), "错误：请填写四位数的年份，例如 2023");
    assert_eq!(attr(&html, "#f-year", "value"), "1800");
    assert_eq!(attr(&html, "#f-label_zh", "value"), "新增志愿者");
    let summary = attrs(&html, ".error-summary a", "href");
    assert_eq!(summary, ["#f-value", "#f-unit_zh", "#f-qualifier", "#f-year"]);
    // The summary names each field, so two "fill this in" tell apart.
    assert_eq!(texts(&html, ".error-summary li")[1], "单位（中文）：这一项必须填写");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM figures").await, before, "nothing saved");
    // A story's place must be one of the district's; a title is one line.
    let gongshu_place: i64 = scalar_with(
        &app.db,
        "SELECT MIN(p.id) FROM places p JOIN districts d ON d.id = p.district_id WHERE d.slug = $1",
        "gongshu",
    )
    .await;
    let new = "/staff/districts/xihu/new/story";
    let (status, _, html) = submit(
        &admin.app,
        new,
        new,
        &[
            ("title_zh", Some("第一行\n第二行")),
            ("body_zh", Some("故事正文")),
            ("place_id", Some(&gongshu_place.to_string())),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-title_zh-error"), "错误：这里只能写一行");
    assert_eq!(text(&html, "#f-place_id-error"), "错误：请从列表中选择");
    assert_eq!(text(&html, "#f-body_zh"), "故事正文");
    // A whole article pasted into the story (10,000 characters, 90 KB as
    // sent) comes back at its field with every character kept.
    let pasted = "运河边的故事。".repeat(1430);
    let (status, _, html) = submit(
        &admin.app,
        new,
        new,
        &[("title_zh", Some("运河边")), ("body_zh", Some(&pasted)), ("place_id", None)],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-body_zh-error"), "错误：这里写得太长了，请精简");
    assert_eq!(text(&html, "#f-body_zh"), pasted);
    // In English, the messages are English.
    admin.app.switch_lang("en").await;
    let (status, _, html) = submit(&admin.app, new, new, &[("body_zh", Some(""))]).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-title_zh-error"), "Error: Fill this in");
    // Another district's admin cannot add to Xihu.
    let other = app
        .persona(
            "拱墅管理员",
            9010,
            &[Role::DistrictAdmin { district_id: district_id(&app, "gongshu").await }],
        )
        .await;
    assert_eq!(other.app.get(new).await.status().as_u16(), 403);
    // An unknown kind is not found.
    assert_eq!(admin.app.get("/staff/districts/xihu/new/district").await.status().as_u16(), 404);
    assert_eq!(admin.app.get("/staff/districts/xihu/new/nothing").await.status().as_u16(), 404);
    assert_eq!(admin.app.get("/staff/content/nothing/1").await.status().as_u16(), 404);
}

async fn a_keeper_posts_a_notice_that_goes_by_itself(app: TestApp) {
    let keeper = app.station_keeper().await;
    let station = app.place_id(STATION).await;
    let staff_page = format!("/staff/places/{station}");
    let new = format!("/staff/places/{station}/notices/new");
    let (_, html) = keeper.app.page(&staff_page).await;
    assert!(attrs(&html, "a", "href").contains(&new));
    assert!(texts(&html, ".empty").contains(&"现在没有通知。".to_owned()));
    // Too long, and up for too many days: named at the fields.
    let later = (today() + chrono::Duration::days(40)).to_string();
    let long = "姜".repeat(61);
    let (status, _, html) =
        submit(&keeper.app, &new, &new, &[("text_zh", Some(&long)), ("ends_on", Some(&later))])
            .await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-text_zh-error"), "错误：这里写得太长了，请精简");
    assert_eq!(text(&html, "#f-ends_on-error"), "错误：通知最多显示31天，请把最后一天提前");
    assert_eq!(attr(&html, "#f-ends_on", "value"), later);
    // Today's notice, published: on the station's page and its staff page.
    let (status, location, _) = submit(
        &keeper.app,
        &new,
        &new,
        &[("text_zh", Some("今天驿站有姜茶")), ("action", Some("publish"))],
    )
    .await;
    assert_eq!(status, 303);
    let notice: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let reader = app.new_anonymous();
    let (_, page) = reader.page(&format!("/stations/{station}")).await;
    assert_eq!(texts(&page, ".notices li"), ["通知：今天驿站有姜茶"]);
    let (_, html) = keeper.app.page(&staff_page).await;
    assert!(
        texts(&html, "ul.list li")
            .iter()
            .any(|l| l.contains("今天驿站有姜茶") && l.contains("显示到"))
    );
    // The district page does not carry a station's notice.
    let (_, page) = reader.page("/districts/xihu").await;
    assert!(texts(&page, ".notices li").is_empty());
    // The keeper edits it; the station's keeper only.
    let (status, _, _) =
        submit(&keeper.app, &location, &location, &[("text_zh", Some("今天驿站有姜茶和热水"))])
            .await;
    assert_eq!(status, 303);
    let other_station = app.place_id("xh-shihuiqiao-station").await;
    let other =
        app.persona("乙站站长", 9011, &[Role::StationKeeper { place_id: other_station }]).await;
    assert_eq!(other.app.get(&location).await.status().as_u16(), 403);
    assert_eq!(other.app.get(&new).await.status().as_u16(), 403);
    // A keeper does not edit the district's own content.
    let xihu = district_id(&app, "xihu").await;
    assert_eq!(
        keeper.app.get(&format!("/staff/content/district/{xihu}")).await.status().as_u16(),
        403
    );
    assert_eq!(keeper.app.get("/staff/districts/xihu/new/notice").await.status().as_u16(), 403);
    // Its last day gone by, it is gone from the page with nobody's help
    // (the keeper's page is never cached, so it shows the change at once).
    let yesterday = (today() - chrono::Duration::days(1)).to_string();
    common::exec_script(
        &app.db,
        format!("UPDATE notices SET starts_on = '{yesterday}', ends_on = '{yesterday}' WHERE id = {notice}"),
    )
    .await;
    let (_, page) = keeper.app.page(&format!("/stations/{station}")).await;
    assert!(texts(&page, ".notices li").is_empty());
    let (_, html) = keeper.app.page(&staff_page).await;
    assert!(texts(&html, "ul.list li").iter().any(|l| l.contains("已结束")));
    // One starting tomorrow waits for its day.
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    let (status, _, _) = submit(
        &keeper.app,
        &new,
        &new,
        &[
            ("text_zh", Some("明天义诊")),
            ("starts_on", Some(&tomorrow)),
            ("ends_on", Some(&tomorrow)),
            ("action", Some("publish")),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = keeper.app.page(&format!("/stations/{station}")).await;
    assert!(texts(&page, ".notices li").is_empty());
    let creates =
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'notice.create'").await;
    assert_eq!(creates, 2);
}

async fn a_second_save_is_refused_history_restores_and_deleting_asks_first(app: TestApp) {
    let xihu = district_id(&app, "xihu").await;
    let first = app.district_admin("xihu").await;
    let second =
        app.persona("另一位管理员", 9012, &[Role::DistrictAdmin { district_id: xihu }]).await;
    let programme: i64 =
        scalar_for_id(&app.db, "SELECT MIN(id) FROM programmes WHERE district_id = $1", xihu).await;
    let seeded: String =
        scalar_for_id(&app.db, "SELECT name_zh FROM programmes WHERE id = $1", programme).await;
    let edit = format!("/staff/content/programme/{programme}");
    // Both open the form; the first saves; the second's save is refused
    // with both versions shown and what they typed kept.
    let (_, theirs) = first.app.page(&edit).await;
    let (_, mine) = second.app.page(&edit).await;
    let fields = form_of(&theirs, &edit, &[("name_zh", Some("第一位的名称"))]);
    assert_eq!(post(&first.app, &edit, &fields).await.0, 303);
    let fields =
        form_of(&mine, &edit, &[("name_zh", Some("第二位的名称")), ("note", Some("改名"))]);
    let (status, _, html) = post(&second.app, &edit, &fields).await;
    assert_eq!(status, 409);
    assert!(text(&html, "#conflict-title").starts_with("区管理员 在"));
    let rows = texts(&html, "table.compare tbody tr");
    assert_eq!(rows, ["名称（中文）第一位的名称第二位的名称"]);
    assert_eq!(attr(&html, "#f-name_zh", "value"), "第二位的名称");
    assert_eq!(attr(&html, "#f-note", "value"), "改名");
    let name: String =
        scalar_for_id(&app.db, "SELECT name_zh FROM programmes WHERE id = $1", programme).await;
    assert_eq!(name, "第一位的名称", "nothing of the second save was written");
    // A version the item never had, or none, is no form of its page.
    let mut forged = form_of(&html, &edit, &[("version", Some("99"))]);
    assert_eq!(post(&second.app, &edit, &forged).await.0, 400);
    forged.retain(|(k, _)| k != "version");
    assert_eq!(post(&second.app, &edit, &forged).await.0, 400);
    // Having seen the first's, the second saves over it.
    let fields = form_of(&html, &edit, &[]);
    assert_eq!(post(&second.app, &edit, &fields).await.0, 303);
    // History: the seed's version, then both; restoring the seed's is a
    // new revision.
    let history = format!("{edit}/history");
    let (_, html) = first.app.page(&history).await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 2 版 · 当前版本", "第 1 版", "第 0 版"]);
    assert!(text(&html, "#r2").contains("修改说明：改名"));
    let restore = format!("{edit}/restore");
    let fields = form_of(&html, &restore, &[("revision", Some("0"))]);
    let (status, location, _) = post(&first.app, &restore, &fields).await;
    assert_eq!((status, location.as_str()), (303, history.as_str()));
    let name: String =
        scalar_for_id(&app.db, "SELECT name_zh FROM programmes WHERE id = $1", programme).await;
    assert_eq!(name, seeded);
    let (_, html) = first.app.page(&history).await;
    assert!(text(&html, "#r3").contains("恢复自第 0 版"));
    let (_, page) = app.new_anonymous().page("/districts/xihu").await;
    assert!(texts(&page, "#programmes-heading + ul h3").contains(&seeded));

    // Deleting is for site admins; a district admin unpublishes instead.
    let delete = format!("{edit}/delete");
    let (_, html) = first.app.page(&edit).await;
    assert!(!attrs(&html, "a", "href").contains(&delete));
    assert_eq!(first.app.get(&delete).await.status().as_u16(), 403);
    let site = app.site_admin().await;
    let first = &site;
    let (_, html) = first.app.page(&edit).await;
    assert!(attrs(&html, "a", "href").contains(&delete));
    // Deleting asks first: a POST without the confirmation goes to it.
    let token = first.app.csrf_token(&edit).await;
    let (status, location, _) = post(&first.app, &delete, &[("csrf_token".into(), token)]).await;
    assert_eq!((status, location.as_str()), (303, delete.as_str()));
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'programme.delete'").await,
        0
    );
    let (status, html) = first.app.page(&delete).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), format!("删除特色项目“{seeded}”？"));
    let fields = form_of(&html, &delete, &[]);
    let (status, location, _) = post(&first.app, &delete, &fields).await;
    assert_eq!((status, location.as_str()), (303, "/staff/districts/xihu"));
    let left: i64 =
        scalar_for_id(&app.db, "SELECT COUNT(*) FROM programmes WHERE id = $1", programme).await;
    assert_eq!(left, 0);
    let detail: String =
        scalar_with(&app.db, "SELECT detail FROM audit_log WHERE action = $1", "programme.delete")
            .await;
    assert!(detail.contains(&seeded), "the audit log keeps what it said: {detail}");
    assert_eq!(first.app.get(&edit).await.status().as_u16(), 404);
    let (_, page) = app.new_anonymous().page("/districts/xihu").await;
    assert!(!texts(&page, "#programmes-heading + ul h3").contains(&seeded));
    // An item added after the newest was deleted may take its id (SQLite
    // reuses the highest); its history starts afresh.
    let new = "/staff/districts/xihu/new/programme";
    let add = |name: &'static str| {
        let app = &first.app;
        async move {
            let changes = [
                ("name_zh", Some(name)),
                ("summary_zh", Some("简介")),
                ("action", Some("publish")),
            ];
            let (status, location, _) = submit(app, new, new, &changes).await;
            assert_eq!(status, 303);
            location
        }
    };
    let location = add("新项目").await;
    let (_, html) = first.app.page(&format!("{location}/delete")).await;
    let fields = form_of(&html, &format!("{location}/delete"), &[]);
    assert_eq!(post(&first.app, &format!("{location}/delete"), &fields).await.0, 303);
    let location = add("又一个项目").await;
    let (_, html) = first.app.page(&format!("{location}/history")).await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 1 版 · 当前版本"]);
}

async fn a_site_admin_adds_a_district(app: TestApp) {
    let site = app.site_admin().await;
    let new = "/staff/districts/new";
    let (_, home) = site.app.page("/staff").await;
    assert!(attrs(&home, "a", "href").contains(&new.to_owned()));
    let (status, _, html) =
        submit(&site.app, new, new, &[("slug", Some("滨江")), ("name_zh", Some("滨江区"))]).await;
    assert_eq!(status, 422);
    assert_eq!(
        text(&html, "#f-slug-error"),
        "错误：只能用小写字母、数字和单个短横线，3到40个字符，例如 honey-pear"
    );
    assert_eq!(text(&html, "#f-summary_zh-error"), "错误：这一项必须填写");
    assert_eq!(attr(&html, "#f-name_zh", "value"), "滨江区");
    let fields = [
        ("slug", Some("binjiang")),
        ("district_kind", Some("district")),
        ("name_zh", Some("滨江区")),
        ("summary_zh", Some("杭州市滨江区。")),
    ];
    let (status, _, html) =
        submit(&site.app, new, new, &[("slug", Some("xihu")), fields[1], fields[2], fields[3]])
            .await;
    assert_eq!(status, 422, "an address name in use");
    assert_eq!(text(&html, "#f-slug-error"), "错误：这个网址名已经有人用了，请换一个");
    let (status, location, _) = submit(&site.app, new, new, &fields).await;
    assert_eq!((status, location.as_str()), (303, "/staff/districts/binjiang"));
    // A draft until published: not on the public pages, in the preview.
    let reader = app.new_anonymous();
    assert_eq!(reader.get("/districts/binjiang").await.status().as_u16(), 404);
    let (_, list) = reader.page("/districts").await;
    assert!(!texts(&list, "h2, h3").iter().any(|h| h.contains("滨江区")));
    let (status, preview) = site.app.page("/staff/districts/binjiang/preview").await;
    assert_eq!((status, text(&preview, "h1")), (200, "滨江区".to_owned()));
    // A workshop added to it, not itself a draft, waits for its district.
    let add = "/staff/districts/binjiang/workshops/new";
    let workshop = [
        ("slug", Some("binjiang-tea")),
        ("name_zh", Some("滨江茶工坊")),
        ("category", Some("food_processing")),
        ("summary_zh", Some("炒茶、包装，网上销售。")),
        ("draft", None),
    ];
    let (status, location, _) = submit(&site.app, add, add, &workshop).await;
    assert_eq!((status, location.as_str()), (303, "/staff/workshops/binjiang-tea"));
    let hidden = || async {
        let (_, list) = reader.page("/workshops?q=滨江茶").await;
        let page = reader.get("/workshops/binjiang-tea").await.status().as_u16();
        let (_, api) = reader.page("/api/v1/workshops?q=滨江茶").await;
        let api = api.root_element().text().collect::<String>();
        (!texts(&list, ".cards h3 a").is_empty(), page, api.contains("binjiang-tea"))
    };
    let shown = hidden;
    assert_eq!(hidden().await, (false, 404, false), "a workshop of a draft district is hidden");
    // So does a station: the wish form does not offer it.
    let place = "/staff/districts/binjiang/places/new";
    let station = [
        ("kind", Some("love_station")),
        ("name_zh", Some("长河街道爱心驿站")),
        ("summary_zh", Some("给户外劳动者歇脚的地方。")),
        ("address_zh", Some("滨江区长河街道")),
        ("action", Some("publish")),
    ];
    let (status, _, _) = submit(&site.app, place, place, &station).await;
    assert_eq!(status, 303);
    let offered = || async {
        let (_, form) = reader.page("/wishes/new").await;
        texts(&form, "#f-station option").iter().any(|o| o.contains("长河街道"))
    };
    assert!(!offered().await, "a station of a draft district is no choice");
    let (status, _) = site.app.page("/staff/workshops/binjiang-tea/preview").await;
    assert_eq!(status, 200);
    let id = district_id(&app, "binjiang").await;
    let edit = format!("/staff/content/district/{id}");
    let (status, _, _) = submit(&site.app, &edit, &edit, &[("action", Some("publish"))]).await;
    assert_eq!(status, 303);
    let (status, page) = reader.page("/districts/binjiang").await;
    assert_eq!(status, 200);
    assert_eq!(text(&page, "h1"), "滨江区");
    assert_eq!(shown().await, (true, 200, true), "published with its district");
    assert!(offered().await, "its station too");
    let parent: String = scalar_with(
        &app.db,
        "SELECT p.name_zh FROM districts d JOIN territories t ON t.id = d.territory_id \
         JOIN territories p ON p.id = t.parent_id WHERE d.slug = $1",
        "binjiang",
    )
    .await;
    assert_eq!(parent, "杭州市", "its node in the tree");
    let (_, history) = site.app.page(&format!("/staff/content/district/{id}/history")).await;
    assert_eq!(texts(&history, ".revisions > li h2"), ["第 2 版 · 当前版本", "第 1 版"]);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'district.create'").await,
        1
    );
    // District admins do not add districts.
    let admin = app.district_admin("xihu").await;
    assert_eq!(admin.app.get(new).await.status().as_u16(), 403);
}

/// What the seed holds can be saved through its form as it stands: an
/// editor never meets a refusal they did not cause.
async fn every_seeded_item_passes_its_own_form(app: TestApp) {
    use linli::domain::content::ContentKind;
    let today = linli::domain::format::today();
    let slugs: Vec<String> =
        common::column(&app.db, "SELECT slug FROM districts ORDER BY id").await;
    let mut checked = 0;
    for slug in &slugs {
        let id = district_id(&app, slug).await;
        let places: Vec<i64> = linli::db::places::of_district(&app.db, id)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        let district = linli::db::content::item(&app.db, ContentKind::District, id).await.unwrap();
        let mut items = vec![(ContentKind::District, district.unwrap())];
        for kind in ContentKind::LISTED.into_iter().chain([ContentKind::Territory]) {
            for item in linli::db::content::listed(&app.db, kind, id).await.unwrap() {
                items.push((kind, item));
            }
        }
        for (kind, item) in items {
            let out = kind.check(&item.fields, today, &places);
            assert!(out.is_ok(), "{kind:?} {} of {slug}: {:?}", item.id, out.err());
            assert_eq!(out.unwrap(), item.fields, "{kind:?} {} is stored canonically", item.id);
            checked += 1;
        }
        for place in &places {
            let row = linli::db::places::for_edit(&app.db, *place).await.unwrap().unwrap();
            let fields = row.edit().current(today).to_fields();
            let parsed = linli::domain::place_edit::PlaceEdit::parse(&fields, today);
            assert!(parsed.is_ok(), "place {place}: {:?}", parsed.err());
            checked += 1;
        }
    }
    let workshops: Vec<String> =
        common::column(&app.db, "SELECT slug FROM workshops ORDER BY id").await;
    for slug in &workshops {
        let form = linli::db::workshops::for_edit(&app.db, slug).await.unwrap().unwrap();
        let towns = linli::db::territories::towns_of(&app.db, form.district_id)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.name_zh, t.name_en))
            .collect();
        let places = linli::domain::workshop::Whereabouts { towns, district: ("区".into(), None) };
        let parsed = linli::domain::workshop::WorkshopEdit::parse(&form.fields, today, &places);
        assert!(parsed.is_ok(), "workshop {slug}: {:?}", parsed.err());
        assert_eq!(parsed.unwrap().to_fields(), form.fields, "workshop {slug} canonically");
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
}

async fn a_town_is_renamed_with_history_and_its_workshops_follow(app: TestApp) {
    let town: i64 = scalar_with(
        &app.db,
        "SELECT id FROM territories WHERE name_zh = $1 AND kind = 'town'",
        "钟山乡",
    )
    .await;
    let edit = format!("/staff/content/territory/{town}");
    // The towns page links each town to its form.
    let admin = app.district_admin("tonglu").await;
    let (_, list) = admin.app.page("/staff/districts/tonglu/towns").await;
    assert!(attrs(&list, ".list a", "href").contains(&edit));
    // Nobody outside Tonglu edits it.
    let xihu = district_id(&app, "xihu").await;
    let other = app.persona("西湖管理员", 9013, &[Role::DistrictAdmin { district_id: xihu }]).await;
    assert_eq!(other.app.get(&edit).await.status().as_u16(), 403);
    let keeper = app.workshop_keeper("honey-pear").await;
    assert_eq!(keeper.app.get(&edit).await.status().as_u16(), 403);
    // A name another town of the district has, or one character, is
    // refused at the field with what was typed kept.
    let (status, _, html) = submit(&admin.app, &edit, &edit, &[("name_zh", Some("百江镇"))]).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-name_zh-error"), "错误：本地区已经有这个名称了");
    assert_eq!(attr(&html, "#f-name_zh", "value"), "百江镇");
    let (status, _, html) = submit(&admin.app, &edit, &edit, &[("name_zh", Some("钟"))]).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-name_zh-error"), "错误：请写2到20个字的名称");
    // Renamed: a town with no draft state saves at once, with its note.
    let site = app.site_admin().await;
    let (_, stale) = site.app.page(&edit).await;
    assert_eq!(texts(&stale, ".actions button"), ["保存"]);
    let (status, location, _) = submit(
        &admin.app,
        &edit,
        &edit,
        &[
            ("name_zh", Some("钟山镇")),
            ("name_en", Some("Zhongshan Town")),
            ("note", Some("撤乡设镇")),
        ],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, edit.as_str()));
    // Its workshops show it and are found and filtered by the new name.
    let (_, page) = app.page("/workshops/honey-pear").await;
    assert!(text(&page, ".kind").contains("钟山镇"), "{}", text(&page, ".kind"));
    let (_, listing) = app.page("/workshops").await;
    let towns = texts(&listing, "#f-town option");
    assert!(
        towns.contains(&"钟山镇".to_owned()) && !towns.contains(&"钟山乡".to_owned()),
        "{towns:?}"
    );
    let (_, found) = app.page("/workshops?q=山镇").await;
    assert_eq!(texts(&found, ".cards h3 a"), ["蜜梨工坊"]);
    let (_, filtered) = app.page(&format!("/workshops?town={}", "钟山镇")).await;
    assert_eq!(texts(&filtered, ".cards h3 a"), ["蜜梨工坊"]);
    let reader = app.new_anonymous();
    reader.switch_lang("en").await;
    let (_, en) = reader.page("/workshops/honey-pear").await;
    assert!(text(&en, ".kind").contains("Zhongshan Town"), "{}", text(&en, ".kind"));
    // The site admin's form was opened before the rename: refused, with
    // both versions and their input kept.
    let fields = form_of(&stale, &edit, &[("name_en", Some("Zhongshan"))]);
    let (status, _, html) = post(&site.app, &edit, &fields).await;
    assert_eq!(status, 409);
    assert!(text(&html, "#conflict-title").starts_with("区管理员 在"));
    assert_eq!(attr(&html, "#f-name_en", "value"), "Zhongshan");
    // History, in words; restoring the first version is a new one, and
    // the workshop follows back.
    let history = format!("{edit}/history");
    let (_, html) = admin.app.page(&history).await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 1 版 · 当前版本", "第 0 版"]);
    assert!(text(&html, "#r1").contains("修改说明：撤乡设镇"));
    assert!(text(&html, "#r1").contains("钟山乡"));
    assert!(!text(&html, "#r0").contains("1970"), "dated when the tree was built");
    let restore = format!("{edit}/restore");
    let fields = form_of(&html, &restore, &[("revision", Some("0"))]);
    let (status, location, _) = post(&admin.app, &restore, &fields).await;
    assert_eq!((status, location.as_str()), (303, history.as_str()));
    let (_, page) = app.page("/workshops/honey-pear").await;
    assert!(text(&page, ".kind").contains("钟山乡"), "{}", text(&page, ".kind"));
    // A restore naming no revision, or one the town never had, changes
    // nothing and says so on the history page.
    let (_, html) = admin.app.page(&history).await;
    for wrong in [Some("99"), Some("第一版"), None] {
        let fields = form_of(&html, &restore, &[("revision", wrong)]);
        let (status, location, _) = post(&admin.app, &restore, &fields).await;
        assert_eq!((status, location.as_str()), (303, history.as_str()), "{wrong:?}");
        let (_, after) = admin.app.page(&history).await;
        assert_eq!(text(&after, ".flash"), "找不到这个版本。", "{wrong:?}");
        assert_eq!(texts(&after, ".revisions > li h2").len(), 3, "{wrong:?}");
    }
    let (_, found) = app.page("/workshops?q=山镇").await;
    assert!(texts(&found, ".cards h3 a").is_empty());
    let actions: Vec<String> = common::column(
        &app.db,
        "SELECT action FROM audit_log WHERE object LIKE 'territory:%' ORDER BY id",
    )
    .await;
    assert_eq!(actions, ["territory.update", "territory.restore"]);
    // A town added on the towns page starts its history at version 1.
    let (status, _, _) = submit(
        &admin.app,
        "/staff/districts/tonglu/towns",
        "/staff/districts/tonglu/towns",
        &[("kind", Some("street")), ("name_zh", Some("城南街道"))],
    )
    .await;
    assert_eq!(status, 303);
    let added: i64 =
        scalar_with(&app.db, "SELECT id FROM territories WHERE name_zh = $1", "城南街道").await;
    let (_, html) = admin.app.page(&format!("/staff/content/territory/{added}/history")).await;
    assert_eq!(texts(&html, ".revisions > li h2"), ["第 1 版 · 当前版本"]);
    let (_, html) = admin.app.page(&format!("/staff/content/territory/{added}")).await;
    assert_eq!(attr(&html, "form input[name=version]", "value"), "1");
    assert_eq!(attr(&html, "#f-kind option[selected]", "value"), "street");
    // It has no English name yet: on the "needs English" list of Tonglu's
    // admins, not of Xihu's.
    let form = format!("/staff/content/territory/{added}");
    let (_, english) = admin.app.page("/staff/english").await;
    assert!(attrs(&english, ".list a", "href").contains(&form));
    let (_, english) = other.app.page("/staff/english").await;
    assert!(!attrs(&english, ".list a", "href").contains(&form));
}
