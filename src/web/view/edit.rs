//! What the editing pages show of fields and revisions: a field's label,
//! a change "from → to", a conflict's two versions side by side.

use chrono::{DateTime, Utc};

use crate::db::revisions::{Conflict, RevisionLine};
use crate::domain::format::beijing;
use crate::domain::place::Amenity;
use crate::domain::place_edit::EXCEPTION_FIELDS;
use crate::domain::revision::{FieldChange, Fields, changes};
use crate::web::Ctx;

/// The catalogue key of a place field's label (exception rows aside).
fn place_label_key(name: &str) -> String {
    if crate::domain::hours::WEEKDAYS.contains(&name) {
        return format!("weekday.{name}");
    }
    if name == "in_service" {
        return "edit.place.in_service_label".to_owned();
    }
    format!("edit.place.{name}")
}

/// A place field's label: "特别安排 2 · 开始日期" for an exception row.
pub fn place_field_label(ctx: &Ctx, name: &str) -> String {
    for (i, row) in EXCEPTION_FIELDS.iter().enumerate() {
        if let Some(part) = row.iter().position(|f| *f == name) {
            let parts = ["from", "to", "hours", "note_zh", "note_en"];
            let n = (i + 1).to_string();
            return format!(
                "{} · {}",
                ctx.tf("edit.place.exception_n", &[("n", &n)]),
                ctx.t(&format!("edit.place.exc_{}", parts[part]))
            );
        }
    }
    ctx.t(&place_label_key(name)).to_owned()
}

/// Every label key a place field may need, for the catalogue test.
pub fn place_label_keys() -> Vec<String> {
    let mut keys: Vec<String> = crate::domain::place_edit::all_fields()
        .into_iter()
        .filter(|n| !EXCEPTION_FIELDS.iter().flatten().any(|f| f == n))
        .map(place_label_key)
        .collect();
    keys.extend(
        ["from", "to", "hours", "note_zh", "note_en"].iter().map(|p| format!("edit.place.exc_{p}")),
    );
    keys.push("edit.place.exception_n".to_owned());
    keys
}

/// A stored place value as staff read it: amenities by name, in service
/// in words, an empty one as "（空）".
pub fn place_value(ctx: &Ctx, field: &str, value: &str) -> String {
    match field {
        "amenities" if !value.is_empty() => Amenity::parse_list(value)
            .iter()
            .map(|a| ctx.t(&a.label_key()))
            .collect::<Vec<_>>()
            .join(ctx.t("punct.list")),
        "in_service" => ctx
            .t(if value.is_empty() {
                "edit.place.out_of_service"
            } else {
                "edit.place.in_service_label"
            })
            .to_owned(),
        "draft" => ctx
            .t(if value.is_empty() { "content.state.published" } else { "content.state.draft" })
            .to_owned(),
        _ if value.is_empty() => ctx.t("edit.empty").to_owned(),
        _ => value.to_owned(),
    }
}

/// How an item kind's fields read on the editing pages: a label, a
/// value, and their order in the form.
pub struct FieldNames {
    pub label: fn(&Ctx, &str) -> String,
    pub value: fn(&Ctx, &str, &str) -> String,
    pub position: fn(&str) -> usize,
}

/// A place's fields.
pub const PLACE_FIELDS: FieldNames = FieldNames {
    label: place_field_label,
    value: place_value,
    position: crate::domain::place_edit::field_position,
};

impl FieldNames {
    fn rows(&self, ctx: &Ctx, list: &[FieldChange]) -> Vec<ChangeView> {
        let mut list: Vec<&FieldChange> = list.iter().collect();
        list.sort_by_key(|c| (self.position)(&c.field));
        list.iter()
            .map(|c| ChangeView {
                label: (self.label)(ctx, &c.field),
                from: (self.value)(ctx, &c.field, &c.from),
                to: (self.value)(ctx, &c.field, &c.to),
            })
            .collect()
    }
}

/// A date and time in Beijing, as staff pages write it.
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()
}

/// One changed field: its label, from, to.
pub struct ChangeView {
    pub label: String,
    pub from: String,
    pub to: String,
}

/// One revision as the history lists it.
pub struct RevisionView {
    pub number: i64,
    pub by: String,
    pub at: String,
    pub note: String,
    pub restored_from: Option<i64>,
    pub changes: Vec<ChangeView>,
    /// The current revision (nothing to restore).
    pub current: bool,
}

impl RevisionView {
    pub fn new(ctx: &Ctx, line: &RevisionLine, current: i64, names: &FieldNames) -> RevisionView {
        RevisionView {
            number: line.number,
            by: line.by.clone().unwrap_or_else(|| ctx.t("edit.by_seed").to_owned()),
            at: when(line.at),
            note: line.note.clone(),
            restored_from: line.restored_from,
            changes: names.rows(ctx, &line.changes),
            current: line.number == current,
        }
    }
}

/// A refused second save: who saved first and when, and each field where
/// their saved version and this editor's input differ.
pub struct ConflictView {
    pub by: String,
    pub at: String,
    /// Each field: its label, the saved value (`from`), this editor's (`to`).
    pub rows: Vec<ChangeView>,
}

impl ConflictView {
    pub fn new(ctx: &Ctx, conflict: &Conflict, mine: &Fields, names: &FieldNames) -> ConflictView {
        ConflictView {
            by: conflict.by.clone().unwrap_or_else(|| ctx.t("edit.by_someone").to_owned()),
            at: when(conflict.at),
            rows: names.rows(ctx, &changes(&conflict.current, mine)),
        }
    }
}
