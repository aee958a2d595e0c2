//! How numbers and dates read on the page.

use chrono::{DateTime, FixedOffset, Utc};

use super::Lang;

/// Beijing time, the only time zone the portal shows.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Groups the integer part in threes with commas (`5651` → `5,651`) and
/// keeps up to two decimals, without trailing zeros (`5.20` → `5.2`).
pub fn group_number(value: f64) -> String {
    let negative = value < 0.0;
    let rounded = (value.abs() * 100.0).round() / 100.0;
    let whole = rounded.trunc() as u64;
    let cents = ((rounded - rounded.trunc()) * 100.0).round() as u64;
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    if negative {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if cents > 0 {
        let frac = format!("{cents:02}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out
}

/// A large sum of money the way each language reads it: in Chinese by 万
/// and 亿 from 10,000 up (5,200,000 → 520万, 140,000,000 → 1.4亿), in
/// English by million and billion from a million up ("140 million").
/// None for smaller sums, and for sums the shorter form would round
/// (1,234,567 stays as it is): the short form is never less exact.
pub fn large_amount(lang: Lang, value: f64) -> Option<String> {
    let (scaled, word) = match lang {
        Lang::Zh if value >= 1e8 => (value / 1e8, "亿"),
        Lang::Zh if value >= 1e4 => (value / 1e4, "万"),
        Lang::En if value >= 1e9 => (value / 1e9, " billion"),
        Lang::En if value >= 1e6 => (value / 1e6, " million"),
        _ => return None,
    };
    let hundredths = scaled * 100.0;
    ((hundredths - hundredths.round()).abs() < 1e-6)
        .then(|| format!("{}{word}", group_number(scaled)))
}

/// A number as it is stored and typed back: up to four decimals, no
/// trailing zeros, no grouping (`5651.5`, `12`).
pub fn plain_number(value: f64) -> String {
    let s = format!("{value:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" { "0".to_owned() } else { s.to_owned() }
}

/// A count that may have stopped early: "1,000+" when there are more.
pub fn count_label(total: i64, more: bool) -> String {
    let n = group_number(total as f64);
    if more { format!("{n}+") } else { n }
}

pub fn today() -> chrono::NaiveDate {
    today_at(Utc::now())
}

/// The day it is in Beijing at `at`.
pub fn today_at(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&beijing()).date_naive()
}

/// A date in Beijing time, written the way each language writes dates.
pub fn date(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&beijing());
    match lang {
        Lang::Zh => local.format("%Y年%-m月%-d日").to_string(),
        Lang::En => local.format("%-d %b %Y").to_string(),
    }
}

/// The year in Beijing at `at`.
pub fn beijing_year(at: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&beijing()).year()
}

/// A calendar day written the way each language writes dates.
pub fn day(lang: Lang, d: chrono::NaiveDate) -> String {
    match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => d.format("%-d %B %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn large_sums_read_the_way_each_language_reads_them() {
        assert_eq!(large_amount(Lang::Zh, 140_000_000.0).as_deref(), Some("1.4亿"));
        assert_eq!(large_amount(Lang::Zh, 5_200_000.0).as_deref(), Some("520万"));
        assert_eq!(large_amount(Lang::Zh, 42_000.0).as_deref(), Some("4.2万"));
        assert_eq!(large_amount(Lang::Zh, 9_999.0), None);
        assert_eq!(large_amount(Lang::Zh, 1_234_567.0), None, "never rounded away");
        assert_eq!(large_amount(Lang::En, 140_000_000.0).as_deref(), Some("140 million"));
        assert_eq!(large_amount(Lang::En, 5_200_000.0).as_deref(), Some("5.2 million"));
        assert_eq!(large_amount(Lang::En, 2_500_000_000.0).as_deref(), Some("2.5 billion"));
        assert_eq!(large_amount(Lang::En, 300_000.0), None);
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group_number(171.0), "171");
        assert_eq!(group_number(5651.0), "5,651");
        assert_eq!(group_number(2699.0), "2,699");
        assert_eq!(group_number(15000.0), "15,000");
        assert_eq!(group_number(140_000_000.0), "140,000,000");
        assert_eq!(group_number(5.2), "5.2");
        assert_eq!(group_number(0.0), "0");
        assert_eq!(group_number(-1234.5), "-1,234.5");
    }

    #[test]
    fn dates_are_in_beijing_time() {
        // 2023-11-08 20:00 UTC is already 9 November in Hangzhou.
        let at = Utc.with_ymd_and_hms(2023, 11, 8, 20, 0, 0).unwrap();
        assert_eq!(date(Lang::Zh, at), "2023年11月9日");
        assert_eq!(date(Lang::En, at), "9 Nov 2023");
    }
}

/// How long ago, in words: "3天前" / "3 days ago".
pub fn age(lang: Lang, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    let (n, unit_zh, unit_en) = if secs < 3600 {
        ((secs / 60).max(1), "分钟前", "minute")
    } else if secs < 86_400 {
        (secs / 3600, "小时前", "hour")
    } else {
        (secs / 86_400, "天前", "day")
    };
    match lang {
        Lang::Zh => format!("{n}{unit_zh}"),
        Lang::En => format!("{n} {unit_en}{} ago", if n == 1 { "" } else { "s" }),
    }
}

/// A moment in Beijing time, `2026-11-29 09:30`.
pub fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod age_tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn ages_read_naturally() {
        let now = Utc::now();
        assert_eq!(age(Lang::Zh, now - Duration::days(3), now), "3天前");
        assert_eq!(age(Lang::En, now - Duration::days(1), now), "1 day ago");
        assert_eq!(age(Lang::En, now - Duration::hours(5), now), "5 hours ago");
        assert_eq!(age(Lang::Zh, now, now), "1分钟前");
    }
}
