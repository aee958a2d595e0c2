//! Types and rules of the portal. Nothing here knows about HTTP or SQL.

pub mod account;
pub mod activity;
pub mod audit;
pub mod content;
pub mod device;
pub mod form;
pub mod format;
pub mod hours;
pub mod ics;
pub mod lang;
pub mod password_hash;
pub mod photo;
pub mod place;
pub mod place_edit;
pub mod revision;
pub mod role;
pub mod text;
pub mod wish;
pub mod workshop;

/// Listings show at most this many pages: deeper pages would make the
/// database step over every row before them, and no reader pages that far
/// (the filters narrow a list faster). Nothing counts the matches.
pub const MAX_PAGES: i64 = 50;

/// A listing's `page` parameter as typed: a page from 1 to [`MAX_PAGES`]
/// (beyond is the last one), or `None` when it is no page number.
pub fn page_number(typed: &str) -> Option<i64> {
    typed.trim().parse::<i64>().ok().filter(|n| *n >= 1).map(|n| n.min(MAX_PAGES))
}

/// Lower-case hexadecimal of some bytes (tokens, hashes, keys).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A path on this site to send a reader to: it starts with one `/`, and
/// holds no backslash, no control character and no scheme, so no browser
/// or URL parser reads it as another host (`//host`, `/\\host`,
/// `/\t/host`). Anything else is `None`.
pub fn local_path(path: &str) -> Option<&str> {
    let mut chars = path.chars();
    let ok = chars.next() == Some('/')
        && chars.next() != Some('/')
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && !path.split(['?', '#']).next().unwrap_or("").contains(':');
    ok.then_some(path)
}

pub use form::FormErrors;
pub use lang::Lang;
pub use place::{Amenity, PlaceKind};
pub use role::{AccountTies, Grants, HeldRole, Role, RoleKind};
pub use text::Text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_local_paths_are_followed() {
        for good in ["/", "/account", "/wishes?station=12&page=2", "/workshops?q=a:b"] {
            assert_eq!(local_path(good), Some(good), "{good}");
        }
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/phish",
            "/\0",
            "/a\r\nSet-Cookie: x",
            "/\u{7f}",
            "https://evil.example",
            "/javascript:alert(1)",
            "\\\\evil",
            " /account",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
