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

const FIGURE: [Field; 13] = [
    f("label_zh", Input::Line(40), true, "content.f.label_zh"),
    f("label_en", Input::Line(160), false, "content.f.label_en"),
    h("value", Input::Number, true, "content.f.value"),
    h("unit_zh", Input::Line(20), true, "content.f.unit_zh"),
    f("unit_en", Input::Line(80), false, "content.f.unit_en"),
    f("qualifier", Input::Choice(&QUALIFIERS), true, "content.f.qualifier"),
    h("year", Input::Year, false, "content.f.year"),
    h("as_of_zh", Input::Line(40), false, "content.f.as_of_zh"),
    f("as_of_en", Input::Line(160), false, "content.f.as_of_en"),
    h("source_zh", Input::Line(120), true, "content.f.source_zh"),
    f("source_en", Input::Line(200), false, "content.f.source_en"),
    h("chart_group", Input::Line(40), false, "content.f.chart_group"),
    h("headline", Input::Check, false, "content.f.headline"),
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
}

impl ContentKind {
    pub const ALL: [ContentKind; 6] = [
        ContentKind::District,
        ContentKind::Figure,
        ContentKind::Programme,
        ContentKind::Story,
        ContentKind::Notice,
        ContentKind::Territory,
    ];

    /// The kinds a district holds many of (staff add and remove them).
    pub const LISTED: [ContentKind; 4] =
        [ContentKind::Figure, ContentKind::Programme, ContentKind::Story, ContentKind::Notice];

    pub fn code(self) -> &'static str {
        match self {
            ContentKind::District => "district",
            ContentKind::Figure => "figure",
            ContentKind::Programme => "programme",
            ContentKind::Story => "story",
            ContentKind::Notice => "notice",
            ContentKind::Territory => "territory",
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
        }
    }

    /// Every field a revision of this kind keeps: its form's and whether
    /// it is published.
    pub fn names(self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.fields().iter().map(|f| f.name).collect();
        names.push("published");
        names
    }

    /// Whether items of this kind are drafts until published (a town is
    /// simply there).
    pub fn publishable(self) -> bool {
        self != ContentKind::Territory
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
        }
    }

    /// Checks a submitted form: the fields in canonical form, or a message
    /// at each wrong field. `places` are the ids a place field may take.
    pub fn check(self, f: &Fields, today: NaiveDate, places: &[i64]) -> Result<Fields, FormErrors> {
        let (mut out, mut errors) = check_fields(self.fields(), f, today, places);
        out.set("published", if f.get("published").is_empty() { "" } else { "on" });
        self.rules(&out, today, &mut errors);
        errors.into_result(|| out)
    }

    /// Each kind's own rules, across fields.
    fn rules(self, f: &Fields, today: NaiveDate, errors: &mut FormErrors) {
        match self {
            ContentKind::Figure => {
                if !f.get("year").is_empty() && !f.get("as_of_zh").is_empty() {
                    errors.add("as_of_zh", "form.content.year_or_as_of");
                }
            }
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
            ContentKind::District | ContentKind::Programme | ContentKind::Story => {}
        }
    }
}

/// Reads `f` by the specs `fields`: each value in canonical form, and a
/// message at each field that is missing or wrong (by the spec's name).
pub fn check_fields(
    fields: &[Field],
    f: &Fields,
    today: NaiveDate,
    places: &[i64],
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
        match canonical(field.input, typed, today, places) {
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

/// A workshop's impact figure as reported ("元/人/月"): what its form row
/// holds, with the same qualifiers as a district's figure.
pub const WORKSHOP_FIGURE: [Field; 11] = [
    f("label_zh", Input::Line(40), true, "content.f.label_zh"),
    f("label_en", Input::Line(160), false, "content.f.label_en"),
    f("value", Input::Number, true, "content.f.value"),
    f("unit_zh", Input::Line(20), true, "content.f.unit_zh"),
    f("unit_en", Input::Line(80), false, "content.f.unit_en"),
    f("qualifier", Input::Choice(&QUALIFIERS), true, "content.f.qualifier"),
    f("year", Input::Year, false, "content.f.year"),
    f("as_of_zh", Input::Line(40), false, "content.f.as_of_zh"),
    f("as_of_en", Input::Line(160), false, "content.f.as_of_en"),
    f("source_zh", Input::Line(120), true, "content.f.source_zh"),
    f("source_en", Input::Line(200), false, "content.f.source_en"),
];

/// A typed value in canonical form, or the catalogue key of what is wrong.
fn canonical(
    input: Input,
    typed: &str,
    today: NaiveDate,
    places: &[i64],
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
        Input::Place => match typed.parse::<i64>() {
            Ok(id) if places.contains(&id) => Ok(id.to_string()),
            _ => Err("form.content.choose"),
        },
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

    #[test]
    fn a_figure_is_checked_and_written_canonically() {
        let f = fields(&[
            ("label_zh", " 吸纳就业 "),
            ("value", "5,651.50"),
            ("unit_zh", "人"),
            ("qualifier", "about"),
            ("year", "2023"),
            ("source_zh", "《杭州日报》"),
            ("headline", "on"),
            ("published", "on"),
        ]);
        let out = ContentKind::Figure.check(&f, today(), &[]).unwrap();
        assert_eq!(out.get("label_zh"), "吸纳就业");
        assert_eq!(out.get("value"), "5651.5");
        assert_eq!(out.get("headline"), "on");
        assert_eq!(out.get("published"), "on");
        assert_eq!(ContentKind::Figure.check(&out, today(), &[]).unwrap(), out, "canonical");
    }

    #[test]
    fn bad_figures_are_named_at_their_fields() {
        let f = fields(&[
            ("label_zh", "就业"),
            ("value", "很多"),
            ("unit_zh", ""),
            ("qualifier", "roughly"),
            ("year", "1800"),
            ("as_of_zh", "报道时"),
            ("source_zh", "x\u{0}"),
        ]);
        let e = ContentKind::Figure.check(&f, today(), &[]).unwrap_err();
        assert_eq!(e.get("value"), Some("form.content.number"));
        assert_eq!(e.get("unit_zh"), Some("form.content.required"));
        assert_eq!(e.get("qualifier"), Some("form.content.choose"));
        assert_eq!(e.get("year"), Some("form.content.year"));
        assert_eq!(e.get("source_zh"), Some("form.text.control"));
        let both = fields(&[
            ("label_zh", "就业"),
            ("value", "1"),
            ("unit_zh", "人"),
            ("qualifier", "exact"),
            ("year", "2023"),
            ("as_of_zh", "报道时"),
            ("source_zh", "报道"),
        ]);
        let e = ContentKind::Figure.check(&both, today(), &[]).unwrap_err();
        assert_eq!(e.get("as_of_zh"), Some("form.content.year_or_as_of"));
    }

    #[test]
    fn notices_are_short_and_dated() {
        let ok = fields(&[
            ("text_zh", "今天驿站有姜茶"),
            ("starts_on", "2026-12-02"),
            ("ends_on", "2026-12-02"),
        ]);
        assert!(ContentKind::Notice.check(&ok, today(), &[]).is_ok());
        let long = fields(&[
            ("text_zh", &"长".repeat(61)),
            ("starts_on", "2026-12-02"),
            ("ends_on", "2027-02-01"),
        ]);
        let e = ContentKind::Notice.check(&long, today(), &[]).unwrap_err();
        assert_eq!(e.get("text_zh"), Some("form.text.too_long"));
        assert_eq!(e.get("ends_on"), Some("form.content.notice_long"));
        let over =
            fields(&[("text_zh", "旧"), ("starts_on", "2026-11-01"), ("ends_on", "2026-11-02")]);
        assert_eq!(
            ContentKind::Notice.check(&over, today(), &[]).unwrap_err().get("ends_on"),
            Some("form.content.notice_over")
        );
    }

    #[test]
    fn a_story_place_must_be_one_of_the_district() {
        let f = fields(&[("title_zh", "热乎饭"), ("body_zh", "故事"), ("place_id", "9")]);
        assert_eq!(
            ContentKind::Story.check(&f, today(), &[7]).unwrap_err().get("place_id"),
            Some("form.content.choose")
        );
        assert_eq!(ContentKind::Story.check(&f, today(), &[9]).unwrap().get("place_id"), "9");
        let mut two = f;
        two.set("title_zh", "第一行\n第二行");
        assert_eq!(
            ContentKind::Story.check(&two, today(), &[9]).unwrap_err().get("title_zh"),
            Some("form.content.one_line")
        );
    }
}
