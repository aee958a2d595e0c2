//! The place form: which fields each role edits, and what they mean once
//! checked. A place's [`Fields`] are its revision snapshot too.

use chrono::{Duration, NaiveDate};

use super::form::FormErrors;
use super::hours::{Exception, Hours, MAX_EXCEPTIONS, WEEKDAYS, Week, parse_spans, write_spans};
use super::place::Amenity;
use super::revision::{Fields, NOTE_MAX};

/// Exception rows' field names: from, to, hours, Chinese note, English note.
pub const EXCEPTION_FIELDS: [[&str; 5]; MAX_EXCEPTIONS] = [
    ["exc0_from", "exc0_to", "exc0_hours", "exc0_note_zh", "exc0_note_en"],
    ["exc1_from", "exc1_to", "exc1_hours", "exc1_note_zh", "exc1_note_en"],
    ["exc2_from", "exc2_to", "exc2_hours", "exc2_note_zh", "exc2_note_en"],
    ["exc3_from", "exc3_to", "exc3_hours", "exc3_note_zh", "exc3_note_en"],
    ["exc4_from", "exc4_to", "exc4_hours", "exc4_note_zh", "exc4_note_en"],
    ["exc5_from", "exc5_to", "exc5_hours", "exc5_note_zh", "exc5_note_en"],
    ["exc6_from", "exc6_to", "exc6_hours", "exc6_note_zh", "exc6_note_en"],
    ["exc7_from", "exc7_to", "exc7_hours", "exc7_note_zh", "exc7_note_en"],
];

/// What a station's keeper edits, in the form's order: a closure, the
/// week, exceptions, amenities, the public contact, accessibility.
pub const KEEPER_FIELDS: [&str; 12] = [
    "closed_until",
    "closed_reason_zh",
    "closed_reason_en",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "hours_note_zh",
    "hours_note_en",
];

pub const KEEPER_MORE_FIELDS: [&str; 5] =
    ["amenities", "amenities_note_zh", "contact", "accessibility_zh", "accessibility_en"];

/// What only a district's admins (and site admins) edit: what the place is
/// and where, and whether it is in service.
pub const ADMIN_FIELDS: [&str; 10] = [
    "name_zh",
    "name_en",
    "summary_zh",
    "summary_en",
    "address_zh",
    "address_en",
    "latitude",
    "longitude",
    "in_service",
    "draft",
];

/// The fields a station keeper may change (the rest stay as stored), in
/// the form's order.
pub fn keeper_fields() -> Vec<&'static str> {
    let mut list: Vec<&'static str> = Vec::new();
    list.extend(KEEPER_FIELDS);
    list.extend(EXCEPTION_FIELDS.iter().flatten());
    list.extend(KEEPER_MORE_FIELDS);
    list
}

/// Every field of the place form, in its order, for a role that edits
/// them all.
pub fn all_fields() -> Vec<&'static str> {
    let mut all = keeper_fields();
    all.extend(ADMIN_FIELDS);
    all
}

/// Where a field stands in the form (history and conflicts list changes
/// in this order).
pub fn field_position(name: &str) -> usize {
    all_fields().iter().position(|f| *f == name).unwrap_or(usize::MAX)
}

/// A place as its form means it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceEdit {
    pub name_zh: String,
    pub name_en: Option<String>,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub address_zh: String,
    pub address_en: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub in_service: bool,
    /// Not yet published: hidden from every public page.
    pub draft: bool,
    pub hours: Hours,
    pub hours_note_zh: Option<String>,
    pub hours_note_en: Option<String>,
    pub closed_reason_zh: Option<String>,
    pub closed_reason_en: Option<String>,
    pub amenities: Vec<Amenity>,
    pub amenities_note_zh: Option<String>,
    pub contact: Option<String>,
    pub accessibility_zh: Option<String>,
    pub accessibility_en: Option<String>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A date as typed: `2026-10-01`, `2026/10/1`, `2026年10月1日`.
pub fn parse_date(typed: &str) -> Option<NaiveDate> {
    let s: String = typed
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '.' | '年' | '月' => '-',
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .filter(|c| *c != '日')
        .collect();
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()
}

/// A public contact: a service line (landline, hotline), never a person's
/// mobile number.
pub(crate) fn check_contact(typed: &str) -> Result<Option<String>, &'static str> {
    let Some(t) = opt(typed) else { return Ok(None) };
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let allowed = t.chars().all(|c| c.is_ascii_digit() || " -()转".contains(c));
    if !allowed || digits.len() < 5 || digits.len() > 16 {
        return Err("form.place.contact_invalid");
    }
    let personal = digits.len() == 11 && digits.starts_with('1') && !digits.starts_with("10");
    if personal {
        return Err("form.place.contact_personal");
    }
    Ok(Some(t))
}

fn check_len(
    errors: &mut FormErrors,
    field: &'static str,
    value: &str,
    max: usize,
    key: &'static str,
) {
    if value.trim().chars().count() > max {
        errors.add(field, key);
    }
}

impl PlaceEdit {
    /// Checks a submitted place form. `today` is Beijing's date (a closure
    /// cannot end in the past).
    pub fn parse(f: &Fields, today: NaiveDate) -> Result<PlaceEdit, FormErrors> {
        let mut errors = FormErrors::new();
        let names = all_fields();
        let values: Vec<(&'static str, &str)> = names.iter().map(|n| (*n, f.get(n))).collect();
        errors.refuse_control(&values);
        for (field, max) in [("name_zh", 60), ("name_en", 120)] {
            check_len(&mut errors, field, f.get(field), max, "form.place.name_long");
        }
        if f.get("name_zh").trim().chars().count() < 2 {
            errors.add("name_zh", "form.place.name_required");
        }
        if f.get("summary_zh").trim().is_empty() {
            errors.add("summary_zh", "form.place.summary_required");
        }
        if f.get("address_zh").trim().is_empty() {
            errors.add("address_zh", "form.place.address_required");
        }
        for field in ["summary_zh", "summary_en"] {
            check_len(&mut errors, field, f.get(field), 1000, "form.text.too_long");
        }
        for field in [
            "address_zh",
            "address_en",
            "hours_note_zh",
            "hours_note_en",
            "closed_reason_zh",
            "closed_reason_en",
            "amenities_note_zh",
            "accessibility_zh",
            "accessibility_en",
        ] {
            check_len(&mut errors, field, f.get(field), NOTE_MAX, "form.text.too_long");
        }
        let coordinate = |field: &'static str, lo: f64, hi: f64, errors: &mut FormErrors| {
            let t = f.get(field).trim().replace('，', ".");
            if t.is_empty() {
                return None;
            }
            match t.parse::<f64>() {
                Ok(v) if (lo..=hi).contains(&v) => Some(v),
                _ => {
                    errors.add(field, "form.place.coordinate_invalid");
                    None
                }
            }
        };
        // Within China: latitude 3–54 °N, longitude 73–136 °E.
        let latitude = coordinate("latitude", 3.0, 54.0, &mut errors);
        let longitude = coordinate("longitude", 73.0, 136.0, &mut errors);
        let typed_lat = !f.get("latitude").trim().is_empty();
        let typed_lon = !f.get("longitude").trim().is_empty();
        if typed_lat != typed_lon {
            errors.add(
                if typed_lat { "longitude" } else { "latitude" },
                "form.place.coordinate_pair",
            );
        }
        let mut week = Week::default();
        for (i, day) in WEEKDAYS.iter().enumerate() {
            match parse_spans(f.get(day)) {
                Ok(spans) => week.0[i] = spans,
                Err(key) => errors.add(day, key),
            }
        }
        let published = WEEKDAYS.iter().any(|d| !f.get(d).trim().is_empty());
        let closed_until = match opt(f.get("closed_until")) {
            None => None,
            Some(t) => match parse_date(&t) {
                Some(date) if date < today => {
                    errors.add("closed_until", "form.place.closed_past");
                    None
                }
                Some(date) if date > today + Duration::days(366) => {
                    errors.add("closed_until", "form.place.closed_far");
                    None
                }
                Some(date) => Some(date),
                None => {
                    errors.add("closed_until", "form.date.invalid");
                    None
                }
            },
        };
        if closed_until.is_some() && f.get("closed_reason_zh").trim().is_empty() {
            errors.add("closed_reason_zh", "form.place.closed_reason_required");
        }
        let mut exceptions = Vec::new();
        for [from, to, hours, note_zh, note_en] in EXCEPTION_FIELDS {
            let row = [from, to, hours, note_zh, note_en];
            if row.iter().all(|n| f.get(n).trim().is_empty()) {
                continue;
            }
            let Some(start) = parse_date(f.get(from)) else {
                errors.add(
                    from,
                    if f.get(from).trim().is_empty() {
                        "form.date.required"
                    } else {
                        "form.date.invalid"
                    },
                );
                continue;
            };
            let end = match opt(f.get(to)) {
                None => start,
                Some(t) => match parse_date(&t) {
                    Some(end) if end >= start => end,
                    Some(_) => {
                        errors.add(to, "form.date.before_start");
                        continue;
                    }
                    None => {
                        errors.add(to, "form.date.invalid");
                        continue;
                    }
                },
            };
            if end - start > Duration::days(92) {
                errors.add(to, "form.place.exception_long");
                continue;
            }
            let spans = match parse_spans(f.get(hours)) {
                Ok(s) => s,
                Err(key) => {
                    errors.add(hours, key);
                    continue;
                }
            };
            exceptions.push(Exception {
                from: start,
                to: end,
                hours: write_spans(&spans),
                note_zh: f.get(note_zh).trim().to_owned(),
                note_en: f.get(note_en).trim().to_owned(),
            });
        }
        exceptions.sort_by_key(|e| e.from);
        let contact = match check_contact(f.get("contact")) {
            Ok(c) => c,
            Err(key) => {
                errors.add("contact", key);
                None
            }
        };
        let mut amenities = Vec::new();
        for code in f.get("amenities").split_whitespace() {
            match Amenity::parse(code) {
                Some(a) if !amenities.contains(&a) => amenities.push(a),
                Some(_) => {}
                None => errors.add("amenities", "form.place.amenity_unknown"),
            }
        }
        amenities.sort_by_key(|a| Amenity::ALL.iter().position(|b| b == a));
        errors.into_result(|| PlaceEdit {
            name_zh: f.get("name_zh").trim().to_owned(),
            name_en: opt(f.get("name_en")),
            summary_zh: f.get("summary_zh").trim().to_owned(),
            summary_en: opt(f.get("summary_en")),
            address_zh: f.get("address_zh").trim().to_owned(),
            address_en: opt(f.get("address_en")),
            latitude: latitude.filter(|_| longitude.is_some()),
            longitude: longitude.filter(|_| latitude.is_some()),
            in_service: !f.get("in_service").is_empty(),
            draft: !f.get("draft").is_empty(),
            hours: Hours { week: published.then_some(week), exceptions, closed_until },
            hours_note_zh: opt(f.get("hours_note_zh")),
            hours_note_en: opt(f.get("hours_note_en")),
            closed_reason_zh: opt(f.get("closed_reason_zh")).filter(|_| closed_until.is_some()),
            closed_reason_en: opt(f.get("closed_reason_en")).filter(|_| closed_until.is_some()),
            amenities,
            amenities_note_zh: opt(f.get("amenities_note_zh")),
            contact,
            accessibility_zh: opt(f.get("accessibility_zh")),
            accessibility_en: opt(f.get("accessibility_en")),
        })
    }

    /// The place as it stands on `today`: a closure whose last day has
    /// passed is over, and its form no longer shows it.
    #[must_use]
    pub fn current(mut self, today: NaiveDate) -> PlaceEdit {
        if self.hours.closed_until.is_some_and(|d| d < today) {
            self.hours.closed_until = None;
            self.closed_reason_zh = None;
            self.closed_reason_en = None;
        }
        self
    }

    /// The canonical form of the place: what its form shows and what a
    /// revision stores.
    pub fn to_fields(&self) -> Fields {
        let mut f = Fields::new();
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        f.set("name_zh", self.name_zh.clone());
        f.set("name_en", o(&self.name_en));
        f.set("summary_zh", self.summary_zh.clone());
        f.set("summary_en", o(&self.summary_en));
        f.set("address_zh", self.address_zh.clone());
        f.set("address_en", o(&self.address_en));
        f.set("latitude", self.latitude.map(|v| format!("{v:.6}")).unwrap_or_default());
        f.set("longitude", self.longitude.map(|v| format!("{v:.6}")).unwrap_or_default());
        f.set("in_service", if self.in_service { "on" } else { "" });
        f.set("draft", if self.draft { "on" } else { "" });
        if let Some(week) = &self.hours.week {
            for (i, day) in WEEKDAYS.iter().enumerate() {
                f.set(day, write_spans(&week.0[i]));
            }
        }
        f.set("hours_note_zh", o(&self.hours_note_zh));
        f.set("hours_note_en", o(&self.hours_note_en));
        for (e, [from, to, hours, note_zh, note_en]) in
            self.hours.exceptions.iter().zip(EXCEPTION_FIELDS)
        {
            f.set(from, e.from.to_string());
            f.set(to, e.to.to_string());
            f.set(hours, e.hours.clone());
            f.set(note_zh, e.note_zh.clone());
            f.set(note_en, e.note_en.clone());
        }
        f.set("closed_until", self.hours.closed_until.map(|d| d.to_string()).unwrap_or_default());
        f.set("closed_reason_zh", o(&self.closed_reason_zh));
        f.set("closed_reason_en", o(&self.closed_reason_en));
        f.set("amenities", self.amenities.iter().map(|a| a.code()).collect::<Vec<_>>().join(" "));
        f.set("amenities_note_zh", o(&self.amenities_note_zh));
        f.set("contact", o(&self.contact));
        f.set("accessibility_zh", o(&self.accessibility_zh));
        f.set("accessibility_en", o(&self.accessibility_en));
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()
    }

    fn base() -> Fields {
        let mut f = Fields::new();
        f.set("name_zh", "之江驿站");
        f.set("summary_zh", "给户外劳动者歇脚的地方");
        f.set("address_zh", "西湖区之江路1号");
        f.set("in_service", "on");
        f
    }

    #[test]
    fn a_valid_form_round_trips_through_its_canonical_fields() {
        let mut f = base();
        f.set("mon", "８:００-18:00");
        f.set("sat", "9-12");
        f.set("exc0_from", "2026年10月1日");
        f.set("exc0_to", "2026/10/3");
        f.set("exc0_note_zh", "国庆休息");
        f.set("closed_until", "2026-12-02");
        f.set("closed_reason_zh", "停电检修");
        f.set("amenities", "toilet hot_water toilet");
        f.set("contact", "0571-88001234");
        f.set("latitude", "30.2");
        f.set("longitude", "120.1");
        let edit = PlaceEdit::parse(&f, today()).unwrap();
        assert_eq!(edit.amenities, vec![Amenity::HotWater, Amenity::Toilet]);
        let canonical = edit.to_fields();
        assert_eq!(canonical.get("mon"), "08:00-18:00");
        assert_eq!(canonical.get("tue"), "", "a day left empty is closed");
        assert_eq!(canonical.get("exc0_from"), "2026-10-01");
        assert_eq!(canonical.get("exc0_to"), "2026-10-03");
        assert_eq!(canonical.get("latitude"), "30.200000");
        assert_eq!(PlaceEdit::parse(&canonical, today()).unwrap(), edit);
        assert!(edit.hours.week.is_some());
        // Seven empty days: the hours are not published.
        let none = PlaceEdit::parse(&base(), today()).unwrap();
        assert_eq!(none.hours.week, None);
    }

    #[test]
    fn bad_input_is_named_at_its_field() {
        let mut f = base();
        f.set("name_zh", "站");
        f.set("tue", "18:00-8:00");
        f.set("closed_until", "2026-11-30");
        f.set("exc1_to", "2026-10-01");
        f.set("contact", "13812345678");
        f.set("latitude", "91");
        f.set("amenities", "teleporter");
        let e = PlaceEdit::parse(&f, today()).unwrap_err();
        assert_eq!(e.get("name_zh"), Some("form.place.name_required"));
        assert_eq!(e.get("tue"), Some("form.hours.backwards"));
        assert_eq!(e.get("closed_until"), Some("form.place.closed_past"));
        assert_eq!(e.get("exc1_from"), Some("form.date.required"));
        assert_eq!(e.get("contact"), Some("form.place.contact_personal"));
        assert_eq!(e.get("latitude"), Some("form.place.coordinate_invalid"));
        assert_eq!(e.get("longitude"), Some("form.place.coordinate_pair"));
        assert_eq!(e.get("amenities"), Some("form.place.amenity_unknown"));
        let mut g = base();
        g.set("closed_until", "2026-12-05");
        let e = PlaceEdit::parse(&g, today()).unwrap_err();
        assert_eq!(e.get("closed_reason_zh"), Some("form.place.closed_reason_required"));
        g.set("summary_zh", "x\u{0}");
        let e = PlaceEdit::parse(&g, today()).unwrap_err();
        assert_eq!(e.get("summary_zh"), Some("form.text.control"));
    }

    #[test]
    fn service_lines_are_public_contacts_and_mobiles_are_not() {
        assert_eq!(check_contact("0571-8800 1234"), Ok(Some("0571-8800 1234".into())));
        assert_eq!(check_contact("12345"), Ok(Some("12345".into())));
        assert_eq!(check_contact("10086"), Ok(Some("10086".into())));
        assert_eq!(check_contact(""), Ok(None));
        assert_eq!(check_contact("138 1234 5678"), Err("form.place.contact_personal"));
        assert_eq!(check_contact("call me"), Err("form.place.contact_invalid"));
    }
}
