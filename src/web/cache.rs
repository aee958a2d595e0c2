//! Rendered pages for anonymous readers, kept in memory.
//!
//! A campaign sends thousands of people to the same few pages; they all
//! read the same HTML. Routes marked `cached` in the route table keep their
//! rendered page (plain and gzip-compressed) per language, text size and
//! canonical address, for readers who are not signed in and have no
//! message waiting.
//!
//! The canonical address keeps only the query parameters the page reads
//! (named in the route table), in one order: a WeChat share's
//! `?from=singlemessage`, a campaign's `utm_…` or an attacker's `?x=…`
//! is the same page, and the handler renders it from that address, so
//! nothing of the unknown parameters reaches the stored page. Pages are
//! evicted by recency and frequency (quick_cache's CLOCK-Pro) within a
//! budget that counts keys, pages and the render locks; a flood of new
//! addresses cannot push out the pages people keep reading.
//!
//! Staleness is bounded three ways:
//! - every transaction that changes what a public page shows bumps one
//!   counter in the database (`db::BUMP_CONTENT`); an instance compares it
//!   at most every `LINLI_CACHE_RECHECK_MS` (1 s by default), so every
//!   instance sharing the database drops its pages within that time;
//! - a POST handled by this instance makes the next cached request compare
//!   at once, so whoever wrote reads their own change;
//! - no page is kept longer than [`MAX_AGE`] (relative times such as
//!   "3 minutes ago" stay near the truth).
//!
//! A response is stored only when it is a 200 that neither set a cookie
//! nor touched the session, so no one's token or message is ever served
//! to someone else.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_session::{SessionExt, SessionStatus};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpResponse};

use super::auth::Viewer;
use super::ctx::{self, Ctx};
use crate::db::{self, Db};
use crate::web::AppState;

/// The longest a page is served from memory, whatever else happens.
pub const MAX_AGE: Duration = Duration::from_secs(60);

struct Page {
    headers: HeaderMap,
    plain: Bytes,
    gzip: Bytes,
    etag: HeaderValue,
    version: i64,
    stored: Instant,
}

impl Page {
    fn size(&self) -> usize {
        self.plain.len() + self.gzip.len() + 512
    }
}

/// A page weighs its key, its bodies and their bookkeeping.
#[derive(Clone)]
struct PageWeight;

impl quick_cache::Weighter<String, Arc<Page>> for PageWeight {
    fn weight(&self, key: &String, page: &Arc<Page>) -> u64 {
        (key.len() + page.size()) as u64
    }
}

/// The longest canonical query kept; a longer address is served uncached
/// (no known page takes that much).
pub const MAX_KEY_QUERY: usize = 512;

/// Render locks held at most at once, and what each may weigh (its key and
/// the lock): set aside from the budget.
const MAX_RENDER_LOCKS: usize = 1024;
const RENDER_LOCK_WEIGHT: usize = MAX_KEY_QUERY + 256;

struct Inner {
    /// The content version last read from the database, and when.
    version: i64,
    checked: Option<Instant>,
    /// Values computed from the whole table (filter choices, totals),
    /// kept for the current version whether or not pages are cached.
    memos: HashMap<&'static str, Arc<dyn std::any::Any + Send + Sync>>,
    /// A lock per page being rendered (see `serve_cached`).
    rendering: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

pub struct PageCache {
    budget: usize,
    recheck: Duration,
    pages: quick_cache::sync::Cache<String, Arc<Page>, PageWeight>,
    inner: Mutex<Inner>,
    /// Requests answered from the cache, and requests it had to render.
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What `/healthz` tells of the page cache (the benchmark reads it).
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub bytes: u64,
}

impl PageCache {
    pub fn new(budget_mb: u32, recheck_ms: u64) -> PageCache {
        let budget = budget_mb as usize * 1024 * 1024;
        // The render locks' share comes off the top; pages get the rest.
        let locks = (MAX_RENDER_LOCKS * RENDER_LOCK_WEIGHT).min(budget / 8);
        let for_pages = budget - locks;
        PageCache {
            budget,
            recheck: Duration::from_millis(recheck_ms),
            // About 20 KB a page (both bodies), to size its tables.
            pages: quick_cache::sync::Cache::with_weighter(
                (for_pages / 20_000).max(16),
                for_pages.max(1) as u64,
                PageWeight,
            ),
            inner: Mutex::new(Inner {
                version: 0,
                checked: None,
                memos: HashMap::new(),
                rendering: HashMap::new(),
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bytes: self.pages.weight(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only a cache behind: keep going.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Something was written through this instance: compare the version
    /// on the next cached request.
    pub fn mark_stale(&self) {
        self.lock().checked = None;
    }

    /// The current content version, from memory when it was read recently.
    async fn version(&self, db: &Db) -> Result<i64, db::DbError> {
        {
            let inner = self.lock();
            if let Some(at) = inner.checked
                && at.elapsed() < self.recheck
            {
                return Ok(inner.version);
            }
        }
        let version = db::settings::content_version(db).await?;
        let mut inner = self.lock();
        if version != inner.version {
            // Content changed: every page and memo of the old version goes.
            self.pages.clear();
            inner.memos.clear();
            inner.version = version;
        }
        inner.checked = Some(Instant::now());
        Ok(version)
    }

    /// `compute`'s value for the current content version: what rarely
    /// changes but costs a pass over a whole table (the listing's filter
    /// choices and totals) is computed once per change, not per request.
    pub async fn memo<T, F, Fut>(
        &self,
        db: &Db,
        name: &'static str,
        compute: F,
    ) -> db::DbResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = db::DbResult<T>>,
    {
        let version = self.version(db).await?;
        if let Some(hit) = self.lock().memos.get(name).cloned()
            && let Ok(value) = hit.downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(compute().await?);
        let mut inner = self.lock();
        if inner.version == version {
            inner.memos.insert(name, value.clone());
        }
        Ok(value)
    }

    /// The lock that lines up readers of one page while it is rendered,
    /// or `None` when [`MAX_RENDER_LOCKS`] pages are being rendered at
    /// once (the request then renders on its own, unlined). Locks nobody
    /// holds are dropped as the map fills.
    fn render_turn(&self, key: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut inner = self.lock();
        if inner.rendering.len() >= MAX_RENDER_LOCKS {
            inner.rendering.retain(|_, turn| Arc::strong_count(turn) > 1);
        }
        if let Some(turn) = inner.rendering.get(key) {
            return Some(turn.clone());
        }
        if inner.rendering.len() >= MAX_RENDER_LOCKS {
            return None;
        }
        Some(inner.rendering.entry(key.to_owned()).or_default().clone())
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Page>> {
        self.pages.get(key).filter(|p| p.version == version && p.stored.elapsed() < MAX_AGE)
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let current = self.lock().version;
        if page.version != current || page.size() > self.budget / 4 {
            return;
        }
        self.pages.insert(key, page);
    }

    /// What the pages weigh now (keys and bodies), in bytes.
    pub fn weight(&self) -> u64 {
        self.pages.weight()
    }
}

/// The canonical form of `query` for a page that reads the parameters
/// `known`: those present with a value, in the order `known` names them
/// (the first value of each), `lang` only when it names a language.
pub fn canonical_query(query: &str, known: &[&str]) -> String {
    let mut parts: Vec<(&str, String)> = Vec::new();
    for name in known.iter().copied().chain(["lang"]) {
        let Some(value) = ctx::query_param(query, name) else { continue };
        let value = value.trim();
        if value.is_empty() || (name == "lang" && crate::domain::Lang::from_code(value).is_none()) {
            continue;
        }
        parts.push((name, value.to_owned()));
    }
    serde_urlencoded::to_string(&parts).unwrap_or_default()
}

/// What a cached page is filed under: language, text size and the
/// canonical address (see [`canonical_query`]), for a reader without an
/// account or a waiting message; with the canonical query itself.
fn cache_key(req: &ServiceRequest, known: &[&str]) -> Option<(String, String)> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return None;
    }
    if req.extensions().get::<Viewer>().is_some_and(|v| v.0.is_some()) {
        return None;
    }
    if req.get_session().entries().contains_key(ctx::FLASH) {
        return None;
    }
    let query = canonical_query(req.query_string(), known);
    if query.len() > MAX_KEY_QUERY {
        return None;
    }
    let (lang, large) = Ctx::reader_prefs(req.request());
    Some((format!("{}|{}|{}?{}", lang.code(), large, req.path(), query), query))
}

/// Wrapped around the routes marked `cached` (inside the access check);
/// `known` are the query parameters the page reads.
pub async fn serve_cached(
    known: &'static [&'static str],
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let cache = &state.cache;
    let Some((key, query)) = cache_key(&req, known).filter(|_| cache.budget > 0) else {
        return next.call(req).await;
    };
    // The handler renders the canonical address, so that the stored page
    // holds nothing of what the canonical form dropped.
    if query != req.query_string() {
        let path = req.path().to_owned();
        let address = if query.is_empty() { path } else { format!("{path}?{query}") };
        if let Ok(uri) = address.parse() {
            req.head_mut().uri = uri;
        }
    }
    // Read before rendering: a write during the render leaves the page
    // filed under the older version, which the next comparison drops.
    let Ok(version) = cache.version(&state.db).await else {
        // The database is away; let the handler answer as it would.
        return next.call(req).await;
    };
    // One render per page at a time: when a campaign link goes out, the
    // first thousand readers wait for one render instead of starting a
    // thousand (measured: 64 at once took the server from 24 to 80 MB).
    // The lock is taken only on a miss, and the cache is read again under it.
    let hit = |page: Arc<Page>, req: ServiceRequest| {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        let res = respond(req.request(), &page);
        Ok(req.into_response(res))
    };
    if let Some(page) = cache.get(&key, version) {
        return hit(page, req);
    }
    let turn = cache.render_turn(&key);
    let _rendering = match turn {
        Some(turn) => Some(turn.lock_owned().await),
        None => None,
    };
    if let Some(page) = cache.get(&key, version) {
        return hit(page, req);
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let res = next.call(req).await?;
    let storable = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && res.request().get_session().status() == SessionStatus::Unchanged
        && !res
            .headers()
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes().starts_with(b"no-store"));
    if !storable {
        return Ok(res);
    }
    let (http_req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let plain = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => actix_web::body::to_bytes(body)
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?,
    };
    let page = Arc::new(Page {
        headers: head.headers().clone(),
        etag: etag(&plain),
        gzip: gzip(&plain),
        plain,
        version,
        stored: Instant::now(),
    });
    cache.put(key, page.clone());
    let res = respond(&http_req, &page);
    Ok(ServiceResponse::new(http_req, res))
}

/// Wrapped around every POST route: what this instance just wrote is seen
/// by its next cached request.
pub async fn after_write(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let res = next.call(req).await;
    state.cache.mark_stale();
    res
}

fn respond(req: &actix_web::HttpRequest, page: &Page) -> HttpResponse {
    let mut res = if etag_matches(req, page.etag.as_bytes()) {
        HttpResponse::NotModified().finish()
    } else {
        if accepts_gzip(req) {
            let mut res = HttpResponse::Ok().body(page.gzip.clone());
            res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            res
        } else {
            HttpResponse::Ok().body(page.plain.clone())
        }
    };
    let headers = res.headers_mut();
    for (name, value) in page.headers.iter() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_ENCODING {
            headers.append(name.clone(), value.clone());
        }
    }
    headers.insert(header::ETAG, page.etag.clone());
    headers
        .insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language, Accept-Encoding"));
    res
}

/// The client already holds this version (`If-None-Match` names its ETag).
pub(crate) fn etag_matches(req: &actix_web::HttpRequest, etag: &[u8]) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes().split(|b| *b == b',').any(|t| t.trim_ascii() == etag))
}

fn etag(body: &[u8]) -> HeaderValue {
    let mut h = DefaultHasher::new();
    body.hash(&mut h);
    HeaderValue::from_str(&format!("\"{:016x}\"", h.finish())).expect("hex is a valid header")
}

/// The client takes gzip-compressed bodies.
pub(crate) fn accepts_gzip(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// Compressed once, served many times (the compression middleware leaves
/// a body that already has a Content-Encoding alone).
pub(crate) fn gzip(body: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(body);
    Bytes::from(enc.finish().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64, size: usize) -> Arc<Page> {
        Arc::new(Page {
            headers: HeaderMap::new(),
            plain: Bytes::from(vec![b'x'; size]),
            gzip: Bytes::new(),
            etag: HeaderValue::from_static("\"1\""),
            version,
            stored: Instant::now(),
        })
    }

    #[test]
    fn keeps_pages_of_the_current_version_only() {
        let cache = PageCache::new(1, 1000);
        cache.lock().version = 7;
        cache.put("a".into(), page(7, 100));
        cache.put("old".into(), page(6, 100));
        assert!(cache.get("a", 7).is_some());
        assert!(cache.get("a", 8).is_none());
        assert!(cache.get("old", 6).is_none(), "a page rendered before a change is not kept");
    }

    #[test]
    fn stays_within_its_budget() {
        let cache = PageCache::new(1, 1000);
        for i in 0..100 {
            cache.put(format!("p{i}"), page(0, 100 * 1024));
            assert!(cache.weight() <= 1024 * 1024, "{}", cache.weight());
        }
        assert!(cache.get("p99", 0).is_some(), "the newest page is kept");
    }

    /// A flood of new addresses, each read once, does not push out the
    /// pages readers keep coming back to (nothing is cleared wholesale).
    #[test]
    fn hot_pages_outlive_a_flood_of_unique_addresses() {
        let cache = PageCache::new(1, 1000);
        let hot: Vec<String> = (0..5).map(|i| format!("zh|false|/hot/{i}?")).collect();
        for key in &hot {
            cache.put(key.clone(), page(0, 20 * 1024));
        }
        let mut hits = 0;
        let mut reads = 0;
        for i in 0..10_000 {
            cache.put(format!("zh|false|/wishes?x={i}"), page(0, 20 * 1024));
            for key in &hot {
                reads += 1;
                if cache.get(key, 0).is_some() {
                    hits += 1;
                } else {
                    cache.put(key.clone(), page(0, 20 * 1024));
                }
            }
            assert!(cache.weight() <= 1024 * 1024);
        }
        assert!(hits * 100 >= reads * 99, "hot pages hit {hits} of {reads}");
    }

    #[test]
    fn canonical_addresses_keep_only_what_the_page_reads() {
        let known = &["district", "page"];
        assert_eq!(canonical_query("", known), "");
        assert_eq!(canonical_query("from=singlemessage&isappinstalled=0", known), "");
        assert_eq!(
            canonical_query("utm_source=x&page=2&district=xihu", known),
            "district=xihu&page=2"
        );
        assert_eq!(canonical_query("page=2&page=3&district=", known), "page=2");
        assert_eq!(canonical_query("district=%E8%A5%BF", known), "district=%E8%A5%BF");
        assert_eq!(canonical_query("lang=en&x=1", known), "lang=en");
        assert_eq!(canonical_query("lang=xx", known), "", "only a language is a language");
        assert_eq!(canonical_query("page=+2+", known), "page=2");
    }

    #[test]
    fn etags_follow_the_content() {
        assert_eq!(etag(b"abc"), etag(b"abc"));
        assert_ne!(etag(b"abc"), etag(b"abd"));
    }
}
