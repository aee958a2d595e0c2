//! A smoke test in headless Chromium at phone size, with axe-core checking
//! every page it opens for WCAG 2.1 AA violations.
//!
//! Runs when `LINLI_BROWSER_TESTS=1` (CI sets it; `.ci/run` installs
//! chromium, chromedriver and axe-core). Under `CI=true` without it, the
//! test fails instead of skipping. With `LINLI_SCREENSHOTS=DIR` it also
//! saves a PNG of every page in both languages and with larger text.

mod common;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

fn enabled() -> bool {
    match std::env::var("LINLI_BROWSER_TESTS") {
        Ok(v) if v == "1" || v == "true" => true,
        _ if common::in_ci() => {
            panic!("CI=true but LINLI_BROWSER_TESTS is not set: browser tests must run in CI")
        }
        _ => false,
    }
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin}: {e} (apt-get install chromium-driver)")
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            #[allow(
                clippy::disallowed_methods,
                reason = "before any runtime: the driver starts once"
            )]
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(driver: &Driver, profile: &std::path::Path) -> Client {
    let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": binary,
            // A Chinese phone: the portal picks its language from this.
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
            // Chromium keeps desktop windows at least 500 px wide; emulate the phone's viewport.
            "mobileEmulation": { "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0 } },
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--hide-scrollbars",
                "--window-size=390,844", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session with Chromium")
}

fn axe_source() -> String {
    let path = std::env::var("LINLI_AXE_JS").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read axe-core at {} ({e}): npm install --no-save axe-core@4", path.display())
    })
}

/// Clicks a link or button and waits until the next page has loaded
/// (a click does not wait for the navigation it starts).
async fn click_and_wait(client: &Client, css: &str) {
    client.execute("window.__linliBefore = true;", vec![]).await.unwrap();
    client.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    let started = Instant::now();
    loop {
        let state = client
            .execute(
                "return window.__linliBefore === true || document.readyState !== 'complete';",
                vec![],
            )
            .await;
        if let Ok(serde_json::Value::Bool(false)) = state {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "no page load after clicking {css}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs axe-core on the open page: WCAG 2.0/2.1 A and AA rules.
async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(&format!("{axe}\n;return true;"), vec![]).await.expect("axe injected");
    let result = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
               .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                     v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .expect("axe ran");
    serde_json::from_value(result).unwrap()
}

async fn check_page(client: &Client, axe: &str, shots: &Option<PathBuf>, name: &str) {
    let violations = axe_violations(client, axe).await;
    let url = client.current_url().await.unwrap();
    assert!(violations.is_empty(), "{url}: {violations:#?}");
    // No horizontal scrolling at phone width.
    let overflow = client
        .execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![])
        .await
        .unwrap();
    assert!(overflow.as_i64().unwrap_or(0) <= 0, "{url} scrolls sideways by {overflow}px");
    if let Some(dir) = shots {
        // The viewport, then one screen further down where the page is longer.
        for part in 0..3 {
            let scrolled = client
                .execute(
                    &format!("window.scrollTo(0, {}); return window.scrollY;", part * 760),
                    vec![],
                )
                .await
                .unwrap();
            if part > 0 && scrolled.as_i64() == Some(0) {
                break;
            }
            let png = client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}-{part}.png")), png).unwrap();
        }
        client.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_smoke_test_with_axe() {
    if !enabled() {
        eprintln!("skipped: set LINLI_BROWSER_TESTS=1 to run the browser tests");
        return;
    }
    common::run(common::Backend::Sqlite, |app| async move {
        let axe = axe_source();
        let shots = std::env::var("LINLI_SCREENSHOTS").ok().map(PathBuf::from);
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir).unwrap();
        }
        let profile = tempfile::tempdir().unwrap();
        let driver = Driver::start();
        let client = connect(&driver, profile.path()).await;

        // Home, in Chinese by default.
        client.goto(&app.url("/")).await.unwrap();
        assert!(client.title().await.unwrap().contains("邻里"));
        check_page(&client, &axe, &shots, "home-zh").await;

        // The English switch is a plain link.
        click_and_wait(&client, ".prefs a[hreflang]").await;
        let lang = client.execute("return document.documentElement.lang;", vec![]).await.unwrap();
        assert_eq!(lang, "en");
        assert!(client.title().await.unwrap().contains("Linli"));
        check_page(&client, &axe, &shots, "home-en").await;

        // Open a district page from the home page's cards.
        click_and_wait(&client, "a[href='/districts/tonglu']").await;
        let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "Tonglu County");
        check_page(&client, &axe, &shots, "tonglu-en").await;

        // A worker scans a station's poster, makes a wish, keeps the code and follows it.
        let station = app.place_id("xh-zmxl-station").await;
        client
            .goto(&app.url(&format!("/prefs/lang/zh?next=/stations/{station}/poster")))
            .await
            .unwrap();
        check_page(&client, &axe, &shots, "poster-zh").await;
        let printed =
            client.find(Locator::Css(".poster-link code")).await.unwrap().text().await.unwrap();
        let path = printed.trim_start_matches("http://127.0.0.1").to_owned();
        assert_eq!(path, "/wishes/new?station=xh-zmxl-station");
        client.goto(&app.url(&path)).await.unwrap();
        check_page(&client, &axe, &shots, "wish-new-zh").await;
        client
            .find(Locator::Css("#f-what"))
            .await
            .unwrap()
            .send_keys("驿站添一台微波炉")
            .await
            .unwrap();
        client
            .find(Locator::Css("#f-display_name"))
            .await
            .unwrap()
            .send_keys("陈大姐")
            .await
            .unwrap();
        client
            .find(Locator::Css("#f-occupation"))
            .await
            .unwrap()
            .select_by_value("sanitation")
            .await
            .unwrap();
        click_and_wait(&client, "form button[type=submit]").await;
        let code = client.find(Locator::Css(".tracking-code")).await.unwrap().text().await.unwrap();
        assert_eq!(code.len(), 9, "{code}");
        check_page(&client, &axe, &shots, "wish-track-zh").await;
        client.goto(&app.url("/wishes/track")).await.unwrap();
        client
            .find(Locator::Css("#f-code"))
            .await
            .unwrap()
            .send_keys(&code.to_lowercase())
            .await
            .unwrap();
        click_and_wait(&client, "form button[type=submit]").await;
        let shown =
            client.find(Locator::Css(".tracking-code")).await.unwrap().text().await.unwrap();
        assert_eq!(shown, code);
        let status = client.find(Locator::Css(".facts")).await.unwrap().text().await.unwrap();
        assert!(status.contains("等待审核"), "{status}");
        client.goto(&app.url("/wishes")).await.unwrap();
        check_page(&client, &axe, &shots, "wall-zh").await;

        // A villager finds a workshop by searching 蜜梨 and signs up (in Chinese).
        client.goto(&app.url("/prefs/lang/zh?next=/workshops")).await.unwrap();
        check_page(&client, &axe, &shots, "workshops-zh").await;
        client.find(Locator::Css("#f-q")).await.unwrap().send_keys("蜜梨").await.unwrap();
        click_and_wait(&client, ".filters button[type=submit]").await;
        let found = client.find(Locator::Css(".cards h3 a")).await.unwrap();
        assert_eq!(found.text().await.unwrap(), "蜜梨工坊");
        click_and_wait(&client, ".cards h3 a").await;
        check_page(&client, &axe, &shots, "workshop-zh").await;
        // Sent empty: the answer opens at that form's error summary, far
        // down the page, without script (the form's address names it).
        click_and_wait(&client, ".signup button[type=submit]").await;
        let placed = client
            .execute(
                "const s = document.querySelector('.signup .error-summary').getBoundingClientRect(); \
                 return [window.scrollY, s.top, window.innerHeight];",
                vec![],
            )
            .await
            .unwrap();
        let [scrolled, top, height] = [0, 1, 2].map(|i| placed[i].as_f64().unwrap());
        assert!(scrolled > 0.0, "the page opens scrolled to the form, not at its top");
        assert!((0.0..height).contains(&top), "the error summary is in view: {placed:?}");
        client
            .find(Locator::Css(".signup #f-name"))
            .await
            .unwrap()
            .send_keys("钟大伯")
            .await
            .unwrap();
        client
            .find(Locator::Css(".signup #f-phone"))
            .await
            .unwrap()
            .send_keys("13812340000")
            .await
            .unwrap();
        client
            .find(Locator::Css(".signup #f-village"))
            .await
            .unwrap()
            .send_keys("钟山村")
            .await
            .unwrap();
        click_and_wait(&client, ".signup button[type=submit]").await;
        let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "报名成功");
        check_page(&client, &axe, &shots, "signed-up-zh").await;
        client.goto(&app.url("/prefs/lang/en?next=/account/register")).await.unwrap();

        // Register through the form without script: a mistake first, then right.
        client.goto(&app.url("/account/register")).await.unwrap();
        check_page(&client, &axe, &shots, "register-en").await;
        click_and_wait(&client, "form button[type=submit]").await;
        let summary =
            client.find(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
        assert!(summary.contains("Enter the name others will see"), "{summary}");
        check_page(&client, &axe, &shots, "register-errors-en").await;
        client
            .find(Locator::Css("#f-display_name"))
            .await
            .unwrap()
            .send_keys("Li Wei")
            .await
            .unwrap();
        client
            .find(Locator::Css("#f-phone"))
            .await
            .unwrap()
            .send_keys("13812345678")
            .await
            .unwrap();
        client
            .find(Locator::Css("#f-password"))
            .await
            .unwrap()
            .send_keys("a good password")
            .await
            .unwrap();
        client.find(Locator::Css("label[for=f-accept_code]")).await.unwrap().click().await.unwrap();
        click_and_wait(&client, "form button[type=submit]").await;
        let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "My account");
        check_page(&client, &axe, &shots, "account-en").await;

        // The same person as a site admin sees the users console.
        let id = linli::db::accounts::find_user(&app.db, "13812345678").await.unwrap().unwrap();
        linli::db::accounts::grant(
            &app.db,
            id,
            &linli::domain::Role::SiteAdmin,
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        client.goto(&app.url("/staff")).await.unwrap();
        check_page(&client, &axe, &shots, "staff-en").await;
        client.goto(&app.url("/staff/users")).await.unwrap();
        check_page(&client, &axe, &shots, "staff-users-en").await;

        // The admin keeps the district page current, in Chinese: a notice
        // refused, then published; a station's hours; the history.
        client.goto(&app.url("/prefs/lang/zh?next=/staff/districts/xihu")).await.unwrap();
        check_page(&client, &axe, &shots, "staff-district-zh").await;
        click_and_wait(&client, "a[href='/staff/districts/xihu/new/notice']").await;
        check_page(&client, &axe, &shots, "notice-new-zh").await;
        click_and_wait(&client, "button[name=action][value=publish]").await;
        let summary =
            client.find(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
        assert!(summary.contains("通知内容（中文）：这一项必须填写"), "{summary}");
        check_page(&client, &axe, &shots, "notice-errors-zh").await;
        client
            .find(Locator::Css("#f-text_zh"))
            .await
            .unwrap()
            .send_keys("本周六上午在驿站义诊")
            .await
            .unwrap();
        click_and_wait(&client, "button[name=action][value=publish]").await;
        let flash = client.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
        assert_eq!(flash, "已发布，公众现在能看到。");
        check_page(&client, &axe, &shots, "notice-edit-zh").await;
        client.goto(&app.url("/districts/xihu")).await.unwrap();
        let notices = client.find(Locator::Css(".notices")).await.unwrap().text().await.unwrap();
        assert!(notices.contains("本周六上午在驿站义诊"), "{notices}");
        client.goto(&app.url(&format!("/staff/places/{station}/edit"))).await.unwrap();
        check_page(&client, &axe, &shots, "place-edit-zh").await;
        client.find(Locator::Css("#f-mon")).await.unwrap().send_keys("8:00-18:00").await.unwrap();
        click_and_wait(&client, "form[action$='/edit'] button[type=submit]").await;
        let flash = client.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
        assert_eq!(flash, "已保存，公开页面已更新。");
        client.goto(&app.url(&format!("/staff/places/{station}/history"))).await.unwrap();
        check_page(&client, &axe, &shots, "place-history-zh").await;
        client.goto(&app.url("/staff/districts/xihu/preview")).await.unwrap();
        check_page(&client, &axe, &shots, "preview-zh").await;

        // The worker's wish was delivered and did not arrive: the admin
        // follows it up to its end, in Chinese.
        {
            use linli::db::wishes::change;
            use linli::domain::wish::{Actor, Change};
            let wish: i64 = linli::db::wishes::queue(
                &app.db,
                &linli::domain::Grants(vec![linli::domain::Role::SiteAdmin]),
                linli::db::wishes::Queue::Pending,
                1,
                chrono::Utc::now(),
            )
            .await
            .unwrap()
            .rows
            .iter()
            .find(|w| w.what == "驿站添一台微波炉")
            .unwrap()
            .id;
            let now = chrono::Utc::now();
            let approve =
                Change::Approve { what: "驿站添一台微波炉".into(), why: String::new() };
            for (c, who) in [
                (approve, Actor::staff(id)),
                (Change::Claim { limit: 3, delivery: linli::domain::wish::Delivery::Station }, Actor::volunteer(id)),
                (
                    Change::Fulfil { note: "放在驿站了".into(), by_staff: false },
                    Actor::volunteer(id),
                ),
                (Change::NotArrived, Actor::WORKER),
            ] {
                change(&app.db, wish, &c, who, now).await.unwrap().unwrap();
            }
            client.goto(&app.url("/staff/wishes?show=follow_ups")).await.unwrap();
            check_page(&client, &axe, &shots, "follow-ups-zh").await;
            click_and_wait(&client, ".queue a").await;
            check_page(&client, &axe, &shots, "follow-up-zh").await;
            click_and_wait(&client, "form[action*='/follow-up'] button[type=submit]").await;
            let summary =
                client.find(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
            assert!(summary.contains("请选择怎么处理"), "{summary}");
            check_page(&client, &axe, &shots, "follow-up-errors-zh").await;
            client
                .find(Locator::Css("label[for=f-outcome-arrived]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            client
                .find(Locator::Css("#f-note"))
                .await
                .unwrap()
                .send_keys("打电话问过，已经拿到了")
                .await
                .unwrap();
            click_and_wait(&client, "form[action*='/follow-up'] button[type=submit]").await;
            let flash = client.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
            assert_eq!(flash, "已记为实现。");
            let facts = client.find(Locator::Css(".kind")).await.unwrap().text().await.unwrap();
            assert!(facts.contains("已实现"), "{facts}");
        }

        // An elderly worker without a phone asks at the station: the keeper
        // posts her wish from the station's staff page and prints her slip.
        client.goto(&app.url(&format!("/staff/places/{station}"))).await.unwrap();
        click_and_wait(&client, &format!("a[href='/staff/places/{station}/wishes/new']")).await;
        check_page(&client, &axe, &shots, "assist-zh").await;
        click_and_wait(&client, "form button[type=submit]").await;
        let summary =
            client.find(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
        assert!(summary.contains("请写下许愿人的心愿"), "{summary}");
        check_page(&client, &axe, &shots, "assist-errors-zh").await;
        for (field, typed) in [("#f-what", "一双防滑雨靴"), ("#f-display_name", "王阿姨")]
        {
            client.find(Locator::Css(field)).await.unwrap().send_keys(typed).await.unwrap();
        }
        client
            .find(Locator::Css("#f-occupation"))
            .await
            .unwrap()
            .select_by_value("sanitation")
            .await
            .unwrap();
        click_and_wait(&client, "form button[type=submit]").await;
        let slip = client.find(Locator::Css(".slip")).await.unwrap().text().await.unwrap();
        assert!(slip.contains("一双防滑雨靴") && slip.contains("王阿姨"), "{slip}");
        let code =
            client.find(Locator::Css(".slip .tracking-code")).await.unwrap().text().await.unwrap();
        assert_eq!(code.len(), 9, "{code}");
        check_page(&client, &axe, &shots, "slip-zh").await;
        // Printed, only the slip remains: the print rules of the page's
        // stylesheet hide the site's header and the keeper's links.
        for hidden in ["header.site", ".no-print"] {
            let printed_hidden = client
                .execute(
                    "for (const sheet of document.styleSheets) for (const r of sheet.cssRules) \
                       if (r.media && r.media.mediaText === 'print') for (const i of r.cssRules) \
                         if (i.selectorText && i.selectorText.split(',').map(x => x.trim()) \
                             .includes(arguments[0]) && i.style.display === 'none') return true; \
                     return false;",
                    vec![hidden.into()],
                )
                .await
                .unwrap();
            assert_eq!(printed_hidden.as_bool(), Some(true), "{hidden} is not printed");
            let on_screen = client
                .execute(
                    "return getComputedStyle(document.querySelector(arguments[0])).display;",
                    vec![hidden.into()],
                )
                .await
                .unwrap();
            assert_ne!(on_screen.as_str(), Some("none"), "{hidden} is on the screen");
        }

        // A volunteer (the same person) claims her wish and agrees a
        // hand-over: without a day, asked at the field with the choice kept.
        let boots: i64 =
            common::scalar_with(&app.db, "SELECT id FROM wishes WHERE what = $1", "一双防滑雨靴")
                .await;
        client.goto(&app.url(&format!("/wishes/{boots}"))).await.unwrap();
        client.find(Locator::Css("label[for=f-delivery-handover]")).await.unwrap().click().await.unwrap();
        click_and_wait(&client, "form[action*='/claim'] button[type=submit]").await;
        let summary =
            client.find(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
        assert!(summary.contains("交接的日子"), "{summary}");
        let kept = client
            .find(Locator::Css("#f-delivery-handover"))
            .await
            .unwrap()
            .prop("checked")
            .await
            .unwrap();
        assert_eq!(kept.as_deref(), Some("true"), "the choice is kept");
        check_page(&client, &axe, &shots, "claim-plan-errors-zh").await;
        let day = (chrono::Utc::now() + chrono::Duration::days(2))
            .with_timezone(&linli::domain::format::beijing())
            .format("%Y-%m-%d")
            .to_string();
        // Date and time pickers take their value as the page would set it.
        client
            .execute(
                "document.querySelector('#f-day').value = arguments[0]; \
                 document.querySelector('#f-time').value = '14:30';",
                vec![day.clone().into()],
            )
            .await
            .unwrap();
        click_and_wait(&client, "form[action*='/claim'] button[type=submit]").await;
        let facts = client.find(Locator::Css(".facts")).await.unwrap().text().await.unwrap();
        assert!(facts.contains(&format!("在驿站当面交接：{day} 14:30")), "{facts}");
        check_page(&client, &axe, &shots, "claim-plan-zh").await;

        // The keeper finds it among the station's claims, with the plan and
        // the claimer's phone, and takes it back to the wall, confirming.
        client.goto(&app.url(&format!("/staff/places/{station}"))).await.unwrap();
        click_and_wait(&client, &format!("a[href='/staff/places/{station}/wishes']")).await;
        let listed = client.find(Locator::Css(".held")).await.unwrap().text().await.unwrap();
        assert!(
            listed.contains("一双防滑雨靴") && listed.contains("13812345678") && listed.contains("14:30"),
            "{listed}"
        );
        check_page(&client, &axe, &shots, "held-zh").await;
        click_and_wait(&client, &format!(".held a[href='/staff/wishes/{boots}']")).await;
        client
            .find(Locator::Css("#f-reason"))
            .await
            .unwrap()
            .send_keys("志愿者说这周去不了")
            .await
            .unwrap();
        click_and_wait(&client, "form[action*='/take-back'] button[type=submit]").await;
        let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        assert_eq!(h1, "收回“一双防滑雨靴”的认领，放回心愿墙？");
        check_page(&client, &axe, &shots, "take-back-confirm-zh").await;
        click_and_wait(&client, "form button.danger").await;
        let flash = client.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
        assert_eq!(flash, "已收回认领，心愿回到了心愿墙上。");

        // The keeper's photo on the station's page: loaded when scrolled to,
        // at its size, described in both languages.
        {
            let img = image::RgbImage::from_fn(1600, 1000, |x, y| {
                image::Rgb([(x / 7 % 255) as u8, (y / 5 % 255) as u8, 150])
            });
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
                .encode_image(&img)
                .unwrap();
            let processed = linli::domain::photo::process(&jpeg).unwrap();
            let alt = ("驿站里的休息区和饮水机", Some("The rest area and water dispenser inside the station"));
            linli::db::photos::add(&app.db, linli::db::photos::Owner::Place(station), &processed, alt, id, chrono::Utc::now())
                .await
                .unwrap();
        }
        for (lang, size) in [("zh", "normal"), ("en", "large")] {
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/stations/{station}"))).await.unwrap();
            let shown = client
                .execute(
                    "const i = document.querySelector('.photos img'); i.scrollIntoView(); \
                     return new Promise(r => { const done = () => r([i.naturalWidth, i.getBoundingClientRect().width, i.alt, i.currentSrc]); \
                       if (i.complete && i.naturalWidth) done(); else i.addEventListener('load', done); });",
                    vec![],
                )
                .await
                .unwrap();
            // Loaded (its natural width is per CSS pixel of the width chosen).
            assert!(shown[0].as_f64().unwrap() > 300.0, "{lang}: the photo loaded: {shown:?}");
            assert!(shown[3].as_str().unwrap().contains("/photos/"), "{shown:?}");
            assert!(shown[1].as_f64().unwrap() <= 390.0, "{lang}: within the phone's width");
            let alt = shown[2].as_str().unwrap();
            assert!(alt.contains(if lang == "zh" { "休息区" } else { "rest area" }), "{alt}");
            check_page(&client, &axe, &shots, &format!("station-photo-{lang}-{size}")).await;
        }

        // Long pages and figures as an elderly reader meets them, in both
        // languages and both text sizes, each page checked with axe-core.
        let with_amenities: i64 =
            common::scalar(&app.db, "SELECT MIN(id) FROM places WHERE amenities <> ''").await;
        let mut label_px = std::collections::HashMap::new();
        for (lang, size) in [("zh", "normal"), ("en", "normal"), ("zh", "large"), ("en", "large")] {
            let tag = format!("{lang}-{size}");
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            // Gongshu's places start far down: the list at the top jumps there.
            client.goto(&app.url("/districts/gongshu")).await.unwrap();
            let toc = client.find(Locator::Css("#toc-heading")).await.unwrap().text().await.unwrap();
            assert_eq!(toc, if lang == "zh" { "本页内容" } else { "On this page" });
            check_page(&client, &axe, &shots, &format!("toc-{tag}")).await;
            client
                .find(Locator::Css("nav.toc a[href^='#places-']"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let at = client
                .execute(
                    "const t = document.querySelector(location.hash); \
                     return [window.scrollY, t.getBoundingClientRect().top];",
                    vec![],
                )
                .await
                .unwrap();
            let (scrolled, top) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
            assert!(scrolled > 1500.0 && top.abs() < 80.0, "{tag}: at {scrolled}, heading at {top}");
            // Chart labels in px as drawn: larger text draws them larger.
            client.goto(&app.url("/districts/xihu")).await.unwrap();
            let px = client
                .execute(
                    "return document.querySelector('figure.chart svg text').getBoundingClientRect().height;",
                    vec![],
                )
                .await
                .unwrap();
            label_px.insert(tag.clone(), px.as_f64().unwrap());
            check_page(&client, &axe, &shots, &format!("chart-{tag}")).await;
            // Sums the reader's way.
            client.goto(&app.url("/districts/tonglu")).await.unwrap();
            let sum = client
                .find(Locator::Css("data[value='140000000'] [aria-hidden=true]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(sum, if lang == "zh" { "1.4亿元" } else { "140 million" }, "{tag}");
            check_page(&client, &axe, &shots, &format!("sums-{tag}")).await;
            // Amenities are a list, not a row of buttons.
            client.goto(&app.url(&format!("/places/{with_amenities}"))).await.unwrap();
            let look = client
                .execute(
                    "const s = getComputedStyle(document.querySelector('.amenities li')); \
                     return [s.borderTopStyle, s.fontWeight];",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(look[0].as_str(), Some("none"), "{tag}: no border");
            assert_eq!(look[1].as_str(), Some("400"), "{tag}: not bold");
            check_page(&client, &axe, &shots, &format!("amenities-{tag}")).await;
            // A category name finds its workshop; one found is "1 workshop".
            client.goto(&app.url("/workshops?q=%E7%BC%96%E7%BB%87")).await.unwrap();
            let found =
                client.find(Locator::Css("#results-heading")).await.unwrap().text().await.unwrap();
            assert_eq!(found, if lang == "zh" { "找到 1 家工坊" } else { "1 workshop found" });
            check_page(&client, &axe, &shots, &format!("search-{tag}")).await;
        }
        // A figure's values over the years: a second year draws the trend,
        // a correction shows its note beside the number.
        let figure: i64 =
            common::scalar_with(&app.db, "SELECT id FROM figures WHERE code = $1", "talent_projects")
                .await;
        let source: i64 =
            common::scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-gongshu")
                .await;
        let value = |year, value| linli::db::sources::NewValue {
            figure_id: figure,
            year: Some(year),
            as_of_zh: None,
            as_of_en: None,
            value,
            qualifier: "exact",
            computed_as: None,
            source_id: source,
            user: id,
            now: chrono::Utc::now(),
        };
        let added = linli::db::sources::save_value(&app.db, &value(2024, 131.0), None).await.unwrap();
        let linli::db::sources::ValueSaved::Saved(value_id) = added else { panic!("{added:?}") };
        let fix = linli::db::sources::Correction { value_id, note_zh: "区人才办复核后更正", note_en: Some("Corrected after the district talent office checked it") };
        linli::db::sources::save_value(&app.db, &value(2024, 130.0), Some(&fix)).await.unwrap();
        for (lang, size) in [("zh", "normal"), ("en", "large")] {
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            client.goto(&app.url("/districts/gongshu")).await.unwrap();
            let card = client
                .execute(
                    "const c = [...document.querySelectorAll('.figure')].find(f => f.querySelector('svg polyline')); \
                     c.scrollIntoView(); const r = c.querySelector('svg').getBoundingClientRect(); \
                     return [c.innerText, r.width, r.height];",
                    vec![],
                )
                .await
                .unwrap();
            let text = card[0].as_str().unwrap_or_default().to_owned();
            let expect = if lang == "zh" { "历年：2023年 116 → 2024年 130 个" } else { "Over the years: 2023 116 → 2024 130 projects" };
            assert!(text.contains(expect), "{lang}: {text}");
            let corrected = if lang == "zh" { "原为 131。区人才办复核后更正" } else { "was 131. Corrected after the district talent office checked it" };
            assert!(text.contains(corrected), "{lang}: {text}");
            assert!(card[1].as_f64().unwrap_or(0.0) > 50.0, "{lang}: the trend is drawn: {card:?}");
            check_page(&client, &axe, &shots, &format!("trend-{lang}-{size}")).await;
            // "来源 1" leads to its entry with publisher and note.
            client.find(Locator::Css(".figure-source")).await.unwrap().click().await.unwrap();
            let cited = client.find(Locator::Css("#source-1")).await.unwrap().text().await.unwrap();
            assert!(cited.contains(if lang == "zh" { "报纸版面" } else { "A newspaper page" }), "{cited}");
            check_page(&client, &axe, &shots, &format!("source-{lang}-{size}")).await;
        }
        // A workshop's figure keeps its years and corrections as a
        // district's does, on the workshop's page.
        let households: i64 = common::scalar_with(
            &app.db,
            "SELECT id FROM figures WHERE code = $1",
            "workshop-honey-pear-households",
        )
        .await;
        let tonglu: i64 =
            common::scalar_with(&app.db, "SELECT id FROM sources WHERE code = $1", "article-tonglu")
                .await;
        let year = |year, amount| linli::db::sources::NewValue {
            figure_id: households,
            source_id: tonglu,
            ..value(year, amount)
        };
        let added = linli::db::sources::save_value(&app.db, &year(2025, 175.0), None).await.unwrap();
        let linli::db::sources::ValueSaved::Saved(value_id) = added else { panic!("{added:?}") };
        let fix = linli::db::sources::Correction { value_id, note_zh: "镇里复核后更正", note_en: Some("Corrected after the township checked it") };
        linli::db::sources::save_value(&app.db, &year(2025, 172.0), Some(&fix)).await.unwrap();
        for (lang, size) in [("zh", "normal"), ("en", "large")] {
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            client.goto(&app.url("/workshops/honey-pear")).await.unwrap();
            let card = client
                .execute(
                    "const c = [...document.querySelectorAll('.figure')].find(f => f.querySelector('svg polyline')); \
                     c.scrollIntoView(); return [c.innerText, c.querySelector('svg').getBoundingClientRect().width];",
                    vec![],
                )
                .await
                .unwrap();
            let text = card[0].as_str().unwrap_or_default().to_owned();
            let expect = if lang == "zh" { "原为 175。镇里复核后更正" } else { "was 175. Corrected after the township checked it" };
            assert!(text.contains(expect), "{lang}: {text}");
            assert!(text.contains("172"), "{lang}: {text}");
            assert!(card[1].as_f64().unwrap_or(0.0) > 50.0, "{lang}: the trend is drawn: {card:?}");
            check_page(&client, &axe, &shots, &format!("workshop-trend-{lang}-{size}")).await;
        }
        // A resident finds the dance class and signs up, at phone size, in
        // both languages and text sizes: sent without a name first.
        let mut codes = Vec::new();
        for (lang, size) in [("zh", "normal"), ("en", "large")] {
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            client.goto(&app.url("/activities?kind=class")).await.unwrap();
            check_page(&client, &axe, &shots, &format!("activities-{lang}-{size}")).await;
            let dance = if lang == "zh" { "乐活空间·舞蹈课" } else { "Lehuo Space dance class" };
            client.find(Locator::LinkText(dance)).await.unwrap().click().await.unwrap();
            client.wait().for_element(Locator::Css("form.signup")).await.unwrap();
            check_page(&client, &axe, &shots, &format!("activity-{lang}-{size}")).await;
            client.execute("document.querySelector('#f-name').value = '';", vec![]).await.unwrap();
            click_and_wait(&client, ".signup button[type=submit]").await;
            let error = client.find(Locator::Css("#f-name-error")).await.unwrap().text().await.unwrap();
            assert!(!error.is_empty(), "{lang}: the name is asked for");
            check_page(&client, &axe, &shots, &format!("activity-errors-{lang}-{size}")).await;
            client.find(Locator::Css("#f-name")).await.unwrap().send_keys("任阿姨").await.unwrap();
            // The same phone signs up once a session: the second round takes
            // the next class.
            if lang == "en" {
                client
                    .execute("document.querySelector('#f-session').selectedIndex = 1;", vec![])
                    .await
                    .unwrap();
            }
            click_and_wait(&client, ".signup button[type=submit]").await;
            let code = client.find(Locator::Css("p.code")).await.unwrap().text().await.unwrap();
            assert_eq!(code.len(), 9, "{lang}: {code}");
            check_page(&client, &axe, &shots, &format!("registration-{lang}-{size}")).await;
            codes.push(code);
        }
        // At the door: the classes 任阿姨 signed up for have begun; the
        // keeper types her code on the activity's console, then asks to
        // call a later class off without saying why.
        let dance: i64 = common::scalar_with(
            &app.db,
            "SELECT id FROM activities WHERE code = $1",
            "gs-lehuo-dance",
        )
        .await;
        let now = chrono::Utc::now();
        for i in 0..codes.len() {
            let begun = now - chrono::Duration::minutes(10 + i as i64);
            common::exec_script(
                &app.db,
                format!(
                    "UPDATE activity_sessions SET starts_at = '{}', ends_at = '{}' WHERE id = \
                         (SELECT session_id FROM activity_registrations WHERE name = '任阿姨' \
                          ORDER BY id LIMIT 1 OFFSET {i})",
                    begun.to_rfc3339(),
                    (now + chrono::Duration::minutes(50)).to_rfc3339(),
                ),
            )
            .await;
        }
        let later: i64 = common::scalar_for_id(
            &app.db,
            "SELECT MAX(id) FROM activity_sessions WHERE activity_id = $1",
            dance,
        )
        .await;
        for ((lang, size), code) in [("zh", "normal"), ("en", "large")].into_iter().zip(&codes) {
            client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
            client.goto(&app.url(&format!("/staff/activities/{dance}"))).await.unwrap();
            check_page(&client, &axe, &shots, &format!("activity-console-{lang}-{size}")).await;
            client.find(Locator::Css("#f-code")).await.unwrap().send_keys(code).await.unwrap();
            click_and_wait(&client, "form[action$='/check-in'] button[type=submit]").await;
            let flash = client.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap();
            assert!(flash.contains("任阿姨"), "{lang}: {flash}");
            check_page(&client, &axe, &shots, &format!("activity-door-{lang}-{size}")).await;
            client
                .goto(&app.url(&format!("/staff/activities/{dance}/sessions/{later}")))
                .await
                .unwrap();
            click_and_wait(&client, "form[action$='/cancel'] button[type=submit]").await;
            let error =
                client.find(Locator::Css("#f-note_zh-error")).await.unwrap().text().await.unwrap();
            assert!(!error.is_empty(), "{lang}: the reason is asked for");
            check_page(&client, &axe, &shots, &format!("call-off-errors-{lang}-{size}")).await;
        }
        for lang in ["zh", "en"] {
            let (normal, large) = (label_px[&format!("{lang}-normal")], label_px[&format!("{lang}-large")]);
            assert!(large > normal * 1.3, "{lang}: chart labels {normal} px, larger text {large} px");
        }

        if shots.is_some() {
            // Every page, both languages, standard and larger text.
            let station = app.place_id("xh-zmxl-station").await;
            let home = app.place_id("gs-caima-happy-home").await;
            let pages = [
                ("home", "/".to_owned()),
                ("districts", "/districts".to_owned()),
                ("gongshu", "/districts/gongshu".to_owned()),
                ("tonglu", "/districts/tonglu".to_owned()),
                ("xihu", "/districts/xihu".to_owned()),
                ("station", format!("/places/{station}")),
                ("happy-home", format!("/places/{home}")),
                ("not-found", "/districts/nowhere".to_owned()),
                ("account", "/account".to_owned()),
                ("staff-users", "/staff/users".to_owned()),
                ("login", "/account/login".to_owned()),
                ("workshops", "/workshops".to_owned()),
                ("wall", "/wishes".to_owned()),
                ("wish-new", "/wishes/new".to_owned()),
                ("wish", "/wishes/1".to_owned()),
                ("station-page", format!("/stations/{station}")),
                ("staff-wishes", "/staff/wishes".to_owned()),
                ("claims", "/account/claims".to_owned()),
                ("workshop", "/workshops/joy-skilful-hands".to_owned()),
                ("staff-workshop", "/staff/workshops/honey-pear".to_owned()),
                ("workshop-figure-new", "/staff/workshops/honey-pear/figures/new".to_owned()),
                ("activities-all", "/activities".to_owned()),
                ("activity-new", format!("/staff/places/{station}/activities/new")),
                ("activity-edit", format!("/staff/content/activity/{dance}")),
                ("activity-photos", format!("/staff/activities/{dance}/photos")),
                ("workshop-figure", format!("/staff/content/figure/{households}")),
                ("staff-district", "/staff/districts/xihu".to_owned()),
                ("place-edit", format!("/staff/places/{station}/edit")),
                ("figure-new", "/staff/districts/xihu/new/figure".to_owned()),
                ("figure-values", format!("/staff/content/figure/{figure}")),
                ("value-new", format!("/staff/figures/{figure}/values/new")),
                ("source-new", "/staff/districts/gongshu/new/source".to_owned()),
                ("district-photos", "/staff/districts/xihu/photos".to_owned()),
                ("assist", format!("/staff/places/{station}/wishes/new")),
                ("held", format!("/staff/places/{station}/wishes?status=all")),
            ];
            for (lang, size) in
                [("zh", "normal"), ("en", "normal"), ("zh", "large"), ("en", "large")]
            {
                client.goto(&app.url(&format!("/prefs/lang/{lang}?next=/"))).await.unwrap();
                client.goto(&app.url(&format!("/prefs/text/{size}?next=/"))).await.unwrap();
                for (name, path) in &pages {
                    client.goto(&app.url(path)).await.unwrap();
                    check_page(&client, &axe, &shots, &format!("{name}-{lang}-{size}")).await;
                }
            }
        }
        client.close().await.unwrap();
    })
    .await;
}
