//! What a district page shows, as staff edit it: the district's own text,
//! figures, programmes, stories and notices. Each kind is a list of field
//! specs; one checker reads any of them (required, length, numbers,
//! dates, choices), then the kind's own rules. The checked fields, in
//! canonical form, are what is stored and what a revision keeps.

use chrono::{Datelike, Duration, NaiveDate};

use super::form::FormErrors;
use super::place_edit::parse_date;
use super::revision::{Fields, ItemKind};

/// How a field is typed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text, at most this many characters.
    Line(usize),
    /// Several lines, at most this many characters.
    Area(usize),
    /// A number, not negative (canonical: without trailing zeros).
    Number,
    /// A year, 1949 to next year.
    Year,
    /// A day.
    Date,
    /// A checkbox ("on" or empty).
    Check,
    /// One of these codes (labels are `<label>.<code>` in the catalogue).
    Choice(&'static [&'static str]),
    /// One of the district's places, by id (the handler lists them).
    Place,
    /// One of the district's sources, by id (the handler lists them).
    Source,
    /// A web address to read a source at: `http://` or `https://`.
    Url,
    /// A number as reported, or one the portal computes from reported
    /// ones, typed as `3500×12` (canonical: the formula, see [`amount`]).
    Amount,
    /// A whole number from 1 to this (places, people).
    Count(u32),
    /// Days of the week, ticked (canonical: `mon tue …`, Monday first).
    Weekdays,
}

/// The days of the week as [`Input::Weekdays`] writes them.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// What a form's choice fields may take: the district's places and
/// sources, listed by the handler.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    pub places: Vec<i64>,
    pub sources: Vec<i64>,
    /// The first day an activity already has: it stays allowed however
    /// long ago it was (a new or moved one may not start over a year ago).
    pub kept_day: Option<NaiveDate>,
}

/// One field of a kind's form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub input: Input,
    pub required: bool,
    /// Catalogue key of its label; its hint, if any, is `<label>_hint`.
    pub label: &'static str,
    pub hint: bool,
}

const fn f(name: &'static str, input: Input, required: bool, label: &'static str) -> Field {
    Field { name, input, required, label, hint: false }
}

const fn h(name: &'static str, input: Input, required: bool, label: &'static str) -> Field {
    Field { name, input, required, label, hint: true }
}

pub const QUALIFIERS: [&str; 3] = ["exact", "about", "more_than"];

const DISTRICT: [Field; 4] = [
    f("name_zh", Input::Line(40), true, "content.f.name_zh"),
    f("name_en", Input::Line(160), false, "content.f.name_en"),
    f("summary_zh", Input::Area(1000), true, "content.f.summary_zh"),
    f("summary_en", Input::Area(2000), false, "content.f.summary_en"),
];

/// What a figure is; its values over the years are [`FIGURE_VALUE`]s.
const FIGURE: [Field; 6] = [
    f("label_zh", Input::Line(40), true, "content.f.label_zh"),
    f("label_en", Input::Line(160), false, "content.f.label_en"),
    h("unit_zh", Input::Line(20), true, "content.f.unit_zh"),
    f("unit_en", Input::Line(80), false, "content.f.unit_en"),
    h("chart_group", Input::Line(40), false, "content.f.chart_group"),
    h("headline", Input::Check, false, "content.f.headline"),
];

/// One value of a figure: for a year, or as of a moment ("报道时"), with
/// the source it comes from. A new year adds one; a correction replaces
/// one and says why ([`CORRECTION`]).
pub const FIGURE_VALUE: [Field; 6] = [
    h("value", Input::Amount, true, "content.f.value"),
    f("qualifier", Input::Choice(&QUALIFIERS), true, "content.f.qualifier"),
    h("year", Input::Year, false, "content.f.year"),
    h("as_of_zh", Input::Line(40), false, "content.f.as_of_zh"),
    f("as_of_en", Input::Line(160), false, "content.f.as_of_en"),
    h("source_id", Input::Source, true, "content.f.source_id"),
];

/// Why a value was corrected, for the public to read beside it.
pub const CORRECTION: [Field; 2] = [
    h("note_zh", Input::Area(300), true, "figure.f.note_zh"),
    f("note_en", Input::Area(600), false, "figure.f.note_en"),
];

/// An entry of a district's sources register: who published what, when,
/// on which page, and where to read it.
const SOURCE: [Field; 11] = [
    h("title_zh", Input::Line(120), true, "content.f.title_zh"),
    f("title_en", Input::Line(300), false, "content.f.title_en"),
    h("publisher_zh", Input::Line(60), true, "content.f.publisher_zh"),
    f("publisher_en", Input::Line(160), false, "content.f.publisher_en"),
    f("authors_zh", Input::Line(60), false, "content.f.authors_zh"),
    f("authors_en", Input::Line(160), false, "content.f.authors_en"),
    h("published_on", Input::Date, false, "content.f.published_on"),
    h("page", Input::Line(40), false, "content.f.page"),
    h("url", Input::Url, false, "content.f.url"),
    h("note_zh", Input::Area(500), false, "content.f.note_zh"),
    f("note_en", Input::Area(1000), false, "content.f.note_en"),
];

const PROGRAMME: [Field; 4] = [
    f("name_zh", Input::Line(40), true, "content.f.name_zh"),
    f("name_en", Input::Line(160), false, "content.f.name_en"),
    f("summary_zh", Input::Area(1000), true, "content.f.summary_zh"),
    f("summary_en", Input::Area(2000), false, "content.f.summary_en"),
];

const STORY: [Field; 6] = [
    f("title_zh", Input::Line(40), true, "content.f.title_zh"),
    f("title_en", Input::Line(160), false, "content.f.title_en"),
    f("body_zh", Input::Area(2000), true, "content.f.body_zh"),
    f("body_en", Input::Area(4000), false, "content.f.body_en"),
    f("story_date", Input::Date, false, "content.f.story_date"),
    h("place_id", Input::Place, false, "content.f.place_id"),
];

/// The longest notice: a line on a phone.
pub const NOTICE_MAX: usize = 60;

/// The longest a notice stays up.
pub const NOTICE_DAYS: i64 = 31;

const NOTICE: [Field; 4] = [
    h("text_zh", Input::Line(NOTICE_MAX), true, "content.f.text_zh"),
    f("text_en", Input::Line(NOTICE_MAX * 2), false, "content.f.text_en"),
    f("starts_on", Input::Date, true, "content.f.starts_on"),
    h("ends_on", Input::Date, true, "content.f.ends_on"),
];

/// What a town or street of a district may be.
pub const TOWN_KINDS: [&str; 2] = ["town", "street"];

/// A town or street (乡镇/街道) of a district, a node of the territory
/// tree; its kind's labels are `content.kind.<code>`.
const TERRITORY: [Field; 3] = [
    h("name_zh", Input::Line(20), true, "territory.f.name_zh"),
    f("name_en", Input::Line(60), false, "territory.f.name_en"),
    f("kind", Input::Choice(&TOWN_KINDS), true, "territory.f.kind"),
];

/// The activity kinds, as [`crate::domain::activity::Kind`] codes.
const ACTIVITY_KINDS: [&str; 7] =
    ["class", "service_day", "contest", "training", "talk", "health_check", "other"];
const AUDIENCES: [&str; 5] = ["everyone", "elderly", "outdoor_workers", "youth", "enterprises"];
const SIGNUP_RULES: [&str; 3] = ["none", "places", "waitlist"];
const EVERY_WEEKS: [&str; 2] = ["1", "2"];

/// The most places a session has.
pub const PLACES_MAX: u32 = 10_000;

/// An activity at a place of the district (or an address): what, for
/// whom, when (its schedule as [`crate::domain::activity::Schedule`] reads
/// it), how people take part, and what came of it.
const ACTIVITY: [Field; 28] = [
    f("title_zh", Input::Line(60), true, "content.f.title_zh"),
    f("title_en", Input::Line(200), false, "content.f.title_en"),
    f("kind", Input::Choice(&ACTIVITY_KINDS), true, "content.f.kind"),
    f("audience", Input::Choice(&AUDIENCES), true, "content.f.audience"),
    f("summary_zh", Input::Area(2000), true, "content.f.summary_zh"),
    f("summary_en", Input::Area(4000), false, "content.f.summary_en"),
    f("place_id", Input::Place, false, "content.f.place_id"),
    h("address_zh", Input::Line(100), false, "content.f.address_zh"),
    f("address_en", Input::Line(300), false, "content.f.address_en"),
    f("organiser_zh", Input::Line(60), true, "content.f.organiser_zh"),
    f("organiser_en", Input::Line(200), false, "content.f.organiser_en"),
    h("first_day", Input::Date, true, "content.f.first_day"),
    h("start_time", Input::Line(5), false, "content.f.start_time"),
    f("end_time", Input::Line(5), false, "content.f.end_time"),
    h("weekdays", Input::Weekdays, false, "content.f.weekdays"),
    f("every_weeks", Input::Choice(&EVERY_WEEKS), false, "content.f.every_weeks"),
    h("until_day", Input::Date, false, "content.f.until_day"),
    h("except_days", Input::Area(600), false, "content.f.except_days"),
    h("signup", Input::Choice(&SIGNUP_RULES), true, "content.f.signup"),
    h("places", Input::Count(PLACES_MAX), false, "content.f.places"),
    h("party_max", Input::Count(10), false, "content.f.party_max"),
    h("phone_required", Input::Check, false, "content.f.phone_required"),
    h("cost_zh", Input::Line(60), false, "content.f.cost_zh"),
    f("cost_en", Input::Line(200), false, "content.f.cost_en"),
    f("bring_zh", Input::Line(100), false, "content.f.bring_zh"),
    f("bring_en", Input::Line(300), false, "content.f.bring_en"),
    h("outcome_zh", Input::Area(1000), false, "content.f.outcome_zh"),
    f("outcome_en", Input::Area(2000), false, "content.f.outcome_en"),
];

/// The kinds of district content staff edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentKind {
    District,
    Figure,
    Programme,
    Story,
    Notice,
    /// A town or street of the district (added on the district's towns
    /// page, never deleted: workshops are in it).
    Territory,
    /// An entry of the district's sources register, which its figures
    /// and its workshops' figures cite.
    Source,
    /// An activity of the district, at one of its places or an address,
    /// with its sessions (written from its schedule as it is saved).
    Activity,
}

impl ContentKind {
    pub const ALL: [ContentKind; 8] = [
        ContentKind::District,
        ContentKind::Figure,
        ContentKind::Programme,
        ContentKind::Story,
        ContentKind::Notice,
        ContentKind::Territory,
        ContentKind::Source,
        ContentKind::Activity,
    ];

    /// The kinds a district holds many of (staff add and remove them).
    pub const LISTED: [ContentKind; 6] = [
        ContentKind::Activity,
        ContentKind::Source,
        ContentKind::Figure,
        ContentKind::Programme,
        ContentKind::Story,
        ContentKind::Notice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ContentKind::District => "district",
            ContentKind::Figure => "figure",
            ContentKind::Programme => "programme",
            ContentKind::Story => "story",
            ContentKind::Notice => "notice",
            ContentKind::Territory => "territory",
            ContentKind::Source => "source",
            ContentKind::Activity => "activity",
        }
    }

    pub fn parse(code: &str) -> Option<ContentKind> {
        ContentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn item_kind(self) -> ItemKind {
        match self {
            ContentKind::District => ItemKind::District,
            ContentKind::Figure => ItemKind::Figure,
            ContentKind::Programme => ItemKind::Programme,
            ContentKind::Story => ItemKind::Story,
            ContentKind::Notice => ItemKind::Notice,
            ContentKind::Territory => ItemKind::Territory,
            ContentKind::Source => ItemKind::Source,
            ContentKind::Activity => ItemKind::Activity,
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            ContentKind::District => &DISTRICT,
            ContentKind::Figure => &FIGURE,
            ContentKind::Programme => &PROGRAMME,
            ContentKind::Story => &STORY,
            ContentKind::Notice => &NOTICE,
            ContentKind::Territory => &TERRITORY,
            ContentKind::Source => &SOURCE,
            ContentKind::Activity => &ACTIVITY,
        }
    }

    /// Every field a revision of this kind keeps: its form's and whether
    /// it is published.
    pub fn names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.fields().iter().map(|f| f.name).collect();
        names.push("published");
        names
    }

    /// Whether items of this kind are drafts until published (a town or
    /// a source is simply there).
    pub fn publishable(self) -> bool {
        !matches!(self, ContentKind::Territory | ContentKind::Source)
    }

    /// The field that names an item in lists and headings.
    pub fn title_field(self) -> &'static str {
        self.fields()[0].name
    }

    /// Catalogue key of the kind's name ("数据", "故事"…).
    pub fn label_key(self) -> &'static str {
        match self {
            ContentKind::District => "content.kind.district",
            ContentKind::Figure => "content.kind.figure",
            ContentKind::Programme => "content.kind.programme",
            ContentKind::Story => "content.kind.story",
            ContentKind::Notice => "content.kind.notice",
            ContentKind::Territory => "content.kind.territory",
            ContentKind::Source => "content.kind.source",
            ContentKind::Activity => "content.kind.activity",
        }
    }

    /// Checks a submitted form: the fields in canonical form, or a message
    /// at each wrong field. `choices` are the ids a choice field may take.
    pub fn check(
        self,
        f: &Fields,
        today: NaiveDate,
        choices: &Choices,
    ) -> Result<Fields, FormErrors> {
        let (mut out, mut errors) = check_fields(self.fields(), f, today, choices);
        out.set("published", if f.get("published").is_empty() { "" } else { "on" });
        self.rules(&mut out, today, choices, &mut errors);
        errors.into_result(|| out)
    }

    /// Each kind's own rules, across fields (writing what they read back
    /// in canonical form).
    fn rules(self, f: &mut Fields, today: NaiveDate, choices: &Choices, errors: &mut FormErrors) {
        match self {
            ContentKind::Activity => activity_rules(f, today, choices, errors),
            ContentKind::Notice => {
                let (Some(start), Some(end)) =
                    (parse_date(f.get("starts_on")), parse_date(f.get("ends_on")))
                else {
                    return;
                };
                if end < start {
                    errors.add("ends_on", "form.date.before_start");
                } else if end - start >= Duration::days(NOTICE_DAYS) {
                    errors.add("ends_on", "form.content.notice_long");
                } else if end < today {
                    errors.add("ends_on", "form.content.notice_over");
                }
            }
            ContentKind::Territory => {
                if errors.get("name_zh").is_none() && f.get("name_zh").chars().count() < 2 {
                    errors.add("name_zh", "form.territory.name");
                }
            }
            ContentKind::District
            | ContentKind::Figure
            | ContentKind::Programme
            | ContentKind::Story
            | ContentKind::Source => {}
        }
    }
}

/// Checks a figure's value as staff add or correct it: a number (or a
/// formula the portal computes), when it is for (a year, or an as-of note,
/// not both) and its source; with a correction, why.
pub fn check_value(
    f: &Fields,
    today: NaiveDate,
    choices: &Choices,
    correcting: bool,
) -> Result<Fields, FormErrors> {
    let (mut out, mut errors) = check_fields(&FIGURE_VALUE, f, today, choices);
    let (year, as_of) = (f.get("year").trim(), f.get("as_of_zh").trim());
    if !year.is_empty() && !as_of.is_empty() {
        errors.add("as_of_zh", "form.content.year_or_as_of");
    } else if year.is_empty() && as_of.is_empty() && errors.get("year").is_none() {
        errors.add("year", "form.figure.when");
    }
    if correcting {
        let (note, note_errors) = check_fields(&CORRECTION, f, today, choices);
        for (field, value) in note.iter() {
            out.set(field, value);
        }
        for (field, key) in note_errors.iter() {
            errors.add(field, key);
        }
    }
    errors.into_result(|| out)
}

/// A checked [`Input::Amount`]: its number, and the formula when the
/// portal computed it.
pub fn amount(canonical: &str) -> (f64, Option<String>) {
    match formula(canonical) {
        Some((formula, n)) => (n, Some(formula)),
        None => (canonical.parse().unwrap_or(0.0), None),
    }
}

/// `3500×12` (or `3500*12`, `3500x12`, `3,500 × 12`): the formula written
/// back the one way, and its product; none unless both factors are
/// positive numbers and the product is one a figure may hold.
pub fn formula(typed: &str) -> Option<(String, f64)> {
    let s = typed.replace([',', '，', ' '], "");
    let (a, b) = s.split_once(['×', '*', 'x', 'X'])?;
    let plain = super::format::plain_number;
    // Each factor as it is written back, so the product is the formula's.
    let (a, b) = (plain(a.parse::<f64>().ok()?), plain(b.parse::<f64>().ok()?));
    let (x, y) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
    let product = x * y;
    (x > 0.0 && y > 0.0 && product.is_finite() && product < 1e12)
        .then(|| (format!("{a}×{b}"), product))
}

/// Reads `f` by the specs `fields`: each value in canonical form, and a
/// message at each field that is missing or wrong (by the spec's name).
pub fn check_fields(
    fields: &[Field],
    f: &Fields,
    today: NaiveDate,
    choices: &Choices,
) -> (Fields, FormErrors) {
    let mut errors = FormErrors::new();
    let mut out = Fields::new();
    for field in fields {
        let typed = f.get(field.name).trim();
        if super::form::has_control(typed) {
            errors.add(field.name, "form.text.control");
            continue;
        }
        if typed.is_empty() {
            if field.required {
                errors.add(field.name, "form.content.required");
            }
            continue;
        }
        match canonical(field.input, typed, today, choices) {
            Ok(value) => out.set(field.name, value),
            Err(key) => errors.add(field.name, key),
        }
    }
    (out, errors)
}

/// The kinds of district a portal holds.
pub const DISTRICT_KINDS: [&str; 3] = ["district", "county", "city"];

/// What a new district needs besides its text: its address name (the
/// `/districts/{slug}` of its page) and kind.
pub const NEW_DISTRICT: [Field; 2] = [
    h("slug", Input::Line(40), true, "content.f.slug"),
    f("district_kind", Input::Choice(&DISTRICT_KINDS), true, "content.f.district_kind"),
];

/// A typed value in canonical form, or the catalogue key of what is wrong.
fn canonical(
    input: Input,
    typed: &str,
    today: NaiveDate,
    choices: &Choices,
) -> Result<String, &'static str> {
    match input {
        Input::Line(max) | Input::Area(max) => {
            if typed.chars().count() > max {
                return Err("form.text.too_long");
            }
            if matches!(input, Input::Line(_)) && typed.contains('\n') {
                return Err("form.content.one_line");
            }
            Ok(typed.replace("\r\n", "\n"))
        }
        Input::Number => {
            let cleaned: String =
                typed.chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
            match cleaned.parse::<f64>() {
                // `-0` is 0.
                Ok(v) if v.is_finite() && (0.0..1e12).contains(&v) => {
                    Ok(super::format::plain_number(v.abs()))
                }
                _ => Err("form.content.number"),
            }
        }
        Input::Year => match typed.parse::<i32>() {
            Ok(y) if (1949..=today.year() + 1).contains(&y) => Ok(y.to_string()),
            _ => Err("form.content.year"),
        },
        Input::Date => match parse_date(typed) {
            Some(d) if (1949..=today.year() + 5).contains(&d.year()) => Ok(d.to_string()),
            Some(_) => Err("form.content.date_range"),
            None => Err("form.date.invalid"),
        },
        Input::Check => Ok("on".to_owned()),
        Input::Choice(codes) => codes
            .iter()
            .find(|c| **c == typed)
            .map(|c| (*c).to_owned())
            .ok_or("form.content.choose"),
        Input::Place | Input::Source => {
            let ids = if input == Input::Place { &choices.places } else { &choices.sources };
            match typed.parse::<i64>() {
                Ok(id) if ids.contains(&id) => Ok(id.to_string()),
                _ => Err("form.content.choose"),
            }
        }
        Input::Url => {
            let lower = typed.to_ascii_lowercase();
            let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
            match rest {
                _ if typed.chars().count() > 500 => Err("form.text.too_long"),
                Some(host) if !host.is_empty() && !typed.contains(char::is_whitespace) => {
                    Ok(typed.to_owned())
                }
                _ => Err("form.content.url"),
            }
        }
        Input::Amount if typed.contains(['×', '*', 'x', 'X']) => {
            formula(typed).map(|(f, _)| f).ok_or("form.content.formula")
        }
        Input::Amount => canonical(Input::Number, typed, today, choices),
        Input::Count(max) => match typed.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n.to_string()),
            _ => Err("form.content.count"),
        },
        Input::Weekdays => {
            let words: Vec<&str> = typed.split_whitespace().collect();
            if words.iter().any(|w| !WEEKDAYS.contains(w)) {
                return Err("form.content.choose");
            }
            Ok(WEEKDAYS.iter().filter(|d| words.contains(d)).copied().collect::<Vec<_>>().join(" "))
        }
    }
}

/// An activity's rules across fields: a place or an address; its schedule
/// as [`Schedule::parse`] reads it (written back the way it reads); places
/// when people sign up, none when they just come; one person a sign-up
/// unless the keeper allows more.
fn activity_rules(f: &mut Fields, today: NaiveDate, choices: &Choices, errors: &mut FormErrors) {
    use super::activity::{Schedule, ScheduleInput};
    if f.get("place_id").is_empty() && f.get("address_zh").is_empty() {
        errors.add("place_id", "form.activity.where");
    }
    let input = ScheduleInput::of_fields(f);
    // A day the activity already had stays allowed, however long ago.
    let first = parse_date(f.get("first_day"));
    let today = match (first, choices.kept_day) {
        (Some(d), Some(kept)) if d == kept => today.min(d),
        _ => today,
    };
    match Schedule::parse(&input, today) {
        Ok(schedule) => {
            let s = schedule.to_input();
            f.set("weekdays", s.weekdays);
            f.set("every_weeks", s.every_weeks);
            f.set("until_day", s.until);
            f.set("start_time", s.start);
            f.set("end_time", s.end);
            f.set("except_days", s.except);
        }
        Err(e) => {
            for (field, key) in e.iter() {
                let field = match field {
                    "until" => "until_day",
                    "start" => "start_time",
                    "end" => "end_time",
                    "except" => "except_days",
                    other => other,
                };
                errors.add(field, key);
            }
        }
    }
    if f.get("signup") == "none" {
        // Nobody signs up: what was typed in the sign-up fields is moot.
        for field in ["places", "party_max"] {
            errors.forget(field);
        }
        f.set("places", "");
        f.set("phone_required", "");
        f.set("party_max", "1");
    } else {
        if f.get("places").is_empty() && errors.get("places").is_none() {
            errors.add("places", "form.activity.places_required");
        }
        if f.get("party_max").is_empty() {
            f.set("party_max", "1");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        let mut f = Fields::new();
        for (k, v) in pairs {
            f.set(k, *v);
        }
        f
    }

    fn sources() -> Choices {
        Choices { places: vec![9], sources: vec![4], ..Choices::default() }
    }

    #[test]
    fn a_figure_value_is_checked_and_written_canonically() {
        let f = fields(&[
            ("value", "5,651.50"),
            ("qualifier", "about"),
            ("year", "2023"),
            ("source_id", "4"),
        ]);
        let out = check_value(&f, today(), &sources(), false).unwrap();
        assert_eq!(out.get("value"), "5651.5");
        assert_eq!(out.get("source_id"), "4");
        assert_eq!(check_value(&out, today(), &sources(), false).unwrap(), out, "canonical");
        assert_eq!(amount(out.get("value")), (5651.5, None));
        // A value the portal computes keeps its formula, written one way.
        let mut computed = f;
        computed.set("value", "3,500 x 12");
        let out = check_value(&computed, today(), &sources(), false).unwrap();
        assert_eq!(out.get("value"), "3500×12");
        assert_eq!(amount(out.get("value")), (42000.0, Some("3500×12".to_owned())));
    }

    #[test]
    fn bad_figure_values_are_named_at_their_fields() {
        let f = fields(&[
            ("value", "很多"),
            ("qualifier", "roughly"),
            ("year", "1800"),
            ("source_id", "5"),
        ]);
        let e = check_value(&f, today(), &sources(), true).unwrap_err();
        assert_eq!(e.get("value"), Some("form.content.number"));
        assert_eq!(e.get("qualifier"), Some("form.content.choose"));
        assert_eq!(e.get("year"), Some("form.content.year"));
        assert_eq!(e.get("source_id"), Some("form.content.choose"), "another district's source");
        assert_eq!(e.get("note_zh"), Some("form.content.required"), "a correction says why");
        let both = fields(&[
            ("value", "1"),
            ("qualifier", "exact"),
            ("year", "2023"),
            ("as_of_zh", "报道时"),
            ("source_id", "4"),
        ]);
        let e = check_value(&both, today(), &sources(), false).unwrap_err();
        assert_eq!(e.get("as_of_zh"), Some("form.content.year_or_as_of"));
        let mut neither = both.clone();
        neither.set("year", "");
        neither.set("as_of_zh", "");
        let e = check_value(&neither, today(), &sources(), false).unwrap_err();
        assert_eq!(e.get("year"), Some("form.figure.when"));
        for bad in ["3500×", "0×12", "a×12", "1e9×1e9", "0.00001×12"] {
            let mut f = both.clone();
            f.set("as_of_zh", "");
            f.set("value", bad);
            let e = check_value(&f, today(), &sources(), false).unwrap_err();
            assert_eq!(e.get("value"), Some("form.content.formula"), "{bad}");
        }
    }

    #[test]
    fn a_source_links_only_to_the_web() {
        let ok = fields(&[
            ("title_zh", "村村建工坊 增收有良方"),
            ("publisher_zh", "报纸版面"),
            ("url", "https://example.org/a?b=1"),
            ("published_on", "2024-01-05"),
        ]);
        let out = ContentKind::Source.check(&ok, today(), &sources()).unwrap();
        assert_eq!(out.get("url"), "https://example.org/a?b=1");
        for bad in ["javascript:alert(1)", "example.org", "https://", "https://a b", "ftp://x"] {
            let mut f = ok.clone();
            f.set("url", bad);
            let e = ContentKind::Source.check(&f, today(), &sources()).unwrap_err();
            assert_eq!(e.get("url"), Some("form.content.url"), "{bad}");
        }
    }

    #[test]
    fn notices_are_short_and_dated() {
        let ok = fields(&[
            ("text_zh", "今天驿站有姜茶"),
            ("starts_on", "2026-12-02"),
            ("ends_on", "2026-12-02"),
        ]);
        assert!(ContentKind::Notice.check(&ok, today(), &Choices::default()).is_ok());
        let long = fields(&[
            ("text_zh", &"长".repeat(61)),
            ("starts_on", "2026-12-02"),
            ("ends_on", "2027-02-01"),
        ]);
        let e = ContentKind::Notice.check(&long, today(), &Choices::default()).unwrap_err();
        assert_eq!(e.get("text_zh"), Some("form.text.too_long"));
        assert_eq!(e.get("ends_on"), Some("form.content.notice_long"));
        let over =
            fields(&[("text_zh", "旧"), ("starts_on", "2026-11-01"), ("ends_on", "2026-11-02")]);
        assert_eq!(
            ContentKind::Notice
                .check(&over, today(), &Choices::default())
                .unwrap_err()
                .get("ends_on"),
            Some("form.content.notice_over")
        );
    }

    #[test]
    fn a_story_place_must_be_one_of_the_district() {
        let f = fields(&[("title_zh", "热乎饭"), ("body_zh", "故事"), ("place_id", "9")]);
        assert_eq!(
            ContentKind::Story
                .check(&f, today(), &Choices { places: vec![7], ..Choices::default() })
                .unwrap_err()
                .get("place_id"),
            Some("form.content.choose")
        );
        assert_eq!(ContentKind::Story.check(&f, today(), &sources()).unwrap().get("place_id"), "9");
        let mut two = f;
        two.set("title_zh", "第一行\n第二行");
        assert_eq!(
            ContentKind::Story.check(&two, today(), &sources()).unwrap_err().get("title_zh"),
            Some("form.content.one_line")
        );
    }
}
