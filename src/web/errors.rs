//! The one error type of the web layer, and the middleware that turns any
//! error response into the bilingual error page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;

use super::ctx::Ctx;
use crate::db::DbError;
use crate::i18n;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request")]
    BadRequest,
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooMany,
    /// A body longer than any form takes.
    #[error("payload too large")]
    TooLarge,
    /// A body that did not arrive in time.
    #[error("request timeout")]
    TooSlow,
    /// An address longer than any page takes.
    #[error("address too long")]
    AddressTooLong,
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(_) => AppError::Unavailable(e.into()),
            DbError::Query(_) => AppError::Internal(e.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooSlow => StatusCode::REQUEST_TIMEOUT,
            AppError::AddressTooLong => StatusCode::URI_TOO_LONG,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A bare response: [`render_error_pages`] gives it its page, where the
    /// request (language, request id) is known. The cause goes to the log
    /// only, with its whole chain.
    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Unavailable(e) => tracing::warn!(error = format!("{e:#}"), "unavailable"),
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "internal error"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Unavailable(_)) {
            res.insert_header((header::RETRY_AFTER, "5"));
        }
        res.finish()
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    status: u16,
    title: &'static str,
    message: &'static str,
    /// The same two lines in the other language, for a reader who landed
    /// here in the wrong one.
    other_lang: &'static str,
    other_title: &'static str,
    other_message: &'static str,
    request_id: String,
    /// A form that could not be saved, ready to send again.
    resend: Option<Resend>,
}

/// What a reader typed into a form that met an unavailable database:
/// shown, and kept in hidden fields with a fresh token. Passwords and the
/// bots' trap field are left out.
struct Resend {
    /// Sent back because its token had expired (not because the database
    /// was away).
    expired: bool,
    action: String,
    token: String,
    fields: Vec<(String, String)>,
    typed: Vec<String>,
}

impl Resend {
    fn of(req: &actix_web::HttpRequest) -> Option<Resend> {
        let submitted = req.extensions().get::<super::csrf::Submitted>().cloned()?;
        let fields: Vec<(String, String)> = submitted
            .0
            .into_iter()
            .filter(|(k, _)| k != super::csrf::FIELD && k != "website" && !k.contains("password"))
            .collect();
        let typed = fields
            .iter()
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>();
        if typed.is_empty() {
            return None;
        }
        let token = super::csrf::form_token(&actix_session::SessionExt::get_session(req));
        let expired = req.extensions().get::<super::csrf::Expired>().is_some();
        Some(Resend { expired, action: req.path().to_owned(), token, fields, typed })
    }
}

impl<'a> ErrorPage<'a> {
    fn new(ctx: &'a Ctx, status: StatusCode) -> ErrorPage<'a> {
        ErrorPage::keyed(ctx, status, key_for(status))
    }

    fn keyed(ctx: &'a Ctx, status: StatusCode, key: &str) -> ErrorPage<'a> {
        let other = ctx.lang.other();
        ErrorPage {
            ctx,
            status: status.as_u16(),
            title: ctx.t(&format!("{key}.title")),
            message: ctx.t(&format!("{key}.message")),
            other_lang: other.tag(),
            other_title: i18n::t(other, &format!("{key}.title")),
            other_message: i18n::t(other, &format!("{key}.message")),
            request_id: ctx.tf("error.request_id", &[("id", &ctx.request_id)]),
            resend: None,
        }
    }
}

fn key_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error.400",
        403 => "error.403",
        404 => "error.404",
        405 => "error.405",
        408 => "error.408",
        410 => "error.404",
        413 => "error.413",
        414 => "error.414",
        429 => "error.429",
        503 => "error.503",
        s if s < 500 => "error.400",
        _ => "error.500",
    }
}

/// Replaces the body of every 4xx/5xx response that is not already a page
/// with the error page, in the reader's language, with the request id.
/// Covers our handlers' errors, unknown paths, wrong methods and bad
/// extractor input alike.
pub async fn render_error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return Ok(res.map_into_boxed_body());
    }
    let ctx = Ctx::from_request(res.request());
    let expired = res.request().extensions().get::<super::csrf::Expired>().is_some();
    let mut page = if expired {
        ErrorPage::keyed(&ctx, status, "error.expired")
    } else {
        ErrorPage::new(&ctx, status)
    };
    if (expired || status == StatusCode::SERVICE_UNAVAILABLE)
        && res.request().method() == actix_web::http::Method::POST
    {
        page.resend = Resend::of(res.request());
    }
    let body = page.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "error page failed to render");
        format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or("Error"))
    });
    let (req, mut old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    // Keep headers such as Allow on a 405 and Retry-After on a 503.
    for (name, value) in old.headers_mut().drain() {
        if let Some(name) = name
            && name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
        {
            new.append_header((name, value));
        }
    }
    let response = new
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    Ok(ServiceResponse::new(req, response))
}
