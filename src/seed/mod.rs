//! The demo content: three places in Hangzhou, as data files embedded in
//! the binary. Names and numbers follow the source article; the wording is
//! the portal's own.

use serde::Deserialize;

/// One district's file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    pub district: SeedDistrict,
    /// The district's sources register: what its figures cite.
    #[serde(default)]
    pub sources: Vec<SeedSource>,
    #[serde(default)]
    pub figures: Vec<SeedFigure>,
    #[serde(default)]
    pub programmes: Vec<SeedProgramme>,
    #[serde(default)]
    pub places: Vec<SeedPlace>,
    #[serde(default)]
    pub stories: Vec<SeedStory>,
    #[serde(default)]
    pub workshops: Vec<SeedWorkshop>,
    #[serde(default)]
    pub wishes: Vec<SeedWish>,
    #[serde(default)]
    pub activities: Vec<SeedActivity>,
}

/// An activity the article tells of. Its days are dates, or days from the
/// day the demo is loaded (`+7`), so a weekly class has sessions ahead
/// whenever the portal starts; times are Beijing time, none: all day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedActivity {
    pub code: String,
    /// The code of the place it is held at, if it is at one.
    pub place: Option<String>,
    pub kind: String,
    #[serde(default = "everyone")]
    pub audience: String,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: Option<String>,
    pub address_en: Option<String>,
    pub organiser_zh: String,
    pub organiser_en: Option<String>,
    pub cost_zh: Option<String>,
    pub cost_en: Option<String>,
    pub bring_zh: Option<String>,
    pub bring_en: Option<String>,
    pub outcome_zh: Option<String>,
    pub outcome_en: Option<String>,
    #[serde(default = "no_signup")]
    pub signup: String,
    pub places: Option<i64>,
    #[serde(default = "one")]
    pub party_max: i64,
    #[serde(default)]
    pub phone_required: bool,
    pub first_day: String,
    #[serde(default)]
    pub weekdays: String,
    #[serde(default)]
    pub every_weeks: Option<i64>,
    pub until: Option<String>,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
}

fn everyone() -> String {
    "everyone".to_owned()
}

fn no_signup() -> String {
    "none".to_owned()
}

fn one() -> i64 {
    1
}

impl SeedActivity {
    /// A day as the file writes it, `2023-11-09` or `+7` (days after `today`).
    pub fn day(text: &str, today: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        match text.strip_prefix('+') {
            Some(n) => n.parse::<i64>().ok().map(|n| today + chrono::Duration::days(n)),
            None => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        }
    }

    /// Its schedule, its days counted from `today`.
    pub fn schedule(&self, today: chrono::NaiveDate) -> Option<crate::domain::activity::Schedule> {
        let day = |t: &str| Self::day(t, today).map(|d| d.to_string()).unwrap_or_default();
        let input = crate::domain::activity::ScheduleInput {
            first_day: day(&self.first_day),
            weekdays: self.weekdays.clone(),
            every_weeks: self.every_weeks.map(|n| n.to_string()).unwrap_or_default(),
            until: self.until.as_deref().map(day).unwrap_or_default(),
            start: self.start.clone(),
            end: self.end.clone(),
            except: String::new(),
        };
        crate::domain::activity::Schedule::parse(&input, chrono::NaiveDate::MIN).ok()
    }
}

/// A fulfilled wish told in the article, with its thank-you.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedWish {
    pub code: String,
    /// The station's stable code.
    pub station: String,
    pub what: String,
    pub why: String,
    pub display_name: String,
    pub occupation: String,
    pub fulfil_note: String,
    pub thanks: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedWorkshop {
    pub slug: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub town_zh: String,
    pub town_en: Option<String>,
    #[serde(default)]
    pub villages_zh: String,
    pub villages_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub model_zh: Option<String>,
    pub model_en: Option<String>,
    pub partners_zh: Option<String>,
    pub partners_en: Option<String>,
    pub founded_year: Option<i32>,
    pub founded_month: Option<i32>,
    pub contact: Option<String>,
    pub employed: Option<i64>,
    /// The article says "more than" (20余人): `employed` is the number.
    #[serde(default)]
    pub employed_more_than: bool,
    pub income_per_person_year: Option<i64>,
    /// Computed here from a reported figure, not reported (`3500×12`).
    pub income_formula: Option<String>,
    #[serde(default)]
    pub figures: Vec<SeedFigure>,
    #[serde(default)]
    pub openings: Vec<SeedOpening>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedOpening {
    pub code: String,
    pub task_zh: String,
    pub task_en: Option<String>,
    pub pay_zh: String,
    pub pay_en: Option<String>,
    pub hours_zh: String,
    pub hours_en: Option<String>,
    pub places: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDistrict {
    pub slug: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub position: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFigure {
    pub code: String,
    pub label_zh: String,
    pub label_en: Option<String>,
    pub value: f64,
    pub unit_zh: String,
    pub unit_en: Option<String>,
    #[serde(default = "exact")]
    pub qualifier: String,
    pub year: Option<i32>,
    pub as_of_zh: Option<String>,
    pub as_of_en: Option<String>,
    /// The code of the source it cites, from the district's register.
    pub source: String,
    pub chart_group: Option<String>,
    #[serde(default)]
    pub headline: bool,
}

/// An entry of a district's sources register: who published what, when,
/// on which page and where it can be read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSource {
    pub code: String,
    pub publisher_zh: String,
    pub publisher_en: Option<String>,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub authors_zh: Option<String>,
    pub authors_en: Option<String>,
    pub published_on: Option<chrono::NaiveDate>,
    pub page: Option<String>,
    pub url: Option<String>,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

fn exact() -> String {
    "exact".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedProgramme {
    pub code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPlace {
    pub code: String,
    pub kind: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: String,
    pub address_en: Option<String>,
    pub hours_zh: Option<String>,
    pub hours_en: Option<String>,
    #[serde(default)]
    pub amenities: Vec<String>,
    pub contact: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedStory {
    pub code: String,
    /// The code of the place the story happened at, if any.
    pub place: Option<String>,
    pub title_zh: String,
    pub title_en: Option<String>,
    pub body_zh: String,
    pub body_en: Option<String>,
}

const FILES: [(&str, &str); 3] = [
    ("gongshu.toml", include_str!("gongshu.toml")),
    ("tonglu.toml", include_str!("tonglu.toml")),
    ("xihu.toml", include_str!("xihu.toml")),
];

/// Parses the embedded demo content. The files are part of the binary, so
/// a parse error is a build defect; the unit test below catches it.
pub fn demo() -> Result<Vec<SeedFile>, String> {
    FILES
        .iter()
        .map(|(name, text)| toml::from_str(text).map_err(|e| format!("{name}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Amenity, PlaceKind};
    use std::collections::HashSet;

    #[test]
    fn demo_content_parses_and_is_consistent() {
        let files = demo().expect("demo content parses");
        let slugs: Vec<_> = files.iter().map(|f| f.district.slug.as_str()).collect();
        assert_eq!(slugs, ["gongshu", "tonglu", "xihu"]);
        let mut place_codes = HashSet::new();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut activity_codes = HashSet::new();
        for f in &files {
            for a in &f.activities {
                assert!(activity_codes.insert(&a.code), "duplicate activity {}", a.code);
                assert!(a.schedule(today).is_some(), "{}: its schedule reads", a.code);
                assert!(crate::domain::activity::Kind::parse(&a.kind).is_some(), "{}", a.code);
                assert!(
                    crate::domain::activity::Audience::parse(&a.audience).is_some(),
                    "{}",
                    a.code
                );
                let rule = crate::domain::activity::SignupRule::parse(&a.signup);
                assert!(rule.is_some(), "{}", a.code);
                assert_eq!(
                    a.places.is_some(),
                    a.signup != "none",
                    "{}: places iff sign-up",
                    a.code
                );
                assert!(
                    a.place.is_some() != a.address_zh.is_some(),
                    "{}: a place or an address",
                    a.code
                );
                if let Some(place) = &a.place {
                    assert!(f.places.iter().any(|p| &p.code == place), "{}: {place}", a.code);
                }
            }
            let mut codes = HashSet::new();
            for fig in &f.figures {
                assert!(codes.insert(&fig.code), "duplicate figure {}", fig.code);
                assert!(["exact", "more_than"].contains(&fig.qualifier.as_str()));
            }
            for p in &f.places {
                assert!(place_codes.insert(p.code.clone()), "duplicate place {}", p.code);
                assert!(PlaceKind::parse(&p.kind).is_some(), "kind {}", p.kind);
                for a in &p.amenities {
                    assert!(Amenity::parse(a).is_some(), "amenity {a}");
                }
            }
            for w in &f.workshops {
                assert!(
                    crate::domain::workshop::Category::parse(&w.category).is_some(),
                    "{}",
                    w.category
                );
                assert!(
                    place_codes.insert(format!("workshop:{}", w.slug)),
                    "duplicate workshop {}",
                    w.slug
                );
                // A computed income is what its formula gives.
                if let Some(formula) = &w.income_formula {
                    let computed = crate::domain::workshop::income_formula(formula).map(|(_, n)| n);
                    assert_eq!(computed, w.income_per_person_year, "{}", w.slug);
                }
            }
            for w in &f.wishes {
                assert!(
                    f.places.iter().any(|p| p.code == w.station && p.kind == "love_station"),
                    "{}",
                    w.station
                );
                assert!(crate::domain::wish::Occupation::parse(&w.occupation).is_some());
            }
            for s in &f.stories {
                if let Some(place) = &s.place {
                    assert!(f.places.iter().any(|p| &p.code == place), "story place {place}");
                }
            }
        }
    }
}
