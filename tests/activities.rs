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
    keepers_publish_an_activity_and_keep_its_sessions,
    the_door_checks_people_in_and_a_session_is_called_off,
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

/// A day in Beijing, `n` days from today there.
fn beijing_day(n: i64) -> chrono::NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive() + Duration::days(n)
}

fn weekday_code(d: chrono::NaiveDate) -> String {
    d.format("%a").to_string().to_lowercase()
}

/// Where a staff form sends its reader, and the page it answers with.
async fn staff_post(
    who: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, Html) {
    let res = who.post_form(page, action, fields).await;
    let status = res.status().as_u16();
    let to =
        res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, to, Html::parse_document(&res.text().await.unwrap()))
}

/// A weekly class at 上塘·蔡马, as its keeper would add it: tomorrow and
/// the day after each week for three weeks, one day left out, `places`
/// places with a waiting list.
fn class_form(places: &str) -> Vec<(&'static str, String)> {
    let (first, second) = (beijing_day(1), beijing_day(2));
    vec![
        ("title_zh", "太极拳晨练".into()),
        ("kind", "class".into()),
        ("audience", "elderly".into()),
        ("summary_zh", "老师带着练，初学也可以来。".into()),
        ("organiser_zh", "乐活空间".into()),
        ("first_day", first.to_string()),
        ("start_time", "7:30".into()),
        ("end_time", "8:30".into()),
        ("weekdays", weekday_code(first)),
        ("weekdays", weekday_code(second)),
        ("every_weeks", "1".into()),
        ("until_day", beijing_day(20).to_string()),
        ("except_days", beijing_day(8).to_string()),
        ("signup", "waitlist".into()),
        ("places", places.into()),
        ("party_max", "2".into()),
    ]
}

/// How many sessions [`class_form`] has: its two weekdays over the three
/// weeks, less the day left out.
fn class_sessions() -> i64 {
    let days = [beijing_day(1).weekday(), beijing_day(2).weekday()];
    (1..=20).filter(|n| days.contains(&beijing_day(*n).weekday())).count() as i64 - 1
}

use chrono::Datelike;

async fn keepers_publish_an_activity_and_keep_its_sessions(app: TestApp) {
    // The keeper of the love station where riders collect health-check cards.
    let station = app.place_id("xh-zmxl-station").await;
    let other_station = app.place_id("xh-shihuiqiao-station").await;
    let keeper = app.station_keeper().await;
    // The place's staff page lists its activities and offers a new one.
    let (status, html) = keeper.app.page(&format!("/staff/places/{station}")).await;
    assert_eq!(status, 200);
    assert!(
        texts(&html, ".list a").iter().any(|t| t.contains("体检卡")),
        "{:?}",
        texts(&html, ".list a")
    );
    let new = format!("/staff/places/{station}/activities/new");
    let (status, html) = keeper.app.page(&new).await;
    assert_eq!(status, 200);
    // A keeper's activity is at their place: the only place offered.
    let offered = attrs(&html, "#f-place_id option", "value");
    assert_eq!(offered, vec![String::new(), station.to_string()]);
    assert_eq!(attrs(&html, "input[name=weekdays]", "value").len(), 7);
    // Bad input: each message at its field, what was typed kept.
    let mut bad = class_form("");
    bad.retain(|(k, _)| !matches!(*k, "title_zh" | "until_day" | "start_time"));
    bad.extend([("start_time", "25:00".into()), ("address_zh", "蔡马社区三楼".into())]);
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = staff_post(&keeper.app, &new, &new, &pairs).await;
    assert_eq!(status, 422);
    for field in ["title_zh", "start_time", "until_day", "places"] {
        assert!(
            !text(&html, &format!("#f-{field}-error")).is_empty(),
            "{field}: {}",
            text(&html, ".error-summary")
        );
    }
    assert_eq!(attr(&html, "#f-address_zh", "value"), "蔡马社区三楼");
    assert_eq!(attr(&html, "#f-summary_zh", "id"), "f-summary_zh");
    assert_eq!(text(&html, "#f-summary_zh"), "老师带着练，初学也可以来。");
    let ticked = attrs(&html, "input[name=weekdays][checked]", "value");
    assert_eq!(ticked.len(), 2, "the days ticked stay ticked");
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM activities WHERE title_zh = '太极拳晨练'").await,
        0
    );
    // Another station's place is not the keeper's to choose.
    let mut elsewhere = class_form("2");
    elsewhere.push(("place_id", other_station.to_string()));
    let pairs: Vec<(&str, &str)> = elsewhere.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = staff_post(&keeper.app, &new, &new, &pairs).await;
    assert_eq!(status, 422);
    assert!(!text(&html, "#f-place_id-error").is_empty());
    // Saved as a draft, at the keeper's place (also when none is chosen).
    let mut good = class_form("2");
    good.push(("action", "draft".into()));
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, to, html) = staff_post(&keeper.app, &new, &new, &pairs).await;
    assert_eq!(status, 303, "{}", text(&html, ".error-summary"));
    let id: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE title_zh = $1", "太极拳晨练")
            .await;
    assert_eq!(to, format!("/staff/content/activity/{id}"));
    let place: i64 =
        scalar_for_id(&app.db, "SELECT place_id FROM activities WHERE id = $1", id).await;
    assert_eq!(place, station, "kept at the keeper's place");
    let sessions = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            scalar_for_id::<i64>(
                &db,
                "SELECT COUNT(*) FROM activity_sessions WHERE activity_id = $1 AND cancelled_at IS NULL",
                id,
            )
            .await
        }
    };
    assert_eq!(sessions(&app).await, class_sessions(), "sessions written from the schedule");
    // A draft: its staff see it, nobody else does.
    assert_eq!(app.get(&format!("/activities/{id}")).await.status().as_u16(), 404);
    let (status, html) = keeper.app.page(&format!("/activities/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "太极拳晨练");
    // Published from its form, sent back as it stands.
    let edit = format!("/staff/content/activity/{id}");
    let (_, html) = keeper.app.page(&edit).await;
    assert!(texts(&html, "a").iter().any(|t| t == "报名和签到"));
    let mut fields = common::form_fields_of(&html, &edit);
    fields.retain(|(k, _)| k != "csrf_token" && k != "action");
    fields.push(("action".into(), "publish".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = staff_post(&keeper.app, &edit, &edit, &pairs).await;
    assert_eq!(status, 303);
    let (status, html) = app.page("/activities?kind=class").await;
    assert_eq!(status, 200);
    assert!(titles(&html).contains(&"太极拳晨练".to_owned()), "{:?}", titles(&html));
    // People sign up for the first session: two places, then one waits.
    let first: i64 =
        scalar_for_id(&app.db, "SELECT MIN(id) FROM activity_sessions WHERE activity_id = $1", id)
            .await;
    let f = first.to_string();
    for name in ["甲", "乙", "丙"] {
        let (status, _, _) =
            sign_up(&app.new_anonymous(), id, &[("session", &f), ("name", name)]).await;
        assert_eq!(status, 303);
    }
    let waiting = "SELECT COUNT(*) FROM activity_registrations WHERE status = 'waiting'";
    assert_eq!(count(&app.db, waiting).await, 1);
    // Someone signs up for the first session on the second weekday.
    let second: i64 = scalar_for_id(
        &app.db,
        "SELECT id FROM activity_sessions WHERE activity_id = $1 ORDER BY starts_at LIMIT 1 OFFSET 1",
        id,
    )
    .await;
    let (_, to, _) =
        sign_up(&app.new_anonymous(), id, &[("session", &second.to_string()), ("name", "丁")])
            .await;
    let ding = to.trim_end_matches("?new=1").to_owned();
    // The keeper adds a place and drops the second weekday: the one waiting
    // moves up; the second weekday's sessions go, but the one 丁 signed up
    // for is called off, and 丁's page says so.
    let (_, html) = keeper.app.page(&edit).await;
    let mut fields = common::form_fields_of(&html, &edit);
    let second_day = weekday_code(beijing_day(2));
    fields.retain(|(k, v)| {
        k != "csrf_token" && k != "note" && !(k == "weekdays" && *v == second_day)
    });
    for (k, v) in fields.iter_mut() {
        if k == "places" {
            *v = "3".into();
        }
    }
    fields.push(("note".into(), "改为每周一次".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, html) = staff_post(&keeper.app, &edit, &edit, &pairs).await;
    assert_eq!(status, 303, "{}", text(&html, ".error-summary"));
    assert_eq!(count(&app.db, waiting).await, 0, "moved up into the place added");
    let left: i64 = scalar_for_id(
        &app.db,
        "SELECT CAST(places_left AS BIGINT) FROM activity_sessions WHERE id = $1",
        first,
    )
    .await;
    assert_eq!(left, 0);
    let weekly = (1..=20).filter(|n| beijing_day(*n).weekday() == beijing_day(1).weekday()).count()
        as i64
        - 1;
    assert_eq!(sessions(&app).await, weekly);
    let called_off: i64 = scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM activity_sessions WHERE activity_id = $1 AND cancelled_at IS NOT NULL",
        id,
    )
    .await;
    assert_eq!(called_off, 1);
    let (_, html) = app.new_anonymous().page(&ding).await;
    assert_eq!(text(&html, ".error-summary h2"), "这一次活动取消了");
    // History keeps each revision, with the note.
    let (status, html) = keeper.app.page(&format!("{edit}/history")).await;
    assert_eq!(status, 200);
    assert!(text(&html, "main").contains("改为每周一次"));
    let actions = common::column::<String>(
        &app.db,
        "SELECT action FROM audit_log WHERE object LIKE 'activity:%' ORDER BY id",
    )
    .await;
    assert_eq!(actions, ["activity.create", "activity.update", "activity.update"]);
    // A later start keeps each session's sign-ups: sessions are matched by
    // their day.
    let registered = "SELECT COUNT(*) FROM activity_registrations WHERE status = 'registered'";
    let before = count(&app.db, registered).await;
    let (_, html) = keeper.app.page(&edit).await;
    let mut fields = common::form_fields_of(&html, &edit);
    fields.retain(|(k, _)| k != "csrf_token");
    for (k, v) in fields.iter_mut() {
        if k == "start_time" {
            *v = "8:00".into();
        }
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = staff_post(&keeper.app, &edit, &edit, &pairs).await;
    assert_eq!(status, 303);
    assert_eq!(count(&app.db, registered).await, before);
    assert_eq!(sessions(&app).await, weekly, "none called off, none added");
    let all: i64 =
        scalar_for_id(&app.db, "SELECT COUNT(*) FROM activity_sessions WHERE activity_id = $1", id)
            .await;
    assert_eq!(all, weekly + 1, "the one called off before, and no other");
    let kept: i64 = scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM activity_registrations WHERE session_id = $1 AND status = 'registered'",
        first,
    )
    .await;
    assert_eq!(kept, 3, "甲, 乙 and 丙 keep their places at the new hour");
    let (_, html) = app.page(&format!("/activities/{id}")).await;
    assert!(
        texts(&html, ".sessions li")[0].contains("8:00–8:30"),
        "{:?}",
        texts(&html, ".sessions li")
    );
    // A keeper cannot restore a version that had it at another place.
    let admin = app.district_admin("xihu").await;
    for place in [other_station.to_string(), String::new(), station.to_string()] {
        let (_, html) = admin.app.page(&edit).await;
        let mut fields = common::form_fields_of(&html, &edit);
        fields.retain(|(k, _)| k != "csrf_token" && k != "place_id" && k != "address_zh");
        fields.push(("place_id".into(), place.clone()));
        fields.push(("address_zh".into(), "驿站对面的小广场".into()));
        let pairs: Vec<(&str, &str)> =
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, _, html) = staff_post(&admin.app, &edit, &edit, &pairs).await;
        assert_eq!(status, 303, "{}", text(&html, ".error-summary"));
    }
    let latest: i64 = scalar_for_id(
        &app.db,
        "SELECT MAX(number) FROM revisions WHERE item_kind = 'activity' AND item_id = $1",
        id,
    )
    .await;
    let history = format!("{edit}/history");
    // Neither the version at the other station nor the one at an address.
    for elsewhere in [latest - 2, latest - 1] {
        let (status, _, _) = staff_post(
            &keeper.app,
            &history,
            &format!("{edit}/restore"),
            &[("revision", &elsewhere.to_string()), ("version", &latest.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = keeper.app.page(&history).await;
        assert_eq!(text(&html, ".flash"), "这个版本的内容已经不能用了，请直接修改。");
        let place: i64 =
            scalar_for_id(&app.db, "SELECT place_id FROM activities WHERE id = $1", id).await;
        assert_eq!(place, station, "restoring {elsewhere}");
    }
    // A day holding two sessions (one called off earlier) saves and keeps
    // the live one.
    common::exec_script(
        &app.db,
        format!(
            "INSERT INTO activity_sessions (activity_id, starts_at, ends_at, places, places_left, \
                 cancelled_at) SELECT activity_id, starts_at - INTERVAL '30 minutes', ends_at, \
                 places, places, starts_at FROM activity_sessions WHERE id = {first}"
        )
        .replace(
            "starts_at - INTERVAL '30 minutes'",
            if app.db.backend() == linli::db::Backend::Sqlite {
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', starts_at, '-30 minutes')"
            } else {
                "starts_at - INTERVAL '30 minutes'"
            },
        ),
    )
    .await;
    let (_, html) = admin.app.page(&edit).await;
    let mut fields = common::form_fields_of(&html, &edit);
    fields.retain(|(k, _)| k != "csrf_token" && k != "title_en");
    fields.push(("title_en".into(), "Morning tai chi".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, html) = staff_post(&admin.app, &edit, &edit, &pairs).await;
    assert_eq!(status, 303, "{}", text(&html, "main"));
    let live: i64 = scalar_for_id(
        &app.db,
        "SELECT COUNT(*) FROM activity_sessions WHERE id = $1 AND cancelled_at IS NULL",
        first,
    )
    .await;
    assert_eq!(live, 1);
    // The weekday put back: the session 丁 signed up for is on again.
    let (_, html) = admin.app.page(&edit).await;
    let mut fields = common::form_fields_of(&html, &edit);
    fields.retain(|(k, _)| k != "csrf_token");
    fields.push(("weekdays".into(), second_day.clone()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, html) = staff_post(&admin.app, &edit, &edit, &pairs).await;
    assert_eq!(status, 303, "{}", text(&html, ".error-summary"));
    let (_, html) = app.new_anonymous().page(&ding).await;
    assert!(html.select(&scraper::Selector::parse(".error-summary").unwrap()).next().is_none());
    assert!(text(&html, ".facts").contains("已报名"), "{}", text(&html, ".facts"));
    // The district's admin adds one at an address, from the district's page.
    let (status, html) = admin.app.page("/staff/districts/xihu").await;
    assert_eq!(status, 200);
    assert!(texts(&html, "a").iter().any(|t| t.contains("太极拳晨练")));
    let add = "/staff/districts/xihu/new/activity";
    let contest = [
        ("title_zh", "运河边健步走"),
        ("kind", "other"),
        ("audience", "everyone"),
        ("summary_zh", "沿运河走五公里。"),
        ("organiser_zh", "区总工会"),
        ("address_zh", "西湖文化广场"),
        ("first_day", &beijing_day(10).to_string()),
        ("signup", "none"),
        ("places", "50"),
        ("action", "publish"),
    ];
    let (status, to, _) = staff_post(&admin.app, add, add, &contest).await;
    assert_eq!(status, 303);
    let walk: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    let (all_day, places): (i64, i64) = (
        scalar_for_id(
            &app.db,
            "SELECT COUNT(*) FROM activity_sessions WHERE activity_id = $1",
            walk,
        )
        .await,
        scalar_for_id(
            &app.db,
            "SELECT COUNT(*) FROM activity_sessions WHERE activity_id = $1 AND places IS NOT NULL",
            walk,
        )
        .await,
    );
    assert_eq!((all_day, places), (1, 0), "one all-day session, nobody signs up");
    // It is at no place: the place's keeper neither sees nor edits it.
    assert_eq!(
        keeper.app.get(&format!("/staff/content/activity/{walk}")).await.status().as_u16(),
        403
    );
    assert_eq!(keeper.app.get(&format!("/staff/activities/{walk}")).await.status().as_u16(), 403);
    // A Happy Home has keepers too: the 乐活空间's keeps its classes.
    let home = app.place_id("gs-caima-happy-home").await;
    let home_keeper = app
        .persona("乐活空间负责人", 9103, &[linli::domain::Role::StationKeeper { place_id: home }])
        .await;
    let dance: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activities WHERE code = $1", "gs-lehuo-dance")
            .await;
    let (_, html) = home_keeper.app.page("/staff").await;
    assert!(texts(&html, ".place-link").contains(&"上塘·蔡马大运河幸福家园".to_owned()));
    for page in [
        format!("/staff/places/{home}"),
        format!("/staff/content/activity/{dance}"),
        format!("/staff/activities/{dance}"),
        format!("/staff/places/{home}/activities/new"),
    ] {
        assert_eq!(home_keeper.app.get(&page).await.status().as_u16(), 200, "{page}");
    }
    assert_eq!(home_keeper.app.get(&edit).await.status().as_u16(), 403, "not the station's");
    // Another place's keeper and a volunteer are refused the class too.
    let other = app
        .persona(
            "乙站站长",
            9102,
            &[linli::domain::Role::StationKeeper { place_id: other_station }],
        )
        .await;
    for who in [&other.app, &app.volunteer(1).await.app] {
        assert_eq!(who.get(&edit).await.status().as_u16(), 403);
        assert_eq!(who.get(&format!("/staff/activities/{id}")).await.status().as_u16(), 403);
    }
}

async fn the_door_checks_people_in_and_a_session_is_called_off(app: TestApp) {
    let (id, session) = our_activity(&app, 2).await;
    // At the love station whose keeper runs the door.
    let station = app.place_id("xh-zmxl-station").await;
    common::exec_script(
        &app.db,
        format!(
            "UPDATE activities SET place_id = {station}, district_id = \
                 (SELECT district_id FROM places WHERE id = {station}) WHERE id = {id}"
        ),
    )
    .await;
    let keeper = app.station_keeper().await;
    let s = session.to_string();
    let mut codes = Vec::new();
    for (name, phone) in [("安阿姨", "13911110001"), ("薄师傅", "13911110002"), ("崔", "")] {
        let (status, to, _) =
            sign_up(&app.new_anonymous(), id, &[("session", &s), ("name", name), ("phone", phone)])
                .await;
        assert_eq!(status, 303);
        codes.push(to.trim_end_matches("?new=1").rsplit('/').next().unwrap().to_owned());
    }
    let console = format!("/staff/activities/{id}");
    let (status, html) = keeper.app.page(&console).await;
    assert_eq!(status, 200);
    assert!(
        text(&html, "main").contains("已报名 2 人 · 候补 1 个 · 到场 0 人"),
        "{}",
        text(&html, "main")
    );
    // Before its day, nobody is checked in.
    let check_in = format!("{console}/check-in");
    let (status, _, html) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &codes[0])]).await;
    assert_eq!(status, 409);
    assert_eq!(text(&html, ".note"), "还没到活动那天，当天才能签到。");
    // The session has begun.
    let now = Utc::now();
    common::exec_script(
        &app.db,
        format!(
            "UPDATE activity_sessions SET starts_at = '{}', ends_at = '{}' WHERE id = {session}",
            (now - Duration::minutes(10)).to_rfc3339(),
            (now + Duration::minutes(50)).to_rfc3339()
        ),
    )
    .await;
    // A code typed as people read it out: lower case, no dash.
    let typed = codes[0].to_lowercase().replace('-', "");
    let (status, _, html) = staff_post(&keeper.app, &console, &check_in, &[("code", &typed)]).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".flash"), "安阿姨（1 人）签到了。");
    let (status, _, html) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &codes[0])]).await;
    assert_eq!(status, 409);
    assert!(text(&html, ".note").starts_with("安阿姨 已经在"), "{}", text(&html, ".note"));
    // The one waiting cannot be checked in.
    let (status, _, html) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &codes[2])]).await;
    assert_eq!(status, 409);
    assert_eq!(text(&html, ".note"), "崔 现在是“候补中”，不能签到。");
    // Bad codes: the message at the field, what was typed kept.
    for (code, message) in [
        ("", "请输入报名码"),
        ("K7PD", "报名码是 8 位字母和数字，例如 K7PD-3MXQ，请再核对一下"),
        ("AAAA-AAAA", "这个活动没有这个报名码，请再核对一下"),
    ] {
        let (status, _, html) =
            staff_post(&keeper.app, &console, &check_in, &[("code", code)]).await;
        assert_eq!(status, 422, "{code}");
        assert!(
            text(&html, "#f-code-error").ends_with(message),
            "{code}: {}",
            text(&html, "#f-code-error")
        );
        assert_eq!(attr(&html, "#f-code", "value"), code);
    }
    // A scanner types the code page's whole address: its code is read.
    let scanned = format!("http://127.0.0.1/activities/registrations/{}", codes[1]);
    let (status, _, html) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &scanned)]).await;
    assert_eq!(status, 200, "{}", text(&html, "main"));
    assert_eq!(text(&html, ".flash"), "薄师傅（1 人）签到了。");
    let (status, _, _) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &codes[1]), ("undo", "yes")]).await;
    assert_eq!(status, 200);
    // Scanned: the code's page offers the activity's staff a check-in.
    let page = format!("/activities/registrations/{}", codes[1]);
    let (_, html) = keeper.app.page(&page).await;
    let action = format!("/staff/activities/{id}/check-in");
    let fields = common::form_fields_of(&html, &action);
    assert!(fields.iter().any(|(k, v)| k == "code" && *v == codes[1]), "{fields:?}");
    let (_, html) = app.new_anonymous().page(&page).await;
    assert!(common::form_fields_of(&html, &action).is_empty(), "not for the public");
    // Ticked on the list, and a tick taken back.
    let list = format!("{console}/sessions/{session}");
    let bo: i64 = common::scalar_with(
        &app.db,
        "SELECT id FROM activity_registrations WHERE name = $1",
        "薄师傅",
    )
    .await;
    let (status, _, html) =
        staff_post(&keeper.app, &list, &check_in, &[("registration", &bo.to_string())]).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".flash"), "薄师傅（1 人）签到了。");
    let (status, _, _) = staff_post(
        &keeper.app,
        &list,
        &check_in,
        &[("registration", &bo.to_string()), ("undo", "yes")],
    )
    .await;
    assert_eq!(status, 200);
    let bo_status = || {
        let db = app.db.clone();
        async move {
            scalar_for_id::<String>(
                &db,
                "SELECT status FROM activity_registrations WHERE id = $1",
                bo,
            )
            .await
        }
    };
    assert_eq!(bo_status().await, "registered", "the check-in taken back");
    let (status, _, html) = staff_post(
        &keeper.app,
        &list,
        &check_in,
        &[("registration", &bo.to_string()), ("undo", "yes")],
    )
    .await;
    assert_eq!(status, 409, "nothing to take back");
    assert_eq!(text(&html, ".note"), "薄师傅 现在是“已报名”，没有签到可以撤销。");
    let (status, _, html) =
        staff_post(&keeper.app, &list, &check_in, &[("registration", &bo.to_string())]).await;
    assert_eq!(status, 200);
    assert_eq!(bo_status().await, "attended");
    assert!(
        text(&html, "main").contains("已报名 2 人 · 候补 1 个 · 到场 2 人"),
        "{}",
        text(&html, "main")
    );
    // Another activity's sign-up is not this one's to tick.
    let (other, other_session) = {
        common::exec_script(
            &app.db,
            "UPDATE activities SET code = 'first-talk' WHERE code = 'test-talk'".into(),
        )
        .await;
        our_activity(&app, 2).await
    };
    let (_, to, _) = sign_up(
        &app.new_anonymous(),
        other,
        &[("session", &other_session.to_string()), ("name", "邓")],
    )
    .await;
    assert!(to.starts_with("/activities/registrations/"));
    let deng: i64 =
        common::scalar_with(&app.db, "SELECT id FROM activity_registrations WHERE name = $1", "邓")
            .await;
    let (status, _, _) =
        staff_post(&keeper.app, &list, &check_in, &[("registration", &deng.to_string())]).await;
    assert_eq!(status, 422);
    // Once held, the activity's page counts who came.
    common::exec_script(
        &app.db,
        format!(
            "UPDATE activity_sessions SET starts_at = '{}', ends_at = '{}' WHERE id = {session}",
            (now - Duration::hours(2)).to_rfc3339(),
            (now - Duration::hours(1)).to_rfc3339()
        ),
    )
    .await;
    let (_, html) = app.page(&format!("/activities/{id}")).await;
    assert!(text(&html, "main").contains("共有 2 人到场签到"), "{}", text(&html, "main"));
    // A code shown on another day does not check into the session it was for.
    common::exec_script(
        &app.db,
        format!(
            "UPDATE activity_sessions SET starts_at = '{}', ends_at = '{}' WHERE id = {session}",
            (now - Duration::days(2)).to_rfc3339(),
            (now - Duration::days(2) + Duration::hours(1)).to_rfc3339()
        ),
    )
    .await;
    common::exec_script(
        &app.db,
        "UPDATE activity_registrations SET status = 'registered' WHERE name = '崔'".to_owned(),
    )
    .await;
    let (status, _, html) =
        staff_post(&keeper.app, &console, &check_in, &[("code", &codes[2])]).await;
    assert_eq!(status, 409);
    assert!(text(&html, ".note").starts_with("崔 报的是另一次"), "{}", text(&html, ".note"));
    // Nor does its page offer the check-in any more.
    let (_, html) = keeper.app.page(&format!("/activities/registrations/{}", codes[2])).await;
    assert!(common::form_fields_of(&html, &action).is_empty(), "only on the session's day");
    // Calling next week's session off: a reason is needed, then asked, then done.
    let next: i64 =
        scalar_for_id(&app.db, "SELECT MAX(id) FROM activity_sessions WHERE activity_id = $1", id)
            .await;
    let (_, to, _) =
        sign_up(&app.new_anonymous(), id, &[("session", &next.to_string()), ("name", "鄂")]).await;
    let eve = to.trim_end_matches("?new=1").to_owned();
    // An activity people signed up for ahead is not deleted, even by a site admin.
    let site = app.site_admin().await;
    let edit = format!("/staff/content/activity/{id}");
    let (status, to, _) =
        staff_post(&site.app, &edit, &format!("{edit}/delete"), &[("confirm", "yes")]).await;
    assert_eq!((status, to.as_str()), (303, edit.as_str()));
    let (_, html) = site.app.page(&edit).await;
    assert!(text(&html, ".flash").contains("不能删除"), "{}", text(&html, ".flash"));
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM activities WHERE code = 'first-talk'").await,
        1
    );
    let next_page = format!("{console}/sessions/{next}");
    let cancel = format!("{next_page}/cancel");
    let (status, _, html) = staff_post(
        &keeper.app,
        &next_page,
        &cancel,
        &[("note_zh", " "), ("note_en", "Off for the typhoon")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(text(&html, "#f-note_zh-error").contains("请写上为什么取消"));
    assert_eq!(text(&html, "#f-note_en"), "Off for the typhoon", "what was typed is kept");
    let reason = [("note_zh", "因台风停课，下周照常"), ("note_en", "Off for the typhoon")];
    let (status, _, html) = staff_post(&keeper.app, &next_page, &cancel, &reason).await;
    assert_eq!(status, 200, "asked first");
    assert!(text(&html, "main").contains("因台风停课，下周照常"));
    let mut confirmed = reason.to_vec();
    confirmed.push(("confirm", "yes"));
    let (status, to, _) = staff_post(&keeper.app, &next_page, &cancel, &confirmed).await;
    assert_eq!((status, to.as_str()), (303, next_page.as_str()));
    let (_, html) = app.new_anonymous().page(&eve).await;
    assert_eq!(text(&html, ".error-summary p"), "因台风停课，下周照常");
    let reader = app.new_anonymous();
    reader.switch_lang("en").await;
    let (_, html) = reader.page(&eve).await;
    assert_eq!(text(&html, ".error-summary p"), "Off for the typhoon");
    // The sign-ups as CSV, in the keeper's language, audited.
    keeper.app.switch_lang("en").await;
    let res = keeper.app.get(&format!("{console}/signups.csv")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let body = res.text().await.unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "Session,Name,Phone,People,Status,Signed up at,Checked in at"
    );
    assert!(body.contains("安阿姨,13911110001,1,Checked in"), "{body}");
    assert!(!body.contains("邓"), "another activity's sign-ups stay out");
    let audited: Vec<String> = common::column(
        &app.db,
        "SELECT action FROM audit_log WHERE object LIKE 'activity:%' ORDER BY id",
    )
    .await;
    assert_eq!(audited, ["activity.session_cancel", "activity.export"]);
}
