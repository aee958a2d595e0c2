//! A figure's values over the years, as its staff keep them (its
//! district's admins; a workshop's keepers for its figures): a new year
//! adds a value, a wrong one is corrected with a note the
//! public reads beside the number. Each value cites an entry of the
//! district's sources register; one the portal computed keeps its formula.
//! The figure's own form ([`super::staff_content`]) keeps what it is.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::{Id, ValueId};
use super::staff_content::{ChoiceLists, FieldView, field_view};
use super::view::districts::{correction_text, value_reading, value_when};
use super::{AppError, Ctx, render_with_status, see_other};
use crate::db;
use crate::db::content::Item;
use crate::db::sources::{Correction, NewValue, ValueRow, ValueSaved};
use crate::domain::content::{CORRECTION, FIGURE_VALUE, amount, check_value};
use crate::domain::format::{plain_number, today};
use crate::domain::revision::Fields;
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// One value in the figure's list.
pub struct ValueLine {
    pub when: String,
    pub value: String,
    pub computed: Option<String>,
    pub source: String,
    pub correct: String,
}

/// The values section of a figure's staff page.
pub struct ValuesView {
    pub lines: Vec<ValueLine>,
    pub corrections: Vec<String>,
    pub add: String,
}

fn when(ctx: &Ctx, v: &ValueRow) -> String {
    value_when(ctx, v.year, &v.as_of_zh, &v.as_of_en).text
}

/// The values of figure `id` and their corrections, as its page lists them.
pub async fn section(
    ctx: &Ctx,
    state: &AppState,
    id: i64,
    district_id: i64,
) -> Result<ValuesView, AppError> {
    let (values, corrections) = db::sources::history(&state.db, id).await?;
    let sources = db::sources::of_district(&state.db, district_id).await?;
    let base = format!("/staff/figures/{id}/values");
    let lines = values
        .iter()
        .rev()
        .map(|v| ValueLine {
            when: when(ctx, v),
            value: value_reading(v.value, &v.qualifier),
            computed: v.computed_as.clone(),
            source: sources
                .iter()
                .find(|s| s.id == v.source_id)
                .map(|s| {
                    Text::pick(ctx.lang, &s.title_zh, s.title_en.as_deref()).plain().to_owned()
                })
                .unwrap_or_default(),
            correct: format!("{base}/{}", v.id),
        })
        .collect();
    let corrections = corrections.iter().rev().map(|c| correction_text(ctx, c)).collect();
    Ok(ValuesView { lines, corrections, add: format!("{base}/new") })
}

#[derive(Template)]
#[template(path = "staff/value_edit.html")]
struct ValuePage {
    ctx: Ctx,
    heading: &'static str,
    /// The figure's label and unit.
    lede: String,
    action: String,
    back: String,
    fields: Vec<FieldView>,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
}

/// The figure a value route names: its label, unit and district.
async fn figure(state: &AppState, id: i64) -> Result<Item, AppError> {
    db::content::item(&state.db, crate::domain::content::ContentKind::Figure, id)
        .await?
        .ok_or(AppError::NotFound)
}

fn value_of(s: &str) -> Result<i64, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// The form as stored for a value: what a correction starts from.
fn stored(v: &ValueRow) -> Fields {
    let mut f = Fields::new();
    f.set("value", v.computed_as.clone().unwrap_or_else(|| plain_number(v.value)));
    f.set("qualifier", &v.qualifier);
    f.set("year", v.year.map(|y| y.to_string()).unwrap_or_default());
    f.set("as_of_zh", v.as_of_zh.clone().unwrap_or_default());
    f.set("as_of_en", v.as_of_en.clone().unwrap_or_default());
    f.set("source_id", v.source_id.to_string());
    f
}

async fn form_page(
    ctx: Ctx,
    state: &AppState,
    figure: &Item,
    correcting: Option<i64>,
    form: &Fields,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let lists = ChoiceLists::of(state, &FIGURE_VALUE, figure.district_id).await?;
    let specs: Vec<_> = FIGURE_VALUE
        .iter()
        .chain(if correcting.is_some() { CORRECTION.iter() } else { [].iter() })
        .collect();
    let fields = specs.iter().map(|f| field_view(&ctx, f, f.name, form, &errors, &lists)).collect();
    let summary = crate::web::respond::error_summary(&ctx, &errors, |name| {
        specs.iter().find(|f| f.name == name).map(|f| ctx.t(f.label).to_owned())
    });
    let base = format!("/staff/figures/{}/values", figure.id);
    let (heading, action) = match correcting {
        Some(v) => ("values.correct_heading", format!("{base}/{v}")),
        None => ("values.new_heading", format!("{base}/new")),
    };
    let pick = |zh: &str, en: &str| {
        Text::pick(
            ctx.lang,
            figure.fields.get(zh),
            Some(figure.fields.get(en)).filter(|e| !e.is_empty()),
        )
        .plain()
        .to_owned()
    };
    let page = ValuePage {
        heading: ctx.t(heading),
        lede: format!("{} · {}", pick("label_zh", "label_en"), pick("unit_zh", "unit_en")),
        action,
        back: format!("/staff/content/figure/{}", figure.id),
        fields,
        errors,
        summary,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

pub async fn new_value(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let figure = figure(&state, id).await?;
    // A new year starts from the latest value's source and qualifier.
    let (values, _) = db::sources::history(&state.db, id).await?;
    let mut form = Fields::new();
    if let Some(last) = values.last() {
        form.set("source_id", last.source_id.to_string());
        form.set("qualifier", &last.qualifier);
    }
    form_page(ctx, &state, &figure, None, &form, FormErrors::new(), StatusCode::OK).await
}

pub async fn edit_value(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
    ValueId(value): ValueId,
) -> Result<HttpResponse, AppError> {
    let figure = figure(&state, id).await?;
    let value = value_of(&value)?;
    let (values, _) = db::sources::history(&state.db, id).await?;
    let v = values.iter().find(|v| v.id == value).ok_or(AppError::NotFound)?;
    form_page(ctx, &state, &figure, Some(value), &stored(v), FormErrors::new(), StatusCode::OK)
        .await
}

pub async fn add_value(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let figure = figure(&state, id).await?;
    save(ctx, &state, &session, &me, &figure, None, &form).await
}

pub async fn correct_value(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    ValueId(value): ValueId,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let figure = figure(&state, id).await?;
    let value = value_of(&value)?;
    save(ctx, &state, &session, &me, &figure, Some(value), &form).await
}

#[tracing::instrument(name = "web::staff_values::save", skip_all, fields(figure = figure.id, user = me.id))]
async fn save(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    figure: &Item,
    correcting: Option<i64>,
    pairs: &[(String, String)],
) -> Result<HttpResponse, AppError> {
    let names: Vec<&str> = FIGURE_VALUE.iter().chain(CORRECTION.iter()).map(|f| f.name).collect();
    let input = Fields::from_pairs(pairs, &names, &[]);
    let choices = ChoiceLists::of(state, &FIGURE_VALUE, figure.district_id).await?.ids();
    let refuse = |errors: FormErrors| {
        form_page(ctx, state, figure, correcting, &input, errors, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let checked = match check_value(&input, today(), &choices, correcting.is_some()) {
        Ok(checked) => checked,
        Err(errors) => return refuse(errors).await,
    };
    let opt = |name: &str| Some(checked.get(name)).filter(|v| !v.is_empty());
    let (number, computed) = amount(checked.get("value"));
    let new = NewValue {
        figure_id: figure.id,
        year: checked.get("year").parse().ok(),
        as_of_zh: opt("as_of_zh"),
        as_of_en: opt("as_of_en"),
        value: number,
        qualifier: checked.get("qualifier"),
        computed_as: computed.as_deref(),
        source_id: checked.get("source_id").parse().unwrap_or(0),
        user: me.id,
        now: Utc::now(),
    };
    let correction = correcting.map(|value_id| Correction {
        value_id,
        note_zh: checked.get("note_zh"),
        note_en: opt("note_en"),
    });
    let mut errors = FormErrors::new();
    match db::sources::save_value(&state.db, &new, correction.as_ref()).await? {
        ValueSaved::Saved(_) => {
            set_flash(
                session,
                if correcting.is_some() { "flash.value_corrected" } else { "flash.value_added" },
            );
            return Ok(see_other(&format!("/staff/content/figure/{}#values-heading", figure.id)));
        }
        ValueSaved::Missing => return Err(AppError::NotFound),
        ValueSaved::YearTaken => errors.add("year", "form.figure.year_taken"),
        ValueSaved::Unchanged => errors.add("value", "form.figure.unchanged"),
    }
    refuse(errors).await
}
