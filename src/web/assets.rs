//! Static files, embedded in the binary and cached for a year. Their links
//! carry a hash of their content, so a new release is fetched anew.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

use super::AppError;
use crate::web::params::File;

#[derive(RustEmbed)]
#[folder = "static/"]
struct Assets;

fn hash_of(file: &str) -> String {
    Assets::get(file)
        .map(|f| crate::domain::hex(&f.metadata.sha256_hash()[..5]))
        .unwrap_or_default()
}

/// The stylesheet as served: the source with comments and needless
/// white space taken out, made once.
static CSS: LazyLock<Bytes> = LazyLock::new(|| {
    let source = Assets::get("app.css").map(|f| f.data.into_owned()).unwrap_or_default();
    Bytes::from(minify_css(&String::from_utf8_lossy(&source)))
});

/// The stylesheet compressed once, for every page view of every reader.
static CSS_GZIP: LazyLock<Bytes> = LazyLock::new(|| super::cache::gzip(&CSS));

static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/app.css?v={}", hash_of("app.css")));

/// A small, safe CSS minifier: drops comments, folds white space, and
/// removes it next to `{ } ; , >`, and after `:` inside a declaration block.
pub fn minify_css(css: &str) -> String {
    let mut no_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        no_comments.push_str(&rest[..start]);
        rest = rest[start + 2..].find("*/").map(|end| &rest[start + 2 + end + 2..]).unwrap_or("");
    }
    no_comments.push_str(rest);
    let folded = no_comments.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    let mut depth = 0i32;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            let tight = |ch: Option<char>| matches!(ch, Some('{' | '}' | ';' | ',' | '>'));
            let in_block = depth > 0 && !out.ends_with('(');
            if tight(prev) || tight(next) || (prev == Some(':') && in_block) {
                continue;
            }
        }
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if out.ends_with(';') {
                    out.pop();
                }
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

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

pub async fn serve(req: HttpRequest, File(name): File) -> Result<HttpResponse, AppError> {
    let asset = Assets::get(&name).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", hash_of(&name));
    let fresh = super::cache::etag_matches(&req, etag.as_bytes());
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ETAG, etag));
    if fresh {
        return Ok(res.finish());
    }
    res.content_type(content_type(&name));
    if name == "app.css" {
        if super::cache::accepts_gzip(&req) {
            res.insert_header((header::CONTENT_ENCODING, "gzip"))
                .insert_header((header::VARY, "Accept-Encoding"));
            return Ok(res.body(CSS_GZIP.clone()));
        }
        return Ok(res.body(CSS.clone()));
    }
    Ok(res.body(asset.data.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minifying_keeps_the_meaning() {
        let css =
            "/* c */\na:hover, .b > .c {\n  color: red;\n  margin: 0 auto;\n}\n.d .e { x: y }";
        assert_eq!(minify_css(css), "a:hover,.b>.c{color:red;margin:0 auto}.d .e{x:y}");
    }
}
