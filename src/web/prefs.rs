//! The language and larger-text switches: plain links that set a
//! preference cookie and send the reader back. They change no user data.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::ctx::{LANG_COOKIE, TEXT_COOKIE, query_param};
use crate::domain::Lang;
use crate::web::AppState;
use crate::web::params::{Code, Size};

/// Only a path on this site ([`crate::domain::local_path`]); anything
/// else goes home.
fn safe_next(req: &HttpRequest) -> String {
    query_param(req.query_string(), "next")
        .filter(|n| crate::domain::local_path(n).is_some())
        .unwrap_or_else(|| "/".to_owned())
}

/// A preference cookie; `Secure` when the portal is served over https.
fn remember(state: &AppState, name: &'static str, value: &'static str) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .secure(state.settings.secure_cookies())
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .finish()
}

fn back(req: &HttpRequest, cookie: Cookie<'static>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, safe_next(req)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish()
}

/// `/prefs/lang/{code}`: an unknown code means the default language.
pub async fn set_lang(
    req: HttpRequest,
    state: web::Data<AppState>,
    Code(code): Code,
) -> HttpResponse {
    let lang = Lang::from_code(&code).unwrap_or_default();
    back(&req, remember(&state, LANG_COOKIE, lang.code()))
}

/// `/prefs/text/{size}`: `large` turns the larger text on, anything else off.
pub async fn set_text_size(
    req: HttpRequest,
    state: web::Data<AppState>,
    Size(size): Size,
) -> HttpResponse {
    let value = if size.as_str() == "large" { "large" } else { "normal" };
    back(&req, remember(&state, TEXT_COOKIE, value))
}
