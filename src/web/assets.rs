//! Static files, embedded in the binary and cached for a year. Their links
//! carry a hash of their content, so a new release is fetched anew.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use super::AppError;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

fn hash_of(file: &str) -> String {
    Assets::get(file)
        .map(|f| f.metadata.sha256_hash().iter().take(5).map(|b| format!("{b:02x}")).collect())
        .unwrap_or_default()
}

static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/app.css?v={}", hash_of("app.css")));

pub fn css_url() -> &'static str {
    &CSS_URL
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve(req: HttpRequest, file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = file.into_inner();
    let asset = Assets::get(&name).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hash_of(&name));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, etag));
    if fresh {
        return Ok(res.finish());
    }
    Ok(res.content_type(content_type(&name)).body(asset.data.into_owned()))
}
