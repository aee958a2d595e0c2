//! Opening hours: a week of time spans, dated exceptions (holidays, a
//! special day), a closure "until" with a reason, and what follows from
//! them at a given moment in Beijing time ("open now", "opens at 8:00").
//!
//! Hours are typed the way a keeper writes them (`8:00-12:00, 14:00-18:00`,
//! `24小时`, full-width digits), stored in one canonical form, and a place
//! without published hours says so: it is never shown as open or closed.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};

/// A moment in Beijing time (see [`super::format::beijing`]).
pub type Local = DateTime<FixedOffset>;
use serde::{Deserialize, Serialize};

/// Minutes in a day: a span may close at 24:00.
const DAY: u16 = 24 * 60;

/// Open from `opens` to `closes`, in minutes since midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    pub opens: u16,
    pub closes: u16,
}

impl Span {
    fn contains(self, minute: u16) -> bool {
        self.opens <= minute && minute < self.closes
    }
}

fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Why a day's hours were not understood (a catalogue key).
pub const BAD_SPANS: &str = "form.hours.invalid";

/// Full-width digits, colons and dashes as their ASCII forms; other
/// dashes and "至/到" as `-`; the Chinese comma and semicolons as `,`.
fn normalise(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '：' => ':',
            '－' | '—' | '–' | '~' | '～' | '〜' | '至' | '到' => '-',
            '，' | '、' | ';' | '；' => ',',
            other => other,
        })
        .collect()
}

pub(crate) fn parse_clock(s: &str) -> Option<u16> {
    let s = s.trim();
    let (h, m) = match s.split_once(':') {
        Some((h, m)) => (h, m),
        None if s.len() <= 2 => (s, "0"),
        None => return None,
    };
    let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    let minutes = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && minutes <= DAY).then_some(minutes)
}

/// One day's spans as typed: empty (closed that day), `24小时`/`24h`, or
/// spans like `8:00-12:00, 14:00-18:00`, in order and not overlapping.
pub fn parse_spans(typed: &str) -> Result<Vec<Span>, &'static str> {
    let text = normalise(typed);
    let lower = text.to_lowercase();
    if text.is_empty() || ["休息", "闭馆", "不开放", "closed"].contains(&lower.as_str()) {
        return Ok(Vec::new());
    }
    if ["24小时", "24小时开放", "24h", "24 hours", "全天"].contains(&lower.as_str()) {
        return Ok(vec![Span { opens: 0, closes: DAY }]);
    }
    let mut spans = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').ok_or(BAD_SPANS)?;
        let span = Span {
            opens: parse_clock(a).ok_or(BAD_SPANS)?,
            closes: parse_clock(b).ok_or(BAD_SPANS)?,
        };
        if span.opens >= span.closes {
            return Err("form.hours.backwards");
        }
        if spans.last().is_some_and(|last: &Span| last.closes > span.opens) {
            return Err("form.hours.overlap");
        }
        spans.push(span);
    }
    Ok(spans)
}

/// A day's spans in the canonical written form (`08:00-12:00, 14:00-18:00`;
/// empty when closed).
pub fn write_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| format!("{}-{}", clock(s.opens), clock(s.closes)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A day's spans for reading (`08:00–12:00、14:00–18:00`, `24小时`), or
/// `None` when closed that day.
pub fn show_spans(spans: &[Span], all_day: &str) -> Option<String> {
    match spans {
        [] => None,
        [Span { opens: 0, closes: DAY }] => Some(all_day.to_owned()),
        _ => Some(
            spans
                .iter()
                .map(|s| format!("{}–{}", clock(s.opens), clock(s.closes)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// The seven days from Monday, each with its spans (none: closed that day).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week(pub [Vec<Span>; 7]);

/// Days of a week, Monday first, as their field names.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Week {
    /// Stored form: seven canonical day texts, Monday first, as JSON.
    pub fn to_stored(&self) -> String {
        let days: Vec<String> = self.0.iter().map(|d| write_spans(d)).collect();
        serde_json::to_string(&days).expect("strings serialise")
    }

    /// The stored form back; `None` for anything unreadable.
    pub fn from_stored(stored: &str) -> Option<Week> {
        let days: Vec<String> = serde_json::from_str(stored).ok()?;
        let parsed: Vec<Vec<Span>> =
            days.iter().map(|d| parse_spans(d).ok()).collect::<Option<_>>()?;
        let days: [Vec<Span>; 7] = parsed.try_into().ok()?;
        Some(Week(days))
    }

    fn day(&self, date: NaiveDate) -> &[Span] {
        &self.0[date.weekday().num_days_from_monday() as usize]
    }
}

/// Different hours (or closed) from `from` to `to`, both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day's hours in canonical form; empty: closed.
    pub hours: String,
    pub note_zh: String,
    #[serde(default)]
    pub note_en: String,
}

impl Exception {
    pub fn spans(&self) -> Vec<Span> {
        parse_spans(&self.hours).unwrap_or_default()
    }

    fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// How many exceptions a place keeps.
pub const MAX_EXCEPTIONS: usize = 8;

pub fn exceptions_to_stored(list: &[Exception]) -> String {
    serde_json::to_string(list).expect("exceptions serialise")
}

pub fn exceptions_from_stored(stored: &str) -> Vec<Exception> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// A place's hours as the public sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hours {
    /// `None`: the hours are not published.
    pub week: Option<Week>,
    pub exceptions: Vec<Exception>,
    /// Closed until the end of this day (a closure starts when it is set).
    pub closed_until: Option<NaiveDate>,
}

/// What a reader is told about a place at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenState {
    /// The place is out of service (closed by its district).
    OutOfService,
    /// Closed until the end of this day, for the reason given with it.
    ClosedUntil(NaiveDate),
    /// Open now, until this time today (`None`: round the clock).
    Open { until: Option<NaiveTime> },
    /// Closed now; opens next on this day at this time (within a week).
    Closed { next: Option<Local> },
    /// No hours are published: neither open nor closed is said.
    Unknown,
}

impl Hours {
    /// The spans of `date`: its exception if one covers it, else its
    /// weekday's; `None` when no hours are published.
    pub fn day(&self, date: NaiveDate) -> Option<Vec<Span>> {
        if let Some(e) = self.exceptions.iter().find(|e| e.covers(date)) {
            return Some(e.spans());
        }
        self.week.as_ref().map(|w| w.day(date).to_vec())
    }

    /// Whether the place is open at `now` (Beijing time), and what follows.
    pub fn state_at(&self, in_service: bool, now: Local) -> OpenState {
        let today = now.date_naive();
        if !in_service {
            return OpenState::OutOfService;
        }
        if let Some(until) = self.closed_until.filter(|u| *u >= today) {
            return OpenState::ClosedUntil(until);
        }
        let Some(spans) = self.day(today) else {
            return OpenState::Unknown;
        };
        let minute = (now.hour() * 60 + now.minute()) as u16;
        if let Some(span) = spans.iter().find(|s| s.contains(minute)) {
            let until = self.runs_until(today, span.closes);
            return OpenState::Open { until };
        }
        OpenState::Closed { next: self.next_opening(now) }
    }

    /// When a span closing at `closes` on `date` really ends: a span to
    /// 24:00 runs on into the next day's from 00:00 (`None`: round the clock).
    fn runs_until(&self, date: NaiveDate, closes: u16) -> Option<NaiveTime> {
        if closes < DAY {
            return NaiveTime::from_hms_opt(u32::from(closes / 60), u32::from(closes % 60), 0);
        }
        let next = self.day(date + Duration::days(1)).unwrap_or_default();
        match next.first() {
            Some(s) if s.opens == 0 && s.closes == DAY => None,
            Some(s) if s.opens == 0 => {
                NaiveTime::from_hms_opt(u32::from(s.closes / 60), u32::from(s.closes % 60), 0)
            }
            _ => NaiveTime::from_hms_opt(0, 0, 0),
        }
    }

    /// The next time the place opens after `now`, within the coming week.
    fn next_opening(&self, now: Local) -> Option<Local> {
        let minute = (now.hour() * 60 + now.minute()) as u16;
        (0..8).find_map(|offset| {
            let date = now.date_naive() + Duration::days(offset);
            if self.closed_until.is_some_and(|u| date <= u) {
                return None;
            }
            let spans = self.day(date)?;
            let span = spans.iter().find(|s| offset > 0 || s.opens > minute)?;
            let at = date.and_hms_opt(u32::from(span.opens / 60), u32::from(span.opens % 60), 0)?;
            now.timezone().from_local_datetime(&at).single()
        })
    }

    /// The exceptions that are not over by `today`, soonest first.
    pub fn coming_exceptions(&self, today: NaiveDate) -> Vec<&Exception> {
        let mut list: Vec<&Exception> = self.exceptions.iter().filter(|e| e.to >= today).collect();
        list.sort_by_key(|e| e.from);
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> Local {
        DateTime::parse_from_str(&format!("{date} {time} +0800"), "%Y-%m-%d %H:%M %z").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn week(days: [&str; 7]) -> Week {
        Week(days.map(|t| parse_spans(t).unwrap()))
    }

    #[test]
    fn hours_are_read_as_keepers_write_them() {
        let s = parse_spans("８：００－１２：００，14:00至18:00").unwrap();
        assert_eq!(write_spans(&s), "08:00-12:00, 14:00-18:00");
        assert_eq!(write_spans(&parse_spans("8-17").unwrap()), "08:00-17:00");
        assert_eq!(write_spans(&parse_spans("24小时").unwrap()), "00:00-24:00");
        assert!(parse_spans("  ").unwrap().is_empty());
        assert!(parse_spans("休息").unwrap().is_empty());
        assert_eq!(parse_spans("18:00-08:00"), Err("form.hours.backwards"));
        assert_eq!(parse_spans("8:00-12:00, 11:00-13:00"), Err("form.hours.overlap"));
        assert_eq!(parse_spans("8:75-12:00"), Err(BAD_SPANS));
        assert_eq!(parse_spans("25:00-26:00"), Err(BAD_SPANS));
        assert_eq!(parse_spans("morning"), Err(BAD_SPANS));
        assert_eq!(show_spans(&parse_spans("0-24").unwrap(), "24小时").unwrap(), "24小时");
    }

    #[test]
    fn weeks_round_trip_through_their_stored_form() {
        let w = week(["8-18", "8-18", "8-18", "8-18", "8-18", "9:30-12:00", ""]);
        assert_eq!(Week::from_stored(&w.to_stored()), Some(w));
        assert_eq!(Week::from_stored("not json"), None);
        assert_eq!(Week::from_stored("[\"8-18\"]"), None, "seven days or nothing");
    }

    #[test]
    fn open_now_follows_the_week_in_beijing_time() {
        // 2026-12-02 is a Wednesday.
        let h = Hours {
            week: Some(week(["8-12, 14-18", "8-12, 14-18", "8-12, 14-18", "", "", "", ""])),
            ..Hours::default()
        };
        let until = NaiveTime::from_hms_opt(12, 0, 0);
        assert_eq!(h.state_at(true, at("2026-12-02", "09:15")), OpenState::Open { until });
        assert_eq!(
            h.state_at(true, at("2026-12-02", "12:00")),
            OpenState::Closed { next: Some(at("2026-12-02", "14:00")) },
            "closed over lunch, opens again at two"
        );
        assert_eq!(
            h.state_at(true, at("2026-12-02", "18:30")),
            OpenState::Closed { next: Some(at("2026-12-07", "08:00")) },
            "after Wednesday it opens on Monday"
        );
        assert_eq!(h.state_at(false, at("2026-12-02", "09:15")), OpenState::OutOfService);
        assert_eq!(Hours::default().state_at(true, at("2026-12-02", "09:15")), OpenState::Unknown);
    }

    #[test]
    fn exceptions_and_closures_come_before_the_week() {
        let mut h = Hours {
            week: Some(week(["8-18"; 7])),
            exceptions: vec![Exception {
                from: d("2026-10-01"),
                to: d("2026-10-03"),
                hours: String::new(),
                note_zh: "国庆休息".into(),
                note_en: String::new(),
            }],
            closed_until: None,
        };
        assert_eq!(
            h.state_at(true, at("2026-10-02", "10:00")),
            OpenState::Closed { next: Some(at("2026-10-04", "08:00")) }
        );
        assert_eq!(h.coming_exceptions(d("2026-10-03")).len(), 1);
        assert!(h.coming_exceptions(d("2026-10-04")).is_empty());
        h.closed_until = Some(d("2026-12-02"));
        assert_eq!(
            h.state_at(true, at("2026-12-02", "10:00")),
            OpenState::ClosedUntil(d("2026-12-02"))
        );
        assert_eq!(
            h.state_at(true, at("2026-12-03", "10:00")),
            OpenState::Open { until: NaiveTime::from_hms_opt(18, 0, 0) },
            "a closure ends with its day"
        );
        // Exceptions alone publish no hours for other days.
        let only = Hours { week: None, ..h };
        assert_eq!(only.state_at(true, at("2026-12-05", "10:00")), OpenState::Unknown);
    }

    #[test]
    fn round_the_clock_runs_on_across_midnight() {
        let h = Hours { week: Some(week(["24小时"; 7])), ..Hours::default() };
        assert_eq!(h.state_at(true, at("2026-12-02", "23:59")), OpenState::Open { until: None });
        let late = Hours {
            week: Some(week(["18:00-24:00", "0:00-2:00", "", "", "", "", ""])),
            ..Hours::default()
        };
        assert_eq!(
            late.state_at(true, at("2026-11-30", "23:00")),
            OpenState::Open { until: NaiveTime::from_hms_opt(2, 0, 0) }
        );
    }
}
