//! The page cache: anonymous readers share rendered pages, which go stale
//! the moment public content changes, and nobody is ever served someone
//! else's page.

mod common;

use common::{TestApp, exec, exec_quietly, text};

/// A change that does not bump the content version (as no writer of
/// ours would) stays unseen, which proves pages come from the cache; a
/// bump makes it show at once.
async fn pages_come_from_the_cache_until_content_changes(app: TestApp) {
    let (status, html) = app.page("/districts/tonglu").await;
    assert_eq!(status, 200);
    let before = text(&html, "h1");
    exec_quietly(&app.db, "UPDATE districts SET name_zh = '缓存测试县' WHERE slug = 'tonglu'")
        .await;
    let (_, html) = app.page("/districts/tonglu").await;
    assert_eq!(text(&html, "h1"), before, "served from the cache");
    exec(&app.db, "UPDATE districts SET name_zh = '缓存测试县' WHERE slug = 'tonglu'").await;
    let (_, html) = app.page("/districts/tonglu").await;
    assert!(text(&html, "h1").contains("缓存测试县"), "a bumped version drops the page");
}

async fn cached_pages_answer_conditional_requests(app: TestApp) {
    let first = app.get("/wishes").await;
    assert_eq!(first.status().as_u16(), 200);
    let etag = first.headers().get("etag").expect("an ETag").to_str().unwrap().to_owned();
    let body = first.text().await.unwrap();
    let again =
        app.client.get(app.url("/wishes")).header("If-None-Match", &etag).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let gzip =
        app.client.get(app.url("/wishes")).header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(gzip.headers().get("content-encoding").unwrap(), "gzip");
    assert!(gzip.headers().get("content-security-policy").is_some(), "security headers kept");
    let plain = app.get("/wishes").await;
    assert_eq!(plain.text().await.unwrap(), body, "the same page again");
}

/// Language and text size are part of the key; a signed-in reader and a
/// reader with a message waiting get their own page, never the shared one.
async fn nobody_gets_someone_elses_page(app: TestApp) {
    let wish: i64 = common::scalar(&app.db, "SELECT MIN(id) FROM wishes").await;
    exec(&app.db, "UPDATE wishes SET status = 'open', claimed_by = NULL WHERE id = (SELECT MIN(id) FROM wishes)")
        .await;
    let path = format!("/wishes/{wish}");
    let (_, html) = app.page(&path).await;
    assert!(
        html.select(&scraper::Selector::parse("form[action*=claim]").unwrap()).next().is_none()
    );

    let english =
        app.client.get(app.url(&path)).header("Accept-Language", "en").send().await.unwrap();
    let english = english.text().await.unwrap();
    assert!(english.contains("<html lang=\"en\""), "English readers get the English page");

    app.user("缓存志愿者", "13900001111", "a long enough password", &[]).await;
    let volunteer = app.signed_in("13900001111", "a long enough password").await;
    let (_, html) = volunteer.page(&path).await;
    let claim = scraper::Selector::parse("form[action*=claim] input[name=csrf_token]").unwrap();
    assert!(html.select(&claim).next().is_some(), "the volunteer sees their own claim form");

    let (_, html) = app.page(&path).await;
    assert!(html.select(&claim).next().is_none(), "the anonymous page has no one's token");
}

/// The page cache's hits and renders, as `/healthz` tells them.
async fn cache_stats(app: &TestApp) -> (u64, u64) {
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    let stats = &health["page_cache"];
    (stats["hits"].as_u64().unwrap(), stats["misses"].as_u64().unwrap())
}

/// A share link's extra parameters (`?from=singlemessage…`, `utm_…`) are
/// the same page: served from the cache, and nothing of them is in it.
async fn unknown_parameters_are_the_same_page(app: TestApp) {
    let (hits, misses) = cache_stats(&app).await;
    let (_, html) = app.page("/districts/tonglu").await;
    let before = text(&html, "h1");
    exec_quietly(&app.db, "UPDATE districts SET name_zh = '分享测试县' WHERE slug = 'tonglu'")
        .await;
    for path in [
        "/districts/tonglu?from=singlemessage&isappinstalled=0",
        "/districts/tonglu?utm_source=wechat",
        "/districts/tonglu?x=%3Cscript%3E",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 200);
        let body = res.text().await.unwrap();
        assert!(!body.contains("分享测试县"), "{path} is the cached page");
        for junk in ["singlemessage", "utm_source", "%3Cscript"] {
            assert!(!body.contains(junk), "{path}: the page holds {junk}");
        }
    }
    assert_eq!(cache_stats(&app).await, (hits + 3, misses + 1), "one render, three hits");
    // The first render for an address with unknown parameters is of the
    // canonical address too: its links carry nothing of them.
    exec(&app.db, "UPDATE districts SET name_zh = '分享测试县' WHERE slug = 'tonglu'").await;
    let res = app.get("/districts/tonglu?utm_campaign=spring").await;
    let body = res.text().await.unwrap();
    assert!(body.contains("分享测试县"), "a bump drops the page");
    assert!(!body.contains("utm_campaign"), "the render saw the canonical address");
    let (_, html) = app.page("/districts/tonglu").await;
    assert_ne!(text(&html, "h1"), before, "and that render is the canonical page");
    // A parameter a page reads makes another page.
    let (_, all) = app.page("/workshops").await;
    let (_, farming) = app.page("/workshops?category=farming&utm_source=x").await;
    assert_ne!(all.html(), farming.html());
    assert!(!farming.html().contains("utm_source"));
}

async fn nothing_is_cached_when_the_cache_is_off(app: TestApp) {
    let (_, _) = app.page("/districts/tonglu").await;
    exec_quietly(&app.db, "UPDATE districts SET name_zh = '不缓存县' WHERE slug = 'tonglu'").await;
    let (_, html) = app.page("/districts/tonglu").await;
    assert!(text(&html, "h1").contains("不缓存县"));
}

on_both_databases!(
    pages_come_from_the_cache_until_content_changes,
    cached_pages_answer_conditional_requests,
    nobody_gets_someone_elses_page,
    unknown_parameters_are_the_same_page,
    nothing_is_cached_when_the_cache_is_off with |s| s.page_cache_mb = 0,
);
