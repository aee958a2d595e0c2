//! Workshop keepers (and their district's admins): edit a workshop's facts,
//! post and close openings, follow up sign-ups, export them as CSV.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::{Id, Slug};
use super::staff_content::{HistoryPage, ItemLine};
use super::view::edit::{ConflictView, FieldNames, RevisionView};
use super::{AppError, Ctx, csv, render_with_status, see_other};
use crate::db;
use crate::db::revisions::Saved;
use crate::domain::format::{beijing, today};
use crate::domain::revision::{Fields, ItemKind};
use crate::domain::workshop::{
    Category, OLD_FIGURE_SPECS, OpeningInput, SIGNUP_STATUSES, Whereabouts, WorkshopEdit,
    all_fields, field_position, old_figure_part, parse_slug, signup_status_key,
};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

pub struct KeptWorkshop {
    pub slug: String,
    pub name: Text,
}

#[derive(Template)]
#[template(path = "staff/workshops.html")]
struct ListPage {
    ctx: Ctx,
    workshops: Vec<KeptWorkshop>,
}

pub async fn list(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let workshops = db::workshops::kept(&state.db, &me.grants)
        .await?
        .into_iter()
        .map(|(slug, zh, en, _)| KeptWorkshop {
            name: Text::pick(ctx.lang, &zh, en.as_deref()),
            slug,
        })
        .collect();
    render_with_status(&ListPage { ctx, workshops }, StatusCode::OK)
}

pub struct SignupView {
    pub id: i64,
    pub task: String,
    pub name: String,
    pub phone: String,
    pub village: String,
    pub note: String,
    pub status: &'static str,
    pub status_code: String,
    pub at: String,
}

pub struct OpeningLine {
    pub id: i64,
    pub task: String,
    pub places: i64,
    pub places_left: i64,
    pub closes_on: String,
    pub is_open: bool,
}

#[derive(Template)]
#[template(path = "staff/workshop.html")]
struct EditPage {
    ctx: Ctx,
    slug: String,
    name: String,
    /// The town select's choices (value, label).
    towns: Vec<(String, String)>,
    form: Fields,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
    version: i64,
    note: String,
    conflict: Option<ConflictView>,
    /// Its impact figures, each edited on its own page.
    figures: Vec<ItemLine>,
    opening: OpeningInput,
    opening_errors: FormErrors,
    openings: Vec<OpeningLine>,
    signups: Vec<SignupView>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

/// What the facts form shows besides the workshop as stored.
struct Shown {
    form: Fields,
    errors: FormErrors,
    version: i64,
    note: String,
    conflict: Option<ConflictView>,
}

/// The catalogue key of a workshop fact's label.
fn fact_label_key(name: &str) -> &'static str {
    match name {
        "name_zh" => "staff.workshop.name_zh",
        "name_en" => "staff.workshop.name_en",
        "category" => "workshops.category",
        "town" => "workshops.town",
        "villages_zh" => "workshop.villages",
        "summary_zh" => "staff.workshop.summary_zh",
        "summary_en" => "staff.workshop.summary_en",
        "model_zh" => "workshop.model",
        "partners_zh" => "workshop.partners",
        "founded" => "workshop.founded",
        "contact" => "place.contact",
        "employed" => "workshop.employed",
        "income_per_person_year" => "staff.workshop.income",
        "draft" => "edit.place.draft",
        _ => "staff.workshop.active",
    }
}

/// A workshop field's label: "影响数据 2 · 数值" for a figure row's of a
/// revision saved while figures were rows of the form.
pub fn workshop_label(ctx: &Ctx, name: &str) -> String {
    match old_figure_part(name) {
        Some((i, j)) => format!(
            "{} · {}",
            ctx.tf("staff.workshop.figure_n", &[("n", &(i + 1).to_string())]),
            ctx.t(&format!("content.f.{}", OLD_FIGURE_SPECS[j]))
        ),
        None => ctx.t(fact_label_key(name)).to_owned(),
    }
}

fn workshop_value(ctx: &Ctx, name: &str, value: &str) -> String {
    let spec = old_figure_part(name).map(|(_, j)| OLD_FIGURE_SPECS[j]);
    match (name, spec) {
        (_, Some("qualifier")) if !value.is_empty() => {
            ctx.t(&format!("content.qualifier.{value}")).to_owned()
        }
        ("category", _) => Category::parse(value)
            .map_or_else(|| value.to_owned(), |c| ctx.t(c.label_key()).to_owned()),
        ("draft", _) => ctx
            .t(if value.is_empty() { "content.state.published" } else { "content.state.draft" })
            .to_owned(),
        ("is_active", _) => {
            ctx.t(if value.is_empty() { "content.no" } else { "content.yes" }).to_owned()
        }
        _ if value.is_empty() => ctx.t("edit.empty").to_owned(),
        _ => value.to_owned(),
    }
}

/// How a workshop's fields read on the history and conflict pages.
const WORKSHOP_FIELDS: FieldNames =
    FieldNames { label: workshop_label, value: workshop_value, position: field_position };

/// Where a workshop of `district_id` may be: its towns, or the district.
async fn whereabouts(state: &AppState, district_id: i64) -> Result<Whereabouts, AppError> {
    let district = db::districts::by_id(&state.db, district_id).await?.ok_or(AppError::NotFound)?;
    let towns = db::territories::towns_of(&state.db, district_id)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name_zh, t.name_en))
        .collect();
    Ok(Whereabouts { towns, district: (district.name_zh, district.name_en) })
}

/// The town select's choices: the district at large, then its towns.
fn town_choices(ctx: &Ctx, w: &Whereabouts) -> Vec<(String, String)> {
    let at_large = Text::pick(ctx.lang, &w.district.0, w.district.1.as_deref()).text;
    std::iter::once((
        String::new(),
        ctx.tf("staff.workshop.town_at_large", &[("district", &at_large)]),
    ))
    .chain(
        w.towns
            .iter()
            .map(|(id, zh, en)| (id.to_string(), Text::pick(ctx.lang, zh, en.as_deref()).text)),
    )
    .collect()
}

async fn load(state: &AppState, slug: &str) -> Result<db::workshops::WorkshopForm, AppError> {
    db::workshops::for_edit(&state.db, slug).await?.ok_or(AppError::NotFound)
}

async fn edit_page(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    shown: Option<Shown>,
    opening: Option<(OpeningInput, FormErrors)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page =
        db::workshops::page(&state.db, slug, today(), true).await?.ok_or(AppError::NotFound)?;
    let stored = load(state, slug).await?;
    let towns = town_choices(&ctx, &whereabouts(state, stored.district_id).await?);
    let shown = shown.unwrap_or_else(|| Shown {
        form: stored.fields.clone(),
        errors: FormErrors::new(),
        version: stored.version,
        note: String::new(),
        conflict: None,
    });
    let (opening, opening_errors) = opening.unwrap_or_default();
    let signups = db::workshops::signups(&state.db, slug)
        .await?
        .into_iter()
        .map(|s| SignupView {
            id: s.id,
            task: s.task_zh,
            name: s.name,
            phone: s.phone.unwrap_or_else(|| ctx.t("staff.workshop.phone_erased").to_owned()),
            village: s.village,
            note: s.note,
            status: ctx.t(signup_status_key(&s.status)),
            status_code: s.status,
            at: s.created_at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect();
    let openings = page
        .openings
        .iter()
        .map(|o| OpeningLine {
            id: o.id,
            task: o.task_zh.clone(),
            places: o.places,
            places_left: o.places_left,
            closes_on: o.closes_on.map(|d| d.to_string()).unwrap_or_default(),
            is_open: o.accepting(today()),
        })
        .collect();
    let figures = super::staff_content::workshop_figures(&ctx, state, stored.id).await?;
    let summary =
        super::staff_content::summary(&ctx, &shown.errors, |name| Some(workshop_label(&ctx, name)));
    let view = EditPage {
        towns,
        slug: slug.to_owned(),
        name: stored.fields.get("name_zh").to_owned(),
        form: shown.form,
        errors: shown.errors,
        summary,
        version: shown.version,
        note: shown.note,
        conflict: shown.conflict,
        figures,
        opening,
        opening_errors,
        openings,
        signups,
        categories: Category::ALL.iter().map(|c| (c.code(), ctx.t(c.label_key()))).collect(),
        statuses: SIGNUP_STATUSES.iter().map(|s| (*s, ctx.t(signup_status_key(s)))).collect(),
        ctx,
    };
    // Villagers' phone numbers are on this page.
    Ok(super::no_store(render_with_status(&view, status)?))
}

pub async fn edit(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    edit_page(ctx, &state, &slug, None, None, StatusCode::OK).await
}

/// The form's version and change note.
fn form_meta(pairs: &[(String, String)]) -> (i64, String) {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    (
        get("version").and_then(|v| v.parse().ok()).unwrap_or(-1),
        get("note").unwrap_or("").to_owned(),
    )
}

#[tracing::instrument(name = "web::staff_workshops::update", skip_all, fields(user = me.id))]
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let pairs = form.into_inner();
    let (version, note) = form_meta(&pairs);
    let stored = load(&state, &slug).await?;
    super::staff_content::opened_at(version, stored.version)?;
    // Over what is stored: a field the form did not send is kept.
    let input =
        Fields::submitted(&stored.fields, &pairs, &all_fields(), &[], &["is_active", "draft"]);
    let places = whereabouts(&state, stored.district_id).await?;
    let mut parsed = WorkshopEdit::parse(&input, today(), &places);
    if let Some(problem) = crate::domain::revision::note_problem(&note) {
        let mut errors = parsed.err().unwrap_or_default();
        errors.add("note", problem);
        parsed = Err(errors);
    }
    let edit = match parsed {
        Ok(e) => e,
        Err(errors) => {
            let shown = Shown { form: input, errors, version, note, conflict: None };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return edit_page(ctx, &state, &slug, Some(shown), None, status).await;
        }
    };
    let save = db::workshops::WorkshopSave {
        slug: &slug,
        opened_at: version,
        edit: &edit,
        user: me.id,
        note: &note,
        restored_from: None,
        now: Utc::now(),
    };
    match db::workshops::save_facts(&state.db, &save).await? {
        Saved::Revision(_) => set_flash(&session, "flash.workshop_saved"),
        Saved::Unchanged => set_flash(&session, "flash.nothing_changed"),
        Saved::Missing => return Err(AppError::NotFound),
        Saved::Conflict(conflict) => {
            let view = ConflictView::new(&ctx, &conflict, &edit.to_fields(), &WORKSHOP_FIELDS);
            let shown = Shown {
                form: input,
                errors: FormErrors::new(),
                version: conflict.version,
                note,
                conflict: Some(view),
            };
            return edit_page(ctx, &state, &slug, Some(shown), None, StatusCode::CONFLICT).await;
        }
    }
    Ok(see_other(&format!("/staff/workshops/{slug}#facts-heading")))
}

pub async fn history(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let stored = load(&state, &slug).await?;
    let revisions = db::revisions::history(&state.db, ItemKind::Workshop, stored.id)
        .await?
        .iter()
        .map(|line| RevisionView::new(&ctx, line, stored.version, &WORKSHOP_FIELDS))
        .collect();
    let name = stored.fields.get("name_zh").to_owned();
    let page = HistoryPage {
        back: (format!("/staff/workshops/{slug}"), name.clone()),
        edit: (
            format!("/staff/workshops/{slug}#facts-heading"),
            ctx.t("staff.workshop.facts_heading").to_owned(),
        ),
        restore: format!("/staff/workshops/{slug}/restore"),
        title: name,
        version: stored.version,
        revisions,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

#[tracing::instrument(name = "web::staff_workshops::restore", skip_all, fields(user = me.id))]
pub async fn restore(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let back = format!("/staff/workshops/{slug}/history");
    let stored = load(&state, &slug).await?;
    let pairs = form.into_inner();
    let (version, _) = form_meta(&pairs);
    super::staff_content::opened_at(version, stored.version)?;
    let chosen =
        super::staff_content::chosen_revision(&state, ItemKind::Workshop, stored.id, &pairs)
            .await?;
    let Some((number, snapshot)) = chosen else {
        set_flash(&session, "flash.no_such_revision");
        return Ok(see_other(&back));
    };
    let places = whereabouts(&state, stored.district_id).await?;
    let Ok(edit) = WorkshopEdit::parse(&snapshot, today(), &places) else {
        set_flash(&session, "flash.revision_unusable");
        return Ok(see_other(&back));
    };
    let save = db::workshops::WorkshopSave {
        slug: &slug,
        opened_at: version,
        edit: &edit,
        user: me.id,
        note: "",
        restored_from: Some(number),
        now: Utc::now(),
    };
    let saved = db::workshops::save_facts(&state.db, &save).await?;
    set_flash(&session, super::staff_content::restored(&saved)?);
    Ok(see_other(&back))
}

/// The fields a new workshop starts with; the rest follow on its form.
const NEW_FIELDS: [&str; 8] =
    ["slug", "name_zh", "name_en", "category", "town", "villages_zh", "summary_zh", "summary_en"];

#[derive(Template)]
#[template(path = "staff/workshop_new.html")]
struct NewPage {
    ctx: Ctx,
    slug: String,
    district: Text,
    towns: Vec<(String, String)>,
    form: Fields,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, &'static str)>,
}

async fn new_page(
    ctx: Ctx,
    state: &AppState,
    district_slug: &str,
    form: Fields,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let district =
        db::districts::by_slug(&state.db, district_slug).await?.ok_or(AppError::NotFound)?;
    let summary = super::staff_content::summary(&ctx, &errors, |name| {
        Some(if name == "slug" {
            ctx.t("staff.workshop.slug").to_owned()
        } else {
            workshop_label(&ctx, name)
        })
    });
    let status = crate::web::respond::form_status(&errors);
    let towns = town_choices(&ctx, &whereabouts(state, district.id).await?);
    let page = NewPage {
        towns,
        slug: district.slug.clone(),
        district: Text::pick(ctx.lang, &district.name_zh, district.name_en.as_deref()),
        form,
        errors,
        summary,
        categories: Category::ALL.iter().map(|c| (c.code(), ctx.t(c.label_key()))).collect(),
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

/// `/staff/districts/{slug}/workshops/new`: a district's admins add a
/// workshop (then its keepers are granted it, and fill in the rest).
pub async fn new_workshop(
    ctx: Ctx,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    new_page(ctx, &state, &slug, Fields::new(), FormErrors::new()).await
}

#[tracing::instrument(name = "web::staff_workshops::create", skip_all, fields(user = me.id))]
pub async fn create_workshop(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(district_slug): Slug,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let district =
        db::districts::by_slug(&state.db, &district_slug).await?.ok_or(AppError::NotFound)?;
    let pairs = form.into_inner();
    let input = Fields::from_pairs(&pairs, &NEW_FIELDS, &[]);
    let mut all = input.clone();
    all.set("is_active", "on");
    // "Save as draft" keeps it from the public until published.
    if pairs.iter().any(|(k, v)| k == "action" && v == "draft") {
        all.set("draft", "on");
    }
    let mut errors = FormErrors::new();
    let slug = match parse_slug(input.get("slug")) {
        Ok(slug) => slug,
        Err(key) => {
            errors.add("slug", key);
            None
        }
    };
    let places = whereabouts(&state, district.id).await?;
    let edit = match WorkshopEdit::parse(&all, today(), &places) {
        Ok(edit) if errors.is_empty() => edit,
        Ok(_) => return new_page(ctx, &state, &district_slug, input, errors).await,
        Err(e) => {
            for (field, key) in e.iter() {
                errors.add(field, key);
            }
            return new_page(ctx, &state, &district_slug, input, errors).await;
        }
    };
    let now = Utc::now();
    let slug = slug.unwrap_or_else(|| format!("ws-{}", now.timestamp_micros()));
    match db::workshops::create(&state.db, district.id, &slug, &edit, me.id, now).await {
        Ok(_) => {}
        Err(db::workshops::CreateError::SlugTaken) => {
            errors.add("slug", "form.slug_taken");
            return new_page(ctx, &state, &district_slug, input, errors).await;
        }
        Err(db::workshops::CreateError::Db(e)) => return Err(e.into()),
    }
    set_flash(&session, "flash.workshop_created");
    Ok(see_other(&format!("/staff/workshops/{slug}")))
}

#[tracing::instrument(name = "web::staff_workshops::create_opening", skip_all, fields(user = me.id))]
pub async fn create_opening(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<OpeningInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let opening = match input.parse(today()) {
        Ok(o) => o,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return edit_page(ctx, &state, &slug, None, Some((input, errors)), status).await;
        }
    };
    db::workshops::create_opening(&state.db, &slug, &opening, me.id, Utc::now()).await?;
    set_flash(&session, "flash.opening_posted");
    Ok(see_other(&format!("/staff/workshops/{slug}")))
}

#[tracing::instrument(name = "web::staff_workshops::close_opening", skip_all, fields(opening_id = id, user = me.id))]
pub async fn close_opening(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    if !db::workshops::close_opening(&state.db, &slug, id, me.id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "flash.opening_closed");
    Ok(see_other(&format!("/staff/workshops/{slug}")))
}

#[derive(Debug, Deserialize)]
pub struct StatusInput {
    #[serde(default)]
    status: String,
}

#[tracing::instrument(name = "web::staff_workshops::set_status", skip_all, fields(signup_id = id, user = me.id))]
pub async fn set_status(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    Id(id): Id,
    form: web::Form<StatusInput>,
) -> Result<HttpResponse, AppError> {
    if !SIGNUP_STATUSES.contains(&form.status.as_str()) {
        return Err(AppError::BadRequest);
    }
    if !db::workshops::set_signup_status(&state.db, &slug, id, &form.status, me.id, Utc::now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "flash.signup_updated");
    Ok(see_other(&format!("/staff/workshops/{slug}#signups")))
}

pub async fn export(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    db::workshops::audit_export(&state.db, &slug, me.id, Utc::now()).await?;
    let rows = db::workshops::signups(&state.db, &slug).await?;
    let head: Vec<&str> =
        ["id", "opening", "name", "phone", "village", "note", "status", "signed_up_at"]
            .iter()
            .map(|c| ctx.t(&format!("signup.col.{c}")))
            .collect();
    let body = csv::document(
        &head,
        &rows
            .into_iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    Text::pick(ctx.lang, &s.task_zh, s.task_en.as_deref()).text,
                    s.name,
                    s.phone.unwrap_or_default(),
                    s.village,
                    s.note,
                    ctx.t(&format!("signup.status.{}", s.status)).to_owned(),
                    crate::domain::format::moment(s.created_at),
                ]
            })
            .collect::<Vec<_>>(),
    );
    Ok(csv::staff_download(&format!("signups-{slug}.csv"), body))
}
