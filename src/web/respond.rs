//! The one way each kind of answer is made: a rendered page (with or
//! without a status), a page that must never be stored, a redirect after
//! a form (303 See Other).

use actix_web::HttpResponse;
use actix_web::http::header;

use super::AppError;

/// Renders a page template as the response: HTML that depends on the
/// reader's language and text-size cookies, so it is revalidated each time.
pub fn render(page: &impl askama::Template) -> Result<HttpResponse, AppError> {
    render_with_status(page, actix_web::http::StatusCode::OK)
}

/// The same, with a status: 422 for a form sent back with errors.
pub fn render_with_status(
    page: &impl askama::Template,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "private, no-cache"))
        .insert_header(("Vary", "Cookie, Accept-Language"))
        .body(body))
}

/// Marks a response as never to be stored: pages with phone numbers,
/// tracking codes or a staff member's view.
pub fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

/// Where to go after a form was handled (POST → redirect → GET).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_owned())).finish()
}

/// The status of a form page: 200 as first shown, 422 when it came back
/// with messages at its fields.
pub fn form_status(errors: &crate::domain::FormErrors) -> actix_web::http::StatusCode {
    use actix_web::http::StatusCode;
    if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY }
}

/// The error summary's lines: "数值：请只填数字……", each linking to its
/// field (`label` names a field of the form; one it does not name reads
/// as the message alone).
pub fn error_summary(
    ctx: &super::Ctx,
    errors: &crate::domain::FormErrors,
    label: impl Fn(&str) -> Option<String>,
) -> Vec<(&'static str, String)> {
    errors
        .iter()
        .map(|(field, key)| {
            let message = match label(field) {
                Some(label) => {
                    ctx.tf("form.summary_item", &[("label", &label), ("message", ctx.t(key))])
                }
                None => ctx.t(key).to_owned(),
            };
            (field, message)
        })
        .collect()
}
