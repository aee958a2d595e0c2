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
    a_figure_keeps_its_values_over_the_years_with_public_corrections,
    sources_are_registered_cited_and_kept_while_cited,
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

    // A new figure, saved as a draft: what it is first, then its value;
    // not public, in the preview, marked.
    let new = "/staff/districts/xihu/new/figure";
    let (status, location, _) = submit(
        &admin.app,
        new,
        new,
        &[("label_zh", Some("新增志愿者")), ("unit_zh", Some("人")), ("action", Some("draft"))],
    )
    .await;
    assert_eq!(status, 303);
    let figure: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(location, format!("/staff/content/figure/{figure}"));
    let (_, form) = admin.app.page(&location).await;
    assert_eq!(
        text(&form, "#values-heading ~ p strong"),
        "还没有数值，这项数据不会显示在页面上。请添加第一个数值。"
    );
    let add = format!("/staff/figures/{figure}/values/new");
    assert!(attrs(&form, "section a", "href").contains(&add));
    let (_, preview) = admin.app.page("/staff/districts/xihu/preview").await;
    assert!(
        !texts(&preview, ".figure-label").iter().any(|l| l.contains("新增志愿者")),
        "no value, no card"
    );
    let source: i64 =
        scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-xihu").await;
    let (status, to, _) = submit(
        &admin.app,
        &add,
        &add,
        &[
            ("value", Some("1,250")),
            ("qualifier", Some("about")),
            ("year", Some("2025")),
            ("source_id", Some(&source.to_string())),
        ],
    )
    .await;
    assert_eq!((status, to), (303, format!("{location}#values-heading")));
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
    // Readers and keepers cannot preview, nor add a value.
    assert_eq!(reader.get("/staff/districts/xihu/preview").await.status().as_u16(), 303);
    let keeper = app.station_keeper().await;
    assert_eq!(keeper.app.get("/staff/districts/xihu/preview").await.status().as_u16(), 403);
    assert_eq!(keeper.app.get(&location).await.status().as_u16(), 403);
    assert_eq!(keeper.app.get(&add).await.status().as_u16(), 403);

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
    assert_eq!(
        actions,
        ["district.update", "figure.create", "figure.value_add", "figure.update", "figure.update"]
    );
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
    twice.push(("unit_zh".into(), "个".into()));
    assert_eq!(post(&admin.app, &location, &twice).await.0, 303);
    let unit: String =
        scalar_for_id(&app.db, "SELECT unit_zh FROM figures WHERE id = $1", figure).await;
    assert_eq!(unit, "人");
    let (_, form) = admin.app.page(&location).await;
    let partial: Vec<(String, String)> = form_of(&form, &location, &[])
        .into_iter()
        .filter(|(k, _)| ["csrf_token", "version", "unit_zh"].contains(&k.as_str()))
        .map(|(k, v)| if k == "unit_zh" { (k, "人次".to_owned()) } else { (k, v) })
        .collect();
    assert_eq!(post(&admin.app, &location, &partial).await.0, 303);
    let (_, form) = admin.app.page(&location).await;
    assert_eq!(attr(&form, "#f-label_en", "value"), "New volunteers", "not sent, so kept");
    assert_eq!(attr(&form, "#f-unit_zh", "value"), "人次");
    // Invisible marks are refused at the field.
    let hidden = form_of(&form, &location, &[("label_zh", Some("\u{200b}"))]);
    let (status, _, html) = post(&admin.app, &location, &hidden).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-label_zh-error"), "错误：这里有无法保存的特殊字符，请删掉后再试");
    // Put back as it was for what follows.
    let back = form_of(&form, &location, &[("label_en", Some("")), ("unit_zh", Some("人"))]);
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
    assert_eq!(text(&form, "#values-heading"), "Values over the years");
    let (_, value_form) = admin.app.page(&add).await;
    assert_eq!(text(&value_form, "label[for=f-qualifier]"), "The value is");
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
            ("unit_zh", Some("")),
            ("chart_group", Some("一\n二")),
            ("action", Some("publish")),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text(&html, "title").starts_with("有错误："));
    assert_eq!(text(&html, "#f-unit_zh-error"), "错误：这一项必须填写");
    assert_eq!(text(&html, "#f-chart_group-error"), "错误：这里只能写一行");
    assert_eq!(attr(&html, "#f-label_zh", "value"), "新增志愿者");
    let summary = attrs(&html, ".error-summary a", "href");
    assert_eq!(summary, ["#f-unit_zh", "#f-chart_group"]);
    // The summary names each field, so two "fill this in" tell apart.
    assert_eq!(texts(&html, ".error-summary li")[0], "单位（中文）：这一项必须填写");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM figures").await, before, "nothing saved");
    // A value: a number, a year, a qualifier and a source of the district.
    let figure: i64 =
        scalar_with(&app.db, "SELECT id FROM figures WHERE code = $1", "joint_unions").await;
    let add = format!("/staff/figures/{figure}/values/new");
    let tonglu: i64 =
        scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-tonglu").await;
    let values = count(&app.db, "SELECT COUNT(*) FROM figure_values").await;
    let (status, _, html) = submit(
        &admin.app,
        &add,
        &add,
        &[
            ("value", Some("很多")),
            ("qualifier", Some("roughly")),
            ("year", Some("1800")),
            ("source_id", Some(&tonglu.to_string())),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-value-error"), "错误：请只填数字，例如 5651 或 1.4");
    assert_eq!(attr(&html, "#f-value", "value"), "很多");
    assert_eq!(attr(&html, "#f-value", "aria-invalid"), "true");
    assert_eq!(text(&html, "#f-qualifier-error"), "错误：请从列表中选择");
    assert_eq!(text(&html, "#f-year-error"), "错误：请填写四位数的年份，例如 2023");
    assert_eq!(attr(&html, "#f-year", "value"), "1800");
    assert_eq!(
        text(&html, "#f-source_id-error"),
        "错误：请从列表中选择",
        "another district's source"
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM figure_values").await, values, "nothing saved");
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
        let sources: Vec<i64> = linli::db::sources::of_district(&app.db, id)
            .await
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        let choices = linli::domain::content::Choices {
            places: places.clone(),
            sources: sources.clone(),
            ..Default::default()
        };
        let district = linli::db::content::item(&app.db, ContentKind::District, id).await.unwrap();
        let mut items = vec![(ContentKind::District, district.unwrap())];
        for kind in ContentKind::LISTED.into_iter().chain([ContentKind::Territory]) {
            for item in linli::db::content::listed(&app.db, kind, id).await.unwrap() {
                items.push((kind, item));
            }
        }
        // The district's workshops' figures, which pass the figure form too.
        let workshops: Vec<i64> = common::column(&app.db, "SELECT id FROM workshops").await;
        for w in workshops {
            for item in linli::db::content::of_workshop(&app.db, w).await.unwrap() {
                if item.district_id == id {
                    items.push((ContentKind::Figure, item));
                }
            }
        }
        for (kind, item) in items {
            // An activity's first day stays allowed, however long ago.
            let mut choices = choices.clone();
            choices.kept_day = linli::domain::place_edit::parse_date(item.fields.get("first_day"));
            let out = kind.check(&item.fields, today, &choices);
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

fn figure_card(html: &Html, label: &str) -> String {
    texts(html, ".figures .figure").into_iter().find(|c| c.contains(label)).unwrap_or_default()
}

/// A new year adds a value and the page draws the trend; the same year
/// twice is refused at the field; a correction needs a note, which the
/// public reads beside the number; a computed value says so.
async fn a_figure_keeps_its_values_over_the_years_with_public_corrections(app: TestApp) {
    let admin = app.district_admin("gongshu").await;
    let reader = app.new_anonymous();
    let figure: i64 =
        scalar_with(&app.db, "SELECT id FROM figures WHERE code = $1", "talent_projects").await;
    let source: i64 =
        scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-gongshu").await;
    let edit = format!("/staff/content/figure/{figure}");
    let add = format!("/staff/figures/{figure}/values/new");
    // One value: no trend.
    let (_, page) = reader.page("/districts/gongshu").await;
    assert!(figure_card(&page, "新增落地人才项目").contains("116"));
    assert!(
        page.select(&scraper::Selector::parse(".figure svg polyline").unwrap()).next().is_none()
    );
    // A new year starts from the latest value's source.
    let (_, form) = admin.app.page(&add).await;
    assert_eq!(attr(&form, "#f-source_id option[selected]", "value"), source.to_string());
    let (status, to, _) = submit(
        &admin.app,
        &add,
        &add,
        &[("value", Some("130")), ("qualifier", Some("exact")), ("year", Some("2024"))],
    )
    .await;
    assert_eq!((status, to.as_str()), (303, format!("{edit}#values-heading").as_str()));
    let (_, page) = reader.page("/districts/gongshu").await;
    let card = figure_card(&page, "新增落地人才项目");
    assert!(card.contains("130") && card.contains("2024年"), "the latest: {card}");
    assert!(card.contains("历年：2023年 116 → 2024年 130 个"), "{card}");
    let points = attrs(&page, ".figure svg polyline", "points");
    assert_eq!(points.len(), 1, "one trend drawn");
    let ys: Vec<u32> =
        points[0].split(' ').map(|p| p.split(',').nth(1).unwrap().parse().unwrap()).collect();
    assert!(ys[1] < ys[0], "the line goes up: {ys:?}");
    assert_eq!(
        scalar_for_id::<f64>(&app.db, "SELECT value FROM figures WHERE id = $1", figure).await,
        130.0
    );
    // An earlier year joins the history but is not the latest.
    let (status, _, _) = submit(
        &admin.app,
        &add,
        &add,
        &[("value", Some("90")), ("qualifier", Some("exact")), ("year", Some("2022"))],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/gongshu").await;
    assert!(figure_card(&page, "新增落地人才项目").contains("2022年 90 → 2023年 116 → 2024年 130"));
    // A value "as of the report" stands by when its source was published,
    // else when it was entered: an earlier year added to it comes before
    // it, so the latest stays the reported one.
    let years: i64 =
        scalar_with(&app.db, "SELECT id FROM figures WHERE code = $1", "compound_governance_years")
            .await;
    let add_years = format!("/staff/figures/{years}/values/new");
    let (status, _, _) = submit(
        &admin.app,
        &add_years,
        &add_years,
        &[("value", Some("5")), ("qualifier", Some("exact")), ("year", Some("2022"))],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/gongshu").await;
    let card = figure_card(&page, "党建引领三方协同小区治理连续迭代");
    assert!(
        card.contains("6 年") && card.contains("报道时"),
        "the reported value stays latest: {card}"
    );
    assert!(card.contains("历年：2022年 5 → 报道时 6 年"), "{card}");
    // The same year twice: refused at the field, what was typed kept.
    let (status, _, html) = submit(
        &admin.app,
        &add,
        &add,
        &[("value", Some("131")), ("qualifier", Some("exact")), ("year", Some("2024"))],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        text(&html, "#f-year-error"),
        "错误：这一年已经有数值了。要改它，请在数值列表里点“更正”"
    );
    assert_eq!(attr(&html, "#f-value", "value"), "131");
    // A correction: from the list of values, with a note the public sees.
    let (_, form) = admin.app.page(&edit).await;
    let lines = texts(&form, "#values-heading ~ ul.list li");
    assert!(lines[0].starts_with("2024年 130"), "latest first: {lines:?}");
    let correct = attrs(&form, "#values-heading ~ ul.list a", "href")[0].clone();
    let (status, _, html) = submit(&admin.app, &correct, &correct, &[("value", Some("128"))]).await;
    assert_eq!(status, 422, "a correction says why");
    assert_eq!(text(&html, "#f-note_zh-error"), "错误：这一项必须填写");
    assert_eq!(attr(&html, "#f-value", "value"), "128");
    let (status, _, html) =
        submit(&admin.app, &correct, &correct, &[("note_zh", Some("没改"))]).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-value-error"), "错误：和原来的数值一样，没有更正什么");
    let (status, _, _) = submit(
        &admin.app,
        &correct,
        &correct,
        &[("value", Some("128")), ("note_zh", Some("区人才办复核后更正"))],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/gongshu").await;
    let card = figure_card(&page, "新增落地人才项目");
    assert!(card.contains("128"), "{card}");
    let today = linli::domain::format::date(linli::domain::Lang::Zh, chrono::Utc::now());
    assert!(card.contains(&format!("{today}更正：2024年原为 130。区人才办复核后更正")), "{card}");
    // A value the portal computes is labelled, never shown as reported;
    // its exact product stays for machines.
    let (status, _, _) = submit(
        &admin.app,
        &add,
        &add,
        &[("value", Some("70 × 2")), ("qualifier", Some("exact")), ("year", Some("2025"))],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/gongshu").await;
    let card = figure_card(&page, "新增落地人才项目");
    assert!(card.contains("本站按 70×2 算出，不是报道的数字"), "{card}");
    assert!(attrs(&page, ".figure data", "value").contains(&"140".to_owned()));
    reader.switch_lang("en").await;
    let (_, page) = reader.page("/districts/gongshu").await;
    let card = figure_card(&page, "New talent projects");
    assert!(card.contains("computed by this portal as 70×2, not a reported figure"), "{card}");
    assert!(card.contains("Over the years: 2022 90 → 2023 116 → 2024 128 → 2025 140"), "{card}");
    // Each step is audited; keepers of other districts cannot reach it.
    let actions: Vec<String> = common::column(
        &app.db,
        "SELECT action FROM audit_log WHERE action LIKE 'figure.value%' ORDER BY id",
    )
    .await;
    assert_eq!(
        actions,
        [
            "figure.value_add",
            "figure.value_add",
            "figure.value_add",
            "figure.value_correct",
            "figure.value_add"
        ]
    );
    let xihu = district_id(&app, "xihu").await;
    let other = app.persona("西湖管理员", 9013, &[Role::DistrictAdmin { district_id: xihu }]).await;
    assert_eq!(other.app.get(&add).await.status().as_u16(), 403);
    assert_eq!(other.app.get(&correct).await.status().as_u16(), 403);
    // A value of another figure, or a malformed one, names nothing here.
    let stranger: i64 = scalar_with(
        &app.db,
        "SELECT MIN(v.id) FROM figure_values v JOIN figures f ON f.id = v.figure_id WHERE f.code = $1",
        "area",
    )
    .await;
    let values = format!("/staff/figures/{figure}/values");
    assert_eq!(admin.app.get(&format!("{values}/{stranger}")).await.status().as_u16(), 404);
    assert_eq!(admin.app.get(&format!("{values}/x")).await.status().as_u16(), 404);
    assert_eq!(admin.app.get("/staff/figures/99999999/values/new").await.status().as_u16(), 404);
}

/// A district admin registers a source (a bad address refused at the
/// field, the rest kept); a value cites it and the page lists it with its
/// publisher, date, page and link; a cited source cannot be deleted.
async fn sources_are_registered_cited_and_kept_while_cited(app: TestApp) {
    let admin = app.district_admin("xihu").await;
    let reader = app.new_anonymous();
    let (_, hub) = admin.app.page("/staff/districts/xihu").await;
    let new = "/staff/districts/xihu/new/source";
    assert!(attrs(&hub, "a", "href").contains(&new.to_owned()));
    assert!(texts(&hub, "#sec-source ~ ul li").iter().any(|l| l.contains("西湖区：“爱心驿站”")));
    let typed = [
        ("title_zh", Some("西湖区新就业形态劳动者服务阵地建设情况")),
        ("publisher_zh", Some("西湖区总工会")),
        ("publisher_en", Some("Xihu District Federation of Trade Unions")),
        ("published_on", Some("2026-11-20")),
        ("page", Some("第3页")),
        ("url", Some("javascript:alert(1)")),
    ];
    let (status, _, html) = submit(&admin.app, new, new, &typed).await;
    assert_eq!(status, 422);
    assert_eq!(
        text(&html, "#f-url-error"),
        "错误：网址要以 http:// 或 https:// 开头，中间不能有空格"
    );
    assert_eq!(attr(&html, "#f-publisher_zh", "value"), "西湖区总工会");
    assert_eq!(attr(&html, "#f-url", "value"), "javascript:alert(1)");
    let mut good = typed.to_vec();
    good.retain(|(k, _)| *k != "url");
    good.push(("url", Some("https://www.example.org/xihu/2026-11")));
    let (status, location, _) = submit(&admin.app, new, new, &good).await;
    assert_eq!(status, 303);
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    // Its title has no English yet: it waits on the admins' English list.
    let (_, english) = admin.app.page("/staff/english").await;
    assert!(attrs(&english, ".list a", "href").contains(&location), "{location}");
    // The service-places figure cites it for a new year.
    let figure: i64 =
        scalar_with(&app.db, "SELECT id FROM figures WHERE code = $1", "service_positions").await;
    let add = format!("/staff/figures/{figure}/values/new");
    let (_, form) = admin.app.page(&add).await;
    let options = texts(&form, "#f-source_id option");
    assert!(options.contains(&"西湖区新就业形态劳动者服务阵地建设情况 — 西湖区总工会".to_owned()));
    assert!(!options.iter().any(|o| o.contains("村村建工坊")), "only the district's: {options:?}");
    let (status, _, _) = submit(
        &admin.app,
        &add,
        &add,
        &[
            ("value", Some("28")),
            ("qualifier", Some("exact")),
            ("year", Some("2026")),
            ("source_id", Some(&id.to_string())),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = reader.page("/districts/xihu").await;
    let card = figure_card(&page, "新就业形态劳动者服务阵地");
    assert!(card.contains("28") && card.contains("来源 2"), "{card}");
    let cite = texts(&page, "ol.sources #source-2")[0].clone();
    assert_eq!(
        cite,
        "《西湖区新就业形态劳动者服务阵地建设情况》。西湖区总工会，2026年11月20日，第3页。阅读原文"
    );
    assert_eq!(attr(&page, "#source-2 a", "href"), "https://www.example.org/xihu/2026-11");
    assert!(attr(&page, "#source-2 a", "rel").contains("noopener"));
    reader.switch_lang("en").await;
    let (_, page) = reader.page("/districts/xihu").await;
    let cite = texts(&page, "ol.sources #source-2")[0].clone();
    assert!(
        cite.contains("Xihu District Federation of Trade Unions, 20 November 2026, 第3页."),
        "{cite}"
    );
    // Cited, it stays: the site admin is told why.
    let site = app.site_admin().await;
    let delete = format!("/staff/content/source/{id}/delete");
    let token = site.app.csrf_token(&delete).await;
    let res = site
        .app
        .client
        .post(site.app.url(&delete))
        .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM sources WHERE title_zh LIKE '西湖区新就业%'").await,
        1
    );
    let (_, form) = site.app.page(&format!("/staff/content/source/{id}")).await;
    assert!(
        text(&form, ".flash").contains("还有数据引用这条来源，不能删除"),
        "{}",
        text(&form, ".flash")
    );
    // An entry nothing cites goes.
    let (_, location, _) = submit(
        &admin.app,
        new,
        new,
        &[("title_zh", Some("草稿来源")), ("publisher_zh", Some("某单位"))],
    )
    .await;
    let spare: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let delete = format!("/staff/content/source/{spare}/delete");
    let token = site.app.csrf_token(&delete).await;
    let res = site
        .app
        .client
        .post(site.app.url(&delete))
        .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sources WHERE title_zh = '草稿来源'").await, 0);
    // Workshop keepers and station keepers cannot add to the register.
    let keeper = app.station_keeper().await;
    assert_eq!(keeper.app.get(new).await.status().as_u16(), 403);
}
