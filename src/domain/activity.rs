//! Activities: classes, service days, contests, trainings, talks and health
//! checks at a time and place. An activity has sessions (one, or a weekly
//! rule with exceptions, computed in Beijing time); each session has its
//! own places. People sign up without an account; when a session is full
//! they join its waiting list, which moves up in order as others cancel.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::Deserialize;

use super::FormErrors;
use super::account::Phone;
use super::format::beijing;

/// What kind of activity it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Class,
    ServiceDay,
    Contest,
    Training,
    Talk,
    HealthCheck,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Class,
        Kind::ServiceDay,
        Kind::Contest,
        Kind::Training,
        Kind::Talk,
        Kind::HealthCheck,
        Kind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Class => "class",
            Kind::ServiceDay => "service_day",
            Kind::Contest => "contest",
            Kind::Training => "training",
            Kind::Talk => "talk",
            Kind::HealthCheck => "health_check",
            Kind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Kind::Class => "activity.kind.class",
            Kind::ServiceDay => "activity.kind.service_day",
            Kind::Contest => "activity.kind.contest",
            Kind::Training => "activity.kind.training",
            Kind::Talk => "activity.kind.talk",
            Kind::HealthCheck => "activity.kind.health_check",
            Kind::Other => "activity.kind.other",
        }
    }
}

/// Whom an activity is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    Elderly,
    OutdoorWorkers,
    Youth,
    Enterprises,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Audience::Everyone,
        Audience::Elderly,
        Audience::OutdoorWorkers,
        Audience::Youth,
        Audience::Enterprises,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::Elderly => "elderly",
            Audience::OutdoorWorkers => "outdoor_workers",
            Audience::Youth => "youth",
            Audience::Enterprises => "enterprises",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Audience::Everyone => "activity.audience.everyone",
            Audience::Elderly => "activity.audience.elderly",
            Audience::OutdoorWorkers => "activity.audience.outdoor_workers",
            Audience::Youth => "activity.audience.youth",
            Audience::Enterprises => "activity.audience.enterprises",
        }
    }
}

/// How people take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupRule {
    /// No sign-up: just come.
    None,
    /// Sign up for one of a session's places; when they are gone, it is full.
    Places,
    /// As `Places`, and when they are gone people join a waiting list.
    Waitlist,
}

impl SignupRule {
    pub fn code(self) -> &'static str {
        match self {
            SignupRule::None => "none",
            SignupRule::Places => "places",
            SignupRule::Waitlist => "waitlist",
        }
    }

    pub fn parse(s: &str) -> Option<SignupRule> {
        [SignupRule::None, SignupRule::Places, SignupRule::Waitlist]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// The note a session's registrants read when a keeper's new schedule
/// leaves its day out (Chinese, English).
pub const SCHEDULE_CHANGED: (&str, &str) = (
    "活动时间安排改了，这一次不再举行。",
    "The schedule changed: this session no longer takes place.",
);

/// The most sessions one activity holds (a year of a class twice a week
/// fits, with room).
pub const SESSIONS_MAX: usize = 160;

/// When an activity's sessions are: once on `first_day`, or on `weekdays`
/// every `every_weeks` weeks from the week of `first_day` until `until`,
/// leaving out the days in `except`; each from its start to its end time,
/// Beijing time, or all day when no times are given (a reported event
/// whose hours were not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub first_day: NaiveDate,
    /// Monday first; empty: one session, on `first_day`.
    pub weekdays: Vec<Weekday>,
    pub every_weeks: u32,
    pub until: Option<NaiveDate>,
    /// Start and end; `None`: all day.
    pub times: Option<(NaiveTime, NaiveTime)>,
    pub except: Vec<NaiveDate>,
}

/// A session's start and end.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// A moment of a day in Beijing time (which keeps no summer time).
pub fn at_beijing(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    match beijing().from_local_datetime(&day.and_time(time)) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        _ => Utc.from_utc_datetime(&(day.and_time(time) - Duration::hours(8))),
    }
}

impl Schedule {
    /// Whether it repeats (a weekly rule) rather than happening once.
    pub fn recurs(&self) -> bool {
        !self.weekdays.is_empty()
    }

    /// The days it happens on, in order (one past [`SESSIONS_MAX`] at
    /// most: a schedule with more is refused).
    pub fn days(&self) -> Vec<NaiveDate> {
        if !self.recurs() {
            return if self.except.contains(&self.first_day) {
                vec![]
            } else {
                vec![self.first_day]
            };
        }
        let until = self.until.unwrap_or(self.first_day);
        let every = i64::from(self.every_weeks.max(1));
        let week_of =
            |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
        let first_week = week_of(self.first_day);
        let mut out = Vec::new();
        let mut day = self.first_day;
        while day <= until && out.len() <= SESSIONS_MAX {
            let weeks = (week_of(day) - first_week).num_days() / 7;
            if weeks % every == 0
                && self.weekdays.contains(&day.weekday())
                && !self.except.contains(&day)
            {
                out.push(day);
            }
            day += Duration::days(1);
        }
        out
    }

    /// Each session's start and end (all day: midnight to midnight).
    pub fn sessions(&self) -> Vec<Span> {
        self.days()
            .into_iter()
            .map(|d| match self.times {
                Some((start, end)) => (at_beijing(d, start), at_beijing(d, end)),
                None => (
                    at_beijing(d, NaiveTime::MIN),
                    at_beijing(d + Duration::days(1), NaiveTime::MIN),
                ),
            })
            .collect()
    }

    /// The rule as RFC 5545 writes it (`FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;
    /// UNTIL=…`), for a recurring schedule.
    pub fn rrule(&self) -> Option<String> {
        if !self.recurs() {
            return None;
        }
        let days: Vec<&str> = self
            .weekdays
            .iter()
            .map(|d| match d {
                Weekday::Mon => "MO",
                Weekday::Tue => "TU",
                Weekday::Wed => "WE",
                Weekday::Thu => "TH",
                Weekday::Fri => "FR",
                Weekday::Sat => "SA",
                Weekday::Sun => "SU",
            })
            .collect();
        let mut rule = format!("FREQ=WEEKLY;WKST=MO;BYDAY={}", days.join(","));
        if self.every_weeks > 1 {
            rule.push_str(&format!(";INTERVAL={}", self.every_weeks));
        }
        // UNTIL takes DTSTART's type: a date for an all-day event, else a
        // UTC moment (DTSTART has a time zone), the end of the last day.
        let until = self.until.unwrap_or(self.first_day);
        if self.times.is_none() {
            rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%d")));
        } else {
            let last = at_beijing(until, NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
            rule.push_str(&format!(";UNTIL={}", last.format("%Y%m%dT%H%M%SZ")));
        }
        Some(rule)
    }

    /// Reads a schedule as a keeper or the demo content writes it: a first
    /// day (`2026-12-01`), weekdays (`tue thu`, or `二 四`; none: once),
    /// every how many weeks, a last day, times (`9:00`, `10:30`) and days
    /// left out; a message at each wrong field.
    pub fn parse(input: &ScheduleInput, today: NaiveDate) -> Result<Schedule, FormErrors> {
        let mut e = FormErrors::new();
        let day = plain_day;
        let first_day = day(&input.first_day);
        if first_day.is_none() {
            e.add("first_day", "form.activity.day_invalid");
        }
        let time = |s: &str| {
            let s = s.trim().replace('：', ":");
            NaiveTime::parse_from_str(&s, "%H:%M").ok()
        };
        let all_day = input.start.trim().is_empty() && input.end.trim().is_empty();
        let (start, end) = (time(&input.start), time(&input.end));
        if !all_day {
            if start.is_none() {
                e.add("start", "form.activity.time_invalid");
            }
            match (start, end) {
                (_, None) => e.add("end", "form.activity.time_invalid"),
                (Some(s), Some(t)) if t <= s => e.add("end", "form.activity.end_before_start"),
                _ => {}
            }
        }
        let times = start.zip(end).filter(|_| !all_day);
        let mut weekdays = Vec::new();
        for word in input.weekdays.split([' ', ',', '，', '、']).filter(|w| !w.is_empty()) {
            match weekday(word) {
                Some(d) if !weekdays.contains(&d) => weekdays.push(d),
                Some(_) => {}
                None => {
                    e.add("weekdays", "form.activity.weekdays_invalid");
                    break;
                }
            }
        }
        weekdays.sort_by_key(Weekday::num_days_from_monday);
        let every_weeks = match input.every_weeks.trim() {
            "" | "1" => 1,
            "2" => 2,
            _ => {
                e.add("every_weeks", "form.activity.every_invalid");
                1
            }
        };
        let until = match input.until.trim() {
            "" => None,
            s => {
                let d = day(s);
                if d.is_none() {
                    e.add("until", "form.activity.day_invalid");
                }
                d
            }
        };
        if !weekdays.is_empty() && input.until.trim().is_empty() {
            e.add("until", "form.activity.until_required");
        }
        if let (Some(first), Some(until)) = (first_day, until) {
            if until < first {
                e.add("until", "form.activity.until_before_first");
            } else if until > first + Duration::days(400) {
                e.add("until", "form.activity.until_too_far");
            }
        }
        let mut except = Vec::new();
        for word in
            input.except.split([' ', ',', '，', '、', '\n']).filter(|w| !w.trim().is_empty())
        {
            match day(word) {
                Some(d) => except.push(d),
                None => {
                    e.add("except", "form.activity.except_invalid");
                    break;
                }
            }
        }
        if let Some(first) = first_day
            && today.checked_sub_signed(Duration::days(366)).is_some_and(|limit| first < limit)
        {
            e.add("first_day", "form.activity.too_long_ago");
        }
        match first_day {
            Some(first_day) if e.is_empty() => {
                let schedule = Schedule { first_day, weekdays, every_weeks, until, times, except };
                let days = schedule.days().len();
                if days == 0 {
                    e.add("weekdays", "form.activity.no_sessions");
                    return Err(e);
                }
                if days > SESSIONS_MAX {
                    e.add("until", "form.activity.too_many_sessions");
                    return Err(e);
                }
                Ok(schedule)
            }
            _ => Err(e),
        }
    }

    /// The schedule in the words its form takes (what [`Schedule::parse`]
    /// reads back to the same schedule).
    pub fn to_input(&self) -> ScheduleInput {
        let day = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        ScheduleInput {
            first_day: day(&self.first_day),
            weekdays: self
                .weekdays
                .iter()
                .map(|d| d.to_string().to_lowercase())
                .collect::<Vec<_>>()
                .join(" "),
            every_weeks: self.every_weeks.to_string(),
            until: self.until.as_ref().map(day).unwrap_or_default(),
            start: self.times.map(|(s, _)| s.format("%H:%M").to_string()).unwrap_or_default(),
            end: self.times.map(|(_, e)| e.format("%H:%M").to_string()).unwrap_or_default(),
            except: self.except.iter().map(day).collect::<Vec<_>>().join(" "),
        }
    }
}

/// A day as forms and query strings write it, `2026-12-01`, in years a
/// calendar holds (chrono would also read `+262143-12-31`, and a day after
/// it overflows).
fn plain_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=9999).contains(&d.year()))
}

/// A weekday as people write it: `tue`, `tuesday`, `二`, `周二`, `星期二`.
fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim().to_lowercase();
    let w = w.trim_start_matches("星期").trim_start_matches('周');
    let zh = ["一", "二", "三", "四", "五", "六", "日"];
    if let Some(i) = zh.iter().position(|d| *d == w).or((w == "天").then_some(6)) {
        return Weekday::try_from(i as u8).ok();
    }
    w.parse::<Weekday>().ok()
}

impl ScheduleInput {
    /// The schedule of an activity's form as the content editor keeps it
    /// (its fields named as the table's columns).
    pub fn of_fields(f: &super::revision::Fields) -> ScheduleInput {
        ScheduleInput {
            first_day: f.get("first_day").to_owned(),
            weekdays: f.get("weekdays").to_owned(),
            every_weeks: f.get("every_weeks").to_owned(),
            until: f.get("until_day").to_owned(),
            start: f.get("start_time").to_owned(),
            end: f.get("end_time").to_owned(),
            except: f.get("except_days").to_owned(),
        }
    }
}

/// A schedule as its form (or the demo content) writes it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ScheduleInput {
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub weekdays: String,
    #[serde(default)]
    pub every_weeks: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub except: String,
}

/// The most people one sign-up brings, at most.
pub const PARTY_MAX: i64 = 10;

/// A sign-up as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub people: String,
}

#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub name: String,
    pub phone: Option<Phone>,
    pub people: i64,
}

impl RegistrationInput {
    /// Reads a sign-up against the activity's rules: whether a phone is
    /// needed, and how many people one sign-up may bring.
    pub fn parse(
        &self,
        phone_required: bool,
        party_max: i64,
    ) -> Result<NewRegistration, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("name", &self.name), ("phone", &self.phone), ("people", &self.people)]);
        let name = self.name.trim();
        if name.is_empty() {
            e.add("name", "form.signup.name_required");
        } else if name.chars().count() > 20 {
            e.add("name", "form.signup.name_too_long");
        }
        let phone = Phone::parse(&self.phone);
        if self.phone.trim().is_empty() {
            if phone_required {
                e.add("phone", "form.signup.phone_required");
            }
        } else if phone.is_none() {
            e.add("phone", "form.phone.invalid");
        }
        let people = match self.people.trim() {
            "" => 1,
            s => match s.parse::<i64>() {
                Ok(n) if (1..=party_max).contains(&n) => n,
                _ => {
                    e.add("people", "form.activity.people_range");
                    1
                }
            },
        };
        if e.is_empty() {
            Ok(NewRegistration { name: name.to_owned(), phone, people })
        } else {
            Err(e)
        }
    }
}

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Registered,
    Waiting,
    Cancelled,
    Attended,
}

impl RegistrationStatus {
    pub fn code(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "registered",
            RegistrationStatus::Waiting => "waiting",
            RegistrationStatus::Cancelled => "cancelled",
            RegistrationStatus::Attended => "attended",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        [
            RegistrationStatus::Registered,
            RegistrationStatus::Waiting,
            RegistrationStatus::Cancelled,
            RegistrationStatus::Attended,
        ]
        .into_iter()
        .find(|r| r.code() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RegistrationStatus::Registered => "activity.status.registered",
            RegistrationStatus::Waiting => "activity.status.waiting",
            RegistrationStatus::Cancelled => "activity.status.cancelled",
            RegistrationStatus::Attended => "activity.status.attended",
        }
    }
}

/// The listing's date filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// From now on.
    Upcoming,
    Today,
    /// Today and the six days after it.
    Week,
    /// From one day to another, both included.
    Range(NaiveDate, NaiveDate),
}

impl When {
    /// The moments the listing covers, `[from, to)`: sessions that have not
    /// ended by `from` and start before `to`.
    pub fn bounds(self, now: DateTime<Utc>) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        let today = now.with_timezone(&beijing()).date_naive();
        let midnight = |d: NaiveDate| at_beijing(d, NaiveTime::MIN);
        match self {
            When::Upcoming => (now, None),
            When::Today => (now, Some(midnight(today + Duration::days(1)))),
            When::Week => (now, Some(midnight(today + Duration::days(7)))),
            // A range may lie in the past: what was held then, with how many came.
            When::Range(from, to) => (midnight(from), Some(midnight(to + Duration::days(1)))),
        }
    }
}

/// The listing's filters as typed in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListingParams {
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub audience: String,
    /// `today`, `week`, or empty (from now on) when no range is given.
    #[serde(default)]
    pub when: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
}

/// The listing's filters as understood; a bad value is dropped and named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub district: Option<String>,
    pub place: Option<i64>,
    pub kind: Option<Kind>,
    pub audience: Option<Audience>,
    pub when: When,
    pub page: i64,
    /// The names of the filters that were dropped.
    pub ignored: Vec<&'static str>,
}

impl ListingParams {
    pub fn parse(&self) -> Listing {
        let mut ignored = Vec::new();
        let slug = self.district.trim();
        let district = if slug.is_empty() {
            None
        } else if slug.len() <= 40
            && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            Some(slug.to_owned())
        } else {
            ignored.push("activities.ignored.district");
            None
        };
        let place = match self.place.trim() {
            "" => None,
            s => s.parse::<i64>().ok().filter(|n| *n > 0).or_else(|| {
                ignored.push("activities.ignored.place");
                None
            }),
        };
        let kind = match self.kind.trim() {
            "" => None,
            s => Kind::parse(s).or_else(|| {
                ignored.push("activities.ignored.kind");
                None
            }),
        };
        let audience = match self.audience.trim() {
            "" => None,
            s => Audience::parse(s).or_else(|| {
                ignored.push("activities.ignored.audience");
                None
            }),
        };
        let day = plain_day;
        let when = match (self.from.trim(), self.to.trim(), self.when.trim()) {
            ("", "", "today") => When::Today,
            ("", "", "week") => When::Week,
            ("", "", "") => When::Upcoming,
            ("", "", _) => {
                ignored.push("activities.ignored.when");
                When::Upcoming
            }
            (from, to, _) => match (day(from), if to.is_empty() { day(from) } else { day(to) }) {
                (Some(f), Some(t)) if f <= t && (t - f).num_days() <= 366 => When::Range(f, t),
                _ => {
                    ignored.push("activities.ignored.from");
                    When::Upcoming
                }
            },
        };
        let page = match self.page.trim() {
            "" => 1,
            s => super::page_number(s).unwrap_or_else(|| {
                ignored.push("activities.ignored.page");
                1
            }),
        };
        Listing { district, place, kind, audience, when, page, ignored }
    }
}

impl Listing {
    /// The query string for this listing on page `page`, keeping every
    /// filter, so a link reproduces the view.
    pub fn query(&self, page: i64) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &self.district {
            parts.push(("district", d.clone()));
        }
        if let Some(p) = self.place {
            parts.push(("place", p.to_string()));
        }
        if let Some(k) = self.kind {
            parts.push(("kind", k.code().to_owned()));
        }
        if let Some(a) = self.audience {
            parts.push(("audience", a.code().to_owned()));
        }
        match self.when {
            When::Upcoming => {}
            When::Today => parts.push(("when", "today".to_owned())),
            When::Week => parts.push(("when", "week".to_owned())),
            When::Range(from, to) => {
                parts.push(("from", from.to_string()));
                parts.push(("to", to.to_string()));
            }
        }
        if page > 1 {
            parts.push(("page", page.to_string()));
        }
        serde_urlencoded::to_string(&parts).unwrap_or_default()
    }

    pub fn is_filtered(&self) -> bool {
        self.district.is_some()
            || self.place.is_some()
            || self.kind.is_some()
            || self.audience.is_some()
            || self.when != When::Upcoming
    }

    /// The range's days as the form shows them.
    pub fn range(&self) -> (String, String) {
        match self.when {
            When::Range(from, to) => (from.to_string(), to.to_string()),
            _ => (String::new(), String::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(first: &str, days: &str, until: &str, except: &str) -> ScheduleInput {
        ScheduleInput {
            first_day: first.into(),
            weekdays: days.into(),
            every_weeks: String::new(),
            until: until.into(),
            start: "9:00".into(),
            end: "10:30".into(),
            except: except.into(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn a_weekly_class_has_its_days_but_not_its_exceptions() {
        // Tuesdays and Thursdays in December 2026, not on the 24th.
        let s = Schedule::parse(&input("2026-12-01", "二 四", "2026-12-31", "2026-12-24"), today())
            .unwrap();
        let days: Vec<String> = s.days().iter().map(|d| d.format("%m-%d").to_string()).collect();
        assert_eq!(
            days,
            ["12-01", "12-03", "12-08", "12-10", "12-15", "12-17", "12-22", "12-29", "12-31"]
        );
        // 9:00 in Beijing is 01:00 UTC, whatever the server's zone.
        let (start, end) = s.sessions()[0];
        assert_eq!(start.to_rfc3339(), "2026-12-01T01:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-01T02:30:00+00:00");
        assert_eq!(s.rrule().unwrap(), "FREQ=WEEKLY;WKST=MO;BYDAY=TU,TH;UNTIL=20261231T155959Z");
        assert_eq!(Schedule::parse(&s.to_input(), today()).unwrap(), s, "reads back the same");
    }

    #[test]
    fn a_biweekly_route_skips_every_other_week() {
        let mut i = input("2026-12-05", "sat", "2027-01-31", "");
        i.every_weeks = "2".into();
        let s = Schedule::parse(&i, today()).unwrap();
        let days: Vec<String> = s.days().iter().map(|d| d.format("%m-%d").to_string()).collect();
        assert_eq!(days, ["12-05", "12-19", "01-02", "01-16", "01-30"]);
        assert!(s.rrule().unwrap().contains(";INTERVAL=2"));
    }

    #[test]
    fn a_one_off_is_one_session_on_its_day() {
        let mut i = input("2023-11-09", "", "", "");
        let long_ago = NaiveDate::from_ymd_opt(2023, 11, 1).unwrap();
        let s = Schedule::parse(&i, long_ago).unwrap();
        assert_eq!(s.days(), [NaiveDate::from_ymd_opt(2023, 11, 9).unwrap()]);
        assert_eq!(s.rrule(), None);
        // No times: all day, midnight to midnight in Beijing.
        (i.start, i.end) = (String::new(), String::new());
        let s = Schedule::parse(&i, long_ago).unwrap();
        assert_eq!(s.times, None);
        let (start, end) = s.sessions()[0];
        assert_eq!(start.to_rfc3339(), "2023-11-08T16:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2023-11-09T16:00:00+00:00");
        assert_eq!(Schedule::parse(&s.to_input(), long_ago).unwrap(), s);
        // A weekly all-day rule ends on a date, as its DTSTART is one.
        let weekly =
            ScheduleInput { weekdays: "thu".into(), until: "2023-11-30".into(), ..s.to_input() };
        let rule = Schedule::parse(&weekly, long_ago).unwrap().rrule().unwrap();
        assert!(rule.ends_with(";UNTIL=20231130"), "{rule}");
        // One time without the other is no all-day event.
        i.end = "10:00".into();
        assert_eq!(
            Schedule::parse(&i, long_ago).unwrap_err().get("start"),
            Some("form.activity.time_invalid")
        );
    }

    #[test]
    fn a_bad_schedule_is_named_at_its_fields() {
        let mut i = input("12月1日", "周八", "", "昨天");
        i.start = "9点".into();
        i.end = "8:00".into();
        let e = Schedule::parse(&i, today()).unwrap_err();
        assert_eq!(e.get("first_day"), Some("form.activity.day_invalid"));
        assert_eq!(e.get("weekdays"), Some("form.activity.weekdays_invalid"));
        assert_eq!(e.get("start"), Some("form.activity.time_invalid"));
        assert_eq!(e.get("except"), Some("form.activity.except_invalid"));
        let mut i = input("2026-12-01", "tue", "", "");
        i.end = "8:00".into();
        let e = Schedule::parse(&i, today()).unwrap_err();
        assert_eq!(e.get("until"), Some("form.activity.until_required"));
        assert_eq!(e.get("end"), Some("form.activity.end_before_start"));
        let e =
            Schedule::parse(&input("2026-12-01", "tue", "2028-03-01", ""), today()).unwrap_err();
        assert_eq!(e.get("until"), Some("form.activity.until_too_far"));
        let daily = input("2026-12-01", "一 二 三 四 五 六 日", "2027-12-01", "");
        let e = Schedule::parse(&daily, today()).unwrap_err();
        assert_eq!(e.get("until"), Some("form.activity.too_many_sessions"));
        // Every day of the rule left out: no session at all.
        let e = Schedule::parse(&input("2026-12-01", "tue", "2026-12-01", "2026-12-01"), today())
            .unwrap_err();
        assert_eq!(e.get("weekdays"), Some("form.activity.no_sessions"));
    }

    #[test]
    fn a_sign_up_needs_a_name_and_a_phone_when_asked_for() {
        let typed =
            RegistrationInput {
                name: " 王阿姨 ".into(), phone: String::new(), people: "2".into()
            };
        let r = typed.parse(false, 4).unwrap();
        assert_eq!((r.name.as_str(), r.phone.is_none(), r.people), ("王阿姨", true, 2));
        let e = typed.parse(true, 1).unwrap_err();
        assert_eq!(e.get("phone"), Some("form.signup.phone_required"));
        assert_eq!(e.get("people"), Some("form.activity.people_range"));
        let bad =
            RegistrationInput { name: String::new(), phone: "123".into(), people: "0".into() };
        let e = bad.parse(false, 4).unwrap_err();
        assert_eq!(e.get("name"), Some("form.signup.name_required"));
        assert_eq!(e.get("phone"), Some("form.phone.invalid"));
        assert_eq!(e.get("people"), Some("form.activity.people_range"));
    }

    #[test]
    fn listing_filters_keep_what_they_understand() {
        let p = ListingParams {
            district: "gongshu".into(),
            kind: "class".into(),
            audience: "robots".into(),
            when: "week".into(),
            page: "2".into(),
            ..Default::default()
        };
        let l = p.parse();
        assert_eq!(l.district.as_deref(), Some("gongshu"));
        assert_eq!((l.kind, l.audience, l.when, l.page), (Some(Kind::Class), None, When::Week, 2));
        assert_eq!(l.ignored, ["activities.ignored.audience"]);
        assert_eq!(l.query(2), "district=gongshu&kind=class&when=week&page=2");
        let p = ListingParams {
            from: "2026-12-10".into(),
            to: "2026-12-01".into(),
            ..Default::default()
        };
        assert_eq!(p.parse().ignored, ["activities.ignored.from"]);
        // A year chrono reads but no calendar holds is dropped, not a panic.
        let p = ListingParams { from: "+262143-12-31".into(), ..Default::default() };
        assert_eq!(p.parse().ignored, ["activities.ignored.from"]);
        let p = ListingParams { from: "2026-12-10".into(), ..Default::default() };
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        assert_eq!(p.parse().when, When::Range(d, d));
    }

    #[test]
    fn a_day_s_bounds_are_beijing_midnights() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap(); // 01:00 on the 2nd in Beijing
        let (from, to) = When::Today.bounds(now);
        assert_eq!(from, now);
        assert_eq!(to.unwrap().to_rfc3339(), "2026-12-02T16:00:00+00:00");
    }
}
