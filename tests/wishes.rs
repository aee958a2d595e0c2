//! Micro-wishes over HTTP, on SQLite and PostgreSQL: the whole life of a
//! wish, the races, the clock, bad input and abuse.

mod common;

use common::{TestApp, attr, attrs, count, exec, race, scalar, text, texts};
use linli::domain::Role;
use scraper::Html;

on_both_databases!(
    the_whole_life_of_a_wish,
    reject_withdraw_and_release,
    claims_lapse_wishes_expire_and_phones_are_erased,
    // 200 claims at once wait for five connections (on a 2-core machine
    // under a parallel test run): longer than the production default.
    two_hundred_claims_one_winner with |s| s.db_timeout_ms = 20_000,
    // A thousand claims at once wait for five connections: longer than usual.
    volunteers_racing_never_exceed_their_limit with |s| s.db_timeout_ms = 20_000,
    bad_input_comes_back_at_the_field,
    posting_is_limited_and_duplicates_point_to_the_first,
    tracking_codes_read_forgivingly_and_can_be_replaced,
    station_pages_and_posters,
    district_admins_reset_for_their_volunteers,
    posting_rate_limit with |s| {
        s.wishes_per_hour = 3;
        s.wishes_per_phone_per_hour = 2;
        s.wishes_per_station_per_hour = 5;
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    },
    lookup_limit with |s| s.track_lookups_per_hour = 3,
    simultaneous_posts_keep_the_limit_and_the_duplicate_rule with |s| s.wishes_per_hour = 25,
    what_staff_do_to_a_wish_is_audited_with_the_change,
    a_gift_that_did_not_arrive_is_followed_up_to_an_end,
    the_queue_holds_only_what_the_viewer_may_act_on with |s| s.wishes_per_hour = 100,
    sign_in_to_claim_comes_back_to_the_wish,
    // One wish an hour from one address: the station's own posts are not
    // held to it.
    a_keeper_posts_for_a_worker_and_prints_her_slip with |s| s.wishes_per_hour = 1,
    the_gift_reaches_her_as_the_volunteer_said,
    staff_take_a_claim_back_or_hand_it_on,
    races_at_the_hand_off_have_one_winner,
    a_rejected_wish_is_changed_and_sent_again,
    staff_list_every_wish_of_a_station_and_a_district with |s| s.wishes_per_hour = 100,
    exports_speak_the_keepers_language_and_are_audited,
);

/// Every staff action on a wish leaves one audit row, written in the same
/// transaction as the change: none for a change that did not happen, none
/// for what the clock or a worker does.
async fn what_staff_do_to_a_wish_is_audited_with_the_change(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.posted_wish("一副护膝", "").await.id;
    let audited = |action: &'static str| {
        let db = app.db.clone();
        async move {
            let sql: &'static str = Box::leak(
                format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND object = 'wish:{id}'")
                    .into_boxed_str(),
            );
            count(&db, sql).await
        }
    };
    keeper.approve_as(id, "一副护膝").await;
    assert_eq!(audited("wish.approve").await, 1);
    // Approving again changes nothing, and records nothing.
    keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/approve"),
            &[("what", "一副护膝"), ("why", "")],
        )
        .await;
    assert_eq!(audited("wish.approve").await, 1);
    keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/new-code"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(audited("wish.new_code").await, 1);
    keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/flags"),
            &[("attended", "1")],
        )
        .await;
    assert_eq!(audited("wish.flags").await, 1);
    let settings = common::test_settings(String::new());
    let later = chrono::Utc::now() + chrono::Duration::days(61);
    linli::startup::maintenance_at(&app.db, &settings, later).await.unwrap();
    let status: String =
        common::scalar_for_id(&app.db, "SELECT status FROM wishes WHERE id = $1", id).await;
    assert_eq!(status, "expired", "the clock moved the wish");
    assert_eq!(audited("wish.expire").await, 0, "the clock is not staff");
    let total = count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'wish.%'").await;
    assert_eq!(total, 3);
}

async fn the_whole_life_of_a_wish(app: TestApp) {
    let posted = app.posted_wish("一台微波炉", "13812345678").await;
    let track = posted.track.clone();
    let worker = app.new_anonymous();
    let res = worker.get(&format!("{track}?new=1")).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = Html::parse_document(&res.text().await.unwrap());
    let code = text(&html, ".tracking-code");
    assert_eq!(code.len(), 9, "XXXX-XXXX: {code}");
    assert_eq!(track, format!("/wishes/track/{code}"));
    assert!(text(&html, ".facts").contains("等待审核"));
    let stored: String =
        scalar(&app.db, "SELECT code_hash FROM wishes WHERE what = '一台微波炉'").await;
    assert!(!stored.contains(&code.replace('-', "")), "only a hash is kept");

    let id = posted.id;
    // Pending wishes are not public.
    assert_eq!(app.get(&format!("/wishes/{id}")).await.status().as_u16(), 404);
    let keeper = app.station_keeper().await;
    let (_, html) = keeper.page("/staff/wishes").await;
    assert!(texts(&html, ".queue a").contains(&"一台微波炉".to_owned()));
    // Staff screens speak of the wish, not as the worker ("您的心愿").
    let (_, html) = keeper.page(&format!("/staff/wishes/{id}")).await;
    assert_eq!(text(&html, "label[for=f-what]"), "心愿内容");
    keeper.approve_as(id, "驿站添一台微波炉").await;
    let (_, html) = app.page("/wishes").await;
    assert_eq!(text(&html, "label[for=f-occupation]"), "职业");
    assert!(texts(&html, ".wish h3 a").contains(&"驿站添一台微波炉".to_owned()));
    // The original text stays in the record for staff only.
    let (_, html) = keeper.page(&format!("/staff/wishes/{id}")).await;
    assert!(text(&html, ".timeline").contains("一台微波炉"));
    let (_, html) = worker.page(&track).await;
    assert!(!text(&html, ".timeline").contains("一台微波炉"));

    let vol = app.volunteer(1).await;
    let res = vol
        .post_form(
            &format!("/wishes/{id}"),
            &format!("/wishes/{id}/claim"),
            &[("delivery", "station")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = vol.page(&format!("/wishes/{id}")).await;
    assert!(text(&html, ".facts").contains("13812345678"), "the claimer sees the phone");
    let anon = app.new_anonymous().get(&format!("/wishes/{id}")).await.text().await.unwrap();
    assert!(!anon.contains("13812345678"), "the public never does");
    let (_, html) = vol.page("/account/claims").await;
    assert_eq!(texts(&html, "main .cards h3 a"), ["驿站添一台微波炉"]);

    let res = vol
        .post_form(
            &format!("/wishes/{id}"),
            &format!("/wishes/{id}/fulfil"),
            &[("note", "微波炉已经放在驿站了")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("已实现"));
    assert!(
        text(&html, ".facts").contains("微波炉已经放在驿站了"),
        "the worker sees the fulfilment note"
    );
    let res = worker
        .post_form(
            &track,
            &format!("{track}/confirm"),
            &[("arrived", "yes"), ("thanks", "谢谢！有事打我13812345678")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let thanks: String =
        scalar(&app.db, "SELECT thanks FROM wishes WHERE what = '驿站添一台微波炉'").await;
    assert_eq!(thanks, "谢谢！有事打我13812345678", "kept as written, for staff");
    let (_, html) = app.page("/").await;
    let stories = texts(&html, ".story");
    assert!(stories.iter().any(|s| s.contains("谢谢！有事打我138****5678")), "{stories:?}");
    // And on its district's page (the wish carries its station's district).
    let (_, html) = app.page("/districts/xihu").await;
    let stories = texts(&html, "#warm-heading + ul .story");
    assert!(stories.iter().any(|s| s.contains("谢谢！有事打我138****5678")), "{stories:?}");
    // Staff read a thank-you as written before they hide it.
    let (_, html) = keeper.page(&format!("/staff/wishes/{id}")).await;
    assert_eq!(text(&html, ".thanks-text"), "谢谢！有事打我13812345678");
    // Staff can hide a thank-you from the stories.
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/flags"),
            &[("hide_thanks", "1")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = app.page("/").await;
    assert!(!texts(&html, ".story").iter().any(|s| s.contains("有事打我")));
    let (_, html) = keeper.page(&format!("/staff/wishes/{id}")).await;
    assert_eq!(text(&html, "#thanks-heading ~ .meta"), "已对公众隐藏，只有工作人员能看到。");
    // Every move is an event.
    let events = count(
        &app.db,
        "SELECT COUNT(*) FROM wish_events WHERE wish_id = (SELECT MAX(id) FROM wishes)",
    )
    .await;
    assert_eq!(events, 5, "posted, approved, claimed, fulfilled, confirmed");
    assert_eq!(
        count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000001'").await,
        0
    );
}

async fn reject_withdraw_and_release(app: TestApp) {
    let keeper = app.station_keeper().await;
    let posted = app.posted_wish("一双手套", "").await;
    let track = posted.track.clone();
    let id = posted.id;
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/reject"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "a reason is required");
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-reason-error").contains("许愿人会看到"));
    // A privacy edit that leaves too little is answered at the field, input kept.
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/approve"),
            &[("what", "手"), ("why", "原因")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-what-error").contains("至少2个字"));
    assert_eq!(attr(&html, "#f-what", "value"), "手");
    assert_eq!(text(&html, "textarea#f-why"), "原因");
    // Rejecting asks first, the reason shown and carried; nothing changes yet.
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/reject"),
            &[("reason", "驿站已经有手套可以直接领")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "退回心愿“一双手套”？");
    assert!(text(&html, "main").contains("驿站已经有手套可以直接领"));
    assert_eq!(attr(&html, "input[name=reason]", "value"), "驿站已经有手套可以直接领");
    let pending: String =
        common::scalar_for_id(&app.db, "SELECT status FROM wishes WHERE id = $1", id).await;
    assert_eq!(pending, "pending");
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/reject"),
            &[("reason", "驿站已经有手套可以直接领"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let worker = app.new_anonymous();
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("驿站已经有手套可以直接领"));
    assert_eq!(
        attrs(&html, "form", "action"),
        [format!("{track}/resubmit#resubmit-heading")],
        "nothing to withdraw now; only to change it and send it again"
    );

    let posted = app.posted_wish("一个保温杯", "").await;
    let track = posted.track.clone();
    // Withdrawing asks first; without the confirmation nothing changes.
    let res = worker.post_form(&track, &format!("{track}/withdraw"), &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "撤回心愿“一个保温杯”？");
    assert_eq!(attr(&html, ".actions a", "href"), track);
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("等待审核"));
    let res = worker.post_form(&track, &format!("{track}/withdraw"), &[("confirm", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("已撤回"));

    let id = app.posted_wish("一把雨伞", "").await.id;
    keeper.approve_as(id, "一把雨伞").await;
    let a = app.volunteer(2).await;
    let b = app.volunteer(3).await;
    a.post_form(
        &format!("/wishes/{id}"),
        &format!("/wishes/{id}/claim"),
        &[("delivery", "station")],
    )
    .await;
    // Someone else cannot release or fulfil it.
    let res = b.post_form("/account", &format!("/wishes/{id}/release"), &[]).await;
    assert_eq!(res.status().as_u16(), 409);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("不是您认领的"));
    let res = b.post_form("/account", &format!("/wishes/{id}/fulfil"), &[("note", "")]).await;
    assert_eq!(res.status().as_u16(), 409);
    // A fulfilment note over 300 characters comes back at the field, kept.
    let long = "好".repeat(301);
    let res = a
        .post_form(&format!("/wishes/{id}"), &format!("/wishes/{id}/fulfil"), &[("note", &long)])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-note-error").contains("300"));
    assert_eq!(text(&html, "textarea#f-note"), long);
    let res = a.post_form(&format!("/wishes/{id}"), &format!("/wishes/{id}/release"), &[]).await;
    assert_eq!(res.status().as_u16(), 200, "giving up a claim asks first");
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "放弃认领“一把雨伞”？");
    let res = a
        .post_form(
            &format!("/wishes/{id}"),
            &format!("/wishes/{id}/release"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一把雨伞' AND status = 'open'")
            .await,
        1
    );
    assert_eq!(
        count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000002'").await,
        0
    );
    // A fulfilled wish cannot be withdrawn.
    b.post_form(
        &format!("/wishes/{id}"),
        &format!("/wishes/{id}/claim"),
        &[("delivery", "station")],
    )
    .await;
    b.post_form(&format!("/wishes/{id}"), &format!("/wishes/{id}/fulfil"), &[("note", "")]).await;
    let posted = app.posted_wish("一双雨鞋", "").await;
    let track = posted.track.clone();
    let id2 = posted.id;
    keeper.approve_as(id2, "一双雨鞋").await;
    b.post_form(
        &format!("/wishes/{id2}"),
        &format!("/wishes/{id2}/claim"),
        &[("delivery", "station")],
    )
    .await;
    b.post_form(&format!("/wishes/{id2}"), &format!("/wishes/{id2}/fulfil"), &[("note", "")]).await;
    let res = worker.post_form("/account/login", &format!("{track}/withdraw"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".flash").contains("不能撤回"));
    assert!(text(&html, ".facts").contains("已实现"));
    // Withdrawn after a claim: the claimer's link says so (claim freed),
    // anyone else finds nothing.
    let posted = app.posted_wish("一副耳罩", "").await;
    let (id3, track) = (posted.id, posted.track);
    keeper.approve_as(id3, "一副耳罩").await;
    let page = format!("/wishes/{id3}");
    a.post_form(&page, &format!("{page}/claim"), &[("delivery", "station")]).await;
    assert_eq!(
        count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000002'").await,
        1
    );
    let res = worker.post_form(&track, &format!("{track}/withdraw"), &[("confirm", "yes")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (status, html) = a.page(&page).await;
    assert_eq!(status, 200);
    assert!(text(&html, ".note").contains("许愿人撤回了这个心愿"), "{}", text(&html, "main"));
    assert_eq!(
        count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000002'").await,
        0
    );
    assert_eq!(b.get(&page).await.status().as_u16(), 404);
    assert_eq!(app.new_anonymous().get(&page).await.status().as_u16(), 404);
}

async fn claims_lapse_wishes_expire_and_phones_are_erased(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.posted_wish("一件棉衣", "13812340001").await.id;
    keeper.approve_as(id, "一件棉衣").await;
    let vol = app.volunteer(4).await;
    vol.post_form(
        &format!("/wishes/{id}"),
        &format!("/wishes/{id}/claim"),
        &[("delivery", "station")],
    )
    .await;
    let settings = common::test_settings(String::new());
    let now = chrono::Utc::now();
    let at = |days: i64| now + chrono::Duration::days(days);
    // Six days: nothing yet. Eight: the claim lapses and the wish is open again.
    linli::startup::maintenance_at(&app.db, &settings, at(6)).await.unwrap();
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await, 1);
    linli::startup::maintenance_at(&app.db, &settings, at(8)).await.unwrap();
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一件棉衣' AND status = 'open'")
            .await,
        1
    );
    assert_eq!(
        count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000004'").await,
        0
    );
    // Sixty days after it last opened (day 8), it expires; staff can reopen.
    linli::startup::maintenance_at(&app.db, &settings, at(60)).await.unwrap();
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'expired'").await,
        0,
        "counted from day 8"
    );
    linli::startup::maintenance_at(&app.db, &settings, at(69)).await.unwrap();
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'expired'").await, 1);
    // The phone is erased 30 days after the wish closed.
    exec(&app.db, "UPDATE wishes SET closed_at = created_at WHERE status = 'expired'").await;
    linli::startup::maintenance_at(&app.db, &settings, now + chrono::Duration::days(29))
        .await
        .unwrap();
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM wishes WHERE phone IS NOT NULL AND status = 'expired'"
        )
        .await,
        1
    );
    linli::startup::maintenance_at(&app.db, &settings, now + chrono::Duration::days(31))
        .await
        .unwrap();
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM wishes WHERE phone IS NOT NULL AND status = 'expired'"
        )
        .await,
        0
    );
    // Seventy days on, the keeper's session has long ended too (swept by
    // the same chores): they sign in again to reopen the wish.
    assert_eq!(keeper.get("/staff").await.status().as_u16(), 303);
    let keeper = app.signed_in("13300009001", common::PASSWORD).await;
    let res = keeper
        .post_form(&format!("/staff/wishes/{id}"), &format!("/staff/wishes/{id}/reopen"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一件棉衣' AND status = 'open'")
            .await,
        1
    );
    let lapses =
        count(&app.db, "SELECT COUNT(*) FROM wish_events WHERE actor_kind = 'system'").await;
    assert_eq!(lapses, 2, "the lapse and the expiry are events of the system");
}

async fn two_hundred_claims_one_winner(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.approved_wish(&keeper, "一副护膝").await.id;
    let racers = app.volunteers_ready(40).await;
    let url = app.url(&format!("/wishes/{id}/claim"));
    // Each of the 40 claims five times: 200 claims released together.
    let statuses = race(200, |i| {
        let (client, token) = racers[i % racers.len()].clone();
        let url = url.clone();
        async move {
            let res = client
                .post(url)
                .form(&[("csrf_token", token.as_str()), ("delivery", "station")])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    })
    .await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "no 5xx: {statuses:?}");
    let sql: &'static str = Box::leak(
        format!("SELECT COUNT(*) FROM wish_events WHERE wish_id = {id} AND to_status = 'claimed'")
            .into_boxed_str(),
    );
    assert_eq!(count(&app.db, sql).await, 1);
    assert_eq!(count(&app.db, "SELECT CAST(SUM(open_claims) AS BIGINT) FROM users").await, 1);
}

async fn volunteers_racing_never_exceed_their_limit(app: TestApp) {
    let keeper = app.station_keeper().await;
    let mut ids = Vec::new();
    for n in 0..50 {
        let what: &'static str = Box::leak(format!("心愿{n:02}").into_boxed_str());
        ids.push(app.approved_wish(&keeper, what).await.id);
    }
    let racers = app.volunteers_ready(20).await;
    // Every volunteer tries every wish, all at once: 1,000 claims.
    let statuses = race(racers.len() * ids.len(), |i| {
        let (client, token) = racers[i / ids.len()].clone();
        let url = app.url(&format!("/wishes/{}/claim", ids[i % ids.len()]));
        async move {
            let res = client
                .post(url)
                .form(&[("csrf_token", token.as_str()), ("delivery", "station")])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "no 5xx: {statuses:?}");
    let limit = i64::from(common::test_settings(String::new()).claim_limit);
    let most: i64 = count(&app.db, "SELECT MAX(open_claims) FROM users").await;
    assert_eq!(most, limit, "someone reached the limit, nobody passed it");
    let claimed = count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await;
    assert_eq!(
        claimed,
        count(&app.db, "SELECT CAST(SUM(open_claims) AS BIGINT) FROM users").await,
        "counters match the wishes"
    );
    // 20 volunteers may hold 60 claims, so no wish can stay open: a wish
    // left unclaimed would mean all 20 were at their limit when they
    // tried it, 60 claims on the other 49 wishes.
    assert_eq!(claimed, 50, "every wish found a claimer");
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 50, "one success per claim");
    let per_claimer = count(&app.db, "SELECT COUNT(*) FROM (SELECT claimed_by FROM wishes WHERE status = 'claimed' GROUP BY claimed_by HAVING COUNT(*) > 3) t").await;
    assert_eq!(per_claimer, 0);
}

async fn bad_input_comes_back_at_the_field(app: TestApp) {
    let worker = app.new_anonymous();
    let long_why = "冷".repeat(301);
    let res = worker
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "x"),
                ("why", long_why.as_str()),
                ("display_name", "<script>alert(1)</script>"),
                ("occupation", "astronaut"),
                ("station", "nowhere"),
                ("phone", "12345"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    // The long field is a text area with its limit shown; kept as typed,
    // and the summary names it.
    assert_eq!(text(&html, "textarea#f-why"), long_why);
    assert_eq!(text(&html, "#f-why-hint"), "最多300个字");
    assert!(
        texts(&html, ".error-summary li").contains(&"“为什么需要”最多300个字，请精简".to_owned())
    );
    assert!(text(&html, "#f-what-error").contains("至少2个字"));
    assert!(text(&html, "#f-occupation-error").contains("选择您的工作"));
    assert!(text(&html, "#f-phone-error").contains("11位"));
    assert_eq!(
        attr(&html, "#f-display_name", "value"),
        "<script>alert(1)</script>",
        "kept as typed"
    );
    assert_eq!(attr(&html, "#f-what", "value"), "x");
    // An unknown station is answered at the station field.
    let res = worker
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "热水"),
                ("display_name", "<b>王</b>"),
                ("occupation", "courier"),
                ("station", "nowhere"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-station-error").contains("没有这个爱心驿站"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'pending'").await, 0);
    // Script in any text is stored as typed and shown escaped.
    let res = worker
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "<img src=x onerror=alert(1)>"),
                ("display_name", "<b>王</b>"),
                ("occupation", "courier"),
                ("station", "xh-zmxl-station"),
            ],
        )
        .await;
    let track = res.headers()["location"].to_str().unwrap().to_owned();
    let body = worker.get(&track).await.text().await.unwrap();
    assert!(
        body.contains("&lt;img src=x onerror=alert(1)&gt;") || body.contains("&#60;img"),
        "escaped"
    );
    assert!(!body.contains("<img src=x"));
    // Claiming a wish that is not open: a clear message, nothing changed.
    let id = count(&app.db, "SELECT MAX(id) FROM wishes").await;
    let vol = app.volunteer(5).await;
    let res =
        vol.post_form("/account", &format!("/wishes/{id}/claim"), &[("delivery", "station")]).await;
    assert_eq!(res.status().as_u16(), 404, "a pending wish is not public");
    let demo = count(&app.db, "SELECT MIN(id) FROM wishes").await;
    let res = vol
        .post_form("/account", &format!("/wishes/{demo}/claim"), &[("delivery", "station")])
        .await;
    assert_eq!(res.status().as_u16(), 409);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("已经不能认领"));
    // The thank-you is limited to 200 characters, input kept.
    let keeper = app.station_keeper().await;
    let long = "谢".repeat(201);
    let posted = app.posted_wish("一个暖手宝", "").await;
    let track = posted.track.clone();
    let wid = posted.id;
    keeper.approve_as(wid, "一个暖手宝").await;
    vol.post_form(
        &format!("/wishes/{wid}"),
        &format!("/wishes/{wid}/claim"),
        &[("delivery", "station")],
    )
    .await;
    vol.post_form(&format!("/wishes/{wid}"), &format!("/wishes/{wid}/fulfil"), &[("note", "")])
        .await;
    let res = worker
        .post_form(&track, &format!("{track}/confirm"), &[("arrived", "yes"), ("thanks", &long)])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-thanks-error").contains("200"));
    assert_eq!(text(&html, "textarea#f-thanks"), long);
    // "It did not arrive" puts it before the staff.
    let res = worker.post_form(&track, &format!("{track}/confirm"), &[("arrived", "no")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = keeper.page("/staff/wishes").await;
    assert!(text(&html, "main").contains("许愿人说没有收到"));
}

/// Fair limits: workers share addresses, so the address's limit is one of
/// three (an address's, a phone's, a station's), each refusal says which
/// and when to try again, and a station's own staff are not held to them.
async fn posting_rate_limit(app: TestApp) {
    // Posts from `ip` (through the trusted proxy) at `station`.
    let post = |ip: &str, what: &str, phone: &str, station: &str| {
        let client = app.new_anonymous();
        let [ip, what, phone, station] = [ip, what, phone, station].map(str::to_owned);
        async move {
            let token = client.csrf_token("/wishes/new").await;
            let res = client
                .client
                .post(client.url("/wishes"))
                .header("x-forwarded-for", ip)
                .form(&[
                    ("what", what.as_str()),
                    ("display_name", "陈大姐"),
                    ("occupation", "sanitation"),
                    ("station", station.as_str()),
                    ("phone", phone.as_str()),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, Html::parse_document(&res.text().await.unwrap()))
        }
    };
    const HERE: &str = "xh-zmxl-station";
    // One phone: its third wish in the hour meets the phone's limit (2),
    // said as such, what was typed kept; it does not use the address's.
    assert_eq!(post("10.0.0.1", "第一个", "13812340001", HERE).await.0, 303);
    assert_eq!(post("10.0.0.1", "第二个", "13812340001", HERE).await.0, 303);
    let (status, html) = post("10.0.0.1", "第三个", "13812340001", HERE).await;
    assert_eq!(status, 422);
    assert!(
        text(&html, ".error-summary").contains("这个电话号码一小时内"),
        "{}",
        text(&html, ".error-summary")
    );
    assert_eq!(attr(&html, "#f-what", "value"), "第三个");
    // The address (limit 3): one more from it, then its own refusal.
    assert_eq!(post("10.0.0.1", "第四个", "", HERE).await.0, 303);
    let (status, html) = post("10.0.0.1", "第五个", "", HERE).await;
    assert_eq!(status, 422);
    assert!(text(&html, ".error-summary").contains("这个网络"));
    assert!(text(&html, ".error-summary").contains("请驿站工作人员帮您发布"));
    // Other workers at other addresses: the station (limit 5) takes two
    // more, then says it is the station that is full.
    assert_eq!(post("10.0.0.2", "第六个", "", HERE).await.0, 303);
    assert_eq!(post("10.0.0.3", "第七个", "", HERE).await.0, 303);
    let (status, html) = post("10.0.0.4", "第八个", "", HERE).await;
    assert_eq!(status, 422);
    assert!(text(&html, ".error-summary").contains("这个驿站一小时内"));
    let other = scalar::<String>(&app.db, "SELECT code FROM places WHERE kind = 'love_station' AND code <> 'xh-zmxl-station' AND published ORDER BY id LIMIT 1").await;
    assert_eq!(post("10.0.0.4", "第八个", "", &other).await.0, 303, "another station is not full");
    // The station's keeper, signed in, posts there past every limit.
    let keeper = app.station_keeper().await;
    for what in ["第九个", "第十个"] {
        let token = keeper.app.csrf_token("/wishes/new").await;
        let res = keeper
            .app
            .client
            .post(keeper.app.url("/wishes"))
            .header("x-forwarded-for", "10.0.0.1")
            .form(&[
                ("what", what),
                ("display_name", "王阿姨"),
                ("occupation", "sanitation"),
                ("station", HERE),
                ("phone", "13812340001"),
                ("csrf_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{what}");
    }
}

async fn posting_is_limited_and_duplicates_point_to_the_first(app: TestApp) {
    app.posted_wish("一个充电宝", "13812340002").await;
    // A landline is a phone too, kept with its area code.
    app.posted_wish("一把雨伞", "(0571)6461234").await;
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE phone = '0571-6461234'").await, 1);
    let res = app
        .new_anonymous()
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "一个充电宝"),
                ("display_name", "陈大姐"),
                ("occupation", "sanitation"),
                ("station", "xh-zmxl-station"),
                ("phone", "138 1234 0002"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("已经提交过这个心愿"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一个充电宝'").await, 1);
    // The honeypot: a bot's post is dropped without a word.
    let res = app
        .new_anonymous()
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "buy cheap pills"),
                ("display_name", "bot"),
                ("occupation", "other"),
                ("station", "xh-zmxl-station"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = 'buy cheap pills'").await,
        0
    );
}

async fn tracking_codes_read_forgivingly_and_can_be_replaced(app: TestApp) {
    let posted = app.posted_wish("一个热水壶", "").await;
    let track = posted.track.clone();
    let code = track.trim_start_matches("/wishes/track/").to_owned();
    let sloppy = code.replace('-', "").to_lowercase().replace('0', "o").replace('1', "l");
    assert_eq!(app.get(&format!("/wishes/track/{sloppy}")).await.status().as_u16(), 200);
    let res = app.get(&format!("/wishes/track?code={sloppy}")).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"].to_str().unwrap(), track);
    // A code that finds nothing: the look-up form again, the code as typed
    // and one answer whether it was mistyped or unknown.
    for unknown in ["0000-0000", "not-a-code"] {
        let res = app.get(&format!("/wishes/track/{unknown}")).await;
        assert_eq!(res.status().as_u16(), 404);
        let html = Html::parse_document(&res.text().await.unwrap());
        assert_eq!(attr(&html, "#f-code", "value"), unknown);
        assert!(text(&html, "#f-code-error").starts_with("错误：没有找到这个查询码的心愿"));
    }
    let res = app.get("/wishes/track?code=abc").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(attr(&html, "#f-code", "value"), "abc");
    assert!(text(&html, "#f-code-error").contains("8位字母和数字"));
    // Sent empty: said so at the field; opened, a plain form.
    let res = app.get("/wishes/track?code=").await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-code-error"), "错误：请输入查询码，例如 7K3Q-X9PM");
    let (status, html) = app.page("/wishes/track").await;
    assert_eq!(status, 200);
    assert!(texts(&html, ".error").is_empty());
    // A keeper gives a new code, after saying so; the old one stops working.
    let keeper = app.station_keeper().await;
    let id = posted.id;
    let res = keeper
        .post_form(&format!("/staff/wishes/{id}"), &format!("/staff/wishes/{id}/new-code"), &[])
        .await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "给“一个热水壶”换一个新的查询码？");
    assert_eq!(app.get(&track).await.status().as_u16(), 200, "the old code still works");
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/new-code"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = Html::parse_document(&res.text().await.unwrap());
    let new = text(&html, ".tracking-code");
    assert_ne!(new, code);
    assert_eq!(app.get(&track).await.status().as_u16(), 404);
    assert_eq!(app.get(&format!("/wishes/track/{new}")).await.status().as_u16(), 200);
}

async fn station_pages_and_posters(app: TestApp) {
    let id = app.place_id("xh-zmxl-station").await;
    let (status, html) = app.page(&format!("/stations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(attr(&html, "a.door", "href"), "/wishes/new?station=xh-zmxl-station");
    // A station lists one page of its open wishes and links to the wall
    // for the rest.
    let mut sql = String::new();
    // Opened just now, or the clock would expire them before the wall is read.
    let now = chrono::Utc::now();
    for i in 0..25 {
        let opened = (now - chrono::Duration::seconds(60 - i)).to_rfc3339();
        sql.push_str(&format!(
            "INSERT INTO wishes (station_id, district_id, status, what, display_name, occupation, \
             code_hash, opened_at, created_at, updated_at) VALUES ({id}, \
             (SELECT district_id FROM places WHERE id = {id}), 'open', '驿站心愿{i}', '师傅', \
             'courier', 'station-test-{i}', '{opened}', '{opened}', '{opened}');\n"
        ));
    }
    sql.push_str("UPDATE content_version SET version = version + 1;");
    common::exec_script(&app.db, sql).await;
    let (_, html) = app.page(&format!("/stations/{id}")).await;
    let cards = texts(&html, "#wishes-heading + ul h3");
    assert_eq!(cards.len(), 20, "{cards:?}");
    assert!(cards[0].contains("驿站心愿24"), "newest first: {cards:?}");
    let all = attr(&html, "#wishes-heading ~ p a.more", "href");
    assert_eq!(all, format!("/wishes?station={id}"));
    let (_, wall) = app.page(&all).await;
    assert_eq!(texts(&wall, ".cards > li").len(), 20);
    let (status, html) = app.page(&format!("/stations/{id}/poster")).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".poster-link"), "http://127.0.0.1/wishes/new?station=xh-zmxl-station");
    let path = attr(&html, "svg.qr path", "d");
    assert!(path.len() > 500, "a QR code is drawn");
    assert!(
        !app.get(&format!("/stations/{id}/poster")).await.text().await.unwrap().contains("style=")
    );
    // The poster's link opens the form with this station chosen.
    let (_, html) = app.page("/wishes/new?station=xh-zmxl-station").await;
    assert_eq!(attr(&html, "#f-station option[selected]", "value"), "xh-zmxl-station");
    // Other places are not stations.
    let home = app.place_id("gs-caima-happy-home").await;
    assert_eq!(app.get(&format!("/stations/{home}")).await.status().as_u16(), 404);
    // The district page links love stations to their station pages; the demo wish is a warm story.
    let (_, html) = app.page("/districts/xihu").await;
    assert!(
        texts(&html, "#warm-heading + ul .story")
            .iter()
            .any(|s| s.contains("现在我每天都能吃上热乎饭"))
    );
    let links: Vec<String> = {
        let sel = scraper::Selector::parse(".place-link").unwrap();
        html.select(&sel).filter_map(|e| e.attr("href")).map(str::to_owned).collect()
    };
    assert!(links.contains(&format!("/stations/{id}")));
}

/// Guessing codes gets nowhere: after the limit, every look-up is refused.
async fn lookup_limit(app: TestApp) {
    for _ in 0..3 {
        assert_eq!(app.get("/wishes/track/0000-0000").await.status().as_u16(), 404);
    }
    let res = app.get("/wishes/track/0000-0001").await;
    assert_eq!(res.status().as_u16(), 429);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "请求太频繁");
}

async fn district_admins_reset_for_their_volunteers(app: TestApp) {
    let keeper = app.station_keeper().await;
    let id = app.approved_wish(&keeper, "一条围巾").await.id;
    let vol = app.volunteer(9).await;
    vol.post_form(
        &format!("/wishes/{id}"),
        &format!("/wishes/{id}/claim"),
        &[("delivery", "station")],
    )
    .await;
    let target = vol.id;
    let here = app.district_admin("xihu").await;
    let gongshu = linli::db::accounts::district_id(&app.db, "gongshu").await.unwrap().unwrap();
    let elsewhere =
        app.persona("拱墅管理员", 9005, &[Role::DistrictAdmin { district_id: gongshu }]).await;
    let res = here.post_form("/account", &format!("/staff/users/{target}/reset"), &[]).await;
    assert_eq!(res.status().as_u16(), 200, "the volunteer took up a wish at a Xihu station");
    let res = elsewhere.post_form("/account", &format!("/staff/users/{target}/reset"), &[]).await;
    assert_eq!(res.status().as_u16(), 403);
}

/// Posts that arrive together are stored together (one transaction per
/// batch): the address's limit and the same-day duplicate rule still hold
/// among them, and every "posted" answer names a stored wish.
async fn simultaneous_posts_keep_the_limit_and_the_duplicate_rule(app: TestApp) {
    let token = app.csrf_token("/wishes/new").await;
    let mut posts = Vec::new();
    for i in 0..40 {
        // Ten posts of one wish from one phone, thirty different ones.
        let (what, phone) = if i < 10 {
            ("同一个保温杯".to_owned(), "13812340077".to_owned())
        } else {
            (format!("一起来的心愿{i}"), String::new())
        };
        let client = app.client.clone();
        let url = app.url("/wishes");
        let token = token.clone();
        posts.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .form(&[
                    ("what", what.as_str()),
                    ("display_name", "同时师傅"),
                    ("occupation", "courier"),
                    ("station", "xh-zmxl-station"),
                    ("phone", phone.as_str()),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }));
    }
    let mut posted = 0;
    for p in posts {
        match p.await.unwrap() {
            303 => posted += 1,
            422 => {}
            other => panic!("unexpected {other}"),
        }
    }
    let stored =
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE display_name = '同时师傅'").await;
    assert_eq!(posted, 25, "the address's limit of 25 holds");
    assert_eq!(stored, 25, "each answer is a stored wish");
    assert!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '同一个保温杯'").await <= 1,
        "one wish from one phone, however many times it was sent at once"
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM wish_events e JOIN wishes w ON w.id = e.wish_id \
             WHERE w.display_name = '同时师傅'"
        )
        .await,
        25,
        "each with its first event"
    );
}

/// Posted, approved, claimed by `vol`, fulfilled, and then the worker says
/// it did not arrive: the wish's id and tracking page.
async fn not_arrived(
    app: &TestApp,
    keeper: &common::Persona,
    vol: &common::Persona,
    what: &str,
) -> (i64, String) {
    let posted = app.posted_wish(what, "13812345678").await;
    let (id, track) = (posted.id, posted.track);
    keeper.approve_as(id, what).await;
    let page = format!("/wishes/{id}");
    assert_eq!(
        vol.post_form(&page, &format!("{page}/claim"), &[("delivery", "station")])
            .await
            .status()
            .as_u16(),
        303
    );
    let fulfil = vol.post_form(&page, &format!("{page}/fulfil"), &[("note", "放在驿站了")]).await;
    assert_eq!(fulfil.status().as_u16(), 303);
    let worker = app.new_anonymous();
    let res = worker.post_form(&track, &format!("{track}/confirm"), &[("arrived", "no")]).await;
    assert_eq!(res.status().as_u16(), 303);
    (id, track)
}

async fn a_gift_that_did_not_arrive_is_followed_up_to_an_end(app: TestApp) {
    let keeper = app.station_keeper().await;
    let vol = app.volunteer(1).await;
    let (id, track) = not_arrived(&app, &keeper, &vol, "一双棉鞋").await;
    let status = |id: i64| {
        let db = app.db.clone();
        async move {
            common::scalar_for_id::<String>(&db, "SELECT status FROM wishes WHERE id = $1", id)
                .await
        }
    };
    assert_eq!(status(id).await, "not_received");
    // The worker, the public and the claimer see it is being followed up.
    let worker = app.new_anonymous();
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("未收到，跟进中"), "{}", text(&html, ".facts"));
    assert!(text(&html, "main").contains("您说没有收到，驿站工作人员会跟进。"));
    let timeline = text(&html, ".timeline");
    assert!(timeline.contains("说没有收到") && !timeline.contains("not arrived"), "{timeline}");
    let (_, html) = app.new_anonymous().page(&format!("/wishes/{id}")).await;
    assert!(text(&html, ".note").contains("驿站工作人员正在跟进"));
    let (_, html) = vol.page(&format!("/wishes/{id}")).await;
    assert!(text(&html, ".note").contains("许愿人说没有收到您的心意"));
    let (_, html) = vol.page("/account/claims").await;
    assert_eq!(text(&html, "main h2"), "需要您跟进的", "first on the page");
    assert_eq!(texts(&html, ".note .list a"), ["一双棉鞋"]);
    // The station's staff: in the queue, on the console, with the
    // volunteer's contact on the wish.
    let (_, html) = keeper.page("/staff/wishes?show=follow_ups").await;
    assert_eq!(texts(&html, ".queue a"), ["一双棉鞋"]);
    let (_, html) = keeper.page("/staff").await;
    assert_eq!(
        text(&html, ".waiting a[href='/staff/wishes?show=follow_ups']"),
        "需要跟进的心愿（没收到等）：1 个"
    );
    let staff_page = format!("/staff/wishes/{id}");
    let (_, html) = keeper.page(&staff_page).await;
    assert!(text(&html, "#follow-up-heading + p + .facts").contains(&vol.phone));
    let outcomes: Vec<String> = attrs(&html, "input[name=outcome]", "value");
    assert_eq!(outcomes, ["arrived", "back_to_wall", "try_again", "close"]);
    // Another station's keeper does nothing here.
    let elsewhere = app.place_id("xh-shihuiqiao-station").await;
    let other = app.persona("别的站长", 9020, &[Role::StationKeeper { place_id: elsewhere }]).await;
    let action = format!("{staff_page}/follow-up");
    let res = other.post_form("/account/login", &action, &[("outcome", "arrived")]).await;
    assert_eq!(res.status().as_u16(), 403);
    // Bad input comes back at the field, what was typed kept.
    let res = keeper.post_form(&staff_page, &action, &[("note", "已联系认领人")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-outcome-error"), "错误：请选择怎么处理");
    assert_eq!(texts(&html, ".error-summary li"), ["请选择怎么处理"]);
    assert_eq!(text(&html, "#f-note"), "已联系认领人");
    let res = keeper.post_form(&staff_page, &action, &[("outcome", "close"), ("note", " ")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-note-error"), "错误：结束心愿时，请写明原因");
    assert!(
        html.select(&scraper::Selector::parse("#f-outcome-close[checked]").unwrap())
            .next()
            .is_some()
    );
    assert_eq!(status(id).await, "not_received", "nothing changed");
    // The same volunteer tries again: theirs once more, counted again.
    let open_claims =
        || count(&app.db, "SELECT open_claims FROM users WHERE phone = '13300000001'");
    assert_eq!(open_claims().await, 0);
    let res = keeper
        .post_form(&staff_page, &action, &[("outcome", "try_again"), ("note", "请周五再送一次")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(status(id).await, "claimed");
    assert_eq!(open_claims().await, 1);
    let (_, html) = vol.page("/account/claims").await;
    assert_eq!(texts(&html, "main .cards h3 a"), ["一双棉鞋"]);
    let (_, html) = worker.page(&track).await;
    let timeline = text(&html, ".timeline");
    assert!(
        timeline.contains("跟进：请原认领人再送一次") && timeline.contains("请周五再送一次"),
        "{timeline}"
    );
    // Delivered again, and again "not arrived"; then it had arrived after all.
    let page = format!("/wishes/{id}");
    vol.post_form(&page, &format!("{page}/fulfil"), &[("note", "")]).await;
    assert_eq!(open_claims().await, 0);
    worker.post_form(&track, &format!("{track}/confirm"), &[("arrived", "no")]).await;
    assert_eq!(status(id).await, "not_received");
    let res = keeper.post_form(&staff_page, &action, &[("outcome", "arrived")]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(status(id).await, "fulfilled");
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("已实现"));
    assert!(texts(&html, "#confirm-heading").is_empty(), "no question left to answer");
    let closed: Option<chrono::DateTime<chrono::Utc>> =
        common::scalar_for_id(&app.db, "SELECT closed_at FROM wishes WHERE id = $1", id).await;
    assert!(closed.is_some(), "the erasure clock runs again");

    // Another: back on the wall, for another volunteer.
    let (id, _) = not_arrived(&app, &keeper, &vol, "一个保温杯").await;
    let staff_page = format!("/staff/wishes/{id}");
    let action = format!("{staff_page}/follow-up");
    let res = keeper.post_form(&staff_page, &action, &[("outcome", "back_to_wall")]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(status(id).await, "open");
    let (_, html) = app.page("/wishes").await;
    assert!(texts(&html, ".wish h3 a").contains(&"一个保温杯".to_owned()));
    let (_, html) = app.new_anonymous().page(&format!("/wishes/{id}")).await;
    assert!(
        !text(&html, ".facts").contains("放在驿站了"),
        "the old delivery is no longer its state"
    );
    let second = app.volunteer(2).await;
    let page = format!("/wishes/{id}");
    assert_eq!(
        second
            .post_form(&page, &format!("{page}/claim"), &[("delivery", "station")])
            .await
            .status()
            .as_u16(),
        303
    );

    // Another: closed with a note the worker reads.
    let (id, track) = not_arrived(&app, &keeper, &vol, "一顶帽子").await;
    let staff_page = format!("/staff/wishes/{id}");
    let action = format!("{staff_page}/follow-up");
    let res = keeper
        .post_form(&staff_page, &action, &[("outcome", "close"), ("note", "许愿人说已经不需要了")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(status(id).await, "closed");
    let (_, html) = worker.page(&track).await;
    assert!(text(&html, ".facts").contains("已结束"));
    assert!(text(&html, ".timeline").contains("许愿人说已经不需要了"));
    // In English, every line of the timeline is English.
    let reader = app.new_anonymous();
    reader.switch_lang("en").await;
    let (_, html) = reader.page(&track).await;
    let timeline = text(&html, ".timeline");
    assert!(
        timeline.contains("Said it did not arrive") && timeline.contains("Follow-up closed"),
        "{timeline}"
    );
    // Each decision is audited with its change.
    let audited =
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'wish.resolve_%'").await;
    assert_eq!(audited, 4);
}

async fn the_queue_holds_only_what_the_viewer_may_act_on(app: TestApp) {
    for i in 0..22 {
        app.posted_wish(&format!("心愿{i:02}"), "").await;
    }
    // One at another station of the district.
    let res = app
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "别的驿站的心愿"),
                ("display_name", "王师傅"),
                ("occupation", "courier"),
                ("station", "xh-shihuiqiao-station"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let keeper = app.station_keeper().await;
    let (status, html) = keeper.page("/staff/wishes").await;
    assert_eq!(status, 200);
    let first = texts(&html, ".queue a");
    assert_eq!(first.len(), 20, "a page at a time");
    assert_eq!(first[0], "心愿00", "the longest-waiting first");
    assert!(!first.iter().any(|w| w == "别的驿站的心愿"));
    assert_eq!(text(&html, "[aria-current=page]").split('（').next(), Some("等待审核"));
    assert!(
        texts(&html, "nav li").iter().any(|t| t == "等待审核（22）"),
        "{:?}",
        texts(&html, "nav li")
    );
    let (_, html) = keeper.page("/staff/wishes?show=pending&page=2").await;
    assert_eq!(texts(&html, ".queue a"), ["心愿20", "心愿21"]);
    // The other station's keeper sees theirs only; the district's admin both.
    let elsewhere = app.place_id("xh-shihuiqiao-station").await;
    let other = app.persona("别的站长", 9021, &[Role::StationKeeper { place_id: elsewhere }]).await;
    let (_, html) = other.page("/staff/wishes").await;
    assert_eq!(texts(&html, ".queue a"), ["别的驿站的心愿"]);
    let xihu: i64 = scalar(&app.db, "SELECT id FROM districts WHERE slug = 'xihu'").await;
    let admin = app.persona("西湖管理员", 9022, &[Role::DistrictAdmin { district_id: xihu }]).await;
    let (_, html) = admin.page("/staff/wishes").await;
    assert!(texts(&html, "nav li").iter().any(|t| t == "等待审核（23）"));
    let gongshu: i64 = scalar(&app.db, "SELECT id FROM districts WHERE slug = 'gongshu'").await;
    let outsider =
        app.persona("拱墅管理员", 9023, &[Role::DistrictAdmin { district_id: gongshu }]).await;
    let (_, html) = outsider.page("/staff/wishes").await;
    assert!(texts(&html, ".queue a").is_empty());
    assert_eq!(text(&html, "#queue-heading + p"), "没有等待审核的心愿。");
    // Expired wishes stay for 30 days, then leave the queue.
    exec(
        &app.db,
        "UPDATE wishes SET status = 'expired', closed_at = updated_at WHERE what IN ('心愿00', '心愿01')",
    )
    .await;
    let old = (chrono::Utc::now() - chrono::Duration::days(40)).to_rfc3339();
    let sql: &'static str = Box::leak(
        format!("UPDATE wishes SET closed_at = '{old}' WHERE what = '心愿01'").into_boxed_str(),
    );
    exec(&app.db, sql).await;
    let (_, html) = keeper.page("/staff/wishes?show=expired").await;
    assert_eq!(texts(&html, ".queue a"), ["心愿00"]);
    // Unknown choices read as the first page of the review queue.
    let (status, html) = keeper.page("/staff/wishes?show=all&page=abc").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, ".queue a").len(), 20);
}

/// "Sign in to claim" → "register" → registered and back on the wish,
/// ready to claim it; the way back takes only paths on this site.
async fn sign_in_to_claim_comes_back_to_the_wish(app: TestApp) {
    let keeper = app.station_keeper().await;
    let wish = app.approved_wish(&keeper, "一副棉手套").await;
    let visitor = app.new_anonymous();
    let (_, html) = visitor.page(&wish.page()).await;
    let sign_in = attr(&html, "a.more[href^='/account/login']", "href");
    assert_eq!(sign_in, format!("/account/login?next=/wishes/{}", wish.id));
    let (_, html) = visitor.page(&sign_in).await;
    let register = attr(&html, "main a[href^='/account/register']", "href");
    assert_eq!(register, format!("/account/register?next=/wishes/{}", wish.id));
    let (_, html) = visitor.page(&register).await;
    assert_eq!(attr(&html, "input[name=next]", "value"), wish.page());
    assert_eq!(
        attr(&html, "main a[href^='/account/login']", "href"),
        sign_in,
        "and back to signing in, the way kept"
    );
    let back = wish.page();
    let typed = [
        ("display_name", "小周"),
        ("phone", "13800007777"),
        ("password", "a long first password"),
        ("accept_code", "on"),
        ("next", back.as_str()),
    ];
    let res = visitor.post_form(&register, "/account/register", &typed).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], back.as_str());
    let (_, html) = visitor.page(&wish.page()).await;
    let claim = format!("/wishes/{}/claim#claim-heading", wish.id);
    assert!(!common::form_fields_of(&html, &claim).is_empty(), "the claim button is there");

    // A way back off the site is dropped at every step.
    for (query, bad) in [
        ("//evil.example", "//evil.example"),
        ("https://evil.example/x", "https://evil.example/x"),
        ("/%5Cevil.example", "/\\evil.example"),
    ] {
        let (_, html) = app.new_anonymous().page(&format!("/account/register?next={query}")).await;
        assert_eq!(attr(&html, "input[name=next]", "value"), "", "{bad}");
        assert_eq!(attr(&html, "main a[href^='/account/login']", "href"), "/account/login");
        let other = app.new_anonymous();
        let typed = [
            ("display_name", "小吴"),
            ("phone", "13800008888"),
            ("password", "a long second password"),
            ("accept_code", "on"),
            ("next", bad),
        ];
        let res = other.post_form("/account/register", "/account/register", &typed).await;
        assert_eq!(res.headers()["location"], "/account", "{bad}");
        exec(&app.db, "DELETE FROM users WHERE phone = '13800008888'").await;
    }
}

/// An elderly worker without a phone asks the keeper: the keeper posts the
/// wish for her from the station's staff page (no address limit, open at
/// once, "posted by the station" in the timeline, audited) and prints her
/// slip with the code and a QR code of her tracking link.
async fn a_keeper_posts_for_a_worker_and_prints_her_slip(app: TestApp) {
    let keeper = app.station_keeper().await;
    let station = app.place_id("xh-zmxl-station").await;
    let form = format!("/staff/places/{station}/wishes/new");
    let (_, html) = keeper.app.page(&format!("/staff/places/{station}")).await;
    assert_eq!(attr(&html, &format!("a.door[href='{form}']"), "href"), form);
    let (status, html) = keeper.app.page(&form).await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, "h1"), "代许愿人发布心愿");

    // Bad input comes back at the field, what was typed kept.
    let res = keeper
        .app
        .post_form(&form, &form, &[("what", ""), ("display_name", "王阿姨"), ("phone", "123")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-what-error"), "错误：请写下许愿人的心愿", "staff words");
    assert_eq!(text(&html, "#f-occupation-error"), "错误：请选择许愿人的工作");
    assert!(text(&html, "#f-phone-error").contains("座机"));
    assert_eq!(attr(&html, "#f-display_name", "value"), "王阿姨");

    // Two in a row from the keeper's one address: both posted.
    let mut codes = Vec::new();
    for what in ["一双防滑雨靴", "一个保温杯"] {
        let typed = [
            ("what", what),
            ("why", "早上扫街路滑"),
            ("display_name", "王阿姨"),
            ("occupation", "sanitation"),
            ("phone", "0571-6461234"),
            // A station named in the form is ignored: the page's station it is.
            ("station", "somewhere-else"),
        ];
        let res = keeper.app.post_form(&form, &form, &typed).await;
        assert_eq!(res.status().as_u16(), 200, "{what}");
        assert_eq!(res.headers()["cache-control"], "no-store");
        let html = Html::parse_document(&res.text().await.unwrap());
        assert_eq!(text(&html, "h1"), "心愿已经发布");
        assert_eq!(text(&html, ".slip dd:nth-of-type(1)"), what);
        assert_eq!(text(&html, ".slip dd:nth-of-type(2)"), "王阿姨");
        let code = text(&html, ".slip .tracking-code");
        assert_eq!(code.len(), 9, "{code}");
        assert!(!attr(&html, ".slip svg.qr path", "d").is_empty(), "a QR code");
        assert!(text(&html, ".slip").contains("扫二维码"));
        codes.push(code);
    }
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM wishes WHERE assisted AND status = 'open' AND phone = '0571-6461234'").await,
        2
    );
    let id: i64 =
        common::scalar_with(&app.db, "SELECT id FROM wishes WHERE what = $1", "一个保温杯").await;
    let posted_by: i64 =
        common::scalar_for_id(&app.db, "SELECT posted_by FROM wishes WHERE id = $1", id).await;
    assert_eq!(posted_by, keeper.id);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'wish.post_for_worker'")
            .await,
        2
    );
    // On the wall at once; her code opens her tracking page; the timeline
    // says who posted it.
    let (_, html) = app.page("/wishes").await;
    assert!(texts(&html, ".cards h3").iter().any(|t| t.contains("一个保温杯")));
    let (status, html) = app.new_anonymous().page(&format!("/wishes/track/{}", codes[1])).await;
    assert_eq!(status, 200);
    assert!(text(&html, "main").contains("一个保温杯"));
    let (_, html) = keeper.app.page(&format!("/staff/wishes/{id}")).await;
    assert!(text(&html, "main").contains("驿站代为发布"));

    // Only a station's staff, and only at a station.
    let other = app.volunteer(7).await;
    let res = other.app.get(&form).await;
    assert_ne!(res.status().as_u16(), 200);
    let admin = app.site_admin().await;
    let home: i64 =
        scalar(&app.db, "SELECT id FROM places WHERE kind <> 'love_station' ORDER BY id LIMIT 1")
            .await;
    let (status, _) = admin.app.page(&format!("/staff/places/{home}/wishes/new")).await;
    assert_eq!(status, 404);
}

/// Claiming says how the gift reaches the worker; she, the claimer and
/// the station's staff see it, the public does not. A gift left at the
/// station is taken in and picked up by the keeper, and waits on the
/// station's staff page meanwhile. A claim given up forgets its plan.
async fn the_gift_reaches_her_as_the_volunteer_said(app: TestApp) {
    let keeper = app.station_keeper().await;
    let vol = app.volunteer(11).await;
    let wish = app.posted_wish("一个暖手宝", "").await;
    keeper.approve(&wish).await;
    let claim = format!("/wishes/{}/claim", wish.id);
    let (_, html) = vol.app.page(&wish.page()).await;
    assert_eq!(
        texts(&html, "#f-delivery label"),
        ["放在驿站，请许愿人来取", "约好时间，在驿站当面交给许愿人", "其他方式（写在下面）"]
    );
    // Nothing chosen; a hand-over on a day gone by at no time; another way
    // with no word: each comes back at its field, what was typed kept.
    let res = vol.app.post_form(&wish.page(), &claim, &[("delivery", "")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(texts(&html, ".error-summary li"), ["请选择心愿怎么送到许愿人手里"]);
    assert_eq!(attr(&html, "form[action*='/claim']", "action"), format!("{claim}#claim-heading"));
    let typed = [("delivery", "handover"), ("day", "2020-01-01"), ("time", "下午")];
    let res = vol.app.post_form(&wish.page(), &claim, &typed).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-day-error").contains("已经过去"));
    assert!(text(&html, "#f-time-error").contains("14:30"));
    assert_eq!(attr(&html, "#f-day", "value"), "2020-01-01");
    assert_eq!(attr(&html, "#f-delivery-handover", "checked"), "");
    let res = vol.app.post_form(&wish.page(), &claim, &[("delivery", "other")]).await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-note-error").contains("至少2个字"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE status = 'claimed'").await, 0);

    // A hand-over: the worker sees when, the public page does not.
    let day = (linli::domain::format::today() + chrono::Duration::days(2)).to_string();
    let typed = [("delivery", "handover"), ("day", day.as_str()), ("time", "14:30")];
    let res = vol.app.post_form(&wish.page(), &claim, &typed).await;
    assert_eq!(res.status().as_u16(), 303);
    let when = format!("在驿站当面交接：{day} 14:30");
    let (_, html) = app.new_anonymous().page(&wish.track).await;
    assert!(text(&html, ".facts").contains(&when), "the worker sees it");
    let (_, html) = vol.app.page(&wish.page()).await;
    assert!(text(&html, ".facts").contains(&when), "the claimer sees it");
    let (_, html) = keeper.app.page(&format!("/staff/wishes/{}", wish.id)).await;
    assert!(text(&html, ".facts").contains(&when), "staff see it");
    let (_, html) = app.new_anonymous().page(&wish.page()).await;
    assert!(!text(&html, "main").contains("14:30"), "the public does not");
    // Given up: the plan goes with the claim.
    let res = vol
        .app
        .post_form(&wish.page(), &format!("/wishes/{}/release", wish.id), &[("confirm", "yes")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM wishes WHERE delivery IS NOT NULL OR delivery_at IS NOT NULL"
        )
        .await,
        0
    );

    // Left at the station: taken in, waiting on the station's page, picked up.
    let res = vol.app.post_form(&wish.page(), &claim, &[("delivery", "station")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let staff_page = format!("/staff/wishes/{}", wish.id);
    let (_, html) = keeper.app.page(&staff_page).await;
    assert_eq!(
        text(&html, &format!("form[action='{staff_page}/at-station'] button")),
        "礼物已经送到驿站"
    );
    let res = keeper.app.post_form(&staff_page, &format!("{staff_page}/at-station"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let station = app.place_id("xh-zmxl-station").await;
    let (_, html) = keeper.app.page(&format!("/staff/places/{station}")).await;
    assert!(
        texts(&html, "main .list a").contains(&"一个暖手宝".to_owned()),
        "waiting at the station"
    );
    let (_, html) = app.new_anonymous().page(&wish.track).await;
    assert!(text(&html, ".facts").contains("礼物已经送到驿站，等许愿人来取"));
    // Twice is once.
    let res = keeper.app.post_form(&staff_page, &format!("{staff_page}/at-station"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let res = keeper.app.post_form(&staff_page, &format!("{staff_page}/picked-up"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = keeper.app.page(&format!("/staff/places/{station}")).await;
    assert!(!texts(&html, "main .list a").contains(&"一个暖手宝".to_owned()), "no longer waiting");
    let (_, html) = keeper.app.page(&staff_page).await;
    assert!(text(&html, ".timeline").contains("许愿人从驿站取走了礼物"), "{}", text(&html, "main"));
    for (action, n) in [("wish.at_station", 1), ("wish.picked_up", 1)] {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1";
        assert_eq!(common::scalar_with::<i64>(&app.db, sql, action).await, n, "{action}");
    }
    // Nobody else marks it.
    let res = vol.app.post_form(&wish.page(), &format!("{staff_page}/picked-up"), &[]).await;
    assert_ne!(res.status().as_u16(), 303);
}

async fn open_claims(app: &TestApp, who: &common::Persona) -> i64 {
    common::scalar_for_id(&app.db, "SELECT open_claims FROM users WHERE id = $1", who.id).await
}

/// Staff take a claim back to the wall, or hand it to another volunteer,
/// with a reason the volunteer reads; asked first; counters follow.
async fn staff_take_a_claim_back_or_hand_it_on(app: TestApp) {
    let keeper = app.station_keeper().await;
    let a = app.volunteer(21).await;
    let b = app.volunteer(22).await;
    let wish = app.claimed_wish(&keeper, &a, "一台小电暖器").await;
    let page = format!("/staff/wishes/{}", wish.id);
    let take = format!("{page}/take-back");
    let (_, html) = keeper.app.page(&page).await;
    assert_eq!(text(&html, "#take-back-heading"), "收回认领或转交");
    // No reason; someone unknown; the claimer herself: at the field, kept.
    let res = keeper.app.post_form(&page, &take, &[("reason", " "), ("to", "")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-reason-error").contains("请写下收回认领的原因"));
    for (to, says) in [
        ("13899990000", "没有用这个手机号码或邮箱注册的志愿者"),
        (a.phone.as_str(), "这就是现在的认领人"),
    ] {
        let res =
            keeper.app.post_form(&page, &take, &[("reason", "一周没有联系上"), ("to", to)]).await;
        assert_eq!(res.status().as_u16(), 422, "{to}");
        let html = Html::parse_document(&res.text().await.unwrap());
        assert!(text(&html, "#f-to-error").contains(says), "{to}");
        assert_eq!(attr(&html, "#f-to", "value"), to);
        assert_eq!(text(&html, "textarea#f-reason"), "一周没有联系上");
    }
    // Asked first, the reason and the new volunteer shown; nothing yet.
    let typed = [("reason", "一周没有联系上"), ("to", b.phone.as_str())];
    let res = keeper.app.post_form(&page, &take, &typed).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "把“一台小电暖器”转交给另一位志愿者？");
    assert!(
        text(&html, "main").contains("一周没有联系上") && text(&html, "main").contains(&b.phone)
    );
    assert_eq!(open_claims(&app, &a).await, 1);
    // Confirmed: b holds it, a holds nothing, a reads why.
    let mut confirmed = typed.to_vec();
    confirmed.push(("confirm", "yes"));
    let res = keeper.app.post_form(&page, &take, &confirmed).await;
    assert_eq!(res.status().as_u16(), 303);
    let holder: i64 =
        common::scalar_for_id(&app.db, "SELECT claimed_by FROM wishes WHERE id = $1", wish.id)
            .await;
    assert_eq!(holder, b.id);
    assert_eq!((open_claims(&app, &a).await, open_claims(&app, &b).await), (0, 1));
    let (_, html) = a.app.page(&wish.page()).await;
    assert!(text(&html, ".timeline").contains("一周没有联系上"), "the first volunteer reads why");
    assert!(text(&html, ".timeline").contains("工作人员转交给另一位志愿者"));
    let (_, html) = b.app.page(&wish.page()).await;
    assert!(
        !common::form_fields_of(&html, &format!("/wishes/{}/fulfil#fulfil-heading", wish.id))
            .is_empty(),
        "b may fulfil it"
    );
    // Back to the wall, from b: open again, b holds nothing.
    let back = [("reason", "换人也没送成"), ("to", ""), ("confirm", "yes")];
    let res = keeper.app.post_form(&page, &take, &back).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(wish.status(&app).await, "open");
    assert_eq!(open_claims(&app, &b).await, 0);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE action IN ('wish.hand_over', 'wish.release')"
        )
        .await,
        2
    );
    // Not for the volunteers.
    let res = a.app.post_form(&wish.page(), &take, &back).await;
    assert_ne!(res.status().as_u16(), 303);
}

/// The two races at the hand-off, each many times: staff hand a claim on
/// while its volunteer gives it up; the worker withdraws while the
/// volunteer fulfils. One wins, the other is told, counters stay right.
async fn races_at_the_hand_off_have_one_winner(app: TestApp) {
    let keeper = app.station_keeper().await;
    let a = app.volunteer(31).await;
    let b = app.volunteer(32).await;
    for round in 0..10 {
        let wish = app.claimed_wish(&keeper, &a, &format!("第{round}副手套")).await;
        let staff_page = format!("/staff/wishes/{}", wish.id);
        let (t_staff, t_vol) =
            (keeper.app.csrf_token(&staff_page).await, a.app.csrf_token(&wish.page()).await);
        let hand =
            keeper.app.client.post(keeper.app.url(&format!("{staff_page}/take-back"))).form(&[
                ("reason", "换一位"),
                ("to", b.phone.as_str()),
                ("confirm", "yes"),
                ("csrf_token", t_staff.as_str()),
            ]);
        let give_up = a
            .app
            .client
            .post(a.app.url(&format!("/wishes/{}/release", wish.id)))
            .form(&[("confirm", "yes"), ("csrf_token", t_vol.as_str())]);
        let (x, y) = tokio::join!(hand.send(), give_up.send());
        let (x, y) = (x.unwrap(), y.unwrap());
        let holder: Option<i64> =
            common::scalar_for_id(&app.db, "SELECT claimed_by FROM wishes WHERE id = $1", wish.id)
                .await;
        let status = wish.status(&app).await;
        match holder {
            Some(h) => assert_eq!((h, status.as_str()), (b.id, "claimed"), "the hand-over won"),
            None => assert_eq!(status, "open", "the release won"),
        }
        // The loser was told, not shown an error page.
        let (xs, ys) = (x.status().as_u16(), y.status().as_u16());
        assert!(
            xs == 303 && [303, 409].contains(&ys),
            "{round}: {xs} {ys}: {}",
            y.text().await.unwrap()
        );
        assert_eq!(open_claims(&app, &a).await, 0, "{round}");
        assert_eq!(open_claims(&app, &b).await, i64::from(holder.is_some()), "{round}");
        if holder.is_some() {
            let res = b
                .app
                .post_form(
                    &wish.page(),
                    &format!("/wishes/{}/release", wish.id),
                    &[("confirm", "yes")],
                )
                .await;
            assert_eq!(res.status().as_u16(), 303);
        }
    }
    for round in 0..10 {
        let wish = app.claimed_wish(&keeper, &a, &format!("第{round}个热水袋")).await;
        let (t_worker, t_vol) =
            (app.csrf_token(&wish.track).await, a.app.csrf_token(&wish.page()).await);
        let withdraw = app
            .client
            .post(app.url(&format!("{}/withdraw", wish.track)))
            .form(&[("confirm", "yes"), ("csrf_token", t_worker.as_str())]);
        let fulfil = a
            .app
            .client
            .post(a.app.url(&format!("/wishes/{}/fulfil", wish.id)))
            .form(&[("note", ""), ("csrf_token", t_vol.as_str())]);
        let (x, y) = tokio::join!(withdraw.send(), fulfil.send());
        assert_eq!(x.unwrap().status().as_u16(), 303, "the worker is told either way");
        assert!([303, 409].contains(&y.unwrap().status().as_u16()));
        let status = wish.status(&app).await;
        assert!(status == "withdrawn" || status == "fulfilled", "{status}");
        assert_eq!(open_claims(&app, &a).await, 0, "{round}: the claim is counted off once");
    }
}

/// A rejected wish is changed on its tracking page and sent again with the
/// same code; the reviewer sees it is a second try and why the first was
/// turned down.
async fn a_rejected_wish_is_changed_and_sent_again(app: TestApp) {
    let keeper = app.station_keeper().await;
    let wish = app.posted_wish("一个手机", "").await;
    let staff_page = format!("/staff/wishes/{}", wish.id);
    let reason = [("reason", "请写清楚需要什么，驿站好找人帮忙"), ("confirm", "yes")];
    let res = keeper.app.post_form(&staff_page, &format!("{staff_page}/reject"), &reason).await;
    assert_eq!(res.status().as_u16(), 303);
    let worker = app.new_anonymous();
    let (_, html) = worker.page(&wish.track).await;
    assert!(text(&html, ".facts").contains("请写清楚需要什么"));
    assert_eq!(text(&html, "#resubmit-heading"), "修改后重新提交");
    assert_eq!(attr(&html, "#f-what", "value"), "一个手机", "her text, to change");
    let resubmit = format!("{}/resubmit", wish.track);
    let res = worker
        .post_form(&wish.track, &resubmit, &[("what", " "), ("why", "手机坏了联系不上家里")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-what-error").contains("请写下"));
    assert_eq!(text(&html, "textarea#f-why"), "手机坏了联系不上家里", "kept");
    let typed = [("what", "一个旧手机的充电器"), ("why", "手机坏了联系不上家里")];
    let res = worker.post_form(&wish.track, &resubmit, &typed).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], wish.track.as_str(), "the same code");
    assert_eq!(wish.status(&app).await, "pending");
    let (_, html) = worker.page(&wish.track).await;
    assert!(text(&html, ".facts").contains("一个旧手机的充电器"));
    assert!(!text(&html, ".facts").contains("请写清楚需要什么"), "no reason while it waits again");
    assert!(text(&html, ".timeline").contains("许愿人修改后重新提交"));
    let (_, html) = keeper.app.page(&staff_page).await;
    assert!(text(&html, "#review-heading + .note").contains("重新提交"));
    assert!(text(&html, "#review-heading + .note").contains("请写清楚需要什么"));
    assert!(text(&html, ".timeline").contains("一个手机"), "what she sent first, for staff");
    // Only a rejected wish is sent again.
    let res = worker.post_form(&wish.track, &resubmit, &[("what", "别的东西"), ("why", "")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let what: String =
        common::scalar_for_id(&app.db, "SELECT what FROM wishes WHERE id = $1", wish.id).await;
    assert_eq!(what, "一个旧手机的充电器");
}

/// Runs `sql` with `{at}` replaced by a moment `days` ago (for moving a
/// claim back in time).
async fn at_days_ago(app: &TestApp, sql: &str, days: i64) {
    let at = (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339();
    common::exec_script(&app.db, sql.replace("{at}", &at)).await;
}

/// A station's staff and a district's admin see every wish by status: the
/// claims with claimer, contact, days held and plan, overdue ones first,
/// a page at a time; nobody else does.
async fn staff_list_every_wish_of_a_station_and_a_district(app: TestApp) {
    let keeper = app.station_keeper().await;
    let a = app.volunteer(31).await;
    let b = app.volunteer(32).await;
    let station = app.place_id(common::STATION).await;
    let list = format!("/staff/places/{station}/wishes");
    let (_, html) = keeper.page(&list).await;
    assert_eq!(text(&html, "#results-heading"), "已有人认领", "the claims first");
    assert_eq!(text(&html, "#results-heading ~ .empty"), "没有这个状态的心愿。");

    // Fresh, then held six days (of seven), then a hand-over that passed.
    let fresh = app.claimed_wish(&keeper, &a, "一双棉手套").await;
    let held = app.claimed_wish(&keeper, &b, "一个保温杯").await;
    at_days_ago(
        &app,
        &format!("UPDATE wishes SET claimed_at = '{{at}}' WHERE id = {}", held.id),
        6,
    )
    .await;
    let missed = app.approved_wish(&keeper, "一把雨伞").await;
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .with_timezone(&linli::domain::format::beijing())
        .format("%Y-%m-%d")
        .to_string();
    let res = a
        .post_form(
            &missed.page(),
            &format!("/wishes/{}/claim", missed.id),
            &[("delivery", "handover"), ("day", &day), ("time", "14:30")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    at_days_ago(
        &app,
        &format!("UPDATE wishes SET delivery_at = '{{at}}' WHERE id = {}", missed.id),
        1,
    )
    .await;
    app.posted_wish("一条围巾", "").await;

    let (_, html) = keeper.page(&list).await;
    let rows = texts(&html, ".held > li > a");
    assert_eq!(
        rows,
        ["一个保温杯", "一把雨伞", "一双棉手套"],
        "overdue first, then the longest held"
    );
    let items = texts(&html, ".held > li");
    assert!(items[0].contains("超时") && items[1].contains("超时") && !items[2].contains("超时"));
    assert!(
        items[0].contains("志愿者32") && items[0].contains(&b.phone) && items[0].contains("6天")
    );
    assert!(items[0].contains("放在驿站，许愿人来取"), "the plan: {}", items[0]);
    assert!(items[1].contains("在驿站当面交接"));
    assert_eq!(attrs(&html, ".held a[href^='tel:']", "href")[0], format!("tel:{}", b.phone));
    let tabs = texts(&html, "nav[aria-label='按状态'] li");
    assert!(
        tabs.contains(&"已有人认领（3）".to_owned()) && tabs.contains(&"全部（5）".to_owned()),
        "{tabs:?}"
    );
    let (_, html) = keeper.page(&format!("{list}?status=pending")).await;
    assert_eq!(texts(&html, ".held > li > a"), ["一条围巾"]);
    assert!(!text(&html, ".held").contains("认领人"), "no claimer for a wish nobody holds");
    // Nonsense reads as the claims.
    let (_, html) = keeper.page(&format!("{list}?status=%3Cx%3E&page=abc")).await;
    assert_eq!(text(&html, "#results-heading"), "已有人认领");

    // Fulfilled: still listed, the claimer named, their contact no longer.
    let res = b
        .post_form(&held.page(), &format!("/wishes/{}/fulfil", held.id), &[("note", "送到驿站了")])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = keeper.page(&format!("{list}?status=fulfilled")).await;
    let items = texts(&html, ".held > li");
    assert!(items[0].starts_with("一个保温杯"), "the newest first: {items:?}");
    assert!(items[0].contains("志愿者32") && !items[0].contains(&b.phone));

    // A page at a time: 26 more claims' worth of rejected wishes.
    let sql = format!(
        "INSERT INTO wishes (station_id, district_id, status, what, why, display_name, occupation, \
         code_hash, created_at, updated_at) SELECT station_id, district_id, 'rejected', what, why, \
         display_name, occupation, code_hash || '-' || n.n, created_at, updated_at FROM wishes, \
         (SELECT 1 AS n {}) n WHERE wishes.id = {}",
        (2..=26).map(|i| format!(" UNION ALL SELECT {i}")).collect::<String>(),
        fresh.id
    );
    common::exec_script(&app.db, sql).await;
    let (_, html) = keeper.page(&format!("{list}?status=rejected")).await;
    assert_eq!(texts(&html, ".held > li").len(), 25);
    assert_eq!(attr(&html, "a[rel='next']", "href"), format!("{list}?status=rejected&page=2"));
    let (_, html) = keeper.page(&format!("{list}?status=rejected&page=2")).await;
    assert_eq!(texts(&html, ".held > li").len(), 1);

    // The district's admin sees the district's wishes, each with its station.
    let admin = app.district_admin("xihu").await;
    let (status, html) = admin.page("/staff/districts/xihu/wishes").await;
    assert_eq!(status, 200);
    assert_eq!(texts(&html, ".held > li > a"), ["一把雨伞", "一双棉手套"]);
    assert!(text(&html, ".held .meta").contains("中帽西丽"), "{}", text(&html, ".held"));
    // In English, labels and statuses are English.
    admin.switch_lang("en").await;
    let (_, html) = admin.page("/staff/districts/xihu/wishes?status=claimed").await;
    assert_eq!(text(&html, "h1"), "Wishes here");
    assert!(text(&html, ".held").contains("Overdue"));
    // Others see neither.
    let volunteer = app.volunteer(33).await;
    assert_eq!(volunteer.get(&list).await.status().as_u16(), 403);
    assert_eq!(volunteer.get("/staff/districts/xihu/wishes").await.status().as_u16(), 403);
    let other = app.place_id("xh-shihuiqiao-station").await;
    let res = keeper.get(&format!("/staff/places/{other}/wishes.csv")).await;
    assert_eq!(res.status().as_u16(), 403, "another station's keeper");
    assert_eq!(keeper.get("/staff/districts/xihu/wishes").await.status().as_u16(), 403);
    // Not a station: not found.
    let home: i64 = scalar(&app.db, "SELECT MIN(id) FROM places WHERE kind = 'happy_home'").await;
    let site = app.site_admin().await;
    assert_eq!(site.get(&format!("/staff/places/{home}/wishes")).await.status().as_u16(), 404);
    assert_eq!(site.get("/staff/districts/nowhere/wishes.csv").await.status().as_u16(), 404);
}

/// The wish and sign-up exports are in the reader's language, with the
/// claimer's contact only while the claim is live, and each is audited.
async fn exports_speak_the_keepers_language_and_are_audited(app: TestApp) {
    let keeper = app.station_keeper().await;
    let a = app.volunteer(41).await;
    app.claimed_wish(&keeper, &a, "=一副护膝").await;
    let station = app.place_id(common::STATION).await;
    let res = keeper.get(&format!("/staff/places/{station}/wishes.csv?status=claimed")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("wishes-station-"));
    let body = res.text().await.unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "编号,状态,心愿,许愿人,职业,爱心驿站,发布时间,认领人,认领人电话,认领人邮箱,认领时间,已认领,怎么送到,驿站代收,超时"
    );
    let row = lines.next().unwrap();
    assert!(row.contains(",已有人认领,'=一副护膝,陈大姐,环卫工人,"), "{row}");
    assert!(
        row.contains(&format!(",志愿者41,{},", a.phone))
            && row.ends_with(",0天,放在驿站，许愿人来取,,否"),
        "{row}"
    );
    assert_eq!(lines.next(), None);
    let audited = count(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'wish.export' AND detail = 'status=claimed'",
    )
    .await;
    assert_eq!(audited, 1);
    let (_, html) = app.site_admin().await.page("/staff/audit").await;
    assert!(text(&html, "main").contains("导出心愿表"));

    // English headers and statuses for an English reader; every status.
    keeper.switch_lang("en").await;
    let body = keeper
        .get(&format!("/staff/places/{station}/wishes.csv?status=all"))
        .await
        .text()
        .await
        .unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert!(lines.next().unwrap().starts_with("No.,Status,Wish,Worker,Occupation,Love station,"));
    assert!(lines.next().unwrap().contains(",Taken up by a volunteer,"), "{body}");

    // The district's export, by its admin.
    let admin = app.district_admin("xihu").await;
    let res = admin.get("/staff/districts/xihu/wishes.csv").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.text().await.unwrap().contains("=一副护膝"));
    let audited = count(
        &app.db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'wish.export' AND object = 'district:xihu'",
    )
    .await;
    assert_eq!(audited, 1);

    // Sign-ups: Chinese headers and statuses for a Chinese keeper.
    let wk = app.workshop_keeper("hangshu-base").await;
    let opening: i64 = scalar(
        &app.db,
        "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
         WHERE w.slug = 'hangshu-base' ORDER BY o.id LIMIT 1",
    )
    .await;
    let villager = app.new_anonymous();
    let res = villager
        .post_form(
            "/workshops/hangshu-base",
            &format!("/workshops/hangshu-base/openings/{opening}/signup"),
            &[("name", "邱根来"), ("phone", "13812340000"), ("village", "小京村"), ("note", "")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let body = wk.get("/staff/workshops/hangshu-base/signups.csv").await.text().await.unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), "编号,岗位,姓名,电话,村,备注,状态,报名时间");
    let row = lines.next().unwrap();
    assert!(row.contains(",邱根来,13812340000,小京村,,新报名,"), "{row}");
    wk.switch_lang("en").await;
    let body = wk.get("/staff/workshops/hangshu-base/signups.csv").await.text().await.unwrap();
    let mut lines = body.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next().unwrap(), "No.,Opening,Name,Phone,Village,Note,Status,Signed up");
    assert!(lines.next().unwrap().contains(",New,"), "{body}");
    let audited =
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'signup.export'").await;
    assert_eq!(audited, 2);
}
