//! The audit viewer's filters: who, kind of item, item, date range, as
//! typed in the query string, checked into what they select. A bad value
//! is named at its field and left out of the filter.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::form::{FormErrors, has_control};
use super::format::beijing;
use super::place_edit::parse_date;

/// Kinds of item an audit row is about (the part of `object` before `:`).
pub const KINDS: [&str; 14] = [
    "place",
    "wish",
    "user",
    "workshop",
    "signup",
    "audit",
    "district",
    "figure",
    "programme",
    "story",
    "notice",
    "territory",
    "source",
    "activity",
];

/// The query parameters of `/staff/audit`, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct AuditParams {
    pub who: String,
    pub kind: String,
    pub item: String,
    pub from: String,
    pub to: String,
    pub page: String,
}

impl AuditParams {
    /// The query parameters the viewer reads, for the page cache's rule
    /// and for links that keep the filters.
    pub const NAMES: [&'static str; 6] = ["who", "kind", "item", "from", "to", "page"];

    /// The filters as a query string (without the page), for the pager
    /// and the export link.
    pub fn query(&self) -> String {
        let pairs = [
            ("who", &self.who),
            ("kind", &self.kind),
            ("item", &self.item),
            ("from", &self.from),
            ("to", &self.to),
        ];
        serde_urlencoded::to_string(
            pairs.iter().filter(|(_, v)| !v.trim().is_empty()).collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }
}

/// What the filters select.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<i64>,
    /// `place:` and the like: rows about items of this kind.
    pub kind: Option<&'static str>,
    /// `place:7`: rows about this one item.
    pub object: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Rows before this moment (the end of the last day asked for).
    pub until: Option<DateTime<Utc>>,
}

/// The start of a Beijing day, as UTC.
fn day_start(d: NaiveDate) -> Option<DateTime<Utc>> {
    let local = d.and_hms_opt(0, 0, 0)?;
    beijing().from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc))
}

impl AuditParams {
    /// The filter, and a message at each field that was left out.
    pub fn parse(&self) -> (AuditFilter, FormErrors) {
        let mut errors = FormErrors::new();
        let mut filter = AuditFilter::default();
        errors.refuse_control(&[
            ("who", &self.who),
            ("kind", &self.kind),
            ("item", &self.item),
            ("from", &self.from),
            ("to", &self.to),
        ]);
        let who = self.who.trim();
        if !who.is_empty() && errors.get("who").is_none() {
            match who.parse::<i64>() {
                Ok(id) if id > 0 => filter.actor = Some(id),
                _ => errors.add("who", "audit.filter.who_invalid"),
            }
        }
        let kind = self.kind.trim();
        if !kind.is_empty() && errors.get("kind").is_none() {
            match KINDS.iter().find(|k| **k == kind) {
                Some(k) => filter.kind = Some(k),
                None => errors.add("kind", "audit.filter.kind_invalid"),
            }
        }
        let item = self.item.trim();
        if !item.is_empty() && errors.get("item").is_none() {
            let well_formed = item.chars().count() <= 60
                && item.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
                && !has_control(item);
            match filter.kind {
                None => errors.add("item", "audit.filter.item_needs_kind"),
                Some(k) if well_formed && (k == "workshop" || item.parse::<i64>().is_ok()) => {
                    filter.object = Some(format!("{k}:{item}"));
                }
                Some(_) => errors.add("item", "audit.filter.item_invalid"),
            }
        }
        let date = |field: &'static str, typed: &str, errors: &mut FormErrors| {
            let typed = typed.trim();
            if typed.is_empty() || errors.get(field).is_some() {
                return None;
            }
            let day = parse_date(typed);
            if day.is_none() {
                errors.add(field, "form.date.invalid");
            }
            day
        };
        let from = date("from", &self.from, &mut errors);
        let to = date("to", &self.to, &mut errors);
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            errors.add("to", "form.date.before_start");
            return (AuditFilter { from: day_start(a), ..filter }, errors);
        }
        filter.from = from.and_then(day_start);
        filter.until = to.and_then(|d| day_start(d + Duration::days(1)));
        (filter, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> AuditParams {
        let q = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&q).unwrap()
    }

    #[test]
    fn filters_select_who_what_and_when() {
        let p = params(&[
            ("who", "12"),
            ("kind", "place"),
            ("item", "7"),
            ("from", "2026-12-01"),
            ("to", "2026-12-01"),
        ]);
        let (f, errors) = p.parse();
        assert!(errors.is_empty());
        assert_eq!(f.actor, Some(12));
        assert_eq!(f.object.as_deref(), Some("place:7"));
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-11-30T16:00:00+00:00", "Beijing midnight");
        assert_eq!(
            f.until.unwrap().to_rfc3339(),
            "2026-12-01T16:00:00+00:00",
            "the whole last day"
        );
        let (f, _) = params(&[("kind", "workshop"), ("item", "hangshu-base")]).parse();
        assert_eq!(f.object.as_deref(), Some("workshop:hangshu-base"));
        assert_eq!(p.query(), "who=12&kind=place&item=7&from=2026-12-01&to=2026-12-01");
    }

    #[test]
    fn bad_filters_are_named_and_left_out() {
        let (f, e) =
            params(&[("who", "x"), ("kind", "castle"), ("item", "7"), ("from", "yesterday")])
                .parse();
        assert_eq!(f, AuditFilter::default());
        assert_eq!(e.get("who"), Some("audit.filter.who_invalid"));
        assert_eq!(e.get("kind"), Some("audit.filter.kind_invalid"));
        assert_eq!(e.get("item"), Some("audit.filter.item_needs_kind"));
        assert_eq!(e.get("from"), Some("form.date.invalid"));
        let (_, e) = params(&[("kind", "wish"), ("item", "7' OR 1=1")]).parse();
        assert_eq!(e.get("item"), Some("audit.filter.item_invalid"));
        let (f, e) = params(&[("from", "2026-12-05"), ("to", "2026-12-01")]).parse();
        assert_eq!(e.get("to"), Some("form.date.before_start"));
        assert!(f.from.is_some() && f.until.is_none());
    }
}
