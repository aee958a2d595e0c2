//! The message catalogue: every string the portal shows, in zh-CN and en.
//!
//! The catalogues are TOML files embedded in the binary, one flat table of
//! `"area.key" = "text"` per language. `{name}` in a text is a placeholder
//! filled by [`tf`]. A test checks that both languages have the same keys
//! and that every key the templates use exists.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::domain::Lang;

const ZH: &str = include_str!("zh-CN.toml");
const EN: &str = include_str!("en.toml");

struct Catalogue {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

static CATALOGUE: LazyLock<Catalogue> =
    LazyLock::new(|| Catalogue { zh: parse(ZH, "zh-CN"), en: parse(EN, "en") });

fn parse(text: &str, name: &str) -> HashMap<String, String> {
    // The files are compiled in; the unit tests below parse them, so a
    // broken file fails the build's tests, never a running server.
    toml::from_str(text).unwrap_or_else(|e| panic!("message catalogue {name} is invalid: {e}"))
}

fn table(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Zh => &CATALOGUE.zh,
        Lang::En => &CATALOGUE.en,
    }
}

/// The text for `key` in `lang`. A missing key shows as the key itself
/// (and is logged), so a slip is visible but never breaks a page.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match table(lang).get(key) {
        Some(text) => text.as_str(),
        None => {
            tracing::error!(key, lang = lang.code(), "missing message catalogue key");
            // Leak-free: a static fallback that says what is missing.
            "⟨missing text⟩"
        }
    }
}

/// The text for `key` with each `{name}` replaced by its value.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut out = t(lang, key).to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A count in words: `{key}.one` (English "1 workshop found") when the
/// number shown is exactly 1 and the language has that form, else `key`
/// ("12 workshops found", "40+ workshops found"); `{n}` is `n` as shown.
pub fn tn(lang: Lang, key: &str, n: &str) -> String {
    let one = format!("{key}.one");
    let key = if n == "1" && has_key(lang, &one) { one.as_str() } else { key };
    tf(lang, key, &[("n", n)])
}

/// The catalogue's own `'static` copy of `key`, if the key exists.
pub fn static_key(key: &str) -> Option<&'static str> {
    CATALOGUE.zh.get_key_value(key).map(|(k, _)| k.as_str())
}

/// Every key of one language, for tests and tooling.
pub fn keys(lang: Lang) -> impl Iterator<Item = &'static str> {
    table(lang).keys().map(String::as_str)
}

pub fn has_key(lang: Lang, key: &str) -> bool {
    table(lang).contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Amenity, PlaceKind};
    use std::collections::BTreeSet;
    use std::path::Path;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh: BTreeSet<_> = keys(Lang::Zh).collect();
        let en: BTreeSet<_> = keys(Lang::En).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        // Chinese has no singular: English alone has `.one` forms, each
        // beside its plural.
        let only_en: Vec<_> = en
            .difference(&zh)
            .filter(|k| !k.strip_suffix(".one").is_some_and(|base| zh.contains(base)))
            .collect();
        assert!(only_zh.is_empty(), "keys only in zh-CN: {only_zh:?}");
        assert!(only_en.is_empty(), "keys only in en: {only_en:?}");
        for lang in Lang::ALL {
            for key in keys(lang) {
                assert!(!t(lang, key).trim().is_empty(), "{key} is empty in {}", lang.code());
            }
        }
    }

    /// Collects every `t("…")` and `tf("…"` key literal in a file, and
    /// every literal in a catalogue-only namespace (form errors, flash
    /// messages, ignored filters) wherever it stands.
    fn keys_used_in(text: &str, out: &mut BTreeSet<String>) {
        for prefix in
            ["\"form.", "\"flash.", "\"workshops.ignored.", "\"wishes.ignored.", "\"wish.refused."]
        {
            let mut rest = text;
            while let Some(pos) = rest.find(prefix) {
                let after = &rest[pos + 1..];
                let end = after.find('"').unwrap_or(0);
                let key = &after[..end];
                if !key.contains(' ') && !key.ends_with('.') {
                    out.insert(key.to_owned());
                }
                rest = &after[end..];
            }
        }
        for marker in ["t(\"", "tf(\"", "tn(\""] {
            let mut start = 0;
            while let Some(pos) = text[start..].find(marker) {
                let at = start + pos;
                let after = &text[at + marker.len()..];
                // `t(` must be a whole name (`ctx.t(`), not the end of `format(`.
                let whole = text[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if whole && let Some(end) = after.find('"') {
                    out.insert(after[..end].to_owned());
                }
                start = at + marker.len();
            }
        }
    }

    fn walk(dir: &Path, ext: &str, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                keys_used_in(&std::fs::read_to_string(&path).unwrap(), out);
            }
        }
    }

    #[test]
    fn every_key_used_exists() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        walk(&root.join("templates"), "html", &mut used);
        walk(&root.join("src"), "rs", &mut used);
        used.remove("…"); // the doc comment above
        assert!(used.len() > 20, "the scan found too few keys: {used:?}");
        for kind in PlaceKind::ALL {
            used.insert(kind.label_key().to_owned());
            used.insert(kind.group_key().to_owned());
        }
        for a in Amenity::ALL {
            used.insert(a.label_key());
        }
        for c in crate::domain::workshop::Category::ALL {
            used.insert(c.label_key().to_owned());
        }
        for s in crate::domain::workshop::Sort::ALL {
            used.insert(s.label_key().to_owned());
        }
        for s in crate::domain::workshop::SIGNUP_STATUSES {
            used.insert(crate::domain::workshop::signup_status_key(s).to_owned());
        }
        for s in crate::domain::wish::WishStatus::ALL {
            used.insert(s.label_key().to_owned());
        }
        for o in crate::domain::wish::Occupation::ALL {
            used.insert(o.label_key().to_owned());
        }
        for a in ["worker", "volunteer", "staff", "system"] {
            used.insert(crate::domain::wish::ActorKind::label_key(a).to_owned());
        }
        for r in crate::domain::RoleKind::ALL {
            used.insert(r.label_key().to_owned());
        }
        used.extend(crate::domain::device::all_label_keys());
        // The error pages build their keys from the status.
        for status in ["400", "403", "404", "405", "429", "500", "503"] {
            used.insert(format!("error.{status}.title"));
            used.insert(format!("error.{status}.message"));
        }
        let missing: Vec<_> =
            used.iter().filter(|k| !has_key(Lang::Zh, k) || !has_key(Lang::En, k)).collect();
        assert!(missing.is_empty(), "keys used but not in the catalogue: {missing:?}");
    }

    #[test]
    fn placeholders_are_filled() {
        let s = tf(Lang::En, "error.request_id", &[("id", "abc123")]);
        assert!(s.contains("abc123"), "{s}");
        assert!(!s.contains("{id}"));
    }
}
