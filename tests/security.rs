//! Regression tests for the holes an outside probe found (issue 10), one
//! or more per finding, each on SQLite and PostgreSQL. The access matrix
//! over account actions (finding 1) is in `accounts.rs`.

mod common;

use common::{TestApp, attr, count, exec, scalar, text};
use linli::domain::Role;
use scraper::Html;

on_both_databases!(
    existing_contacts_are_refused_before_any_hash with |s| s.registrations_per_hour = 1000,
    a_busy_hasher_answers_503_with_the_form_kept with |s| s.registrations_per_hour = 1000,
    parallel_sign_ins_never_pass_the_limit,
    parallel_registrations_never_pass_the_limit with |s| s.registrations_per_hour = 5,
    parallel_sign_ups_never_pass_the_limit with |s| s.signups_per_hour = 10,
    parallel_wish_posts_never_pass_the_limit with |s| s.wishes_per_hour = 5,
    parallel_look_ups_never_pass_the_limit with |s| s.track_lookups_per_hour = 10,
    a_flood_from_elsewhere_does_not_lock_the_owner_out with |s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    },
    signing_out_ends_the_session_everywhere,
    password_changes_deletions_and_revocations_end_sessions,
    signed_in_devices_are_listed_and_can_be_signed_out,
    sessions_end_on_every_instance,
    registration_says_the_same_for_taken_and_free_contacts with |s| s.registrations_per_hour = 2,
    common_and_personal_passwords_are_refused,
    the_return_path_is_a_plain_local_path,
    phones_in_any_free_text_are_masked_in_public,
    forwarded_hosts_are_believed_only_from_trusted_proxies,
    private_pages_are_never_stored_and_odd_methods_get_405,
    busy_registrations_still_count with |s| s.registrations_per_hour = 8,
    ones_own_password_is_not_guessed_without_end,
    a_full_opening_answers_alike_whoever_signed_up,
    a_crowd_of_addresses_meets_the_accounts_ceiling with |s| {
        s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        s.login_max_failures = 2;
    },
    signing_in_again_ends_the_browsers_earlier_session,
    reset_buttons_show_only_where_they_work,
    control_characters_are_refused_at_the_field,
    a_form_left_open_too_long_comes_back_to_send_again,
);

/// The same request `n` times at once, each from its own client (its form
/// fetched first, then every request released together); the statuses
/// and bodies in the order sent. `apps` take turns, like instances behind
/// a load balancer.
async fn at_once_on(
    apps: &[&TestApp],
    n: usize,
    form_page: &str,
    path: &str,
    fields: impl Fn(usize) -> Vec<(String, String)>,
) -> Vec<(u16, String)> {
    let mut ready = Vec::new();
    for i in 0..n {
        let client = apps[i % apps.len()].new_anonymous();
        let token = client.csrf_token(form_page).await;
        let mut body = fields(i);
        body.push(("csrf_token".into(), token));
        ready.push((client.url(path), client.client, body));
    }
    common::race(n, |i| {
        let (url, client, body) = ready[i].clone();
        async move {
            let res = client.post(url).form(&body).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }
    })
    .await
}

async fn at_once(
    app: &TestApp,
    n: usize,
    form_page: &str,
    path: &str,
    fields: impl Fn(usize) -> Vec<(String, String)>,
) -> Vec<(u16, String)> {
    at_once_on(&[app], n, form_page, path, fields).await
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn registration(name: &str, phone: &str, password: &str) -> Vec<(String, String)> {
    owned(&[
        ("display_name", name),
        ("phone", phone),
        ("password", password),
        ("accept_code", "on"),
    ])
}

// ---------------------------------------------------------------- 2: memory

/// 80 registrations at once with a phone that is taken: each is answered
/// from a cheap look-up, none waits for a hash (a hash for each would
/// overflow the bounded hasher and answer 503).
async fn existing_contacts_are_refused_before_any_hash(app: TestApp) {
    app.user("已注册", "13900000001", "password one", &[]).await;
    let answers = at_once(&app, 80, "/account/register", "/account/register", |i| {
        registration(&format!("抢注{i}"), "13900000001", "another password")
    })
    .await;
    for (status, body) in &answers {
        assert_eq!(*status, 422, "{body}");
        assert!(body.contains("无法用这个手机号码或邮箱注册"));
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 1);
}

/// Beyond one hash per core and a short line, registrations are answered
/// with a polite 503 that keeps what was typed (never the password).
async fn a_busy_hasher_answers_503_with_the_form_kept(app: TestApp) {
    let answers = at_once(&app, 40, "/account/register", "/account/register", |i| {
        registration(&format!("同时{i}"), &format!("1370000{i:04}"), "violet kettle song")
    })
    .await;
    let busy: Vec<&(u16, String)> = answers.iter().filter(|(s, _)| *s == 503).collect();
    let done = answers.iter().filter(|(s, _)| *s == 303).count();
    assert!(!busy.is_empty(), "40 at once overflow the hasher");
    assert!(done >= 2, "those with a turn are registered ({done})");
    assert_eq!(busy.len() + done, 40);
    let html = Html::parse_document(&busy[0].1);
    assert!(text(&html, ".error-summary").contains("现在同时登录和注册的人太多"));
    assert!(attr(&html, "#f-display_name", "value").starts_with("同时"), "input kept");
    assert_eq!(attr(&html, "#f-password", "value"), "", "never the password");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await as usize, done);
}

/// 100 registrations and 100 sign-ins at once against the server in its
/// own process: its resident memory stays under 150 MB (an unbounded
/// server went from 57 MB to 1.58 GB on 80 registrations).
async fn memory_stays_bounded_under_parallel_hashing(database_url: String) {
    let server = common::Server::start(
        &database_url,
        &[("LINLI_REGISTRATIONS_PER_HOUR", "100000"), ("LINLI_LOGIN_MAX_FAILURES", "100000")],
    );
    let fire = |path: &'static str, fields: Vec<Vec<(String, String)>>| {
        let address = server.address.clone();
        async move {
            let mut tasks = Vec::new();
            for body in fields {
                let client = common::browser();
                let page = client.get(format!("{address}{path}")).send().await.unwrap();
                let token = common::csrf_of(&page.text().await.unwrap());
                let mut body = body;
                body.push(("csrf_token".into(), token));
                let url = format!("{address}{path}");
                tasks.push(tokio::spawn(async move {
                    client.post(url).form(&body).send().await.unwrap().status().as_u16()
                }));
            }
            let mut statuses = Vec::new();
            for t in tasks {
                statuses.push(t.await.unwrap());
            }
            statuses
        }
    };
    let registrations = (0..100)
        .map(|i| registration(&format!("并发{i}"), &format!("1360000{i:04}"), "violet kettle song"))
        .collect();
    let statuses = fire("/account/register", registrations).await;
    assert!(statuses.iter().all(|s| [303, 503].contains(s)), "{statuses:?}");
    let sign_ins = (0..100)
        .map(|i| owned(&[("login", &format!("1360000{:04}", i % 10)), ("password", "wrong one")]))
        .collect();
    let statuses = fire("/account/login", sign_ins).await;
    assert!(statuses.iter().all(|s| [422, 503].contains(s)), "{statuses:?}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/PID/status");
    eprintln!("peak resident memory after 100 + 100 at once: {} MB", peak_kb / 1024);
    assert!(peak_kb < 150 * 1024, "peak resident memory {} MB", peak_kb / 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_stays_bounded_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("linli.db").display());
    memory_stays_bounded_under_parallel_hashing(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_stays_bounded_postgres() {
    let Some(server) = common::pg_server_url() else { return };
    let name = common::create_pg_database(&server).await;
    memory_stays_bounded_under_parallel_hashing(common::with_database(&server, &name)).await;
    common::drop_pg_database(&server, &name).await;
}

// ---------------------------------------------------------------- 3: races

/// 100 wrong passwords for one account at once, limit 10: at most 10 are
/// checked (the rest are throttled, or told to come back); once 10 have
/// failed, even the right password waits.
async fn parallel_sign_ins_never_pass_the_limit(app: TestApp) {
    app.user("目标", "13200000000", "the right one", &[]).await;
    let wrong = owned(&[("login", "13200000000"), ("password", "wrong one")]);
    let answers = at_once(&app, 100, "/account/login", "/account/login", |_| wrong.clone()).await;
    let failed =
        |a: &[(u16, String)]| a.iter().filter(|(_, b)| b.contains("f-login-error")).count();
    let checked = failed(&answers);
    assert!(checked <= 10, "{checked} of 100 were checked against a limit of 10");
    assert!(
        answers.iter().all(|(s, b)| *s == 503
            || b.contains("f-login-error")
            || b.contains("登录失败次数太多")),
        "each is failed, throttled or busy"
    );
    assert!(checked >= 1, "some were checked");
    let res = app
        .post_form(
            "/account/login",
            "/account/login",
            &[("login", "13200000000"), ("password", "the right one")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422, "the right password, sent last, waits");
}

async fn parallel_registrations_never_pass_the_limit(app: TestApp) {
    let answers = at_once(&app, 100, "/account/register", "/account/register", |i| {
        registration(&format!("注册{i}"), &format!("1350000{i:04}"), "violet kettle song")
    })
    .await;
    let done = answers.iter().filter(|(s, _)| *s == 303).count();
    assert_eq!(done, 5, "the limit of 5 an hour holds");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 5);
}

async fn parallel_sign_ups_never_pass_the_limit(app: TestApp) {
    exec(&app.db, "UPDATE openings SET places = 500, places_left = 500").await;
    let id: i64 = scalar(
        &app.db,
        "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
         WHERE w.slug = 'joy-skilful-hands' ORDER BY o.id LIMIT 1",
    )
    .await;
    let path = format!("/workshops/joy-skilful-hands/openings/{id}/signup");
    let answers = at_once(&app, 100, "/workshops/joy-skilful-hands", &path, |i| {
        owned(&[("name", "村民"), ("phone", &format!("1340000{i:04}")), ("village", "大庄村")])
    })
    .await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 10);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM signups").await, 10);
}

/// Posted to two instances at once: each stores its batches in its own
/// transactions, and the address's limit still holds across them.
async fn parallel_wish_posts_never_pass_the_limit(app: TestApp) {
    let before = count(&app.db, "SELECT COUNT(*) FROM wishes").await;
    let (other, handle) = app.second_instance(|s| s.wishes_per_hour = 5).await;
    let answers = at_once_on(&[&app, &other], 100, "/wishes/new", "/wishes", |i| {
        owned(&[
            ("what", &format!("一双手套{i}")),
            ("display_name", "同时师傅"),
            ("occupation", "courier"),
            ("station", "xh-zmxl-station"),
        ])
    })
    .await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 303).count(), 5);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes").await - before, 5);
    handle.stop(false).await;
}

async fn parallel_look_ups_never_pass_the_limit(app: TestApp) {
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = app.client.clone();
        let url = app.url("/wishes/track/AAAA-AAAA");
        tasks.push(tokio::spawn(
            async move { client.get(url).send().await.unwrap().status().as_u16() },
        ));
    }
    let mut answered = 0;
    for t in tasks {
        match t.await.unwrap() {
            404 => answered += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(answered, 10, "the limit of 10 look-ups an hour holds");
}

// ---------------------------------------------------------------- 12: lock-out

async fn sign_in_from(app: &TestApp, address: &str, login: &str, password: &str) -> String {
    let client = app.new_anonymous();
    let token = client.csrf_token("/account/login").await;
    let res = client
        .client
        .post(client.url("/account/login"))
        .header("x-forwarded-for", address)
        .form(&[("login", login), ("password", password), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    if res.status().as_u16() == 303 { "in".into() } else { res.text().await.unwrap() }
}

/// Someone floods an account from several addresses: the account reaches
/// its limit, yet its owner, from an address with no failures on it,
/// signs in; a flooding address gets three tries on a locked account.
async fn a_flood_from_elsewhere_does_not_lock_the_owner_out(app: TestApp) {
    app.user("业主", "13200000001", "the owners one", &[]).await;
    for i in 0..10 {
        let from = format!("203.0.113.{}", i / 5);
        let answer = sign_in_from(&app, &from, "13200000001", "a guess").await;
        assert!(answer.contains("f-login-error"), "guess {i} is checked");
    }
    let flooder = "203.0.113.9";
    for _ in 0..3 {
        let answer = sign_in_from(&app, flooder, "13200000001", "a guess").await;
        assert!(answer.contains("f-login-error"), "a new address has three tries");
    }
    let answer = sign_in_from(&app, flooder, "13200000001", "the owners one").await;
    assert!(answer.contains("登录失败次数太多"), "then it waits, even with the right password");
    assert_eq!(sign_in_from(&app, "198.51.100.7", "13200000001", "the owners one").await, "in");
}

// ---------------------------------------------------------------- 4: sessions

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("linli_session="))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// Signs in with a fresh client and returns it with a copy of its cookie.
async fn signed_in_with_copy(app: &TestApp, login: &str, password: &str) -> (TestApp, String) {
    let me = app.new_anonymous();
    let token = me.csrf_token("/account/login").await;
    let res = me
        .client
        .post(me.url("/account/login"))
        .form(&[("login", login), ("password", password), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let cookie = session_cookie(&res).expect("a session cookie");
    (me, cookie)
}

async fn with_cookie(app: &TestApp, cookie: &str, path: &str) -> u16 {
    let bare =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    bare.get(app.url(path)).header("cookie", cookie).send().await.unwrap().status().as_u16()
}

async fn signing_out_ends_the_session_everywhere(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    let (me, copy) = signed_in_with_copy(&app, "13600000000", "password one").await;
    assert_eq!(with_cookie(&app, &copy, "/account").await, 200, "the copy works while signed in");
    let res = me.post_form("/account", "/account/logout", &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        with_cookie(&app, &copy, "/account").await,
        303,
        "a copied cookie dies with sign-out"
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sessions").await, 0);
    // "Sign out everywhere" ends copies of this very browser's cookie too.
    let (me, copy) = signed_in_with_copy(&app, "13600000000", "password one").await;
    let (_, other) = signed_in_with_copy(&app, "13600000000", "password one").await;
    me.post_form("/account", "/account/sign-out-everywhere", &[]).await;
    assert_eq!(with_cookie(&app, &copy, "/account").await, 303);
    assert_eq!(with_cookie(&app, &other, "/account").await, 303);
    assert_eq!(me.get("/account").await.status().as_u16(), 200, "the browser that asked stays in");
}

async fn password_changes_deletions_and_revocations_end_sessions(app: TestApp) {
    let station = app.place_id("xh-zmxl-station").await;
    app.user("管理员", "13500000000", "admin password", &[Role::SiteAdmin]).await;
    let keeper_id = app
        .user("驿站", "13600000001", "password one", &[Role::StationKeeper { place_id: station }])
        .await;
    // A password change ends every other session, and a copy of this one.
    let (me, copy) = signed_in_with_copy(&app, "13600000001", "password one").await;
    let (_, elsewhere) = signed_in_with_copy(&app, "13600000001", "password one").await;
    let res = me
        .post_form(
            "/account",
            "/account/password",
            &[("current_password", "password one"), ("new_password", "violet kettle song")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(with_cookie(&app, &elsewhere, "/account").await, 303);
    assert_eq!(with_cookie(&app, &copy, "/account").await, 303);
    assert_eq!(me.get("/account").await.status().as_u16(), 200);
    // Revoking a role ends the account's sessions.
    let (_, keeper) = signed_in_with_copy(&app, "13600000001", "violet kettle song").await;
    let admin = app.signed_in("13500000000", "admin password").await;
    let scope = format!("place:{station}");
    admin
        .post_form(
            "/staff/users",
            &format!("/staff/users/{keeper_id}/roles/revoke"),
            &[("role", "station_keeper"), ("scope", &scope)],
        )
        .await;
    assert_eq!(with_cookie(&app, &keeper, "/account").await, 303);
    // Deleting the account ends every session of it.
    let (me, _) = signed_in_with_copy(&app, "13600000001", "violet kettle song").await;
    let (_, other) = signed_in_with_copy(&app, "13600000001", "violet kettle song").await;
    me.post_form("/account", "/account/delete", &[("confirm_password", "violet kettle song")])
        .await;
    assert_eq!(with_cookie(&app, &other, "/account").await, 303);
    let left: i64 = count(&app.db, "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.deleted_at IS NOT NULL").await;
    assert_eq!(left, 0);
}

async fn signed_in_devices_are_listed_and_can_be_signed_out(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    let wechat = "Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 Chrome/86.0 Mobile Safari/537.36 MicroMessenger/8.0.30";
    let phone = app.new_anonymous();
    let token = phone.csrf_token("/account/login").await;
    phone
        .client
        .post(phone.url("/account/login"))
        .header("user-agent", wechat)
        .form(&[("login", "13600000000"), ("password", "password one"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    let (me, _) = signed_in_with_copy(&app, "13600000000", "password one").await;
    let (_, html) = me.page("/account").await;
    let devices = common::texts(&html, ".devices li");
    assert_eq!(devices.len(), 2, "{devices:?}");
    assert!(devices.iter().any(|d| d.contains("微信 · 安卓手机")), "{devices:?}");
    assert!(devices.iter().any(|d| d.contains("本设备")), "{devices:?}");
    let stored: String = scalar(&app.db, "SELECT device FROM sessions ORDER BY id LIMIT 1").await;
    assert_eq!(stored, "wechat android", "a summary, never the whole User-Agent");
    // Sign the phone out from here.
    let phone_session: i64 = scalar(&app.db, "SELECT MIN(id) FROM sessions").await;
    let res =
        me.post_form("/account", &format!("/account/sessions/{phone_session}/end"), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(phone.get("/account").await.status().as_u16(), 303, "the phone is signed out");
    assert_eq!(me.get("/account").await.status().as_u16(), 200);
    // Nobody ends another person's session: not found.
    app.user("赵六", "13600000002", "password two", &[]).await;
    let (stranger, _) = signed_in_with_copy(&app, "13600000002", "password two").await;
    let mine: i64 = scalar(&app.db, "SELECT MIN(id) FROM sessions").await;
    let res = stranger.post_form("/account", &format!("/account/sessions/{mine}/end"), &[]).await;
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(me.get("/account").await.status().as_u16(), 200);
    // English names the device too.
    me.switch_lang("en").await;
    let (_, html) = me.page("/account").await;
    assert!(text(&html, ".devices").contains("This device"));
}

async fn sessions_end_on_every_instance(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    let (other, handle) = app.second_instance(|_| {}).await;
    let (me, copy) = signed_in_with_copy(&app, "13600000000", "password one").await;
    assert_eq!(
        with_cookie(&other, &copy, "/account").await,
        200,
        "recognised on the other instance"
    );
    me.post_form("/account", "/account/logout", &[]).await;
    assert_eq!(with_cookie(&other, &copy, "/account").await, 303, "and ended there at once");
    handle.stop(false).await;
}

// ---------------------------------------------------------------- 5: enumeration

/// Registration answers a taken phone in the words it uses for a taken
/// e-mail (neither says "already registered"), and every well-formed
/// attempt counts against the address's limit, taken contacts included.
async fn registration_says_the_same_for_taken_and_free_contacts(app: TestApp) {
    app.user("已注册", "13900000001", "password one", &[]).await;
    for _ in 0..2 {
        let res = app
            .post_form(
                "/account/register",
                "/account/register",
                &[
                    ("display_name", "试探"),
                    ("phone", "13900000001"),
                    ("password", "violet kettle song"),
                    ("accept_code", "on"),
                ],
            )
            .await;
        let body = res.text().await.unwrap();
        assert!(!body.contains("已经注册过了"), "no 'already registered'");
    }
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "试探"),
                ("phone", "13900000002"),
                ("password", "violet kettle song"),
                ("accept_code", "on"),
            ],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("注册次数太多"), "the probes counted");
}

// ---------------------------------------------------------------- 6: passwords

async fn common_and_personal_passwords_are_refused(app: TestApp) {
    let register = |password: &'static str| {
        let app = app.new_anonymous();
        async move {
            let res = app
                .post_form(
                    "/account/register",
                    "/account/register",
                    &[
                        ("display_name", "LiWei"),
                        ("phone", "13812345678"),
                        ("password", password),
                        ("accept_code", "on"),
                    ],
                )
                .await;
            assert_eq!(res.status().as_u16(), 422, "{password}");
            let html = Html::parse_document(&res.text().await.unwrap());
            assert_eq!(attr(&html, "#f-phone", "value"), "13812345678", "input kept");
            text(&html, "#f-password-error")
        }
    };
    for common in ["12345678", "password", "11111111", "woaini1314", "qq123456"] {
        assert!(register(common).await.contains("这个密码太常见"), "{common}");
    }
    for own in ["13812345678", "liwei2024!", "my12345678"] {
        assert!(register(own).await.contains("不能有您的手机号码"), "{own}");
    }
    // The same rules for a new password on the account page and by reset link.
    let id = app.user("LiWei", "13812345678", "violet kettle song", &[]).await;
    let me = app.signed_in("13812345678", "violet kettle song").await;
    let res = me
        .post_form(
            "/account",
            "/account/password",
            &[("current_password", "violet kettle song"), ("new_password", "qwertyuiop")],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-new_password-error").contains("这个密码太常见"));
    let admin = app.site_admin().await;
    let res = admin.post_form("/staff/users", &format!("/staff/users/{id}/reset"), &[]).await;
    let html = Html::parse_document(&res.text().await.unwrap());
    let link = text(&html, ".reset-link code");
    let path = link.trim_start_matches("http://127.0.0.1").to_owned();
    let res =
        app.new_anonymous().post_form(&path, &path, &[("new_password", "x13812345678")]).await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-new_password-error").contains("不能有您的手机号码"));
}

// ---------------------------------------------------------------- 7: next

async fn the_return_path_is_a_plain_local_path(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    for (next, expect) in [
        ("/\t/evil.example/phish", "/account"),
        ("/\\evil.example", "/account"),
        ("//evil.example", "/account"),
        ("/a\0b", "/account"),
        ("/a\r\nSet-Cookie: x=1", "/account"),
        ("/\u{7f}", "/account"),
        ("javascript:alert(1)", "/account"),
        ("/wishes?station=1", "/wishes?station=1"),
    ] {
        let client = app.new_anonymous();
        let token = client.csrf_token("/account/login").await;
        let res = client
            .client
            .post(client.url("/account/login"))
            .form(&[
                ("login", "13600000000"),
                ("password", "password one"),
                ("next", next),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], expect, "{next:?}");
    }
    // The language switch follows the same rule.
    for next in ["//evil.example", "/%5Cevil.example", "https://evil.example"] {
        let res = app.get(&format!("/prefs/lang/en?next={next}")).await;
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    // A control character in any address is refused before any page runs.
    assert_eq!(app.get("/prefs/lang/en?next=/%09/evil.example").await.status().as_u16(), 400);
    // And the sign-in form never carries such a path along.
    let (_, html) = app.page("/account/login?next=/%5Cevil.example").await;
    assert_eq!(attr(&html, "input[name=next]", "value"), "");
}

// ---------------------------------------------------------------- 8: masking

async fn phones_in_any_free_text_are_masked_in_public(app: TestApp) {
    let station = app.place_id("xh-zmxl-station").await;
    app.user("驿站", "13600000001", "password one", &[Role::StationKeeper { place_id: station }])
        .await;
    let res = app
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "一副手套 13912345678"),
                ("why", "手冷，有事打我 139 1234 5678 或１３９１２３４５６７８"),
                ("display_name", "陈大姐"),
                ("occupation", "sanitation"),
                ("station", "xh-zmxl-station"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let id: i64 = scalar(&app.db, "SELECT MAX(id) FROM wishes").await;
    let keeper = app.signed_in("13600000001", "password one").await;
    // Approved as written (no privacy edit).
    let what: String =
        scalar(&app.db, "SELECT what FROM wishes WHERE id = (SELECT MAX(id) FROM wishes)").await;
    let why: String =
        scalar(&app.db, "SELECT why FROM wishes WHERE id = (SELECT MAX(id) FROM wishes)").await;
    let res = keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/approve"),
            &[("what", &what), ("why", &why)],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    for page in [format!("/wishes/{id}"), "/wishes".to_owned(), format!("/stations/{station}")] {
        let body = app.new_anonymous().get(&page).await.text().await.unwrap();
        assert!(body.contains("139****5678"), "{page}");
        assert!(!body.contains("13912345678") && !body.contains("1234 5678"), "{page}");
        assert!(!body.contains("１３９１２３４５６７８"), "{page}: full-width digits too");
    }
    // Staff see what was written.
    let body = keeper.get(&format!("/staff/wishes/{id}")).await.text().await.unwrap();
    assert!(body.contains("139 1234 5678"));
}

/// A wish form left open overnight (its token no longer matches the
/// session): from this site, the answer is what was typed with a fresh
/// token to send again, not a page that throws it away; from elsewhere,
/// or from a browser that does not say where it comes from, nothing is
/// offered again.
async fn a_form_left_open_too_long_comes_back_to_send_again(app: TestApp) {
    let worker = app.new_anonymous();
    worker.page("/wishes/new").await;
    let typed = [
        ("what", "一件厚棉衣"),
        ("why", "早班太冷"),
        ("display_name", "陈大姐"),
        ("occupation", "sanitation"),
        ("station", "xh-zmxl-station"),
    ];
    let stale = "ab".repeat(64);
    let send = |origin: Option<&str>| {
        let mut body: Vec<(&str, &str)> = typed.to_vec();
        body.push(("csrf_token", &stale));
        let mut req = worker.client.post(worker.url("/wishes")).form(&body);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let here = worker.url("");
    let here = here.trim_end_matches('/');
    let res = send(Some(here)).await.unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert_eq!(text(&html, "h1"), "页面放得太久了");
    assert!(text(&html, ".resend ul").contains("一件厚棉衣"));
    let fields = common::form_fields_of(&html, "/wishes");
    let token = fields.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.clone()).unwrap();
    assert_ne!(token, stale, "a fresh token");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一件厚棉衣'").await, 0);
    // Sent again as the page offers it: posted.
    let res = worker.client.post(worker.url("/wishes")).form(&fields).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一件厚棉衣'").await, 1);
    // From another site, or without a word of where from: refused, and
    // nothing typed is shown back.
    for origin in [Some("http://evil.example"), None] {
        let res = send(origin).await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "{origin:?}");
        let body = res.text().await.unwrap();
        assert!(!body.contains("一件厚棉衣") && !body.contains("resend"), "{origin:?}");
    }
}

// ---------------------------------------------------------------- 9 and 10: headers

async fn forwarded_hosts_are_believed_only_from_trusted_proxies(app: TestApp) {
    let token = app.csrf_token("/wishes/new").await;
    let post = |extra: Vec<(&'static str, &'static str)>| {
        let mut req =
            app.client.post(app.url("/wishes")).header("origin", "http://evil.example").form(&[
                ("what", "一双手套"),
                ("display_name", "陈"),
                ("occupation", "courier"),
                ("station", "xh-zmxl-station"),
                ("csrf_token", token.as_str()),
            ]);
        for (k, v) in extra {
            req = req.header(k, v);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(post(vec![("x-forwarded-host", "evil.example")]).await, 403);
    assert_eq!(post(vec![("forwarded", "host=evil.example;proto=http")]).await, 403);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE what = '一双手套'").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_deployments_get_hsts_and_secure_cookies() {
    common::run_with(
        common::Backend::Sqlite,
        |s| s.base_url = "https://linli.example.org".into(),
        |app| async move {
            let res = app.get("/account/login").await;
            assert_eq!(
                res.headers()["strict-transport-security"],
                "max-age=31536000; includeSubDomains"
            );
            let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
            assert!(cookie.starts_with("__Host-linli_session="), "{cookie}");
            assert!(
                cookie.contains("Secure")
                    && cookie.contains("Path=/")
                    && !cookie.contains("Domain"),
                "{cookie}"
            );
            for switch in ["/prefs/lang/en?next=/", "/prefs/text/large?next=/"] {
                let res = app.get(switch).await;
                let cookie = res.headers()["set-cookie"].to_str().unwrap();
                assert!(cookie.contains("Secure"), "{switch}: {cookie}");
            }
        },
    )
    .await;
    // Over plain http (a test or a LAN set-up): no HSTS, no prefix.
    common::run(common::Backend::Sqlite, |app| async move {
        let res = app.get("/account/login").await;
        assert!(res.headers().get("strict-transport-security").is_none());
        assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("linli_session="));
    })
    .await;
}

// ---------------------------------------------------------------- 11

/// A registration the hasher was too busy for still counts against the
/// address's limit: otherwise "busy" (a free number) against "taken"
/// could be asked without end.
async fn busy_registrations_still_count(app: TestApp) {
    let answers = at_once(&app, 40, "/account/register", "/account/register", |i| {
        registration(&format!("忙{i}"), &format!("1330000{i:04}"), "violet kettle song")
    })
    .await;
    let admitted = answers.iter().filter(|(s, _)| *s == 303 || *s == 503).count();
    assert_eq!(admitted, 8, "the limit of 8 counted busy answers too");
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "后来"),
                ("phone", "13300009999"),
                ("password", "violet kettle song"),
                ("accept_code", "on"),
            ],
        )
        .await;
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("注册次数太多"));
}

/// Whoever holds a signed-in session cannot guess its password without
/// end through "change password" or "delete my account".
async fn ones_own_password_is_not_guessed_without_end(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    let me = app.signed_in("13600000000", "password one").await;
    for _ in 0..10 {
        let res = me
            .post_form(
                "/account",
                "/account/password",
                &[("current_password", "a guess"), ("new_password", "violet kettle song")],
            )
            .await;
        let html = Html::parse_document(&res.text().await.unwrap());
        assert!(text(&html, "#f-current_password-error").contains("密码不对"));
    }
    let res =
        me.post_form("/account", "/account/delete", &[("confirm_password", "password one")]).await;
    assert_eq!(res.status().as_u16(), 422, "even the right one waits now");
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, ".error-summary").contains("以后再试"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL").await, 1);
}

/// A full opening says "full" to everyone, whether or not their phone is
/// among the sign-ups (and the message tells one who is that it stands).
async fn a_full_opening_answers_alike_whoever_signed_up(app: TestApp) {
    exec(&app.db, "UPDATE openings SET places = 1, places_left = 1").await;
    let id: i64 = scalar(
        &app.db,
        "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
         WHERE w.slug = 'joy-skilful-hands' ORDER BY o.id LIMIT 1",
    )
    .await;
    let path = format!("/workshops/joy-skilful-hands/openings/{id}/signup");
    let sign_up = |phone: &'static str| {
        let client = app.new_anonymous();
        let path = path.clone();
        async move {
            let res = client
                .post_form(
                    "/account/login", // (a full opening shows no form; any token will do)
                    &path,
                    &[("name", "村民"), ("phone", phone), ("village", "大庄村")],
                )
                .await;
            let status = res.status().as_u16();
            let html = Html::parse_document(&res.text().await.unwrap());
            let summary = common::texts(&html, ".error-summary").join(" ");
            (status, summary)
        }
    };
    assert_eq!(sign_up("13900001111").await.0, 303);
    let again = sign_up("13900001111").await;
    let stranger = sign_up("13900002222").await;
    assert_eq!(again, stranger, "the same answer for the one who signed up and one who did not");
    assert_eq!(stranger.0, 422);
    assert!(stranger.1.contains("报满") && stranger.1.contains("之前已经报过名"), "{}", stranger.1);
}

/// Past twenty times its limit, an account takes no more tries from any
/// address, however many addresses a crowd brings.
async fn a_crowd_of_addresses_meets_the_accounts_ceiling(app: TestApp) {
    app.user("业主", "13200000001", "the owners one", &[]).await;
    let mut checked = 0;
    for n in 0..20 {
        for _ in 0..3 {
            let from = format!("198.51.100.{n}");
            let answer = sign_in_from(&app, &from, "13200000001", "a guess").await;
            checked += usize::from(answer.contains("f-login-error"));
        }
    }
    assert!(checked <= 40, "{checked} guesses checked against a ceiling of 40");
    let answer = sign_in_from(&app, "203.0.113.200", "13200000001", "the owners one").await;
    assert!(answer.contains("登录失败次数太多"), "the ceiling holds for a fresh address too");
}

/// Signing in again in the same browser ends the session it held, so a
/// copy of the earlier cookie dies.
async fn signing_in_again_ends_the_browsers_earlier_session(app: TestApp) {
    app.user("王五", "13600000000", "password one", &[]).await;
    app.user("赵六", "13600000002", "password two", &[]).await;
    let (me, copy) = signed_in_with_copy(&app, "13600000000", "password one").await;
    let token = me.csrf_token("/account/login").await;
    me.client
        .post(me.url("/account/login"))
        .form(&[("login", "13600000002"), ("password", "password two"), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie(&app, &copy, "/account").await, 303);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sessions").await, 1);
}

/// A district admin's staff pages offer a reset link only for keepers the
/// admin may act on: not for a site admin who also keeps a station.
async fn reset_buttons_show_only_where_they_work(app: TestApp) {
    let a = app.place_id("xh-zmxl-station").await;
    let xihu = linli::db::accounts::district_id(&app.db, "xihu").await.unwrap().unwrap();
    let keeper = Role::StationKeeper { place_id: a };
    let keeper = app.user("甲站", "13100000003", "password one", &[keeper]).await;
    let both = [Role::SiteAdmin, Role::StationKeeper { place_id: a }];
    let boss = app.user("总管", "13100000006", "password one", &both).await;
    let admin = Role::DistrictAdmin { district_id: xihu };
    app.user("西湖", "13100000005", "password one", &[admin]).await;
    let admin = app.signed_in("13100000005", "password one").await;
    for page in ["/staff/districts/xihu".to_owned(), format!("/staff/places/{a}")] {
        let (status, html) = admin.page(&page).await;
        assert_eq!(status, 200);
        let actions = common::attrs(&html, "form[action$='/reset']", "action");
        let expected = [format!("/staff/users/{keeper}/reset")];
        assert_eq!(actions, expected, "{page}: not /staff/users/{boss}/reset");
    }
}

async fn private_pages_are_never_stored_and_odd_methods_get_405(app: TestApp) {
    let admin = app.site_admin().await;
    for page in ["/account", "/staff/users", "/staff", "/", "/wishes"] {
        let res = admin.get(page).await;
        assert_eq!(res.status().as_u16(), 200, "{page}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{page} seen signed in");
    }
    // The stylesheet stays cached for a year, signed in or not.
    let (_, html) = admin.page("/").await;
    let css = attr(&html, "link[rel=stylesheet]", "href");
    let res = admin.get(&css).await;
    assert!(res.headers()["cache-control"].to_str().unwrap().contains("max-age=31536000"));
    for (method, path) in [
        ("PUT", "/wishes"),
        ("DELETE", "/account"),
        ("PATCH", "/account/login"),
        ("DELETE", "/wishes/1"),
    ] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = admin.client.request(m, admin.url(path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 405, "{method} {path}");
        let html = Html::parse_document(&res.text().await.unwrap());
        assert!(!text(&html, "h1").is_empty(), "the bilingual error page");
    }
}

async fn control_characters_are_refused_at_the_field(app: TestApp) {
    let res = app
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "一双\0手套"),
                ("why", "冷"),
                ("display_name", "陈大姐"),
                ("occupation", "courier"),
                ("station", "xh-zmxl-station"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-what-error").contains("特殊字符"));
    assert_eq!(attr(&html, "#f-display_name", "value"), "陈大姐", "the rest kept");
    let res = app
        .post_form(
            "/account/register",
            "/account/register",
            &[
                ("display_name", "李"),
                ("phone", "13812345678"),
                ("organisation", "西湖\0区"),
                ("password", "violet kettle song"),
                ("accept_code", "on"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = Html::parse_document(&res.text().await.unwrap());
    assert!(text(&html, "#f-organisation-error").contains("特殊字符"));
    let id: i64 = scalar(
        &app.db,
        "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id \
         WHERE w.slug = 'joy-skilful-hands' ORDER BY o.id LIMIT 1",
    )
    .await;
    let res = app
        .post_form(
            "/workshops/joy-skilful-hands",
            &format!("/workshops/joy-skilful-hands/openings/{id}/signup"),
            &[("name", "王"), ("phone", "13900002222"), ("village", "大庄\0村")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let res = app
        .post_form("/account/login", "/account/login", &[("login", "138\0"), ("password", "x")])
        .await;
    assert_eq!(res.status().as_u16(), 422);
    // In an address: the bad-request page, never a database error.
    for path in [
        "/districts/%00",
        "/districts/a%0Ab",
        "/workshops?q=%00",
        "/workshops/a%00b",
        "/wishes?district=%00",
        "/staff/users?q=%00",
    ] {
        assert_eq!(app.get(path).await.status().as_u16(), 400, "{path}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, 0);
}
