//! Path parameters parsed once: `{id}` is a number, or the route answers
//! with the 404 page (a malformed id names nothing that exists).

use std::future::{Ready, ready};

use actix_web::dev::{Path, Payload, Url};
use actix_web::{FromRequest, HttpRequest};

use super::AppError;

/// The `{id}` of a route's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl Id {
    /// The `{id}` of a matched path (also for the access check, which runs
    /// before the handler).
    pub fn of(path: &Path<Url>) -> Result<Id, AppError> {
        path.get("id").and_then(|s| s.parse().ok()).map(Id).ok_or(AppError::NotFound)
    }
}

impl FromRequest for Id {
    type Error = actix_web::Error;
    type Future = Ready<Result<Id, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Id::of(req.match_info()).map_err(Into::into))
    }
}

/// A text segment of a route's path, taken as it is (a handler or the
/// domain parses it further). One extractor per name, so handlers never
/// take `web::Path` (clippy.toml forbids it).
macro_rules! segment {
    ($(#[$doc:meta])* $name:ident, $key:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl FromRequest for $name {
            type Error = actix_web::Error;
            type Future = Ready<Result<$name, actix_web::Error>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let found = req.match_info().get($key).map(|s| $name(s.to_owned()));
                ready(found.ok_or(AppError::NotFound).map_err(Into::into))
            }
        }
    };
}

segment!(
    /// The `{slug}` of a district or workshop.
    Slug,
    "slug"
);
segment!(
    /// The `{kind}` of a place in a path.
    Kind,
    "kind"
);
segment!(
    /// The `{what}` of a path: a kind of district content.
    What,
    "what"
);
segment!(
    /// The `{value}` of a path: one of a figure's values, by id.
    ValueId,
    "value"
);
segment!(
    /// The `{session}` of a path: one of an activity's sessions, by id
    /// (parsed by the handler).
    SessionId,
    "session"
);
segment!(
    /// The `{code}` of a path: a tracking code, a registration code, or a
    /// language code.
    Code,
    "code"
);
segment!(
    /// The `{token}` of a reset link.
    Token,
    "token"
);
segment!(
    /// The `{file}` of a static asset.
    File,
    "file"
);
segment!(
    /// The `{photo}` of a place's photo (its id, parsed by the handler).
    Photo,
    "photo"
);
segment!(
    /// The `{size}` of the text-size switch, or of a photo.
    Size,
    "size"
);

/// A query string read as `T` (a form of `Option<String>` fields): the
/// first value of each name, so a repeated name does not lose every
/// filter; a query that is not even pairs gives `T::default()`.
pub fn query<T: serde::de::DeserializeOwned + Default>(q: &str) -> T {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(q) else {
        return T::default();
    };
    let mut first: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        if !first.iter().any(|(seen, _)| *seen == k) {
            first.push((k, v));
        }
    }
    let again = serde_urlencoded::to_string(&first).unwrap_or_default();
    serde_urlencoded::from_str(&again).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::wish::WallParams;

    #[test]
    fn a_repeated_name_keeps_its_first_value_and_the_other_filters() {
        let p: WallParams = query("district=xihu&district=tonglu&page=2&utm_source=x");
        assert_eq!(p.district.as_deref(), Some("xihu"));
        assert_eq!(p.page.as_deref(), Some("2"));
        let none: WallParams = query("%zz");
        assert!(none.district.is_none());
    }
}
