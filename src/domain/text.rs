//! Curated text: Chinese always, English where someone wrote it.

use super::Lang;

/// A piece of curated text chosen for one language. When the English is
/// missing the Chinese is shown, and `fallback` says so; how that is marked
/// in a page (`lang="zh-CN"`) is the web side's business (`web::view::text`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// True when the text is the Chinese shown in place of missing English.
    pub fallback: bool,
}

impl Text {
    pub fn pick(lang: Lang, zh: &str, en: Option<&str>) -> Text {
        match (lang, en.map(str::trim).filter(|s| !s.is_empty())) {
            (Lang::En, Some(en)) => Text { text: en.to_owned(), fallback: false },
            (Lang::En, None) => Text { text: zh.to_owned(), fallback: true },
            (Lang::Zh, _) => Text { text: zh.to_owned(), fallback: false },
        }
    }

    /// Text a person typed, stored as typed: shown as it is, and marked
    /// as Chinese on an English page when it is written in Chinese.
    pub fn typed(lang: Lang, text: &str) -> Text {
        let han = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        Text { text: text.to_owned(), fallback: lang == Lang::En && han }
    }

    /// The bare text, for places that cannot hold markup (titles, attributes).
    pub fn plain(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_chinese() {
        let t = Text::pick(Lang::En, "拱墅区", None);
        assert!(t.fallback);
        assert_eq!(t.plain(), "拱墅区");
        assert!(Text::pick(Lang::En, "拱墅区", Some("  ")).fallback);
        let t = Text::pick(Lang::En, "拱墅区", Some("Gongshu"));
        assert_eq!((t.plain(), t.fallback), ("Gongshu", false));
        let t = Text::pick(Lang::Zh, "拱墅区", Some("Gongshu"));
        assert_eq!((t.plain(), t.fallback), ("拱墅区", false));
    }

    #[test]
    fn typed_chinese_is_marked_only_on_english_pages() {
        assert!(Text::typed(Lang::En, "送水").fallback);
        assert!(!Text::typed(Lang::Zh, "送水").fallback);
        assert!(!Text::typed(Lang::En, "water").fallback);
    }
}
