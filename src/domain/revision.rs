//! Revisions of what staff edit. Every editable item is a set of named
//! fields (what its form holds, in canonical form); a revision stores the
//! fields after a save and what changed from what to what. The same
//! fields fill the edit form, show a conflict and restore an old revision,
//! so one model serves places, districts, workshops and what comes later.

use std::collections::BTreeMap;

/// What kind of item a revision belongs to (stored as its code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Place,
    District,
    Figure,
    Programme,
    Story,
    Notice,
    Workshop,
    Territory,
    Source,
    Activity,
}

impl ItemKind {
    pub const ALL: [ItemKind; 10] = [
        ItemKind::Place,
        ItemKind::District,
        ItemKind::Figure,
        ItemKind::Programme,
        ItemKind::Story,
        ItemKind::Notice,
        ItemKind::Workshop,
        ItemKind::Territory,
        ItemKind::Source,
        ItemKind::Activity,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Place => "place",
            ItemKind::District => "district",
            ItemKind::Figure => "figure",
            ItemKind::Programme => "programme",
            ItemKind::Story => "story",
            ItemKind::Notice => "notice",
            ItemKind::Workshop => "workshop",
            ItemKind::Territory => "territory",
            ItemKind::Source => "source",
            ItemKind::Activity => "activity",
        }
    }

    pub fn parse(code: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// An item's fields by name, as a form holds them (text, as typed or in
/// canonical form). A missing field reads as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    /// A submitted form's pairs, keeping only `known` names. A name sent
    /// more than once keeps its first value, unless it is one of `multi`
    /// (a group of checkboxes), whose values join with a space in the
    /// order sent.
    pub fn from_pairs(pairs: &[(String, String)], known: &[&str], multi: &[&str]) -> Fields {
        let mut out = Fields::new();
        for (name, value) in pairs {
            if !known.contains(&name.as_str()) {
                continue;
            }
            let joins = multi.contains(&name.as_str());
            out.0
                .entry(name.clone())
                .and_modify(|v| {
                    if joins {
                        v.push(' ');
                        v.push_str(value);
                    }
                })
                .or_insert_with(|| value.clone());
        }
        out.0.retain(|_, v| !v.is_empty());
        out
    }

    /// A submitted form over what is stored (`base`): each `known` name
    /// sent takes its value (as [`Fields::from_pairs`]); a name not sent
    /// keeps its stored value, so a partial form loses nothing, except
    /// `boxes`, the checkboxes a browser leaves out when unticked.
    pub fn submitted(
        base: &Fields,
        pairs: &[(String, String)],
        known: &[&str],
        multi: &[&str],
        boxes: &[&str],
    ) -> Fields {
        let sent = Fields::from_pairs(pairs, known, multi);
        let mut out = base.clone();
        for name in known {
            if pairs.iter().any(|(k, _)| k == name) || boxes.contains(name) {
                out.set(name, sent.get(name));
            }
        }
        out
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if value.is_empty() {
            self.0.remove(name);
        } else {
            self.0.insert(name.to_owned(), value);
        }
    }

    /// Whether the space-separated list in `name` holds `code`.
    pub fn has(&self, name: &str, code: &str) -> bool {
        self.get(name).split_whitespace().any(|c| c == code)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The stored form of a snapshot (JSON).
    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.0).expect("strings serialise")
    }

    pub fn from_stored(stored: &str) -> Fields {
        Fields(serde_json::from_str(stored).unwrap_or_default())
    }

    /// Takes `names` from `other`, leaving the rest as they are: what a
    /// role may not edit stays as stored whatever was sent.
    pub fn take(&mut self, other: &Fields, names: &[&str]) {
        for name in names {
            self.set(name, other.get(name));
        }
    }
}

/// One field that a save changed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// What changed from `before` to `after`, by field name.
pub fn changes(before: &Fields, after: &Fields) -> Vec<FieldChange> {
    let mut names: Vec<&str> = before.0.keys().chain(after.0.keys()).map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter(|n| before.get(n) != after.get(n))
        .map(|n| FieldChange {
            field: n.to_owned(),
            from: before.get(n).to_owned(),
            to: after.get(n).to_owned(),
        })
        .collect()
}

pub fn changes_to_stored(list: &[FieldChange]) -> String {
    serde_json::to_string(list).expect("changes serialise")
}

pub fn changes_from_stored(stored: &str) -> Vec<FieldChange> {
    serde_json::from_str(stored).unwrap_or_default()
}

/// What a save of an item does, decided from the version its form was
/// opened at and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveStep {
    /// Someone saved since: refuse, show both.
    Conflict,
    /// The form holds what is stored: write nothing.
    Unchanged,
    /// Write revision `number` with these changes; `base`: first write
    /// revision 0, the item as it was before its first edit here.
    Write { number: i64, changes: Vec<FieldChange>, base: bool },
}

/// The one rule for every save: a save made from an older version is
/// refused, an empty one writes nothing, and the first save keeps what
/// was there before it.
pub fn decide_save(
    stored_version: i64,
    opened_at: i64,
    before: &Fields,
    after: &Fields,
) -> SaveStep {
    if stored_version != opened_at {
        return SaveStep::Conflict;
    }
    let list = changes(before, after);
    if list.is_empty() {
        return SaveStep::Unchanged;
    }
    SaveStep::Write { number: stored_version + 1, changes: list, base: stored_version == 0 }
}

/// The longest change note.
pub const NOTE_MAX: usize = 200;

/// What is wrong with a change note, if anything (a catalogue key).
pub fn note_problem(note: &str) -> Option<&'static str> {
    if super::form::has_control(note) {
        Some("form.text.control")
    } else if note.chars().count() > NOTE_MAX {
        Some("form.text.too_long")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    #[test]
    fn forms_keep_known_fields_and_join_repeated_ones() {
        let f = Fields::from_pairs(
            &pairs(&[
                ("name", "驿站"),
                ("amenity", "hot_water"),
                ("evil", "x"),
                ("amenity", "toilet"),
            ]),
            &["name", "amenity"],
            &["amenity"],
        );
        assert_eq!(f.get("name"), "驿站");
        assert_eq!(f.get("amenity"), "hot_water toilet");
        assert!(f.has("amenity", "toilet"));
        assert_eq!(f.get("evil"), "");
        assert_eq!(Fields::from_stored(&f.to_stored()), f);
        // A field sent twice keeps its first value (never "26 5").
        let twice = Fields::from_pairs(&pairs(&[("value", "26"), ("value", "5")]), &["value"], &[]);
        assert_eq!(twice.get("value"), "26");
    }

    #[test]
    fn a_partial_form_keeps_what_it_did_not_send() {
        let mut stored = Fields::new();
        stored.set("label_en", "Jobs");
        stored.set("value", "26");
        stored.set("headline", "on");
        let sent = pairs(&[("value", "27")]);
        let known = ["label_en", "value", "headline"];
        let f = Fields::submitted(&stored, &sent, &known, &[], &["headline"]);
        assert_eq!(f.get("value"), "27");
        assert_eq!(f.get("label_en"), "Jobs", "not sent: kept");
        assert_eq!(f.get("headline"), "", "a box not sent is unticked");
        let cleared = Fields::submitted(&stored, &pairs(&[("label_en", "")]), &known, &[], &[]);
        assert_eq!(cleared.get("label_en"), "", "sent empty: cleared");
    }

    #[test]
    fn changes_name_each_field_from_and_to() {
        let mut a = Fields::new();
        a.set("hours", "8-18");
        a.set("contact", "0571");
        let mut b = a.clone();
        b.set("hours", "9-17");
        b.set("contact", "");
        b.set("note", "新");
        let c = changes(&a, &b);
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[0],
            FieldChange { field: "contact".into(), from: "0571".into(), to: "".into() }
        );
        assert_eq!(c[1].field, "hours");
        assert_eq!(c[2].from, "");
        assert!(changes(&a, &a).is_empty());
        assert_eq!(changes_from_stored(&changes_to_stored(&c)), c);
    }

    #[test]
    fn saves_from_an_older_version_are_refused() {
        let mut a = Fields::new();
        a.set("hours", "8-18");
        let mut b = a.clone();
        assert_eq!(decide_save(3, 2, &a, &b), SaveStep::Conflict);
        assert_eq!(decide_save(3, 3, &a, &b), SaveStep::Unchanged);
        b.set("hours", "9-17");
        let SaveStep::Write { number, changes, base } = decide_save(0, 0, &a, &b) else {
            panic!("a first save writes");
        };
        assert_eq!((number, changes.len(), base), (1, 1, true));
        assert!(matches!(
            decide_save(4, 4, &a, &b),
            SaveStep::Write { number: 5, base: false, .. }
        ));
    }

    #[test]
    fn take_copies_only_the_named_fields() {
        let mut mine = Fields::new();
        mine.set("name", "mine");
        mine.set("hours", "8-18");
        let mut stored = Fields::new();
        stored.set("name", "stored");
        mine.take(&stored, &["name"]);
        assert_eq!(mine.get("name"), "stored");
        assert_eq!(mine.get("hours"), "8-18");
    }
}
