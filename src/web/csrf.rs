//! Cross-site request forgery protection for every state-changing
//! request, anonymous ones included: the form's `csrf_token` must match
//! the session's token, and the request must come from this site.

use actix_session::{Session, SessionExt};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use super::AppError;
use crate::web::AppState;

/// The longest body a form may send. A workshop's form with every text
/// at its limit is about 62 KB as sent (a Chinese character is nine bytes
/// percent-encoded), and a text pasted well past its limit must still
/// reach the form's check, to come back at its field with the text kept
/// rather than as an error page that loses it.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The longest upload: a photo of [`crate::domain::photo::MAX_BYTES`]
/// with room to spare, so that one a little too large still reaches the
/// form's own refusal at its field.
pub const UPLOAD_LIMIT: usize = 24 * 1024 * 1024;

/// How long an upload may take to arrive (a photo over a slow phone line).
const UPLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// The routes that take a file (`multipart/form-data`); every other route
/// takes forms of at most [`BODY_LIMIT`].
const UPLOAD_ROUTES: [&str; 5] = [
    "/staff/places/{id}/photos",
    "/staff/workshops/{slug}/photos",
    "/staff/districts/{slug}/photos",
    "/staff/stories/{id}/photos",
    "/staff/activities/{id}/photos",
];

/// Uploads held in memory at once in each instance; more wait their turn
/// by being told to try again, so no flood of large bodies fills memory.
fn upload_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(2))
}

/// The text of part `name` of a `multipart/form-data` body (RFC 7578):
/// the token check reads it from an upload as from a form. None when the
/// body has no such part, or it is a file.
fn multipart_text(body: &[u8], content_type: &str, name: &str) -> Option<String> {
    let boundary =
        content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    // RFC 2046: 1 to 70 characters. A longer one is no browser's.
    if boundary.is_empty() || boundary.len() > 70 {
        return None;
    }
    let delimiter = format!("--{boundary}");
    // Linear in the body, whatever it holds.
    let find = |from: usize, needle: &[u8]| {
        memchr::memmem::find(body.get(from..)?, needle).map(|i| i + from)
    };
    let wanted = format!("; name=\"{name}\"");
    let mut at = find(0, delimiter.as_bytes())? + delimiter.len();
    while let Some(next) = find(at, delimiter.as_bytes()) {
        let part = body[at..next].strip_prefix(b"\r\n").unwrap_or(&body[at..next]);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        if let Some(split) = memchr::memmem::find(part, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&part[..split]).to_ascii_lowercase();
            let disposition = head.lines().find(|l| l.starts_with("content-disposition:"));
            if disposition.is_some_and(|d| d.contains(&wanted) && !d.contains("filename")) {
                return String::from_utf8(part[split + 4..].to_vec()).ok();
            }
        }
        at = next + delimiter.len();
    }
    None
}

/// Reads an upload's body: at most [`UPLOAD_LIMIT`] bytes.
async fn read_upload(req: &mut ServiceRequest) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > UPLOAD_LIMIT) {
        return Err(AppError::TooLarge);
    }
    let mut payload = req.take_payload();
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(UPLOAD_LIMIT));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest)?;
        if body.len() + chunk.len() > UPLOAD_LIMIT {
            return Err(AppError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

const KEY: &str = "csrf";

/// The fields of a POST that passed the check, for the error page.
#[derive(Debug, Clone)]
pub struct Submitted(pub Vec<(String, String)>);

/// Marks a POST from this site whose token no longer matches (the page was
/// left open overnight, the session ended): the error page shows what was
/// typed, ready to send again with a fresh token.
#[derive(Debug, Clone, Copy)]
pub struct Expired;
pub const FIELD: &str = "csrf_token";

fn hex(bytes: &[u8]) -> String {
    crate::domain::hex(bytes)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("system randomness");
    b
}

/// The session's token, created on first use.
fn session_token(session: &Session) -> Option<Vec<u8>> {
    if let Some(t) = session.get::<String>(KEY).ok().flatten().and_then(|t| unhex(&t)) {
        return Some(t);
    }
    let t = random::<32>();
    session.insert(KEY, hex(&t)).ok()?;
    Some(t.to_vec())
}

/// The value for a form's hidden `csrf_token` field: the session token
/// XOR a fresh random mask, with the mask in front. It differs in every
/// response, so compressed pages never leak it (BREACH).
pub fn form_token(session: &Session) -> String {
    let Some(token) = session_token(session) else { return String::new() };
    let mask = random::<32>();
    let masked: Vec<u8> = token.iter().zip(mask.iter()).map(|(t, m)| t ^ m).collect();
    format!("{}{}", hex(&mask), hex(&masked))
}

/// Whether a submitted field value carries this session's token.
pub fn verify(session: &Session, submitted: &str) -> bool {
    let Some(expected) = session.get::<String>(KEY).ok().flatten().and_then(|t| unhex(&t)) else {
        return false;
    };
    let Some(raw) = unhex(submitted.trim()) else { return false };
    if raw.len() != 64 || expected.len() != 32 {
        return false;
    }
    let (mask, masked) = raw.split_at(32);
    let mut diff = 0u8;
    for i in 0..32 {
        diff |= (mask[i] ^ masked[i]) ^ expected[i];
    }
    diff == 0
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after..].find('/') {
        Some(i) => &url[..after + i],
        None => url,
    }
}

/// Browsers send `Origin` on every POST and `Sec-Fetch-Site` too; either
/// one saying "another site" is refused. A request with neither (an old
/// browser) still needs the token.
fn same_site(req: &ServiceRequest, state: &AppState) -> bool {
    if let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return origin == origin_of(&state.settings.base_url)
            || this_origin(req, &state.settings).is_some_and(|here| origin == here);
    }
    match req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

/// Whether the browser said positively that this POST comes from this
/// site (`Origin`, or `Sec-Fetch-Site: same-origin`): only then may a
/// refused form be offered again, since the reader who typed it is ours.
fn surely_same_site(req: &ServiceRequest, state: &AppState) -> bool {
    if req.headers().get(header::ORIGIN).is_some() {
        return same_site(req, state);
    }
    req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("same-origin")
}

/// The origin this request was sent to: its `Host`, over http. Only a
/// trusted proxy's word (`X-Forwarded-Host`, `X-Forwarded-Proto`,
/// `Forwarded`) may say otherwise; from anyone else those headers are
/// ignored, so a client cannot name the origin it is checked against.
/// (A trusted proxy must set those headers itself, not pass on a client's.)
fn this_origin(req: &ServiceRequest, settings: &crate::config::Settings) -> Option<String> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let peer_trusted = req.peer_addr().is_some_and(|p| settings.trusted_proxies.contains(&p.ip()));
    if peer_trusted {
        let info = req.connection_info();
        return Some(format!("{}://{}", info.scheme(), info.host()));
    }
    header("host").map(|host| format!("http://{host}"))
}

/// Wrapped around every route of the table that is not a GET (see
/// `web::configure`).
pub async fn check(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    if !same_site(&req, &state) {
        tracing::warn!("cross-site POST refused");
        return Ok(req.error_response(AppError::Forbidden));
    }
    // An upload to a route that takes one: its body, its token from its
    // parts; held while the handler runs, within the instance's slots.
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let upload = content_type.starts_with("multipart/form-data")
        && req.match_pattern().is_some_and(|p| UPLOAD_ROUTES.contains(&p.as_str()));
    if upload {
        // Only signed-in staff send files: anyone else is refused before
        // a slot is taken or a byte is read.
        let staff = super::auth::viewer_of(&req.get_session(), &state)
            .await
            .map_err(actix_web::Error::from)?
            .is_some_and(|me| me.grants.is_staff());
        if !staff {
            tracing::warn!("upload from someone who is not staff refused");
            return Ok(req.error_response(AppError::Forbidden));
        }
        let Ok(_slot) = upload_slots().try_acquire() else {
            tracing::warn!("uploads busy: 429");
            return Ok(req.error_response(AppError::TooMany));
        };
        let body = match tokio::time::timeout(UPLOAD_WAIT, read_upload(&mut req)).await {
            Ok(Ok(body)) => body,
            Ok(Err(e)) => return Ok(req.error_response(e)),
            Err(_) => {
                tracing::warn!("upload too slow: 408");
                return Ok(req.error_response(AppError::TooSlow));
            }
        };
        let submitted = multipart_text(&body, &content_type, FIELD).unwrap_or_default();
        if !verify(&req.get_session(), &submitted) {
            tracing::warn!("upload without a valid CSRF token refused");
            return Ok(req.error_response(AppError::Forbidden));
        }
        req.extensions_mut().insert(Submitted(Vec::new()));
        req.set_payload(actix_web::dev::Payload::from(body));
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    }
    // The body must arrive within the time a slow phone needs, and be no
    // longer than a form takes; a client that declares more than it
    // sends, or sends a trickle, gets 408 instead of holding a worker.
    let wait = std::time::Duration::from_millis(state.settings.body_timeout_ms);
    let body = match tokio::time::timeout(wait, req.extract::<web::Bytes>()).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Ok(req.error_response(AppError::TooLarge));
        }
        Ok(Err(_)) => return Ok(req.error_response(AppError::BadRequest)),
        Err(_) => {
            tracing::warn!("request body too slow: 408");
            return Ok(req.error_response(AppError::TooSlow));
        }
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let submitted = fields.iter().find(|(k, _)| k == FIELD).map(|(_, v)| v.as_str()).unwrap_or("");
    if !verify(&req.get_session(), submitted) {
        tracing::warn!("POST without a valid CSRF token refused");
        if surely_same_site(&req, &state) {
            req.extensions_mut().insert(Submitted(fields));
            req.extensions_mut().insert(Expired);
        }
        return Ok(req.error_response(AppError::Forbidden));
    }
    // Kept for the error page: if the database is away, what was typed
    // comes back on it, ready to send again (see `errors`).
    req.extensions_mut().insert(Submitted(fields));
    req.set_payload(actix_web::dev::Payload::from(body));
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_origins() {
        assert_eq!(unhex(&hex(&[0, 15, 255])).unwrap(), vec![0, 15, 255]);
        assert!(unhex("abc").is_none() && unhex("zz").is_none());
        assert_eq!(origin_of("https://linli.example.org/x/y"), "https://linli.example.org");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn an_uploads_token_is_read_from_its_text_part_only() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
Content-Type: image/jpeg\r\n\r\n\xff\xd8--X\r\n--XyZ--\r\n";
        let ct = "multipart/form-data; boundary=XyZ";
        assert_eq!(multipart_text(body, ct, "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(multipart_text(body, ct, "photo"), None, "a file is no token");
        assert_eq!(multipart_text(body, ct, "alt_zh"), None);
        assert_eq!(multipart_text(body, "multipart/form-data", "csrf_token"), None);
        assert_eq!(multipart_text(b"csrf_token=abc123", ct, "csrf_token"), None);
    }
}
