//! Editing a place: its keepers edit hours, closures, amenities and the
//! public contact; its district's admins edit everything. Every save is a
//! revision; the history lists them and restores one; a save made from an
//! older version is refused with both versions shown.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::{Id, Slug};
use super::staff_content::HistoryPage;
use super::view::edit::{ConflictView, PLACE_FIELDS, RevisionView};
use super::{AppError, Ctx, render_with_status, see_other};
use crate::db;
use crate::db::places::{PlaceEditRow, PlaceSave};
use crate::db::revisions::Saved;
use crate::domain::format::today;
use crate::domain::hours::{MAX_EXCEPTIONS, WEEKDAYS};
use crate::domain::place::{Amenity, PlaceKind};
use crate::domain::place_edit::{EXCEPTION_FIELDS, PlaceEdit, all_fields, keeper_fields};
use crate::domain::revision::{Fields, ItemKind};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// Which of a place's fields `me` may change: all of them for its
/// district's admins (and site admins), the keeper's share for its keepers.
fn editable(me: &CurrentUser, row: &PlaceEditRow) -> (bool, Vec<&'static str>) {
    if me.grants.admin_of_district(row.district_id) {
        (true, all_fields())
    } else {
        (false, keeper_fields())
    }
}

/// One exception row of the form: its field names.
pub struct ExceptionRow {
    pub n: usize,
    pub fields: [&'static str; 5],
}

#[derive(Template)]
#[template(path = "staff/place_edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    name: Text,
    form: Fields,
    errors: FormErrors,
    /// Each wrong field named, for the summary above the form.
    summary: Vec<(&'static str, String)>,
    /// The version this form saves over.
    version: i64,
    note: String,
    /// The viewer edits every field (an admin), not only the keeper's.
    full: bool,
    conflict: Option<ConflictView>,
    days: Vec<(&'static str, &'static str)>,
    amenities: Vec<(&'static str, &'static str)>,
    exceptions: Vec<ExceptionRow>,
    /// The exceptions are shown open: some are filled in, or wrong.
    exceptions_open: bool,
}

impl EditPage {
    fn checked(&self, code: &str) -> bool {
        self.form.has("amenities", code)
    }
}

struct Shown {
    form: Fields,
    errors: FormErrors,
    version: i64,
    note: String,
    conflict: Option<ConflictView>,
}

fn edit_page(
    ctx: Ctx,
    me: &CurrentUser,
    row: &PlaceEditRow,
    shown: Option<Shown>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (full, _) = editable(me, row);
    let shown = shown.unwrap_or_else(|| Shown {
        form: row.edit().current(today()).to_fields(),
        errors: FormErrors::new(),
        version: row.version,
        note: String::new(),
        conflict: None,
    });
    // The filled exception rows and two empty ones.
    let filled = EXCEPTION_FIELDS
        .iter()
        .rposition(|row| row.iter().any(|f| !shown.form.get(f).is_empty()))
        .map_or(0, |i| i + 1);
    let exceptions = EXCEPTION_FIELDS
        .iter()
        .take((filled + 2).min(MAX_EXCEPTIONS))
        .enumerate()
        .map(|(i, fields)| ExceptionRow { n: i + 1, fields: *fields })
        .collect();
    let exceptions_open =
        filled > 0 || EXCEPTION_FIELDS.iter().flatten().any(|f| shown.errors.get(f).is_some());
    let summary = super::staff_content::summary(&ctx, &shown.errors, |name| {
        Some(super::view::edit::place_field_label(&ctx, name))
    });
    let page = EditPage {
        summary,
        exceptions_open,
        id: row.id,
        name: Text::pick(ctx.lang, &row.name_zh, row.name_en.as_deref()),
        form: shown.form,
        errors: shown.errors,
        version: shown.version,
        note: shown.note,
        full,
        conflict: shown.conflict,
        days: WEEKDAYS.iter().map(|d| (*d, ctx.t(&format!("weekday.{d}")))).collect(),
        amenities: Amenity::ALL.iter().map(|a| (a.code(), ctx.t(&a.label_key()))).collect(),
        exceptions,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

async fn load(state: &AppState, id: i64) -> Result<PlaceEditRow, AppError> {
    db::places::for_edit(&state.db, id).await?.ok_or(AppError::NotFound)
}

pub async fn edit(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let row = load(&state, id).await?;
    edit_page(ctx, &me, &row, None, StatusCode::OK)
}

/// The form's own fields besides the place's: the version it was opened
/// at, and the change note.
fn form_meta(pairs: &[(String, String)]) -> (i64, String) {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let version = get("version").and_then(|v| v.trim().parse().ok()).unwrap_or(-1);
    (version, get("note").unwrap_or("").trim().to_owned())
}

#[tracing::instrument(name = "web::staff_places::update", skip_all, fields(place_id = id, user = me.id))]
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let row = load(&state, id).await?;
    let (_, allowed) = editable(&me, &row);
    let pairs = form.into_inner();
    let (version, note) = form_meta(&pairs);
    super::staff_content::opened_at(version, row.version)?;
    // What this role may not change stays as stored, whatever was sent;
    // what the form did not send is kept too.
    let current = row.edit().current(today()).to_fields();
    let input = Fields::submitted(
        &current,
        &pairs,
        &allowed,
        &["amenities"],
        &["amenities", "in_service", "draft"],
    );
    let mut parsed = PlaceEdit::parse(&input, today());
    if let Some(problem) = crate::domain::revision::note_problem(&note) {
        let mut errors = parsed.err().unwrap_or_default();
        errors.add("note", problem);
        parsed = Err(errors);
    }
    let edit = match parsed {
        Ok(edit) => edit,
        Err(errors) => {
            let shown = Shown { form: input, errors, version, note, conflict: None };
            return edit_page(ctx, &me, &row, Some(shown), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let save = PlaceSave {
        id,
        opened_at: version,
        edit: &edit,
        user: me.id,
        note: &note,
        restored_from: None,
        now: Utc::now(),
    };
    match db::places::save(&state.db, &save).await? {
        Saved::Revision(_) => set_flash(&session, "flash.place_saved"),
        Saved::Unchanged => set_flash(&session, "flash.nothing_changed"),
        Saved::Missing => return Err(AppError::NotFound),
        Saved::Conflict(conflict) => {
            let mine = edit.to_fields();
            let view = ConflictView::new(&ctx, &conflict, &mine, &PLACE_FIELDS);
            // The form keeps this editor's input and now saves over the
            // version they have been shown.
            let shown = Shown {
                form: input,
                errors: FormErrors::new(),
                version: conflict.version,
                note,
                conflict: Some(view),
            };
            let row = load(&state, id).await?;
            return edit_page(ctx, &me, &row, Some(shown), StatusCode::CONFLICT);
        }
    }
    Ok(see_other(&format!("/staff/places/{id}/edit")))
}

pub async fn history(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let row = load(&state, id).await?;
    let revisions = db::revisions::history(&state.db, ItemKind::Place, id)
        .await?
        .iter()
        .map(|line| RevisionView::new(&ctx, line, row.version, &PLACE_FIELDS))
        .collect();
    let name = Text::pick(ctx.lang, &row.name_zh, row.name_en.as_deref()).plain().to_owned();
    let page = HistoryPage {
        back: (format!("/staff/places/{id}"), name.clone()),
        edit: (format!("/staff/places/{id}/edit"), ctx.t("edit.place.title").to_owned()),
        restore: format!("/staff/places/{id}/restore"),
        title: name,
        version: row.version,
        revisions,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

/// Brings back an earlier revision as a new one (the fields this role
/// edits; a closure whose day has passed is not brought back).
#[tracing::instrument(name = "web::staff_places::restore", skip_all, fields(place_id = id, user = me.id))]
pub async fn restore(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let back = format!("/staff/places/{id}/history");
    let row = load(&state, id).await?;
    let (_, allowed) = editable(&me, &row);
    let pairs = form.into_inner();
    let (version, _) = form_meta(&pairs);
    super::staff_content::opened_at(version, row.version)?;
    let chosen = super::staff_content::chosen_revision(&state, ItemKind::Place, id, &pairs).await?;
    let Some((number, mut snapshot)) = chosen else {
        set_flash(&session, "flash.no_such_revision");
        return Ok(see_other(&back));
    };
    let passed = crate::domain::place_edit::parse_date(snapshot.get("closed_until"))
        .is_some_and(|d| d < today());
    if passed {
        for f in ["closed_until", "closed_reason_zh", "closed_reason_en"] {
            snapshot.set(f, "");
        }
    }
    let mut input = row.edit().current(today()).to_fields();
    input.take(&snapshot, &allowed);
    let Ok(edit) = PlaceEdit::parse(&input, today()) else {
        set_flash(&session, "flash.revision_unusable");
        return Ok(see_other(&back));
    };
    let save = PlaceSave {
        id,
        opened_at: version,
        edit: &edit,
        user: me.id,
        note: "",
        restored_from: Some(number),
        now: Utc::now(),
    };
    let saved = db::places::save(&state.db, &save).await?;
    set_flash(&session, super::staff_content::restored(&saved)?);
    Ok(see_other(&back))
}

/// The fields a new place starts with: what it is and where; its hours,
/// amenities and contact follow on its edit form.
const NEW_PLACE_FIELDS: [&str; 8] = [
    "name_zh",
    "name_en",
    "summary_zh",
    "summary_en",
    "address_zh",
    "address_en",
    "latitude",
    "longitude",
];

#[derive(Template)]
#[template(path = "staff/place_new.html")]
struct NewPlacePage {
    ctx: Ctx,
    slug: String,
    district: Text,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    form: Fields,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
}

async fn new_place_page(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    kind: String,
    form: Fields,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let district = db::districts::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
    let summary = super::staff_content::summary(&ctx, &errors, |name| {
        Some(if name == "kind" {
            ctx.t("edit.place.kind").to_owned()
        } else {
            super::view::edit::place_field_label(&ctx, name)
        })
    });
    let status = crate::web::respond::form_status(&errors);
    let page = NewPlacePage {
        slug: district.slug.clone(),
        district: Text::pick(ctx.lang, &district.name_zh, district.name_en.as_deref()),
        kinds: PlaceKind::ALL.iter().map(|k| (k.code(), ctx.t(k.label_key()))).collect(),
        kind,
        form,
        errors,
        summary,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

/// `/staff/districts/{slug}/places/new`: a district's admins add a place.
pub async fn new_place(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    new_place_page(ctx, &state, &slug, String::new(), Fields::new(), FormErrors::new()).await
}

#[tracing::instrument(name = "web::staff_places::create", skip_all, fields(user = me.id))]
pub async fn create_place(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let district = db::districts::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let pairs = form.into_inner();
    let typed_kind = pairs
        .iter()
        .find(|(k, _)| k == "kind")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let input = Fields::from_pairs(&pairs, &NEW_PLACE_FIELDS, &[]);
    // The rest as a new place starts: in service, nothing else published.
    let mut all = input.clone();
    all.set("in_service", "on");
    // "Save as draft" keeps it from the public until published.
    if pairs.iter().any(|(k, v)| k == "action" && v == "draft") {
        all.set("draft", "on");
    }
    let parsed = PlaceEdit::parse(&all, today());
    let kind = PlaceKind::parse(&typed_kind);
    let (edit, kind) = match (parsed, kind) {
        (Ok(edit), Some(kind)) => (edit, kind),
        (parsed, kind) => {
            let mut errors = FormErrors::new();
            if kind.is_none() {
                errors.add("kind", "form.content.choose");
            }
            if let Err(e) = parsed {
                for (field, key) in e.iter() {
                    errors.add(field, key);
                }
            }
            return new_place_page(ctx, &state, &slug, typed_kind, input, errors).await;
        }
    };
    let id = db::places::create(&state.db, district.id, kind, &edit, me.id, Utc::now()).await?;
    set_flash(&session, "flash.place_created");
    Ok(see_other(&format!("/staff/places/{id}/edit")))
}

#[cfg(test)]
mod tests {
    use crate::domain::Lang;

    #[test]
    fn every_place_field_has_a_label_in_both_languages() {
        for key in super::super::view::edit::place_label_keys() {
            for lang in [Lang::Zh, Lang::En] {
                assert!(crate::i18n::has_key(lang, &key), "{key} is missing in {lang:?}");
            }
        }
    }
}
