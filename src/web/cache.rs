//! Rendered pages for anonymous readers, kept in memory.
//!
//! A campaign sends thousands of people to the same few pages; they all
//! read the same HTML. Routes marked `cached` in the route table keep their
//! rendered page (plain and gzip-compressed) per language, text size and
//! address, for readers who are not signed in and have no message waiting.
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

struct Inner {
    /// The content version last read from the database, and when.
    version: i64,
    checked: Option<Instant>,
    pages: HashMap<String, Arc<Page>>,
    used: usize,
    /// Values computed from the whole table (filter choices, totals),
    /// kept for the current version whether or not pages are cached.
    memos: HashMap<&'static str, Arc<dyn std::any::Any + Send + Sync>>,
    /// A lock per page being rendered (see `serve_cached`).
    rendering: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
}

pub struct PageCache {
    budget: usize,
    recheck: Duration,
    inner: Mutex<Inner>,
}

impl PageCache {
    pub fn new(budget_mb: u32, recheck_ms: u64) -> PageCache {
        PageCache {
            budget: budget_mb as usize * 1024 * 1024,
            recheck: Duration::from_millis(recheck_ms),
            inner: Mutex::new(Inner {
                version: 0,
                checked: None,
                pages: HashMap::new(),
                used: 0,
                memos: HashMap::new(),
                rendering: HashMap::new(),
            }),
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
            inner.pages.clear();
            inner.memos.clear();
            inner.used = 0;
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

    /// The lock that lines up readers of one page while it is rendered.
    /// Locks nobody holds are dropped as the map grows.
    fn render_turn(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut inner = self.lock();
        if inner.rendering.len() > 1024 {
            inner.rendering.retain(|_, turn| Arc::strong_count(turn) > 1);
        }
        inner.rendering.entry(key.to_owned()).or_default().clone()
    }

    fn get(&self, key: &str, version: i64) -> Option<Arc<Page>> {
        let inner = self.lock();
        inner
            .pages
            .get(key)
            .filter(|p| p.version == version && p.stored.elapsed() < MAX_AGE)
            .cloned()
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let mut inner = self.lock();
        if page.version != inner.version || page.size() > self.budget / 4 {
            return;
        }
        if inner.used + page.size() > self.budget {
            // Simple and bounded: start again rather than track recency.
            inner.pages.clear();
            inner.used = 0;
        }
        inner.used += page.size();
        if let Some(old) = inner.pages.insert(key, page) {
            inner.used -= old.size();
        }
    }
}

/// What a cached page is filed under: language, text size and the full
/// address, for a reader without an account or a waiting message.
fn cache_key(req: &ServiceRequest) -> Option<String> {
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    if !read || ctx::query_param(req.query_string(), "lang").is_some() {
        return None;
    }
    if req.extensions().get::<Viewer>().is_some_and(|v| v.0.is_some()) {
        return None;
    }
    if req.get_session().entries().contains_key(ctx::FLASH) {
        return None;
    }
    let (lang, large) = Ctx::reader_prefs(req.request());
    Some(format!("{}|{}|{}?{}", lang.code(), large, req.path(), req.query_string()))
}

/// Wrapped around the routes marked `cached` (inside the access check).
pub async fn serve_cached(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let cache = &state.cache;
    let Some(key) = cache_key(&req).filter(|_| cache.budget > 0) else {
        return next.call(req).await;
    };
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
        let res = respond(req.request(), &page);
        Ok(req.into_response(res))
    };
    if let Some(page) = cache.get(&key, version) {
        return hit(page, req);
    }
    let _rendering = cache.render_turn(&key).lock_owned().await;
    if let Some(page) = cache.get(&key, version) {
        return hit(page, req);
    }
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
            assert!(cache.lock().used <= 1024 * 1024);
        }
        assert!(cache.get("p99", 0).is_some());
    }

    #[test]
    fn etags_follow_the_content() {
        assert_eq!(etag(b"abc"), etag(b"abc"));
        assert_ne!(etag(b"abc"), etag(b"abd"));
    }
}
