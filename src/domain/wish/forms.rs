//! Every wish form parsed into what it means: posting (`WishInput`), the
//! staff's review (`ReviewInput`), fulfilling (`FulfilInput`), the worker's
//! confirmation (`ConfirmInput`), the staff's flag (`FlagInput`), the end
//! of a "did not arrive" follow-up (`FollowUpInput`) and the wall's
//! filters (`WallParams`). Each text field is checked by one
//! function, whichever form it comes in.

use serde::Deserialize;

use super::{Change, Occupation, Outcome};
use crate::domain::account::{DisplayName, Phone};
use crate::domain::form::FormErrors;

pub const WHAT_MIN: usize = 2;
pub const WHAT_MAX: usize = 60;
pub const WHY_MAX: usize = 300;
pub const NOTE_MAX: usize = 300;
pub const THANKS_MAX: usize = 200;

/// What is wished for: required, `WHAT_MIN..=WHAT_MAX` characters.
/// `empty` is the message for none at all: the worker is asked to write
/// their wish; staff editing one are told how short it may be.
fn what(e: &mut FormErrors, raw: &str, empty: &'static str) -> String {
    let what = raw.trim();
    let n = what.chars().count();
    if n == 0 {
        e.add("what", empty);
    } else if n < WHAT_MIN {
        e.add("what", "form.wish.what_too_short");
    } else if n > WHAT_MAX {
        e.add("what", "form.wish.what_too_long");
    }
    what.to_owned()
}

/// Why, optional, at most `WHY_MAX` characters.
fn why(e: &mut FormErrors, raw: &str) -> String {
    let why = raw.trim();
    if why.chars().count() > WHY_MAX {
        e.add("why", "form.wish.why_too_long");
    }
    why.to_owned()
}

/// A note at `field` of at most `NOTE_MAX` characters; `too_long` and
/// `required` name the messages (each names its field, as the error
/// summary reads it) for a long and an empty one.
fn note(
    e: &mut FormErrors,
    field: &'static str,
    raw: &str,
    too_long: &'static str,
    required: Option<&'static str>,
) -> String {
    let note = raw.trim();
    match required {
        Some(key) if note.is_empty() => e.add(field, key),
        _ if note.chars().count() > NOTE_MAX => e.add(field, too_long),
        _ => {}
    }
    note.to_owned()
}

/// The wish form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WishInput {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub station: String,
    #[serde(default)]
    pub phone: String,
    /// A field people never see; bots fill it in.
    #[serde(default)]
    pub website: String,
}

#[derive(Debug, Clone)]
pub struct NewWish {
    pub what: String,
    pub why: String,
    pub display_name: DisplayName,
    pub occupation: Occupation,
    /// The station's stable code (as printed on its poster) or its id.
    pub station: String,
    pub phone: Option<Phone>,
}

impl WishInput {
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// Checks every field; the station is checked to exist by the caller.
    pub fn parse(&self) -> Result<NewWish, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[
            ("what", &self.what),
            ("why", &self.why),
            ("display_name", &self.display_name),
            ("occupation", &self.occupation),
            ("station", &self.station),
            ("phone", &self.phone),
        ]);
        let what = what(&mut e, &self.what, "form.wish.what_required");
        let why = why(&mut e, &self.why);
        let name =
            DisplayName::parse(&self.display_name).map_err(|k| e.add("display_name", k)).ok();
        let occupation = Occupation::parse(self.occupation.trim());
        if occupation.is_none() {
            e.add("occupation", "form.wish.occupation_required");
        }
        let station = Some(self.station.trim()).filter(|s| !s.is_empty() && s.len() <= 60);
        if station.is_none() {
            e.add("station", "form.wish.station_required");
        }
        let phone = match self.phone.trim() {
            "" => None,
            p => {
                let parsed = Phone::parse(p);
                if parsed.is_none() {
                    e.add("phone", "form.phone.invalid");
                }
                parsed
            }
        };
        match (name, occupation, station) {
            (Some(display_name), Some(occupation), Some(station)) if e.is_empty() => Ok(NewWish {
                what,
                why,
                display_name,
                occupation,
                station: station.to_owned(),
                phone,
            }),
            _ => Err(e),
        }
    }
}

/// The staff's review form: the wish's texts (edited for privacy before
/// approving) and a reason (for rejecting).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ReviewInput {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub reason: String,
    /// `yes` once the rejection was confirmed.
    #[serde(default)]
    pub confirm: String,
}

impl ReviewInput {
    /// Approving, with the texts as the staff left them: the same rules as
    /// posting.
    pub fn approval(&self) -> Result<Change, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("what", &self.what), ("why", &self.why)]);
        let what = what(&mut e, &self.what, "form.wish.what_too_short");
        let why = why(&mut e, &self.why);
        if e.is_empty() { Ok(Change::Approve { what, why }) } else { Err(e) }
    }

    /// Rejecting, which needs a reason the worker will read.
    pub fn rejection(&self) -> Result<Change, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("reason", &self.reason)]);
        let reason = note(
            &mut e,
            "reason",
            &self.reason,
            "form.wish.reason_too_long",
            Some("form.wish.reason_required"),
        );
        if e.is_empty() { Ok(Change::Reject { reason }) } else { Err(e) }
    }
}

/// The claimer's (or staff's) "done" form: an optional note.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FulfilInput {
    #[serde(default)]
    pub note: String,
}

impl FulfilInput {
    /// The note to keep with the fulfilment (possibly empty).
    pub fn parse(&self) -> Result<String, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("note", &self.note)]);
        let note = note(&mut e, "note", &self.note, "form.wish.fulfil_note_too_long", None);
        if e.is_empty() { Ok(note) } else { Err(e) }
    }
}

/// The worker's answer on the tracking page: did help arrive, and thanks.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConfirmInput {
    #[serde(default)]
    pub arrived: String,
    #[serde(default)]
    pub thanks: String,
}

/// What the worker said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub arrived: bool,
    /// Kept only when help arrived and something was written.
    pub thanks: Option<String>,
}

impl ConfirmInput {
    pub fn parse(&self) -> Result<Confirmation, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("thanks", &self.thanks)]);
        let arrived = match self.arrived.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                e.add("arrived", "form.wish.arrived_required");
                None
            }
        };
        let thanks = self.thanks.trim();
        if thanks.chars().count() > THANKS_MAX {
            e.add("thanks", "form.wish.thanks_too_long");
        }
        match arrived {
            Some(arrived) if e.is_empty() => Ok(Confirmation {
                arrived,
                thanks: (arrived && !thanks.is_empty()).then(|| thanks.to_owned()),
            }),
            _ => Err(e),
        }
    }
}

/// The staff's flag on a wish: hide the thanks from the public.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FlagInput {
    #[serde(default)]
    pub hide_thanks: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    /// `Some(true)` hides, `Some(false)` shows again, `None` leaves it.
    pub hide_thanks: Option<bool>,
}

impl FlagInput {
    pub fn parse(&self) -> Flags {
        Flags { hide_thanks: self.hide_thanks.as_deref().map(|v| v == "1") }
    }
}

/// How staff end a "did not arrive" follow-up, as typed: one outcome, and
/// a note the worker and the volunteer read (required to close it).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FollowUpInput {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub note: String,
}

impl FollowUpInput {
    pub fn parse(&self) -> Result<Change, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("note", &self.note)]);
        let outcome = Outcome::parse(self.outcome.trim());
        if outcome.is_none() {
            e.add("outcome", "form.wish.outcome_required");
        }
        let required = (outcome == Some(Outcome::Close)).then_some("form.wish.close_note_required");
        let note = if e.get("note").is_none() {
            note(&mut e, "note", &self.note, "form.wish.follow_up_note_too_long", required)
        } else {
            String::new()
        };
        match outcome {
            Some(outcome) if e.is_empty() => Ok(Change::Resolve { outcome, note }),
            _ => Err(e),
        }
    }
}

/// A rejected wish edited by its worker on the tracking page, to send
/// again: the same rules as posting it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ResubmitInput {
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub why: String,
}

impl ResubmitInput {
    pub fn parse(&self) -> Result<Change, FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("what", &self.what), ("why", &self.why)]);
        let what = what(&mut e, &self.what, "form.wish.what_required");
        let why = why(&mut e, &self.why);
        if e.is_empty() { Ok(Change::Resubmit { what, why }) } else { Err(e) }
    }
}

/// Staff taking a claim back, as typed: why (the volunteer reads it) and,
/// to hand it to another volunteer, their phone or e-mail.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TakeBackInput {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub confirm: String,
}

impl TakeBackInput {
    /// The reason, and whom to hand the claim to as typed (none: back to
    /// the wall). Who that is, the caller looks up.
    pub fn parse(&self) -> Result<(String, Option<String>), FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("reason", &self.reason), ("to", &self.to)]);
        if !e.is_empty() {
            return Err(e);
        }
        let reason = note(
            &mut e,
            "reason",
            &self.reason,
            "form.wish.take_back_reason_too_long",
            Some("form.wish.take_back_reason_required"),
        );
        let to = Some(self.to.trim()).filter(|t| !t.is_empty()).map(str::to_owned);
        if e.is_empty() { Ok((reason, to)) } else { Err(e) }
    }
}

/// The wall's filters as typed in the query string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WallParams {
    pub district: Option<String>,
    pub station: Option<String>,
    pub occupation: Option<String>,
    pub page: Option<String>,
}

/// Filters that passed; anything unknown or malformed was dropped and named
/// in `ignored` (catalogue keys) so the page can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wall {
    pub district: Option<String>,
    pub station: Option<i64>,
    pub occupation: Option<Occupation>,
    pub page: i64,
    pub ignored: Vec<&'static str>,
}

/// No filter, the first page.
impl Default for Wall {
    fn default() -> Wall {
        Wall { district: None, station: None, occupation: None, page: 1, ignored: Vec::new() }
    }
}

impl WallParams {
    /// Parses against what exists: `districts` (slugs) and `stations` (ids).
    pub fn parse(&self, districts: &[&str], stations: &[i64]) -> Wall {
        let mut out = Wall::default();
        let given = |v: &Option<String>| {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
        };
        if let Some(d) = given(&self.district) {
            if districts.contains(&d.as_str()) {
                out.district = Some(d);
            } else {
                out.ignored.push("wishes.ignored.district");
            }
        }
        if let Some(s) = given(&self.station) {
            match s.parse::<i64>().ok().filter(|id| stations.contains(id)) {
                Some(id) => out.station = Some(id),
                None => out.ignored.push("wishes.ignored.station"),
            }
        }
        if let Some(o) = given(&self.occupation) {
            match Occupation::parse(&o) {
                Some(o) => out.occupation = Some(o),
                None => out.ignored.push("wishes.ignored.occupation"),
            }
        }
        if let Some(p) = given(&self.page) {
            match crate::domain::page_number(&p) {
                Some(n) => out.page = n,
                None => out.ignored.push("wishes.ignored.page"),
            }
        }
        out
    }
}

impl Wall {
    /// Whether any filter is on.
    pub fn filtered(&self) -> bool {
        self.district.is_some() || self.station.is_some() || self.occupation.is_some()
    }

    /// The wall's address for page `n` with these filters.
    pub fn href(&self, n: i64) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &self.district {
            parts.push(("district", d.clone()));
        }
        if let Some(s) = self.station {
            parts.push(("station", s.to_string()));
        }
        if let Some(o) = self.occupation {
            parts.push(("occupation", o.code().to_owned()));
        }
        if n > 1 {
            parts.push(("page", n.to_string()));
        }
        let q = serde_urlencoded::to_string(&parts).unwrap_or_default();
        if q.is_empty() { "/wishes".to_owned() } else { format!("/wishes?{q}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wish_form_checks_every_field() {
        let e = WishInput {
            what: "x".into(),
            why: "y".repeat(301),
            phone: "12".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for (field, key) in [
            ("what", "form.wish.what_too_short"),
            ("why", "form.wish.why_too_long"),
            ("display_name", "form.display_name.required"),
            ("occupation", "form.wish.occupation_required"),
            ("station", "form.wish.station_required"),
            ("phone", "form.phone.invalid"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
        let ok = WishInput {
            what: "一台微波炉".into(),
            display_name: "陈大姐".into(),
            occupation: "sanitation".into(),
            station: "3".into(),
            ..Default::default()
        };
        let w = ok.parse().unwrap();
        assert!(w.phone.is_none() && !ok.is_bot());
    }

    #[test]
    fn review_uses_the_posting_rules_and_rejecting_needs_a_reason() {
        let long = "长".repeat(WHAT_MAX + 1);
        let e = ReviewInput { what: long, why: "x".repeat(WHY_MAX + 1), ..Default::default() }
            .approval()
            .unwrap_err();
        assert_eq!(e.get("what"), Some("form.wish.what_too_long"));
        assert_eq!(e.get("why"), Some("form.wish.why_too_long"));
        let e = ReviewInput { what: " ".into(), ..Default::default() }.approval().unwrap_err();
        assert_eq!(e.get("what"), Some("form.wish.what_too_short"), "staff are told the rule");
        let e =
            ReviewInput { what: "水\u{0}".into(), ..Default::default() }.approval().unwrap_err();
        assert_eq!(e.get("what"), Some("form.text.control"));
        let ok =
            ReviewInput {
                what: " 一台微波炉 ".into(), why: " 坏了 ".into(), ..Default::default()
            };
        assert_eq!(
            ok.approval().unwrap(),
            Change::Approve { what: "一台微波炉".into(), why: "坏了".into() }
        );
        let e = ReviewInput { reason: "  ".into(), ..Default::default() }.rejection().unwrap_err();
        assert_eq!(e.get("reason"), Some("form.wish.reason_required"));
        let e = ReviewInput { reason: "x".repeat(NOTE_MAX + 1), ..Default::default() }
            .rejection()
            .unwrap_err();
        assert_eq!(e.get("reason"), Some("form.wish.reason_too_long"));
        let ok = ReviewInput { reason: " 含电话 ".into(), ..Default::default() };
        assert_eq!(ok.rejection().unwrap(), Change::Reject { reason: "含电话".into() });
    }

    #[test]
    fn fulfil_notes_are_optional_and_bounded() {
        assert_eq!(FulfilInput { note: "  ".into() }.parse().unwrap(), "");
        assert_eq!(FulfilInput { note: " 已送到 ".into() }.parse().unwrap(), "已送到");
        let e = FulfilInput { note: "x".repeat(NOTE_MAX + 1) }.parse().unwrap_err();
        assert_eq!(e.get("note"), Some("form.wish.fulfil_note_too_long"));
        let e = FulfilInput { note: "a\u{7}".into() }.parse().unwrap_err();
        assert_eq!(e.get("note"), Some("form.text.control"));
    }

    #[test]
    fn a_confirmation_needs_an_answer_and_keeps_thanks_only_when_help_came() {
        let e =
            ConfirmInput { arrived: "maybe".into(), thanks: "谢谢".into() }.parse().unwrap_err();
        assert_eq!(e.get("arrived"), Some("form.wish.arrived_required"));
        let e = ConfirmInput { arrived: "yes".into(), thanks: "谢".repeat(THANKS_MAX + 1) }
            .parse()
            .unwrap_err();
        assert_eq!(e.get("thanks"), Some("form.wish.thanks_too_long"));
        let yes = ConfirmInput { arrived: "yes".into(), thanks: " 谢谢 ".into() }.parse().unwrap();
        assert_eq!(yes, Confirmation { arrived: true, thanks: Some("谢谢".into()) });
        let no = ConfirmInput { arrived: "no".into(), thanks: "谢谢".into() }.parse().unwrap();
        assert_eq!(no, Confirmation { arrived: false, thanks: None });
        let blank = ConfirmInput { arrived: "yes".into(), thanks: " ".into() }.parse().unwrap();
        assert_eq!(blank.thanks, None);
    }

    #[test]
    fn flags_read_the_checkboxes() {
        let f = FlagInput { hide_thanks: Some("1".into()) }.parse();
        assert_eq!(f, Flags { hide_thanks: Some(true) });
        let f = FlagInput { hide_thanks: Some("0".into()) }.parse();
        assert_eq!(f, Flags { hide_thanks: Some(false) });
        assert_eq!(FlagInput::default().parse(), Flags { hide_thanks: None });
    }

    #[test]
    fn a_follow_up_needs_an_outcome_and_closing_needs_a_note() {
        let typed = |outcome: &str, note: &str| FollowUpInput {
            outcome: outcome.into(),
            note: note.into(),
        };
        let e = typed("", "").parse().unwrap_err();
        assert_eq!(e.get("outcome"), Some("form.wish.outcome_required"));
        assert_eq!(
            typed("lost", "").parse().unwrap_err().get("outcome"),
            Some("form.wish.outcome_required")
        );
        let e = typed("close", " ").parse().unwrap_err();
        assert_eq!(e.get("note"), Some("form.wish.close_note_required"));
        let long = "长".repeat(NOTE_MAX + 1);
        assert_eq!(
            typed("arrived", &long).parse().unwrap_err().get("note"),
            Some("form.wish.follow_up_note_too_long")
        );
        assert_eq!(
            typed("close", "联系不上，已结束").parse().unwrap(),
            Change::Resolve { outcome: Outcome::Close, note: "联系不上，已结束".into() }
        );
        assert_eq!(
            typed("try_again", "").parse().unwrap(),
            Change::Resolve { outcome: Outcome::TryAgain, note: String::new() }
        );
    }

    #[test]
    fn the_wall_keeps_known_filters_and_names_the_rest() {
        let p = |d: &str, s: &str, o: &str, page: &str| WallParams {
            district: Some(d.into()),
            station: Some(s.into()),
            occupation: Some(o.into()),
            page: Some(page.into()),
        };
        let w = p(" gongshu ", "7", "courier", "2").parse(&["gongshu"], &[7, 8]);
        assert_eq!(
            w,
            Wall {
                district: Some("gongshu".into()),
                station: Some(7),
                occupation: Some(Occupation::parse("courier").unwrap()),
                page: 2,
                ignored: vec![],
            }
        );
        assert!(w.filtered());
        assert_eq!(w.href(3), "/wishes?district=gongshu&station=7&occupation=courier&page=3");
        assert_eq!(w.href(1), "/wishes?district=gongshu&station=7&occupation=courier");
        let bad = p("nowhere", "9", "astronaut", "-1").parse(&["gongshu"], &[7]);
        assert_eq!(
            bad.ignored,
            vec![
                "wishes.ignored.district",
                "wishes.ignored.station",
                "wishes.ignored.occupation",
                "wishes.ignored.page"
            ]
        );
        assert!(!bad.filtered());
        assert_eq!((bad.page, bad.href(1)), (1, "/wishes".to_owned()));
        let none = WallParams::default().parse(&[], &[]);
        assert_eq!(none, Wall::default());
        assert_eq!(none.page, 1);
        assert_eq!(p("", "", "", "999999999").parse(&[], &[]).page, crate::domain::MAX_PAGES);
    }
}
