//! Curated text: Chinese always, English where someone wrote it.

use std::fmt;

use super::Lang;

/// A piece of curated text chosen for one language. When the English is
/// missing the Chinese is shown, and marked `lang="zh-CN"` so that screen
/// readers and browsers treat it as Chinese.
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

/// Writes `s` with the five HTML-significant characters escaped.
pub fn write_escaped(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    for c in s.chars() {
        match c {
            '&' => f.write_str("&amp;")?,
            '<' => f.write_str("&lt;")?,
            '>' => f.write_str("&gt;")?,
            '"' => f.write_str("&#34;")?,
            '\'' => f.write_str("&#39;")?,
            c => f.write_char(c)?,
        }
    }
    Ok(())
}

/// Renders as HTML: the escaped text, wrapped in `<span lang="zh-CN">`
/// when it stands in for missing English.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fallback {
            f.write_str("<span lang=\"zh-CN\">")?;
            write_escaped(f, &self.text)?;
            f.write_str("</span>")
        } else {
            write_escaped(f, &self.text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_marked_chinese() {
        let t = Text::pick(Lang::En, "拱墅区", None);
        assert!(t.fallback);
        assert_eq!(t.to_string(), "<span lang=\"zh-CN\">拱墅区</span>");
        let t = Text::pick(Lang::En, "拱墅区", Some("  "));
        assert!(t.fallback);
        let t = Text::pick(Lang::En, "拱墅区", Some("Gongshu"));
        assert_eq!(t.to_string(), "Gongshu");
        let t = Text::pick(Lang::Zh, "拱墅区", Some("Gongshu"));
        assert_eq!(t.to_string(), "拱墅区");
    }

    #[test]
    fn display_escapes_markup() {
        let t = Text::pick(Lang::Zh, "<b>\"&'", None);
        assert_eq!(t.to_string(), "&lt;b&gt;&#34;&amp;&#39;");
    }
}
