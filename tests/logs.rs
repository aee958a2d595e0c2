//! What the portal logs: request lines name the route pattern and status,
//! never the raw path or query (tracking codes and search text live
//! there); spans of writing handlers and database use cases carry ids and
//! timings, never personal data. Its own test binary, so that nothing
//! else writes into the captured log.

mod common;

use std::sync::OnceLock;

use common::{LogCapture, TestApp};

/// The one subscriber of this binary, shared by its tests.
fn log() -> &'static LogCapture {
    static LOG: OnceLock<LogCapture> = OnceLock::new();
    LOG.get_or_init(LogCapture::install)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_logs_name_the_route_not_the_path() {
    let log = log();
    common::run(common::Backend::Sqlite, |app| async move {
        let res = app.get("/districts/xihu?q=13812345678").await;
        assert_eq!(res.status().as_u16(), 200);
        let res = app.get("/districts/secret-slug-7K3Q").await;
        assert_eq!(res.status().as_u16(), 404);
    })
    .await;
    let log = log.text();
    assert!(log.contains("route=/districts/{slug} status=200"), "{log}");
    assert!(log.contains("route=/districts/{slug} status=404"), "{log}");
    assert!(log.contains("request_id="), "{log}");
    for secret in ["13812345678", "secret-slug-7K3Q", "xihu"] {
        assert!(!log.contains(secret), "the log shows {secret}: {log}");
    }
}

/// A claim's log shows where its time went: the handler's span and the
/// database use case inside it, each with its ids and timings, and not
/// the volunteer's phone or the wish's text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_show_where_a_write_spent_its_time() {
    let log = log();
    common::run(common::Backend::Sqlite, |app: TestApp| async move {
        let keeper = app.station_keeper().await;
        let volunteer = app.volunteer(7).await;
        let wish = app.claimed_wish(&keeper, &volunteer, "一顶安全帽").await;
        let log = log.text();
        let handler =
            format!("web::wishes::claims::claim{{wish_id={} user={}}}", wish.id, volunteer.id);
        let db = format!("db::wishes::change{{wish_id={} actor=volunteer}}", wish.id);
        for span in [&handler, &db] {
            let closed = log.lines().find(|l| l.contains(span.as_str()) && l.contains("close"));
            let closed = closed.unwrap_or_else(|| panic!("no closing line for {span}: {log}"));
            assert!(closed.contains("time.busy="), "{closed}");
        }
        for secret in [volunteer.phone.as_str(), "一顶安全帽", common::PASSWORD] {
            assert!(!log.contains(secret), "the log shows {secret}");
        }
    })
    .await;
}
