//! Request ids, request logs and security headers.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Next};
use tracing::Instrument;

use super::ctx::RequestId;

/// The policy every response carries: no inline script or style, nothing
/// from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Over https (`secure`), browsers are also told to use nothing else for a
/// year (HSTS).
pub fn security_headers(secure: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new();
    let headers = if secure {
        headers.add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    } else {
        headers
    };
    headers
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}

/// The longest address (path and query) any page takes: the longest search
/// with every filter is far below it.
pub const MAX_ADDRESS: usize = 2048;

/// Refuses (400) a request whose address holds a control character once
/// percent-decoded (`%00`, `%0A`…): no page takes one, and NUL in a search
/// or a slug would reach the database, which refuses it. Refuses (414) an
/// address longer than [`MAX_ADDRESS`].
pub async fn refuse_control_in_address(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if req.uri().path().len() + req.query_string().len() > MAX_ADDRESS {
        return Ok(req.error_response(super::AppError::AddressTooLong));
    }
    let bad = [req.uri().path(), req.query_string()]
        .into_iter()
        .map(super::ctx::decode)
        .any(|s| s.chars().any(char::is_control));
    if bad {
        return Ok(req.error_response(super::AppError::BadRequest));
    }
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

fn new_request_id() -> String {
    let n = getrandom::u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    format!("{:012x}", n & 0xffff_ffff_ffff)
}

/// Gives each request an id and logs one line when it completes, naming the
/// matched route pattern (never the raw path or query: tracking codes and
/// search text live there), the status and the time taken.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = new_request_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id);
    let res = next.call(req).instrument(span.clone()).await;
    let _enter = span.enter();
    match &res {
        Ok(res) => {
            let route = res.request().match_pattern().unwrap_or_else(|| "(unmatched)".into());
            tracing::info!(
                %method,
                route = %route,
                status = res.status().as_u16(),
                ms = started.elapsed().as_millis() as u64,
                "request"
            );
        }
        Err(e) => {
            tracing::error!(%method, error = %e, "request failed in middleware");
        }
    }
    res
}
