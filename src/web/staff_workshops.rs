//! Workshop keepers (and their district's admins): edit a workshop's facts,
//! post and close openings, follow up sign-ups, export them as CSV.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::{Id, Slug};
use super::{AppError, Ctx, csv, render_with_status, see_other};
use crate::db;
use crate::domain::format::{beijing, today};
use crate::domain::workshop::{
    Category, OpeningInput, SIGNUP_STATUSES, WorkshopEditInput, signup_status_key,
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
    form: WorkshopEditInput,
    errors: FormErrors,
    opening: OpeningInput,
    opening_errors: FormErrors,
    openings: Vec<OpeningLine>,
    signups: Vec<SignupView>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

/// The edit form as stored, for a first visit.
fn stored_form(w: &db::workshops::WorkshopRow) -> WorkshopEditInput {
    WorkshopEditInput {
        name_zh: w.name_zh.clone(),
        name_en: w.name_en.clone().unwrap_or_default(),
        category: w.category.clone(),
        town_zh: w.town_zh.clone(),
        villages_zh: w.villages_zh.clone(),
        summary_zh: w.summary_zh.clone(),
        summary_en: w.summary_en.clone().unwrap_or_default(),
        model_zh: w.model_zh.clone().unwrap_or_default(),
        partners_zh: w.partners_zh.clone().unwrap_or_default(),
        founded: match (w.founded_year, w.founded_month) {
            (Some(y), Some(m)) => format!("{y}-{m:02}"),
            (Some(y), None) => format!("{y}-01"),
            _ => String::new(),
        },
        contact: w.contact.clone().unwrap_or_default(),
        employed: w.employed.map(|n| n.to_string()).unwrap_or_default(),
        income_per_person_year: w.income_per_person_year.map(|n| n.to_string()).unwrap_or_default(),
        is_active: w.is_active.then(|| "on".to_owned()),
    }
}

async fn edit_page(
    ctx: Ctx,
    state: &AppState,
    slug: &str,
    form: Option<(WorkshopEditInput, FormErrors)>,
    opening: Option<(OpeningInput, FormErrors)>,
) -> Result<HttpResponse, AppError> {
    let page = db::workshops::page(&state.db, slug, today()).await?.ok_or(AppError::NotFound)?;
    let status = if form.is_some() || opening.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (form, errors) = form.unwrap_or_else(|| (stored_form(&page.workshop), FormErrors::new()));
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
    let view = EditPage {
        slug: slug.to_owned(),
        form,
        errors,
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
    edit_page(ctx, &state, &slug, None, None).await
}

#[tracing::instrument(name = "web::staff_workshops::update", skip_all, fields(user = me.id))]
pub async fn update(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Slug(slug): Slug,
    form: web::Form<WorkshopEditInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let edit = match input.parse(today()) {
        Ok(e) => e,
        Err(errors) => return edit_page(ctx, &state, &slug, Some((input, errors)), None).await,
    };
    if !db::workshops::update_facts(&state.db, &slug, &edit, me.id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "flash.workshop_saved");
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
        Err(errors) => return edit_page(ctx, &state, &slug, None, Some((input, errors))).await,
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
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let rows = db::workshops::signups(&state.db, &slug).await?;
    db::workshops::audit_export(&state.db, &slug, me.id, Utc::now()).await?;
    let body = csv::document(
        &["id", "opening", "name", "phone", "village", "note", "status", "signed_up_at"],
        &rows
            .into_iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.task_zh,
                    s.name,
                    s.phone.unwrap_or_default(),
                    s.village,
                    s.note,
                    s.status,
                    s.created_at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"signups-{slug}.csv\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
