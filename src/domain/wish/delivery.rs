//! How a claimed gift reaches the worker, agreed by the volunteer when
//! claiming: left at the station for her to pick up, handed over at the
//! station at a day and time, or another way in a short note.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Deserialize;

use crate::domain::FormErrors;
use crate::domain::format::beijing;
use crate::domain::hours::parse_clock;
use crate::domain::place_edit::parse_date;

/// The longest "another way" note.
pub const NOTE_MAX: usize = 100;
/// How far ahead a hand-over may be agreed.
pub const DAYS_AHEAD: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Left at the station for the worker to pick up.
    Station,
    /// Handed over at the station, at this moment.
    Handover { at: DateTime<Utc> },
    /// Another way, as the note says.
    Other { note: String },
}

impl Delivery {
    /// The choices, in the form's order.
    pub const CODES: [&'static str; 3] = ["station", "handover", "other"];

    pub fn code(&self) -> &'static str {
        match self {
            Delivery::Station => "station",
            Delivery::Handover { .. } => "handover",
            Delivery::Other { .. } => "other",
        }
    }

    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Delivery::Handover { at } => Some(*at),
            _ => None,
        }
    }

    pub fn note(&self) -> Option<&str> {
        match self {
            Delivery::Other { note } => Some(note),
            _ => None,
        }
    }

    /// From the stored columns (none when the wish has no plan: claimed
    /// before plans were asked, or not claimed).
    pub fn stored(
        code: Option<&str>,
        at: Option<DateTime<Utc>>,
        note: Option<&str>,
    ) -> Option<Delivery> {
        match (code?, at, note) {
            ("station", _, _) => Some(Delivery::Station),
            ("handover", Some(at), _) => Some(Delivery::Handover { at }),
            ("other", _, Some(note)) => Some(Delivery::Other { note: note.to_owned() }),
            _ => None,
        }
    }
}

/// The claim form: the way chosen and, for a hand-over, its day and time;
/// for another way, its note.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ClaimInput {
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub note: String,
}

impl ClaimInput {
    /// The plan, or what is wrong at each field. A hand-over is at a day
    /// from today (Beijing time) to [`DAYS_AHEAD`] days on, and not in the
    /// past.
    pub fn parse(&self, now: DateTime<Utc>) -> Result<Delivery, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("day", &self.day), ("time", &self.time), ("note", &self.note)]);
        if !e.is_empty() {
            return Err(e);
        }
        let plan = match self.delivery.trim() {
            "station" => Some(Delivery::Station),
            "handover" => handover(&mut e, &self.day, &self.time, now),
            "other" => {
                let note = self.note.trim();
                let n = note.chars().count();
                if n < 2 {
                    e.add("note", "form.claim.note_required");
                } else if n > NOTE_MAX {
                    e.add("note", "form.claim.note_too_long");
                }
                Some(Delivery::Other { note: note.to_owned() })
            }
            _ => {
                e.add("delivery", "form.claim.delivery_required");
                None
            }
        };
        match plan {
            Some(plan) if e.is_empty() => Ok(plan),
            _ => Err(e),
        }
    }
}

fn handover(e: &mut FormErrors, day: &str, time: &str, now: DateTime<Utc>) -> Option<Delivery> {
    let today = now.with_timezone(&beijing()).date_naive();
    let day: Option<NaiveDate> = match parse_date(day) {
        None => {
            e.add("day", "form.claim.day_invalid");
            None
        }
        Some(d) if d < today => {
            e.add("day", "form.claim.day_past");
            None
        }
        Some(d) if d > today + Duration::days(DAYS_AHEAD) => {
            e.add("day", "form.claim.day_far");
            None
        }
        Some(d) => Some(d),
    };
    let minutes = parse_clock(&time.replace('：', ":")).filter(|m| *m < 24 * 60);
    if minutes.is_none() {
        e.add("time", "form.claim.time_invalid");
    }
    let at =
        beijing().from_local_datetime(&day?.and_hms_opt(0, 0, 0)?).single()?.with_timezone(&Utc)
            + Duration::minutes(i64::from(minutes?));
    if at < now {
        e.add("time", "form.claim.time_past");
    }
    Some(Delivery::Handover { at })
}

/// How many days before a claim lapses its station's staff see it as
/// overdue, to chase the volunteer while there is time.
pub const OVERDUE_BEFORE_LAPSE_DAYS: i64 = 2;

/// Claims held since before this moment are overdue: within
/// [`OVERDUE_BEFORE_LAPSE_DAYS`] of lapsing, and held a day at least.
pub fn overdue_held_before(now: DateTime<Utc>, lapse_days: i64) -> DateTime<Utc> {
    now - Duration::days((lapse_days - OVERDUE_BEFORE_LAPSE_DAYS).max(1))
}

/// Whether a claim is overdue: held nearly until it lapses, or past the
/// agreed hand-over, and its gift not yet taken in at the station (then
/// the volunteer's part is done). The staff lists sort by the same terms.
pub fn is_overdue(
    claimed_at: Option<DateTime<Utc>>,
    handover_at: Option<DateTime<Utc>>,
    at_station: bool,
    now: DateTime<Utc>,
    lapse_days: i64,
) -> bool {
    !at_station
        && (claimed_at.is_some_and(|c| c < overdue_held_before(now, lapse_days))
            || handover_at.is_some_and(|a| a < now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(delivery: &str, day: &str, time: &str, note: &str) -> ClaimInput {
        ClaimInput {
            delivery: delivery.into(),
            day: day.into(),
            time: time.into(),
            note: note.into(),
        }
    }

    #[test]
    fn each_way_and_what_it_needs() {
        // 2026-12-03 10:00 in Beijing.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        assert_eq!(input("station", "", "", "").parse(now), Ok(Delivery::Station));
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 6, 30, 0).unwrap();
        assert_eq!(
            input("handover", "2026-12-05", "14:30", "").parse(now),
            Ok(Delivery::Handover { at })
        );
        assert_eq!(
            input("handover", "2026年12月5日", "14：30", "").parse(now),
            Ok(Delivery::Handover { at })
        );
        let other = input("other", "", "", " 快递寄到她单位 ").parse(now).unwrap();
        assert_eq!(other, Delivery::Other { note: "快递寄到她单位".into() });
        let err = |i: ClaimInput, field: &str| i.parse(now).unwrap_err().get(field);
        assert_eq!(err(input("", "", "", ""), "delivery"), Some("form.claim.delivery_required"));
        assert_eq!(
            err(input("post", "", "", ""), "delivery"),
            Some("form.claim.delivery_required")
        );
        assert_eq!(
            err(input("handover", "明天", "14:30", ""), "day"),
            Some("form.claim.day_invalid")
        );
        assert_eq!(
            err(input("handover", "2026-12-02", "14:30", ""), "day"),
            Some("form.claim.day_past")
        );
        assert_eq!(
            err(input("handover", "2027-01-03", "14:30", ""), "day"),
            Some("form.claim.day_far")
        );
        assert_eq!(
            err(input("handover", "2026-12-05", "25:00", ""), "time"),
            Some("form.claim.time_invalid")
        );
        // Today, an hour ago.
        assert_eq!(
            err(input("handover", "2026-12-03", "9:00", ""), "time"),
            Some("form.claim.time_past")
        );
        assert_eq!(err(input("other", "", "", "寄"), "note"), Some("form.claim.note_required"));
        let long = "寄".repeat(NOTE_MAX + 1);
        assert_eq!(err(input("other", "", "", &long), "note"), Some("form.claim.note_too_long"));
    }

    #[test]
    fn stored_plans_read_back() {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 6, 30, 0).unwrap();
        for d in
            [Delivery::Station, Delivery::Handover { at }, Delivery::Other { note: "寄".into() }]
        {
            assert_eq!(Delivery::stored(Some(d.code()), d.at(), d.note()), Some(d));
        }
        assert_eq!(Delivery::stored(None, None, None), None);
        assert_eq!(Delivery::stored(Some("handover"), None, None), None);
    }

    #[test]
    fn overdue_claims() {
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 2, 0, 0).unwrap();
        let days = |n: i64| Some(now - Duration::days(n));
        // Lapsing after 7 days: overdue from the fifth day held.
        assert!(!is_overdue(days(4), None, false, now, 7));
        assert!(is_overdue(days(5).map(|d| d - Duration::minutes(1)), None, false, now, 7));
        // A hand-over that has passed, however fresh the claim.
        assert!(is_overdue(days(0), Some(now - Duration::hours(1)), false, now, 7));
        assert!(!is_overdue(days(0), Some(now + Duration::hours(1)), false, now, 7));
        // Taken in at the station: the volunteer's part is done.
        assert!(!is_overdue(days(6), None, true, now, 7));
        // Short lapses still leave a day.
        assert!(!is_overdue(Some(now - Duration::hours(20)), None, false, now, 2));
        assert!(is_overdue(Some(now - Duration::hours(25)), None, false, now, 2));
        assert!(!is_overdue(None, None, false, now, 7));
    }
}
