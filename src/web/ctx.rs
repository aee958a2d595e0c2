//! What every page needs to know about the request: language, text size,
//! where it is (for the switch links) and its request id.

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::domain::Lang;
use crate::i18n;

pub const LANG_COOKIE: &str = "lang";
pub const TEXT_COOKIE: &str = "text";

/// The id the request logger gave this request; shown on error pages.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The page context, extracted from every request.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// The remembered "larger text" (长辈版) switch.
    pub large: bool,
    /// Path and query of this page without any `lang` parameter: where the
    /// switches send the reader back to.
    pub here: String,
    pub request_id: String,
    /// The signed-in user's display name, for the header.
    pub user_name: Option<String>,
    pub is_staff: bool,
    /// A one-time message from the previous step (a catalogue key).
    pub flash: Option<&'static str>,
    session: Session,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("lang", &self.lang).field("here", &self.here).finish()
    }
}

pub(crate) const FLASH: &str = "flash";

/// Leaves a one-time message for the next page the reader sees.
pub fn set_flash(session: &Session, key: &'static str) {
    let _ = session.insert(FLASH, key);
}

/// Flash messages are catalogue keys; only known ones are shown.
fn known_flash(key: &str) -> Option<&'static str> {
    i18n::static_key(key).filter(|k| k.starts_with("flash."))
}

impl Ctx {
    /// The reader's language (`?lang=`, then the remembered choice, then
    /// the browser's) and whether they chose larger text.
    pub fn reader_prefs(req: &HttpRequest) -> (Lang, bool) {
        let query_lang = query_param(req.query_string(), "lang").and_then(|v| Lang::from_code(&v));
        let cookie_lang = req.cookie(LANG_COOKIE).and_then(|c| Lang::from_code(c.value()));
        let lang = query_lang.or(cookie_lang).unwrap_or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default()
        });
        let large = req.cookie(TEXT_COOKIE).is_some_and(|c| c.value() == "large");
        (lang, large)
    }

    pub fn from_request(req: &HttpRequest) -> Ctx {
        let (lang, large) = Ctx::reader_prefs(req);
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| "-".to_owned());
        let viewer = req.extensions().get::<super::auth::Viewer>().and_then(|v| v.0.clone());
        let session = req.get_session();
        // Only a session that holds a message is changed by reading it
        // (an unchanged session lets the page be cached).
        let waiting = session.entries().contains_key(FLASH);
        let flash = waiting.then(|| session.remove(FLASH)).flatten().and_then(|raw| {
            serde_json::from_str::<String>(&raw).ok().and_then(|k| known_flash(&k))
        });
        Ctx {
            lang,
            large,
            here: here(req),
            request_id,
            user_name: viewer.as_ref().map(|u| u.display_name.clone()),
            is_staff: viewer.as_ref().is_some_and(|u| u.grants.is_staff()),
            flash,
            session,
        }
    }

    /// The hidden field every form carries (see `web::csrf`).
    pub fn csrf_token(&self) -> String {
        super::csrf::form_token(&self.session)
    }

    /// The catalogue text for `key` in this request's language.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// The catalogue text with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::tf(self.lang, key, args)
    }

    /// A count in words, singular or plural (see [`i18n::tn`]).
    pub fn tn(&self, key: &str, n: &str) -> String {
        i18n::tn(self.lang, key, n)
    }

    pub fn lang_switch_url(&self) -> String {
        format!("/prefs/lang/{}?next={}", self.lang.other().code(), encode(&self.here))
    }

    pub fn text_switch_url(&self) -> String {
        let size = if self.large { "normal" } else { "large" };
        format!("/prefs/text/{size}?next={}", encode(&self.here))
    }

    /// The stylesheet's address, which changes whenever its content does,
    /// so it can be cached for a year.
    pub fn css_url(&self) -> &'static str {
        super::assets::css_url()
    }
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Ctx, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Ctx::from_request(req)))
    }
}

fn here(req: &HttpRequest) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("lang"))
        .collect();
    if kept.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{}", req.path(), kept.join("&"))
    }
}

/// The first value of `name` in a query string, percent-decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| decode(v))
    })
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decodes (and turns `+` into a space); invalid escapes are kept.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        for s in ["/districts/gongshu", "/a?b=c&d=e", "/x?q=蜜梨 %_"] {
            assert_eq!(decode(&encode(s)), s);
        }
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("a+b"), "a b");
    }

    #[test]
    fn query_params() {
        assert_eq!(query_param("lang=en&x=1", "lang").as_deref(), Some("en"));
        assert_eq!(query_param("x=1", "lang"), None);
        assert_eq!(query_param("next=%2Fdistricts", "next").as_deref(), Some("/districts"));
    }
}
