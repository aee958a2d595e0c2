//! How curated [`Text`] is written into a page: escaped, and wrapped in
//! `<span lang="zh-CN">` when Chinese stands in for missing English (so
//! that screen readers and browsers treat it as Chinese). The domain only
//! says *that* a text is a fallback; the markup lives here.

use std::fmt;

use askama::filters::HtmlSafe;

use crate::domain::Text;

/// Writes `s` with the five HTML-significant characters escaped.
fn write_escaped(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
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

/// Renders as HTML: the escaped text, marked when it is a fallback.
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

/// `Text` writes its own escaping (and its `lang` mark), so templates must
/// not escape it again. A test in `tests/pages.rs` checks a `<` in content
/// comes out escaped exactly once.
impl HtmlSafe for Text {}

#[cfg(test)]
mod tests {
    use crate::domain::{Lang, Text};

    #[test]
    fn english_falls_back_to_marked_chinese() {
        let t = Text::pick(Lang::En, "拱墅区", None);
        assert_eq!(t.to_string(), "<span lang=\"zh-CN\">拱墅区</span>");
        let t = Text::pick(Lang::En, "拱墅区", Some("Gongshu"));
        assert_eq!(t.to_string(), "Gongshu");
        let t = Text::pick(Lang::Zh, "拱墅区", Some("Gongshu"));
        assert_eq!(t.to_string(), "拱墅区");
    }

    #[test]
    fn display_escapes_markup() {
        let t = Text::pick(Lang::Zh, "<b>\"&'", None);
        assert_eq!(t.to_string(), "&lt;b&gt;&#34;&amp;&#39;");
        let t = Text::pick(Lang::En, "<i>", None);
        assert_eq!(t.to_string(), "<span lang=\"zh-CN\">&lt;i&gt;</span>");
    }
}
