//! Accounts, sessions, CSRF, roles and access, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, attr, count, exec, exec_script, scalar, text, texts};
use linli::db::Db;
use linli::domain::Role;
use linli::web::Access;
use scraper::Html;

on_both_databases!(
    register_sign_out_sign_in_change_password,
    registration_errors_come_back_at_each_field_with_input_kept,
    phone_or_email_already_registered,
    display_names_are_stored_as_typed_and_shown_escaped,
    a_new_session_at_sign_in_and_old_cookies_die_with_sign_out_everywhere,
    every_post_route_refuses_missing_wrong_or_cross_site_tokens,
    access_matrix,
    account_actions_matrix,
    failed_sign_ins_are_throttled_with_a_clear_message,
    hashes_use_argon2id_and_weak_ones_are_upgraded,
    reset_links_work_once_and_expire,
    deleting_an_account_leaves_no_personal_data,
    site_admin_grants_and_revokes_roles_from_the_console,
    staff_home_lists_only_what_one_keeps,
    registration_throttle with |s| s.registrations_per_hour = 2,
);

async fn register_sign_out_sign_in_change_password(app: TestApp) {
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "李师傅"),
                ("phone", "138 1234 5678"),
                ("password", "first password"),
                ("accept_code", "on"),
                ("party_member", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/account");
    let (status, html) = app.page("/account").await;
    assert_eq!(status, 200);
    assert_eq!(text(&html, ".flash"), "注册成功，欢迎您！");
    assert!(text(&html, ".facts").contains("13812345678"));
    assert!(text(&html, ".facts").contains("李师傅"));

    let res = app.post_form("/account", "/account/logout", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(app.get("/account").await.status().as_u16(), 303, "signed out");

    let me = app.signed_in("13812345678", "first password").await;
    let res = me
        .post_form(
            "/account",
            "/account/password",
            &[("current_password", "first password"), ("new_password", "second password")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = me.page("/account").await;
    assert!(text(&html, ".flash").contains("密码已修改"));

    // The old password no longer works; the new one does.
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13812345678"), ("password", "first password")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-login-error"), "错误：手机号码、邮箱或密码不对，请再试一次");
    app.signed_in("13812345678", "second password").await;
}

async fn registration_errors_come_back_at_each_field_with_input_kept(app: TestApp) {
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", ""),
                ("phone", "12345"),
                ("email", "not-an-email"),
                ("password", "short"),
                ("organisation", "西湖区总工会"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "title").starts_with("有错误："));
    let summary = texts(&html, ".error-summary li");
    assert_eq!(summary.len(), 5, "{summary:?}");
    assert_eq!(text(&html, "#f-display_name-error"), "错误：请填写称呼");
    assert!(text(&html, "#f-phone-error").contains("11位手机号码"));
    assert!(text(&html, "#f-email-error").contains("电子邮箱"));
    assert!(text(&html, "#f-password-error").contains("至少8个字符"));
    assert!(text(&html, "#f-accept_code-error").contains("志愿者守则"));
    // What was typed is kept, except the password.
    assert_eq!(attr(&html, "#f-phone", "value"), "12345");
    assert_eq!(attr(&html, "#f-email", "value"), "not-an-email");
    assert_eq!(attr(&html, "#f-organisation", "value"), "西湖区总工会");
    assert_eq!(attr(&html, "#f-password", "value"), "");
    assert_eq!(attr(&html, "#f-phone", "aria-invalid"), "true");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 0);

    // In English too, and without any contact at all.
    app.switch_lang("en").await;
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[("display_name", "Li"), ("password", "long enough"), ("accept_code", "on")],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(
        text(&html, "#f-phone-error"),
        "Error: Enter a mobile number or an e-mail address (or both) to sign in with"
    );
    assert_eq!(attr(&html, "#f-display_name", "value"), "Li");
}

async fn phone_or_email_already_registered(app: TestApp) {
    app.user("张三", "13900000001", "password one", &[]).await;
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "张三二"),
                ("phone", "139-0000-0001"),
                ("password", "password two"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    let taken =
        "错误：无法用这个手机号码或邮箱注册。请检查填写是否正确；如果您已经有账户，请直接登录";
    assert_eq!(text(&html, "#f-phone-error"), taken, "not 'this phone is registered'");
    assert_eq!(attr(&html, "#f-display_name", "value"), "张三二");

    let ok = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "E"),
                ("email", "e@example.org"),
                ("password", "password two"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(ok.status().as_u16(), 303);
    let other = app.signed_in("e@example.org", "password two").await;
    other.post_form("/account", "/account/logout", &[]).await;
    let res = other
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "F"),
                ("email", "E@Example.org"),
                ("password", "password two"),
                ("accept_code", "on"),
            ],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-email-error"), taken, "the same words for an e-mail");
}

async fn display_names_are_stored_as_typed_and_shown_escaped(app: TestApp) {
    let name = "<script>x</script>";
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", name),
                ("phone", "13700000000"),
                ("password", "password one"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let stored: String = scalar(&app.db, "SELECT display_name FROM users").await;
    assert_eq!(stored, name);
    let body = app.get("/account").await.text().await.unwrap();
    assert!(
        body.contains("&lt;script&gt;x&lt;/script&gt;")
            || body.contains("&#60;script&#62;x&#60;/script&#62;"),
        "{body}"
    );
    assert!(!body.contains(name));
}

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("linli_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

async fn a_new_session_at_sign_in_and_old_cookies_die_with_sign_out_everywhere(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    // An anonymous session exists first (for the form's token)...
    let anon = app.get("/account/login").await;
    let before = session_cookie(&anon).expect("anonymous visitors get a session for CSRF");
    let token = {
        let html = Html::parse_document(&anon.text().await.unwrap());
        attr(&html, "input[name=csrf_token]", "value")
    };
    let res = app
        .client
        .post(app.url("/account/login"))
        .form(&[("login", "13600000000"), ("password", "password one"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let after = session_cookie(&res).expect("signing in sets a new cookie");
    assert_ne!(before, after);
    // ...and the anonymous cookie does not carry the sign-in.
    let planted =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = planted.get(app.url("/account")).header("cookie", &before).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);

    // A copy of the signed-in cookie (a stolen one) works until "sign out everywhere".
    let res = planted.get(app.url("/account")).header("cookie", &after).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = app.post_form("/account", "/account/sign-out-everywhere", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let res = planted.get(app.url("/account")).header("cookie", &after).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303, "the stolen cookie is useless now");
    // The session that asked stays signed in.
    assert_eq!(app.get("/account").await.status().as_u16(), 200);
}

/// A fixed sample for each path parameter in the route table.
struct Samples {
    station: i64,
    user: i64,
    /// An opening of the sample workshop (hangshu-base, in Tonglu).
    opening: i64,
    /// A wish at station A (the demo wish at Zhongmao Xili's station).
    wish: i64,
    /// A notice at station A.
    notice: i64,
    /// A photo of station A.
    photo: i64,
    /// A figure of Xihu, and one of its values.
    figure: i64,
    value: i64,
    /// A story of Xihu.
    story: i64,
    /// A photo each of the sample workshop, of Xihu and of the story.
    workshop_photo: i64,
    district_photo: i64,
    story_photo: i64,
    /// An activity at station A, and its session, and a photo of it.
    activity: (i64, i64),
    activity_photo: i64,
}

impl Samples {
    /// The samples besides the first six, with photos added by `by`.
    async fn more(db: &Db, by: i64) -> (i64, i64, i64, i64, i64, i64) {
        use linli::db::photos::Owner;
        let figure = scalar(db, "SELECT id FROM figures WHERE code = 'joint_unions'").await;
        let value = scalar(
            db,
            "SELECT v.id FROM figure_values v JOIN figures f ON f.id = v.figure_id \
             WHERE f.code = 'joint_unions'",
        )
        .await;
        let story = scalar(
            db,
            "SELECT MIN(s.id) FROM stories s JOIN districts d ON d.id = s.district_id \
             WHERE d.slug = 'xihu'",
        )
        .await;
        let workshop = scalar(db, "SELECT id FROM workshops WHERE slug = 'hangshu-base'").await;
        let xihu = district(db, "xihu").await;
        (
            figure,
            value,
            story,
            photo_of(db, Owner::Workshop(workshop), by).await,
            photo_of(db, Owner::District(xihu), by).await,
            photo_of(db, Owner::Story(story), by).await,
        )
    }
}

impl Samples {
    fn path(&self, pattern: &str) -> String {
        let workshop =
            pattern.starts_with("/workshops/") || pattern.starts_with("/staff/workshops/");
        let id = if pattern.starts_with("/staff/users/") {
            self.user
        } else if pattern.starts_with("/wishes/") || pattern.starts_with("/staff/wishes/") {
            self.wish
        } else if workshop {
            self.opening
        } else if pattern.starts_with("/staff/content/") {
            self.notice
        } else if pattern.starts_with("/staff/figures/") {
            self.figure
        } else if pattern.starts_with("/staff/stories/") {
            self.story
        } else if pattern.starts_with("/staff/activities/") {
            self.activity.0
        } else {
            self.station
        };
        pattern
            .replace("{id}", &id.to_string())
            .replace("{slug}", if workshop { "hangshu-base" } else { "xihu" })
            .replace("{token}", "no-such-token")
            .replace("{code}", "en")
            .replace("{size}", "large")
            .replace("{file}", "app.css")
            .replace("{n}", "1")
            .replace("{what}", "notice")
            .replace(
                "{photo}",
                &if workshop {
                    self.workshop_photo
                } else if pattern.starts_with("/staff/districts/") {
                    self.district_photo
                } else if pattern.starts_with("/staff/stories/") {
                    self.story_photo
                } else if pattern.starts_with("/staff/activities/") {
                    self.activity_photo
                } else {
                    self.photo
                }
                .to_string(),
            )
            .replace("{value}", &self.value.to_string())
            .replace("{session}", &self.activity.1.to_string())
    }
}

/// An activity at station A with a session tomorrow, as its keeper would
/// publish it.
async fn activity(db: &Db, station: i64) -> (i64, i64) {
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    exec_script(
        db,
        format!(
            "INSERT INTO activities (district_id, place_id, code, kind, title_zh, summary_zh, \
                 organiser_zh, signup, places, first_day, start_time, end_time, created_at, updated_at) \
             SELECT district_id, id, 'sample-activity', 'talk', '驿站讲座', '讲座', '驿站', 'places', 5, \
                    '{day}', '19:00', '20:00', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' \
             FROM places WHERE id = {station}",
            day = tomorrow.date_naive()
        ),
    )
    .await;
    let id: i64 = scalar(db, "SELECT id FROM activities WHERE code = 'sample-activity'").await;
    exec_script(
        db,
        format!(
            "INSERT INTO activity_sessions (activity_id, starts_at, ends_at, places, places_left) \
             VALUES ({id}, '{start}', '{end}', 5, 5)",
            start = tomorrow.to_rfc3339(),
            end = (tomorrow + chrono::Duration::hours(1)).to_rfc3339()
        ),
    )
    .await;
    (id, scalar(db, "SELECT MAX(id) FROM activity_sessions").await)
}

/// A notice at station A, as its keeper would post it.
async fn notice(db: &Db, station: i64) -> i64 {
    exec_script(
        db,
        format!(
            "INSERT INTO notices (district_id, place_id, code, text_zh, starts_on, ends_on, \
                                  created_at, updated_at) \
             SELECT district_id, id, 'sample-notice', '今天驿站有姜茶', '2026-01-01', '2026-01-02', \
                    '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' \
             FROM places WHERE id = {station}"
        ),
    )
    .await;
    scalar(db, "SELECT id FROM notices WHERE code = 'sample-notice'").await
}

async fn every_post_route_refuses_missing_wrong_or_cross_site_tokens(app: TestApp) {
    let station = app.place_id("xh-zmxl-station").await;
    let admin = app.user("管理员", "13500000000", "password one", &[Role::SiteAdmin]).await;
    let (figure, value, story, workshop_photo, district_photo, story_photo) =
        Samples::more(&app.db, admin).await;
    let samples = Samples {
        station,
        user: admin,
        opening: opening(&app.db).await,
        wish: count(&app.db, "SELECT MIN(id) FROM wishes").await,
        notice: notice(&app.db, station).await,
        photo: photo(&app.db, station, admin).await,
        figure,
        value,
        story,
        workshop_photo,
        district_photo,
        story_photo,
        activity_photo: 0,
        activity: activity(&app.db, station).await,
    };
    let samples = Samples {
        activity_photo: photo_of(
            &app.db,
            linli::db::photos::Owner::Activity(samples.activity.0),
            admin,
        )
        .await,
        ..samples
    };
    let me = app.signed_in("13500000000", "password one").await;
    let good = me.csrf_token("/account").await;
    let users_before = count(&app.db, "SELECT COUNT(*) FROM users").await;
    let audit_before = count(&app.db, "SELECT COUNT(*) FROM audit_log").await;
    let posts: Vec<_> = linli::web::routes()
        .into_iter()
        .filter(|r| r.method == actix_web::http::Method::POST)
        .collect();
    assert!(posts.len() >= 10);
    for route in &posts {
        let url = me.url(&samples.path(route.path));
        let fields = [
            ("display_name", "x"),
            ("phone", "13400000000"),
            ("password", "password one"),
            ("accept_code", "on"),
        ];
        // No token.
        let res = me.client.post(&url).form(&fields).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "{} without a token", route.path);
        let html = Html::parse_document(&res.text().await.unwrap());
        assert_eq!(text(&html, "h1"), "无法完成这个操作");
        // A wrong token (well-formed, another session's).
        let mut wrong_fields = fields.to_vec();
        let wrong = "ab".repeat(64);
        wrong_fields.push(("csrf_token", &wrong));
        let res = me.client.post(&url).form(&wrong_fields).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "{} with a wrong token", route.path);
        // The right token from another site.
        let mut good_fields = fields.to_vec();
        good_fields.push(("csrf_token", &good));
        let res = me
            .client
            .post(&url)
            .header("origin", "https://evil.example")
            .form(&good_fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{} from another origin", route.path);
        let res = me
            .client
            .post(&url)
            .header("sec-fetch-site", "cross-site")
            .form(&good_fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{} cross-site", route.path);
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, users_before, "nothing changed");
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log").await,
        audit_before,
        "nothing changed"
    );
    // The same token from this site's own origin is accepted.
    let res = me
        .client
        .post(me.url("/account/sign-out-everywhere"))
        .header("origin", me.address.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf_token", &good)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Persona {
    Anonymous,
    Volunteer,
    KeeperOfAnotherStation,
    KeeperOfThisStation,
    AdminOfAnotherDistrict,
    AdminOfThisDistrict,
    SiteAdmin,
    KeeperOfThisWorkshop,
    KeeperOfAnotherWorkshop,
}

/// What each rule lets each persona do, on the sample objects: station A
/// and user "keeper of station A" in Xihu; "another" means station B or
/// Gongshu. Later rules add a column here, not a new mechanism.
fn allowed(rule: Access, who: Persona) -> bool {
    use Persona::*;
    match rule {
        Access::Public => true,
        Access::SignedIn => who != Anonymous,
        Access::Staff => !matches!(who, Anonymous | Volunteer),
        Access::SiteAdmin => who == SiteAdmin,
        Access::StationKeeper => {
            matches!(who, KeeperOfThisStation | AdminOfThisDistrict | SiteAdmin)
        }
        Access::DistrictAdmin => matches!(who, AdminOfThisDistrict | SiteAdmin),
        Access::AccountOf => matches!(who, AdminOfThisDistrict | SiteAdmin),
        Access::WorkshopKeeper => matches!(who, KeeperOfThisWorkshop | SiteAdmin),
        Access::WishStaff => matches!(who, KeeperOfThisStation | AdminOfThisDistrict | SiteAdmin),
        Access::ContentEditor => {
            matches!(who, KeeperOfThisStation | AdminOfThisDistrict | SiteAdmin)
        }
        Access::FigureEditor | Access::StoryEditor => {
            matches!(who, AdminOfThisDistrict | SiteAdmin)
        }
        Access::ActivityKeeper => {
            matches!(who, KeeperOfThisStation | AdminOfThisDistrict | SiteAdmin)
        }
    }
}

const PERSONA_PASSWORD: &str = "persona password";

/// Creates every signed-in persona; returns (persona, phone, user id), the
/// anonymous reader first (no phone, id 0). Station A and B are in Xihu;
/// both workshops are in Tonglu.
async fn personas(app: &TestApp) -> Vec<(Persona, &'static str, i64)> {
    use Persona::*;
    let a = app.place_id("xh-zmxl-station").await;
    let b = app.place_id("xh-shihuiqiao-station").await;
    let xihu = district(&app.db, "xihu").await;
    let gongshu = district(&app.db, "gongshu").await;
    let table: [(Persona, &str, &str, Vec<Role>); 8] = [
        (Volunteer, "志愿者", "13100000001", vec![]),
        (
            KeeperOfAnotherStation,
            "乙站管理员",
            "13100000002",
            vec![Role::StationKeeper { place_id: b }],
        ),
        (
            KeeperOfThisStation,
            "甲站管理员",
            "13100000003",
            vec![Role::StationKeeper { place_id: a }],
        ),
        (
            AdminOfAnotherDistrict,
            "拱墅管理员",
            "13100000004",
            vec![Role::DistrictAdmin { district_id: gongshu }],
        ),
        (
            AdminOfThisDistrict,
            "西湖管理员",
            "13100000005",
            vec![Role::DistrictAdmin { district_id: xihu }],
        ),
        (SiteAdmin, "网站管理员", "13100000006", vec![Role::SiteAdmin]),
        (
            KeeperOfThisWorkshop,
            "杭蔬管理员",
            "13100000007",
            vec![Role::WorkshopKeeper { workshop: "hangshu-base".into() }],
        ),
        (
            KeeperOfAnotherWorkshop,
            "蜜梨管理员",
            "13100000008",
            vec![Role::WorkshopKeeper { workshop: "honey-pear".into() }],
        ),
    ];
    let mut out = vec![(Anonymous, "", 0)];
    for (who, name, phone, roles) in table {
        let id = app.user(name, phone, PERSONA_PASSWORD, &roles).await;
        out.push((who, phone, id));
    }
    out
}

async fn signed_in_as(app: &TestApp, phone: &str) -> TestApp {
    if phone.is_empty() {
        app.signed_in_none()
    } else {
        app.signed_in(phone, PERSONA_PASSWORD).await
    }
}

async fn access_matrix(app: TestApp) {
    use Persona::*;
    let a = app.place_id("xh-zmxl-station").await;
    let personas = personas(&app).await;
    let keeper_a = personas.iter().find(|p| p.0 == KeeperOfThisStation).unwrap().2;
    let (figure, value, story, workshop_photo, district_photo, story_photo) =
        Samples::more(&app.db, keeper_a).await;
    let samples = Samples {
        station: a,
        user: keeper_a,
        opening: opening(&app.db).await,
        wish: count(&app.db, "SELECT MIN(id) FROM wishes").await,
        notice: notice(&app.db, a).await,
        photo: photo(&app.db, a, keeper_a).await,
        figure,
        value,
        story,
        workshop_photo,
        district_photo,
        story_photo,
        activity_photo: 0,
        activity: activity(&app.db, a).await,
    };
    let samples = Samples {
        activity_photo: photo_of(
            &app.db,
            linli::db::photos::Owner::Activity(samples.activity.0),
            keeper_a,
        )
        .await,
        ..samples
    };
    let protected: Vec<_> =
        linli::web::routes().into_iter().filter(|r| r.access != Access::Public).collect();
    assert!(protected.len() >= 10);
    for (who, phone, user_id) in personas {
        let mut client = signed_in_as(&app, phone).await;
        for route in &protected {
            // One's own session (the newest: this client's), for "sign
            // out this one"; anybody else's is not found.
            let (idle, begun) = linli::web::auth::expiry_bounds(chrono::Utc::now());
            let own = linli::db::sessions::list(&app.db, user_id, idle, begun).await.unwrap();
            let path = match own.first() {
                Some(s) if route.path == "/account/sessions/{id}/end" => {
                    format!("/account/sessions/{}/end", s.id)
                }
                _ => samples.path(route.path),
            };
            let status = if route.method == actix_web::http::Method::GET {
                client.get(&path).await.status().as_u16()
            } else {
                let token = client.csrf_token("/account/login").await;
                client
                    .client
                    .post(client.url(&path))
                    .form(&[("csrf_token", token)])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            };
            let expect_ok = allowed(route.access, who);
            let detail = format!("{who:?} {} {path} → {status}", route.method);
            if expect_ok {
                assert!(status != 403 && status != 404 && status < 500, "{detail}");
                if route.method == actix_web::http::Method::GET {
                    assert_eq!(status, 200, "{detail}");
                }
            } else if who == Anonymous && route.method == actix_web::http::Method::GET {
                assert_eq!(status, 303, "{detail}: anonymous readers are sent to sign in");
            } else {
                assert_eq!(status, 403, "{detail}");
            }
            // Signing out ends the persona's session: give it a fresh one.
            let signs_out = ["/account/logout", "/account/sessions/{id}/end"];
            if signs_out.contains(&route.path) && !phone.is_empty() {
                client = signed_in_as(&app, phone).await;
            }
        }
    }
}

/// Whether `actor` may act on `target`'s account (issue a reset link):
/// site admins on anyone; Xihu's admin on accounts tied to Xihu that hold
/// nothing beyond Xihu; Gongshu's admin on itself (the only account tied
/// to Gongshu); nobody else on anyone.
fn may_act(actor: Persona, target: Persona) -> bool {
    use Persona::*;
    match actor {
        SiteAdmin => true,
        AdminOfThisDistrict => matches!(
            target,
            Volunteer | KeeperOfAnotherStation | KeeperOfThisStation | AdminOfThisDistrict
        ),
        AdminOfAnotherDistrict => target == AdminOfAnotherDistrict,
        _ => false,
    }
}

/// Every account action by every persona on every persona. The site admin
/// and Gongshu's admin claimed and released a wish at a Xihu station (the
/// hand-hold the outside probe used), and so did the volunteer.
async fn account_actions_matrix(app: TestApp) {
    use Persona::*;
    use linli::db::wishes::change;
    use linli::domain::wish::{Actor, Change};
    let personas = personas(&app).await;
    let wish: i64 = count(&app.db, "SELECT MIN(id) FROM wishes").await;
    exec(&app.db, "UPDATE wishes SET status = 'open', opened_at = created_at, claimed_by = NULL")
        .await;
    for (who, _, id) in &personas {
        if matches!(who, SiteAdmin | AdminOfAnotherDistrict | Volunteer) {
            let now = chrono::Utc::now();
            let claim =
                Change::Claim { limit: 3, delivery: linli::domain::wish::Delivery::Station };
            change(&app.db, wish, &claim, Actor::volunteer(*id), now).await.unwrap().unwrap();
            change(&app.db, wish, &Change::Release, Actor::volunteer(*id), now)
                .await
                .unwrap()
                .unwrap();
        }
    }
    let site_admin_hash: String =
        scalar(&app.db, "SELECT password_hash FROM users WHERE phone = '13100000006'").await;
    for (actor, phone, _) in &personas {
        let client = signed_in_as(&app, phone).await;
        for (target, _, target_id) in personas.iter().filter(|p| p.0 != Anonymous) {
            let detail = format!("{actor:?} on {target:?}");
            let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
                let client = &client;
                async move {
                    let token = client.csrf_token("/account/login").await;
                    let mut body: Vec<(&str, &str)> = fields;
                    body.push(("csrf_token", &token));
                    let res =
                        client.client.post(client.url(&path)).form(&body).send().await.unwrap();
                    let status = res.status().as_u16();
                    (status, res.text().await.unwrap())
                }
            };
            let (status, body) = post(format!("/staff/users/{target_id}/reset"), vec![]).await;
            if may_act(*actor, *target) {
                assert_eq!(status, 200, "{detail}: a reset link");
                assert!(body.contains("/account/reset/"), "{detail}");
            } else {
                assert_eq!(status, 403, "{detail}: no reset link");
                assert!(!body.contains("/account/reset/"), "{detail}");
            }
            // Changing roles: site admins only (an empty role comes back
            // as a form error; revoking a role not held changes nothing).
            let (grant, _) =
                post(format!("/staff/users/{target_id}/roles"), vec![("role", "")]).await;
            let (revoke, _) = post(
                format!("/staff/users/{target_id}/roles/revoke"),
                vec![("role", "station_keeper"), ("scope", "place:999999")],
            )
            .await;
            let expect = if *actor == SiteAdmin { (422, 303) } else { (403, 403) };
            assert_eq!((grant, revoke), expect, "{detail}: roles");
        }
    }
    // The site admin's password was never touched, and no reset link for
    // them was issued by anyone but a site admin.
    let after: String =
        scalar(&app.db, "SELECT password_hash FROM users WHERE phone = '13100000006'").await;
    assert_eq!(after, site_admin_hash);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM user_roles").await, 7, "no role changed");
}

async fn failed_sign_ins_are_throttled_with_a_clear_message(app: TestApp) {
    app.user("赵六", "13200000000", "the right one", &[]).await;
    // An unknown account gets the same words as a wrong password.
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13299999999"), ("password", "whatever")],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "#f-login-error"), "错误：手机号码、邮箱或密码不对，请再试一次");
    for _ in 0..9 {
        let res = app
            .post_form(
                "/account/login",
                "/account/login",
                &[("login", "13200000000"), ("password", "wrong one")],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
    }
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13200000000"), ("password", "the right one")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "even the right password waits");
    let html = Html::parse_document(&res.text().await.unwrap());
    let message = text(&html, ".error-summary");
    assert!(message.contains("登录失败次数太多") && message.contains("以后再试"), "{message}");
    // The address reached its limit (10 failures: 1 unknown + 9 wrong).
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'login.throttled'").await,
        1
    );
}

async fn hashes_use_argon2id_and_weak_ones_are_upgraded(app: TestApp) {
    let id = app.user("钱七", "13300000000", "password one", &[]).await;
    let stored: String = scalar(&app.db, "SELECT password_hash FROM users").await;
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert!(!stored.contains("password one"));
    // A hash from weaker parameters (an older release) is replaced at sign-in.
    use argon2::password_hash::PasswordHasher;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(b"password one")
    .unwrap()
    .to_string();
    linli::db::accounts::set_password_hash(
        &app.db,
        id,
        &weak,
        linli::db::sessions::Ending::None,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    app.signed_in("13300000000", "password one").await;
    let upgraded: String = scalar(&app.db, "SELECT password_hash FROM users").await;
    assert!(upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{upgraded}");
}

async fn reset_links_work_once_and_expire(app: TestApp) {
    let volunteer = app.user("孙八", "13800000008", "old password", &[]).await;
    let admin = app.site_admin().await;
    let volunteer_session = app.signed_in("13800000008", "old password").await;
    let res =
        admin.post_form("/staff/users", &format!("/staff/users/{volunteer}/reset"), &[]).await;
    assert_eq!(res.status().as_u16(), 200);
    let html = Html::parse_document(&res.text().await.unwrap());
    let link = text(&html, ".reset-link code");
    assert!(link.starts_with("http://127.0.0.1/account/reset/"), "{link}");
    let path = link.trim_start_matches("http://127.0.0.1");
    let token = path.rsplit('/').next().unwrap();
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM password_resets").await, 1);
    let stored: String = scalar(&app.db, "SELECT token_hash FROM password_resets").await;
    assert!(!stored.contains(token), "only a hash of the token is kept");

    let visitor = app.signed_in_none();
    assert_eq!(visitor.get(path).await.status().as_u16(), 200);
    let res = visitor.post_form(path, path, &[("new_password", "short")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let res = visitor.post_form(path, path, &[("new_password", "brand new password")]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/account/login");
    // Every session of the volunteer ended; the new password works.
    assert_eq!(volunteer_session.get("/account").await.status().as_u16(), 303);
    app.signed_in("13800000008", "brand new password").await;
    // Once only.
    assert_eq!(visitor.get(path).await.status().as_u16(), 410);
    // And a link expires after a day.
    let res =
        admin.post_form("/staff/users", &format!("/staff/users/{volunteer}/reset"), &[]).await;
    let html = Html::parse_document(&res.text().await.unwrap());
    let second = text(&html, ".reset-link code").trim_start_matches("http://127.0.0.1").to_owned();
    exec(&app.db, "UPDATE password_resets SET expires_at = created_at WHERE used_at IS NULL").await;
    assert_eq!(visitor.get(&second).await.status().as_u16(), 410);
    let html = Html::parse_document(&visitor.get(&second).await.text().await.unwrap());
    assert!(text(&html, "main").contains("24小时"));
}

async fn deleting_an_account_leaves_no_personal_data(app: TestApp) {
    let station = app.place_id("xh-zmxl-station").await;
    app.user("周九", "13800000009", "password one", &[Role::StationKeeper { place_id: station }])
        .await;
    let me = app.signed_in("13800000009", "password one").await;
    let res = me.post_form("/account", "/account/delete", &[("confirm_password", "wrong")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-confirm_password-error").contains("密码不对"));
    let res =
        me.post_form("/account", "/account/delete", &[("confirm_password", "password one")]).await;
    assert_eq!(res.status().as_u16(), 303);
    let (_, html) = me.page("/").await;
    assert!(text(&html, ".flash").contains("已注销"));
    let leftovers = count(
        &app.db,
        "SELECT COUNT(*) FROM users WHERE display_name <> '' OR phone IS NOT NULL OR email IS NOT NULL \
         OR password_hash IS NOT NULL OR organisation IS NOT NULL",
    )
    .await;
    assert_eq!(leftovers, 0);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL").await,
        1,
        "the row stays for history"
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM user_roles").await, 0);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'account.deleted'").await,
        1
    );
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13800000009"), ("password", "password one")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    // The number is free to register again.
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "新周"),
                ("phone", "13800000009"),
                ("password", "password two"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
}

async fn site_admin_grants_and_revokes_roles_from_the_console(app: TestApp) {
    let station = app.place_id("xh-zmxl-station").await;
    let volunteer = app.user("吴十", "13800000010", "password one", &[]).await;
    let admin = app.site_admin().await;
    // The user list leads to each user's grant page.
    let grant = format!("/staff/users/{volunteer}/roles");
    let (_, html) = admin.page("/staff/users?q=吴十").await;
    assert!(common::attrs(&html, &format!("#user-{volunteer} a"), "href").contains(&grant));
    // It offers stations and workshops by name, grouped by district, and
    // narrows the lists by district and words of a name.
    let (status, html) = admin.page(&grant).await;
    assert_eq!(status, 200);
    assert!(texts(&html, "#f-workshop option").contains(&"蜜梨工坊".to_owned()));
    assert!(common::attrs(&html, "#f-station optgroup", "label").contains(&"西湖区".to_owned()));
    let (_, html) = admin.page(&format!("{grant}?in=tonglu&q=蜜梨")).await;
    assert_eq!(texts(&html, "#f-workshop option"), ["请选择", "蜜梨工坊"]);
    assert_eq!(texts(&html, "#f-station option"), ["请选择"]);
    assert_eq!(attr(&html, "#f-in option[selected]", "value"), "tonglu");
    // A station keeper without a station: the form comes back, choices kept.
    let res =
        admin.post_form(&grant, &grant, &[("role", "station_keeper"), ("district", "xihu")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(
        text(&html, ".error-summary")
            .contains("场所（场所管理员：驿站、幸福家园等）：场所管理员需要选择一个场所")
    );
    assert_eq!(attr(&html, "#f-role option[selected]", "value"), "station_keeper");
    assert_eq!(attr(&html, "#f-district option[selected]", "value"), "xihu");
    // A workshop that is not on the list is refused at its field.
    let res = admin
        .post_form(&grant, &grant, &[("role", "workshop_keeper"), ("workshop", "no-such-workshop")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(
        text(&html, "#f-workshop-error"),
        "错误：没有这个工坊（工坊的网址名，例如 honey-pear）"
    );

    let station_s = station.to_string();
    let res = admin
        .post_form(&grant, &grant, &[("role", "station_keeper"), ("station", &station_s)])
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], grant.as_str());
    let (_, html) = admin.page("/staff/users?q=吴十").await;
    assert_eq!(text(&html, ".flash"), "角色已授予。");
    assert!(text(&html, &format!("#user-{volunteer} .roles")).contains("场所管理员: 中帽西丽"));
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'role.grant'").await,
        2
    );

    // The new keeper reaches their station's staff page, and only that one.
    let keeper = app.signed_in("13800000010", "password one").await;
    assert_eq!(keeper.get(&format!("/staff/places/{station}")).await.status().as_u16(), 200);

    let scope = format!("place:{station}");
    let res = admin
        .post_form(
            "/staff/users",
            &format!("/staff/users/{volunteer}/roles/revoke"),
            &[("role", "station_keeper"), ("scope", &scope)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM user_roles WHERE role = 'station_keeper'").await,
        0
    );
    // Revoking a role ends the account's sessions at once; signed in
    // again, it holds what is left.
    assert_eq!(keeper.get(&format!("/staff/places/{station}")).await.status().as_u16(), 303);
    let keeper = app.signed_in("13800000010", "password one").await;
    assert_eq!(keeper.get(&format!("/staff/places/{station}")).await.status().as_u16(), 403);
    let audit: String =
        scalar(&app.db, "SELECT detail FROM audit_log WHERE action = 'role.revoke'").await;
    assert_eq!(audit, format!("station_keeper place:{station}"));
}

async fn staff_home_lists_only_what_one_keeps(app: TestApp) {
    let a = app.place_id("xh-zmxl-station").await;
    app.user("甲站管理员", "13100000003", "password one", &[Role::StationKeeper { place_id: a }])
        .await;
    let keeper = app.signed_in("13100000003", "password one").await;
    let (status, html) = keeper.page("/staff").await;
    assert_eq!(status, 200);
    assert_eq!(
        texts(&html, "main h2"),
        ["等我处理的事", "微心愿审核", "我管理的场所"],
        "empty sections are hidden"
    );
    assert_eq!(
        texts(&html, "main .list a"),
        ["待审核和需要跟进的心愿", "中帽西丽环境科技集团有限公司爱心驿站"]
    );
    assert!(texts(&html, ".main-nav a").contains(&"工作台".to_owned()));
    // Anonymous readers are sent to sign in, and come back after.
    let visitor = app.signed_in_none();
    let res = visitor.get("/staff").await;
    assert_eq!(res.headers()["location"], "/account/login?next=/staff");
    let token = visitor.csrf_token("/account/login?next=/staff").await;
    let res = visitor
        .client
        .post(visitor.url("/account/login"))
        .form(&[
            ("login", "13100000003"),
            ("password", "password one"),
            ("next", "/staff"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/staff");
}

async fn registration_throttle(app: TestApp) {
    for n in 0..2 {
        let client = app.signed_in_none();
        let phone = format!("1380000100{n}");
        let res = client
            .post_form(
                "/account/register",
                "/account/register",
                &[
                    ("display_name", "x"),
                    ("phone", &phone),
                    ("password", "password one"),
                    ("accept_code", "on"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 303);
    }
    let client = app.signed_in_none();
    let res = client
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "第三个"),
                ("phone", "13800001009"),
                ("password", "password one"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("注册次数太多"));
    assert_eq!(attr(&html, "#f-display_name", "value"), "第三个", "input kept");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 2);
}

// ---------------------------------------------------------------- helpers

trait Clients {
    fn signed_in_none(&self) -> TestApp;
}

impl Clients for TestApp {
    /// A fresh anonymous browser.
    fn signed_in_none(&self) -> TestApp {
        self.new_anonymous()
    }
}

async fn opening(db: &Db) -> i64 {
    let sql = "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
               WHERE w.slug = 'hangshu-base' ORDER BY o.id LIMIT 1";
    scalar(db, sql).await
}

async fn district(db: &Db, slug: &str) -> i64 {
    linli::db::accounts::district_id(db, slug).await.unwrap().unwrap()
}

/// A photo of place `place`, its bytes a stand-in (the matrix reads no
/// picture).
async fn photo(db: &Db, place: i64, by: i64) -> i64 {
    photo_of(db, linli::db::photos::Owner::Place(place), by).await
}

/// A stand-in photo of `owner`.
async fn photo_of(db: &Db, owner: linli::db::photos::Owner, by: i64) -> i64 {
    use linli::domain::photo::{Encoded, Processed};
    let one = || Encoded { jpeg: vec![0xFF, 0xD8], width: 1, height: 1 };
    let p = Processed { small: one(), large: one() };
    match linli::db::photos::add(db, owner, &p, ("门口", None), by, chrono::Utc::now())
        .await
        .unwrap()
    {
        linli::db::photos::Added::New(id) => id,
        linli::db::photos::Added::Full => unreachable!(),
    }
}
