//! iCalendar (RFC 5545) as calendars read it: one VEVENT per activity, in
//! Beijing time (`TZID=Asia/Shanghai` with its VTIMEZONE), a recurring one
//! with its RRULE and an EXDATE for each day left out or cancelled; lines
//! folded at 75 octets, text escaped, CRLF line ends.

use chrono::{DateTime, NaiveDate, Utc};

use super::format::beijing;

/// One event of a calendar.
#[derive(Debug, Clone)]
pub struct Event {
    pub uid: String,
    /// When the event was last changed (DTSTAMP and LAST-MODIFIED).
    pub stamp: DateTime<Utc>,
    /// The first session's start and end.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Midnight to midnight: written as dates.
    pub all_day: bool,
    pub rrule: Option<String>,
    /// Sessions the rule would hold that do not take place (their starts).
    pub exdates: Vec<DateTime<Utc>>,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub url: String,
    /// Every session cancelled: STATUS:CANCELLED.
    pub cancelled: bool,
}

/// Text as a property value: backslash, semicolon, comma and newline escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y%m%dT%H%M%S").to_string()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A whole calendar: its name, and its events.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::with_capacity(512 + events.len() * 600);
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//linli//activities//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, "X-WR-TIMEZONE:Asia/Shanghai");
    // China keeps one offset all year, with no summer time since 1991.
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(&mut out, l);
    }
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{}", utc(e.stamp)));
        line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.stamp)));
        let today = |at: DateTime<Utc>| at.with_timezone(&beijing()).date_naive();
        if e.all_day {
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(today(e.start))));
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", day(today(e.end))));
        } else {
            line(&mut out, &format!("DTSTART;TZID=Asia/Shanghai:{}", local(e.start)));
            line(&mut out, &format!("DTEND;TZID=Asia/Shanghai:{}", local(e.end)));
        }
        if let Some(rule) = &e.rrule {
            line(&mut out, &format!("RRULE:{rule}"));
        }
        if !e.exdates.is_empty() {
            let dates: Vec<String> = if e.all_day {
                e.exdates.iter().map(|d| day(today(*d))).collect()
            } else {
                e.exdates.iter().map(|d| local(*d)).collect()
            };
            let head = if e.all_day { "EXDATE;VALUE=DATE:" } else { "EXDATE;TZID=Asia/Shanghai:" };
            line(&mut out, &format!("{head}{}", dates.join(",")));
        }
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        line(&mut out, &format!("LOCATION:{}", text(&e.location)));
        line(&mut out, &format!("URL:{}", e.url));
        if e.cancelled {
            line(&mut out, "STATUS:CANCELLED");
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lines_fold_between_characters_and_text_is_escaped() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", text(&"乐活空间,舞蹈;课\n".repeat(6))));
        for l in out.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert!(unfolded.starts_with("SUMMARY:乐活空间\\,舞蹈\\;课\\n"), "{unfolded}");
    }

    #[test]
    fn a_weekly_event_is_in_beijing_time_with_its_rule() {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
        let e = Event {
            uid: "activity-1@linli".into(),
            stamp: start,
            start,
            end: start + chrono::Duration::minutes(90),
            all_day: false,
            rrule: Some("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20261231T155959Z".into()),
            exdates: vec![Utc.with_ymd_and_hms(2026, 12, 24, 1, 0, 0).unwrap()],
            summary: "舞蹈课".into(),
            description: String::new(),
            location: "蔡马".into(),
            url: "http://x/activities/1".into(),
            cancelled: false,
        };
        let ics = calendar("邻里", &[e]);
        assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20261201T090000\r\n"), "{ics}");
        assert!(ics.contains("EXDATE;TZID=Asia/Shanghai:20261224T090000\r\n"));
        assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
