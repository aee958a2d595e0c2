//! Activities over HTTP on both databases: the listing and its filters,
//! sessions in Beijing time, sign-up, the registration page, cancelling,
//! the waiting list moving up, and the race for the last places.

mod common;

use chrono::{Duration, Utc};
use common::{TestApp, attr, attrs, count, scalar_for_id, text, texts};
use scraper::Html;

on_both_databases!(
    the_listing_shows_what_is_on_with_its_filters,
    a_weekly_class_meets_on_its_days_in_beijing_time,
    sign_up_cancel_and_the_waiting_list_moving_up,
    bad_sign_ups_are_answered_at_the_field,
    calendars_parse_and_hold_what_they_should,
    open_data_follows_the_filters_and_holds_no_personal_data,
    three_hundred_sign_ups_for_twenty_places with |s| {
        s.signups_per_hour = 10_000;
        s.signups_per_phone_per_hour = 10_000;
    },
);

fn titles(html: &Html) -> Vec<String> {
    texts(html, ".cards .activity h3")
}

async fn the_listing_shows_what_is_on_with_its_filters(app: TestApp) {
    let (status, html) = app.page("/activities").await;
    assert_eq!(status, 200);
    let all = titles(&html);
    for t in
        ["乐活空间·舞蹈课", "乐活空间·书法课", "蔡马人家小区服务日", "快递、外卖小哥免费体检卡领取"]
    {
        assert!(all.contains(&t.to_owned()), "{t} in {all:?}");
    }
    assert!(!all.iter().any(|t| t.contains("外籍项目决赛")), "a past one is not on: {all:?}");
    // Soonest first: the dance class (tomorrow) before the service day.
    let dance = all.iter().position(|t| t == "乐活空间·舞蹈课").unwrap();
    let service = all.iter().position(|t| t == "蔡马人家小区服务日").unwrap();
    assert!(dance < service, "{all:?}");
    // Each filter narrows it; every filter is in the query string.
    let (_, html) = app.page("/activities?kind=class").await;
    let mut classes = titles(&html);
    classes.sort();
    assert_eq!(classes, ["乐活空间·书法课", "乐活空间·瑜伽课", "乐活空间·舞蹈课"]);
    let (_, html) = app.page("/activities?audience=outdoor_workers").await;
    assert_eq!(titles(&html), ["快递、外卖小哥免费体检卡领取"]);
    let (_, html) = app.page("/activities?district=xihu").await;
    assert_eq!(titles(&html), ["快递、外卖小哥免费体检卡领取"]);
    let home = app.place_id("gs-caima-happy-home").await;
    let (_, html) = app.page(&format!("/activities?place={home}&kind=service_day")).await;
    assert_eq!(titles(&html), ["蔡马人家小区服务日"]);
    // A date range finds what was held, with what came of it.
    let (_, html) = app.page("/activities?from=2023-11-09&to=2023-11-09").await;
    assert_eq!(titles(&html), ["杭州海外高层次人才创新创业大赛外籍项目决赛"]);
    assert!(text(&html, ".cards .activity .when").contains("2023年11月9日"));
    let final_page = attrs(&html, ".cards .activity h3 a", "href")[0].clone();
    let (_, page) = app.page(&final_page).await;
    assert!(text(&page, "#outcome-heading + p").contains("2023年11月9日在拱墅区举行"));
    assert!(text(&page, ".facts").contains("拱墅区"));
    // The next seven days hold the class tomorrow, not one six weeks on.
    let (_, html) = app.page("/activities?when=week").await;
    assert!(titles(&html).contains(&"乐活空间·舞蹈课".to_owned()));
    // A filter it does not understand is named, not obeyed, not an error.
    let (status, html) = app.page("/activities?audience=robots&from=2026-13-01").await;
    assert_eq!(status, 200);
    let ignored = texts(&html, ".note li");
    assert!(ignored.contains(&"面向人群".to_owned()), "{ignored:?}");
    assert!(ignored.iter().any(|i| i.starts_with("日期")), "{ignored:?}");
    assert_eq!(titles(&html).len(), all.len().min(20));
    // A year chrono reads but no calendar holds: named, not a failure.
    let (status, html) = app.page("/activities?from=%2B262143-12-31").await;
    assert_eq!(status, 200);
    assert!(texts(&html, ".note li").iter().any(|i| i.starts_with("日期")));
    // In English.
    let en = app.new_anonymous();
    en.get("/prefs/lang/en?next=/").await;
    let (_, html) = en.page("/activities?kind=health_check").await;
    assert_eq!(text(&html, "#results-heading"), "1 activity found");
    assert_eq!(titles(&html), ["Free health-check cards for couriers and delivery riders"]);
}

async fn a_weekly_class_meets_on_its_days_in_beijing_time(app: TestApp) {
    let id: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE code = $1", "gs-lehuo-dance")
            .await;
    // Every session is on a Tuesday or Thursday, 9:00 to 10:30 in Beijing
    // (01:00 to 02:30 UTC), whatever the server's own zone.
    let sessions: Vec<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> = match &app.db {
        linli::db::Db::Sqlite(p) => sqlx::query_as(
            "SELECT starts_at, ends_at FROM activity_sessions WHERE activity_id = $1 ORDER BY starts_at",
        )
        .bind(id)
        .fetch_all(p)
        .await
        .unwrap(),
        linli::db::Db::Postgres(p) => sqlx::query_as(
            "SELECT starts_at, ends_at FROM activity_sessions WHERE activity_id = $1 ORDER BY starts_at",
        )
        .bind(id)
        .fetch_all(p)
        .await
        .unwrap(),
    };
    assert!(sessions.len() >= 20, "twelve weeks twice a week: {}", sessions.len());
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    for (start, end) in &sessions {
        use chrono::{Datelike, Timelike};
        let local = start.with_timezone(&beijing);
        assert!(matches!(local.weekday(), chrono::Weekday::Tue | chrono::Weekday::Thu), "{local}");
        assert_eq!((local.hour(), local.minute()), (9, 0), "{local}");
        assert_eq!(*end - *start, Duration::minutes(90));
    }
    // The page lists the next twelve with their places; the form offers them.
    let (_, html) = app.page(&format!("/activities/{id}")).await;
    let lines = texts(&html, ".sessions li");
    assert_eq!(lines.len(), 12, "{lines:?}");
    assert!(lines[0].contains("9:00–10:30") && lines[0].contains("还剩 20 个名额（共 20 个）"));
    assert!(lines.iter().all(|l| l.contains("周二") || l.contains("周四")), "{lines:?}");
    assert_eq!(attrs(&html, "#f-session option", "value").len(), 12);
}

/// An activity of the test's own: `places` places a session, a waiting
/// list, parties of up to 3, sessions tomorrow and next week.
async fn our_activity(app: &TestApp, places: i64) -> (i64, i64) {
    let district: i64 =
        common::scalar_with(&app.db, "SELECT id FROM districts WHERE slug = $1", "gongshu").await;
    let now = Utc::now();
    let tomorrow = now + Duration::days(1);
    common::exec_script(
        &app.db,
        format!(
            "INSERT INTO activities (district_id, code, kind, title_zh, summary_zh, organiser_zh, \
                 address_zh, signup, places, party_max, first_day, weekdays, until_day, start_time, \
                 end_time, created_at, updated_at) \
             VALUES ({district}, 'test-talk', 'talk', '社区讲座', '讲座', '街道', '街道礼堂', \
                 'waitlist', {places}, 3, '{day}', '', NULL, '19:00', '20:30', '{now}', '{now}')",
            day = tomorrow.date_naive(),
            now = now.to_rfc3339(),
        ),
    )
    .await;
    let id: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE code = $1", "test-talk")
            .await;
    for (n, at) in [(1, tomorrow), (2, tomorrow + Duration::days(7))] {
        common::exec_script(
            &app.db,
            format!(
                "INSERT INTO activity_sessions (activity_id, starts_at, ends_at, places, places_left) \
                 VALUES ({id}, '{start}', '{end}', {places}, {places})",
                start = (at + Duration::minutes(n)).to_rfc3339(),
                end = (at + Duration::hours(2)).to_rfc3339(),
            ),
        )
        .await;
    }
    let session: i64 =
        scalar_for_id(&app.db, "SELECT MIN(id) FROM activity_sessions WHERE activity_id = $1", id)
            .await;
    (id, session)
}

/// Signs up on the activity's page; the status, where it sends the reader,
/// and the page.
async fn sign_up(who: &TestApp, activity: i64, fields: &[(&str, &str)]) -> (u16, String, Html) {
    let page = format!("/activities/{activity}");
    let res = who.post_form(&page, &format!("{page}/signup"), fields).await;
    let status = res.status().as_u16();
    let to =
        res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, to, Html::parse_document(&res.text().await.unwrap()))
}

async fn sign_up_cancel_and_the_waiting_list_moving_up(app: TestApp) {
    let (id, session) = our_activity(&app, 3).await;
    let s = session.to_string();
    // Ann brings two: registered, one place left.
    let ann = app.new_anonymous();
    let (status, to, _) = sign_up(
        &ann,
        id,
        &[("session", &s), ("name", "安阿姨"), ("phone", "13911110001"), ("people", "2")],
    )
    .await;
    assert_eq!(status, 303);
    assert!(to.starts_with("/activities/registrations/") && to.ends_with("?new=1"), "{to}");
    let ann_page = to.trim_end_matches("?new=1").to_owned();
    let (status, html) = ann.page(&to).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "报名成功");
    let code = text(&html, "p.code");
    assert_eq!(code.len(), 9, "XXXX-XXXX: {code}");
    assert!(ann_page.ends_with(&code));
    assert!(text(&html, ".facts").contains("安阿姨 · 2 人"));
    assert!(html.select(&scraper::Selector::parse("svg.qr path").unwrap()).next().is_some());
    let stored: i64 = count(&app.db, "SELECT COUNT(*) FROM activity_registrations").await;
    assert_eq!(stored, 1);
    let hashed: i64 = common::scalar_with(
        &app.db,
        "SELECT COUNT(*) FROM activity_registrations WHERE code_hash LIKE $1",
        &format!("%{code}%"),
    )
    .await;
    assert_eq!(hashed, 0, "only a keyed hash of the code is kept");
    // Bo brings two: they do not fit in the one place left, so Bo waits.
    let bo = app.new_anonymous();
    let (_, to, _) = sign_up(
        &bo,
        id,
        &[("session", &s), ("name", "薄师傅"), ("phone", "13911110002"), ("people", "2")],
    )
    .await;
    let bo_page = to.trim_end_matches("?new=1").to_owned();
    let (_, html) = bo.page(&to).await;
    assert_eq!(text(&html, "h1"), "已经排上候补");
    assert!(text(&html, ".facts").contains("候补第 1 位"), "{}", text(&html, ".facts"));
    // Cy comes alone: one place is left, but Bo waits first; nobody jumps
    // the list.
    let cy = app.new_anonymous();
    let (_, to, _) = sign_up(&cy, id, &[("session", &s), ("name", "崔"), ("people", "1")]).await;
    let cy_page = to.trim_end_matches("?new=1").to_owned();
    let (_, html) = cy.page(&cy_page).await;
    assert!(text(&html, ".facts").contains("候补第 2 位"));
    // The same phone twice for one session: refused, pointing to the first.
    let (status, _, html) = sign_up(
        &app.new_anonymous(),
        id,
        &[("session", &s), ("name", "安阿姨"), ("phone", "139 1111 0001")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        text(&html, ".error-summary").contains("已经报过这一次了"),
        "{}",
        text(&html, ".error-summary")
    );
    // The page: full, two waiting.
    let (_, html) = app.page(&format!("/activities/{id}")).await;
    assert!(
        texts(&html, ".sessions li")[0].contains("还剩 1 个名额（共 3 个），2 人在候补"),
        "{:?}",
        texts(&html, ".sessions li")
    );
    // Ann cancels, after the confirmation: three places free; Bo moves up
    // (two), then Cy (one), in the order they joined.
    let cancel = format!("{ann_page}/cancel");
    let token = ann.csrf_token(&ann_page).await;
    let res = ann
        .client
        .post(ann.url(&cancel))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "asked first");
    let asked = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&asked, "h1").contains("社区讲座"));
    let res = ann
        .client
        .post(ann.url(&cancel))
        .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = ann.page(&ann_page).await;
    assert!(text(&html, ".facts").contains("已取消"));
    assert!(
        html.select(&scraper::Selector::parse("form[action$='/cancel']").unwrap()).next().is_none()
    );
    let (_, html) = bo.page(&bo_page).await;
    assert!(text(&html, ".facts").contains("已报名"), "{}", text(&html, ".facts"));
    assert!(text(&html, ".facts").contains("您已从候补转为正式报名"));
    let (_, html) = cy.page(&cy_page).await;
    assert!(text(&html, ".facts").contains("您已从候补转为正式报名"), "{}", text(&html, ".facts"));
    let left: i64 = scalar_for_id(
        &app.db,
        "SELECT CAST(places_left AS BIGINT) FROM activity_sessions WHERE id = $1",
        session,
    )
    .await;
    assert_eq!(left, 0);
    // A second cancel changes nothing.
    let res = ann
        .client
        .post(ann.url(&cancel))
        .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = ann.page(&ann_page).await;
    assert_eq!(text(&html, ".flash"), "这个报名已经取消过了，或者活动已经开始，没有改动。");
    // On a session called off, a cancellation moves nobody up.
    let dan = app.new_anonymous();
    let (_, to, _) = sign_up(&dan, id, &[("session", &s), ("name", "邓")]).await;
    let dan_page = to.trim_end_matches("?new=1").to_owned();
    let eve = app.new_anonymous();
    let (_, to, _) = sign_up(&eve, id, &[("session", &s), ("name", "鄂")]).await;
    let eve_page = to.trim_end_matches("?new=1").to_owned();
    common::exec_script(
        &app.db,
        format!("UPDATE activity_sessions SET cancelled_at = starts_at WHERE id = {session}"),
    )
    .await;
    let token = dan.csrf_token(&format!("/activities/{id}")).await;
    let res = dan
        .client
        .post(dan.url(&format!("{dan_page}/cancel")))
        .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = eve.page(&eve_page).await;
    assert!(!text(&html, ".facts").contains("您已从候补转为正式报名"), "{}", text(&html, ".facts"));
    // An unknown code is not found; a malformed one alike.
    assert_eq!(app.get("/activities/registrations/AAAA-AAAA").await.status().as_u16(), 404);
    assert_eq!(app.get("/activities/registrations/x").await.status().as_u16(), 404);
}

async fn bad_sign_ups_are_answered_at_the_field(app: TestApp) {
    let (id, session) = our_activity(&app, 5).await;
    let s = session.to_string();
    let (status, _, html) =
        sign_up(&app, id, &[("session", &s), ("name", ""), ("phone", "12345"), ("people", "9")])
            .await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-name-error"), "错误：请填写姓名");
    assert!(text(&html, "#f-phone-error").starts_with("错误："));
    assert_eq!(attr(&html, "#f-phone", "value"), "12345", "what was typed is kept");
    assert_eq!(attr(&html, "#f-people", "value"), "9");
    assert!(text(&html, "#f-people-error").contains("1 到"));
    // A session of another activity, or none, is refused at its field.
    let (status, _, html) = sign_up(&app, id, &[("session", "999999"), ("name", "王")]).await;
    assert_eq!(status, 422);
    assert_eq!(text(&html, "#f-session-error"), "错误：请选择报哪一次");
    assert_eq!(attr(&html, "#f-name", "value"), "王");
    // No sign-up for an activity that needs none.
    let service: i64 = common::scalar_with(
        &app.db,
        "SELECT id FROM activities WHERE code = $1",
        "gs-caima-service-day",
    )
    .await;
    let (_, html) = app.page(&format!("/activities/{service}")).await;
    assert!(html.select(&scraper::Selector::parse("form.signup").unwrap()).next().is_none());
    assert!(text(&html, ".facts").contains("不用报名，直接来"));
    let stored: i64 = count(&app.db, "SELECT COUNT(*) FROM activity_registrations").await;
    assert_eq!(stored, 0);
}

/// 300 people at once for 20 places: exactly 20 get them, the rest wait
/// in the order they joined, nobody sees an error; then 5 cancel and
/// exactly the first 5 waiting move up.
async fn three_hundred_sign_ups_for_twenty_places(app: TestApp) {
    let (id, session) = our_activity(&app, 20).await;
    let page = format!("/activities/{id}");
    // Each browser opens the page first (its token), then all send at once.
    let mut ready = Vec::new();
    for n in 0..300 {
        let who = app.new_anonymous();
        let token = who.csrf_token(&page).await;
        ready.push((who, token, n));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (who, token, n) in ready {
        let url = who.url(&format!("{page}/signup"));
        let session = session.to_string();
        tasks.spawn(async move {
            let phone = format!("139{n:08}");
            let name = format!("居民{n}");
            let res = who
                .client
                .post(url)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("session", session.as_str()),
                    ("name", name.as_str()),
                    ("phone", phone.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let to = res
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, to, who)
        });
    }
    let mut pages = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (status, to, who) = done.unwrap();
        assert_eq!(status, 303, "every one answered, none failed");
        pages.push((to.trim_end_matches("?new=1").to_owned(), who));
    }
    let registered =
        count(&app.db, "SELECT COUNT(*) FROM activity_registrations WHERE status = 'registered'")
            .await;
    let waiting =
        count(&app.db, "SELECT COUNT(*) FROM activity_registrations WHERE status = 'waiting'")
            .await;
    assert_eq!((registered, waiting), (20, 280));
    let left: i64 = scalar_for_id(
        &app.db,
        "SELECT CAST(places_left AS BIGINT) FROM activity_sessions WHERE id = $1",
        session,
    )
    .await;
    assert_eq!(left, 0);
    // Each one waiting is told a place of their own on the list (that the
    // list keeps the order people joined is what the promotion below tests).
    let mut positions = Vec::new();
    for (to, who) in &pages {
        let (_, html) = who.page(to).await;
        let facts = text(&html, ".facts");
        if let Some(rest) = facts.split("候补第 ").nth(1) {
            positions.push(rest.split(' ').next().unwrap().parse::<i64>().unwrap());
        }
    }
    positions.sort_unstable();
    assert_eq!(positions, (1..=280).collect::<Vec<i64>>());
    // Five registered cancel: exactly the first five waiting move up.
    let first_five: Vec<i64> = common::column(
        &app.db,
        "SELECT id FROM activity_registrations WHERE status = 'waiting' ORDER BY id LIMIT 5",
    )
    .await;
    let mut cancelled = 0;
    for (to, who) in &pages {
        if cancelled == 5 {
            break;
        }
        let (_, html) = who.page(to).await;
        if !text(&html, ".facts").contains("已报名") {
            continue;
        }
        let token = who.csrf_token(to).await;
        let res = who
            .client
            .post(who.url(&format!("{to}/cancel")))
            .form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        cancelled += 1;
    }
    let promoted: Vec<i64> = common::column(
        &app.db,
        "SELECT id FROM activity_registrations WHERE promoted_at IS NOT NULL ORDER BY id",
    )
    .await;
    assert_eq!(promoted, first_five);
    let registered =
        count(&app.db, "SELECT COUNT(*) FROM activity_registrations WHERE status = 'registered'")
            .await;
    assert_eq!(registered, 20);
}

/// The calendar files parse with an iCalendar parser: an activity's own,
/// with its rule and time zone, and the subscribable ones per district and
/// place, holding what they should and nothing else.
async fn calendars_parse_and_hold_what_they_should(app: TestApp) {
    use ical::parser::ical::component::IcalCalendar;
    async fn calendar(app: &TestApp, path: &str) -> (IcalCalendar, String) {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let kind = res.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
        assert_eq!(kind, "text/calendar; charset=utf-8");
        let body = res.text().await.unwrap();
        for line in body.split("\r\n") {
            assert!(line.len() <= 75, "{path}: a line of {} octets", line.len());
        }
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(body.as_bytes()));
        let cal = parser.next().expect("one calendar").expect("it parses");
        assert!(parser.next().is_none());
        (cal, body)
    }
    fn prop(e: &ical::parser::ical::component::IcalEvent, name: &str) -> Vec<String> {
        e.properties
            .iter()
            .filter(|p| p.name == name)
            .map(|p| {
                let params = p
                    .params
                    .as_ref()
                    .map(|ps| {
                        ps.iter()
                            .map(|(k, v)| format!("{k}={}", v.join(",")))
                            .collect::<Vec<_>>()
                            .join(";")
                    })
                    .unwrap_or_default();
                format!("{params}:{}", p.value.clone().unwrap_or_default())
            })
            .collect()
    }
    let dance: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE code = $1", "gs-lehuo-dance")
            .await;
    let (cal, _) = calendar(&app, &format!("/activities/{dance}/calendar.ics")).await;
    assert_eq!(cal.timezones.len(), 1);
    assert_eq!(cal.events.len(), 1);
    let e = &cal.events[0];
    let start = &prop(e, "DTSTART")[0];
    assert!(start.starts_with("TZID=Asia/Shanghai:") && start.ends_with("T090000"), "{start}");
    assert!(prop(e, "DTEND")[0].ends_with("T103000"));
    let rule = &prop(e, "RRULE")[0];
    assert!(
        rule.contains("FREQ=WEEKLY") && rule.contains("BYDAY=TU,TH") && rule.contains("UNTIL="),
        "{rule}"
    );
    assert_eq!(prop(e, "UID").len(), 1);
    assert_eq!(prop(e, "DTSTAMP").len(), 1);
    assert!(prop(e, "LOCATION")[0].contains("上塘·蔡马大运河幸福家园"));
    assert!(prop(e, "URL")[0].ends_with(&format!("/activities/{dance}")));
    // A cancelled session of a weekly class is left out by an EXDATE.
    common::exec_script(
        &app.db,
        format!(
            "UPDATE activity_sessions SET cancelled_at = starts_at WHERE id = \
             (SELECT id FROM activity_sessions WHERE activity_id = {dance} ORDER BY starts_at LIMIT 1 OFFSET 1)"
        ),
    )
    .await;
    let (cal, _) = calendar(&app, &format!("/activities/{dance}/calendar.ics")).await;
    let ex = prop(&cal.events[0], "EXDATE");
    assert_eq!(ex.len(), 1, "{ex:?}");
    assert!(ex[0].starts_with("TZID=Asia/Shanghai:") && ex[0].ends_with("T090000"), "{ex:?}");
    // The 2023 final, a day with no hours: an all-day event.
    let final_id: i64 = common::scalar_with(
        &app.db,
        "SELECT id FROM activities WHERE code = $1",
        "gs-overseas-talent-final-2023",
    )
    .await;
    let (cal, _) = calendar(&app, &format!("/activities/{final_id}/calendar.ics")).await;
    assert_eq!(prop(&cal.events[0], "DTSTART"), ["VALUE=DATE:20231109"]);
    assert_eq!(prop(&cal.events[0], "DTEND"), ["VALUE=DATE:20231110"]);
    // Subscribable: everything ahead, a district's, a place's.
    let (all, _) = calendar(&app, "/activities.ics").await;
    assert!(all.events.len() >= 7, "{}", all.events.len());
    let (xihu, _) = calendar(&app, "/activities.ics?district=xihu").await;
    assert_eq!(xihu.events.len(), 1);
    assert!(prop(&xihu.events[0], "SUMMARY")[0].contains("体检卡"));
    let home = app.place_id("gs-caima-happy-home").await;
    let (here, _) = calendar(&app, &format!("/activities.ics?place={home}")).await;
    assert_eq!(here.events.len(), 4, "three classes and the service day");
    // What ended long ago is not in the subscription.
    assert!(!all.events.iter().any(|e| prop(e, "SUMMARY")[0].contains("外籍项目决赛")));
    assert_eq!(app.get("/activities.ics?district=No%20Such").await.status().as_u16(), 404);
    assert_eq!(app.get("/activities/999999/calendar.ics").await.status().as_u16(), 404);
}

/// The open data follows the listing's filters and holds nothing of any
/// sign-up: no name, phone or code.
async fn open_data_follows_the_filters_and_holds_no_personal_data(app: TestApp) {
    let (id, session) = our_activity(&app, 5).await;
    let s = session.to_string();
    let (status, to, _) = sign_up(
        &app.new_anonymous(),
        id,
        &[("session", &s), ("name", "欧阳阿姨"), ("phone", "13922223333")],
    )
    .await;
    assert_eq!(status, 303);
    let code = to.trim_end_matches("?new=1").rsplit('/').next().unwrap().to_owned();
    let res = app.get("/api/v1/activities?kind=class").await;
    assert_eq!(res.status().as_u16(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    let items = json["activities"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{json}");
    assert!(items.iter().all(|a| a["kind"] == "class"));
    let first = &items[0];
    assert!(first["next_starts_at"].as_str().unwrap().ends_with("+08:00"), "{first}");
    assert!(first["url"].as_str().unwrap().contains("/activities/"));
    let res = app.get("/activities.csv?audience=outdoor_workers").await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "the header and one activity: {csv}");
    assert!(lines[0].contains("title_zh") && lines[1].contains("体检卡"));
    for path in ["/api/v1/activities", "/activities.csv", "/activities.ics", "/activities"] {
        let body = app.get(path).await.text().await.unwrap();
        assert!(body.contains("社区讲座"), "{path} lists our activity");
        for secret in ["欧阳阿姨", "13922223333", "3922223333", code.as_str()] {
            assert!(!body.contains(secret), "{path} holds {secret}");
        }
    }
}
