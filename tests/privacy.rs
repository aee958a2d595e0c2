//! No phone number or tracking code on any public page, in the open data,
//! or in the logs; phones are gone after their erasure period. Its own
//! test binary, so the captured log holds only these tests' lines.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use common::{TestApp, count};
use linli::domain::Role;
use linli::web::Access;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .init();
        captured
    })
}

const PHONE: &str = "13812345678";

async fn nothing_personal_leaks(app: TestApp) {
    let log = log();
    // A worker posts a wish with a phone; a villager signs up for a workshop.
    let worker = app.new_anonymous();
    let res = worker
        .post_form(
            "/wishes/new",
            "/wishes",
            &[
                ("what", "一台微波炉"),
                ("display_name", "陈大姐"),
                ("occupation", "sanitation"),
                ("station", "xh-zmxl-station"),
                ("phone", PHONE),
            ],
        )
        .await;
    let track = res.headers()["location"].to_str().unwrap().trim_end_matches("?new=1").to_owned();
    let code = track.trim_start_matches("/wishes/track/").to_owned();
    worker.get(&track).await;
    let opening = count(
        &app.db,
        "SELECT o.id FROM openings o JOIN workshops w ON w.id = o.workshop_id WHERE w.slug = 'hangshu-base'",
    )
    .await;
    worker
        .post_form(
            "/workshops/hangshu-base",
            &format!("/workshops/hangshu-base/openings/{opening}/signup"),
            &[("name", "邱根来"), ("phone", "13912345678"), ("village", "小京村")],
        )
        .await;
    // Staff approve it; a volunteer takes it up (and so sees the phone).
    let station = app.place_id("xh-zmxl-station").await;
    app.user(
        "站长",
        "13500000001",
        "keeper password",
        &[Role::StationKeeper { place_id: station }],
    )
    .await;
    let keeper = app.signed_in("13500000001", "keeper password").await;
    let id = count(&app.db, "SELECT MAX(id) FROM wishes").await;
    keeper
        .post_form(
            &format!("/staff/wishes/{id}"),
            &format!("/staff/wishes/{id}/approve"),
            &[("what", "一台微波炉"), ("why", "")],
        )
        .await;
    app.user("志愿者", "13900000001", "volunteer password", &[]).await;
    let vol = app.signed_in("13900000001", "volunteer password").await;
    vol.post_form(
        &format!("/wishes/{id}"),
        &format!("/wishes/{id}/claim"),
        &[("delivery", "station")],
    )
    .await;
    assert!(
        vol.get(&format!("/wishes/{id}")).await.text().await.unwrap().contains(PHONE),
        "the claimer does see it"
    );

    // Every public page, as a stranger, with every sample path.
    let stranger = app.new_anonymous();
    let place = app.place_id("xh-shihuiqiao-station").await;
    let mut pages = Vec::new();
    for route in linli::web::routes() {
        if route.access != Access::Public || route.method != actix_web::http::Method::GET {
            continue;
        }
        if route.path == "/wishes/track/{code}" {
            continue; // the worker's own page
        }
        let id = if route.path.starts_with("/wishes/") {
            id.to_string()
        } else if route.path.starts_with("/workshops/") {
            opening.to_string()
        } else {
            place.to_string()
        };
        let path = route
            .path
            .replace("{id}", &id)
            .replace(
                "{slug}",
                if route.path.starts_with("/workshops/") { "hangshu-base" } else { "xihu" },
            )
            .replace("{code}", "en")
            .replace("{size}", "large")
            .replace("{file}", "app.css")
            .replace("{token}", "x");
        pages.push(path);
    }
    pages.extend([
        format!("/stations/{station}"),
        "/districts/xihu".to_owned(),
        "/wishes?station=".to_owned() + &station.to_string(),
        "/workshops.csv".to_owned(),
        "/api/v1/workshops".to_owned(),
    ]);
    for path in &pages {
        let body = stranger.get(path).await.text().await.unwrap();
        for secret in [PHONE, "13912345678", code.as_str(), &code.replace('-', "")] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
    let captured = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(captured.contains("route=/wishes/track/{code}"), "the log names the route: {captured}");
    for secret in [PHONE, "13912345678", code.as_str(), &code.replace('-', "")] {
        let line = captured.lines().find(|l| l.contains(secret)).unwrap_or("");
        assert!(!captured.contains(secret), "the log shows {secret}: {line}");
    }

    // Closed more than 30 days ago: the phone is gone.
    vol.post_form(&format!("/wishes/{id}"), &format!("/wishes/{id}/fulfil"), &[("note", "")]).await;
    let settings = common::test_settings(String::new());
    linli::startup::maintenance_at(
        &app.db,
        &settings,
        chrono::Utc::now() + chrono::Duration::days(31),
    )
    .await
    .unwrap();
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM wishes WHERE phone IS NOT NULL").await, 0);
    assert!(
        !keeper.get(&format!("/staff/wishes/{id}")).await.text().await.unwrap().contains(PHONE)
    );
}

on_both_databases!(nothing_personal_leaks);
