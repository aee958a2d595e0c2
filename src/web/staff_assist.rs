//! Assisted posting: a worker without a phone (or who cannot read the
//! form) asks the station's staff, who post the wish for her from the
//! station's staff page, and print a slip she takes away: the wish, her
//! name, the tracking code and a QR code of her tracking link.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::params::Id;
use super::view::Qr;
use super::{AppError, Ctx, no_store, render_with_status};
use crate::db;
use crate::domain::wish::{Occupation, TrackingCode, WishInput};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "staff/assist.html")]
struct AssistPage {
    ctx: Ctx,
    id: i64,
    station: Text,
    form: WishInput,
    errors: FormErrors,
    notice: Option<String>,
    occupations: Vec<(&'static str, &'static str)>,
    phone_days: u32,
}

/// The slip, shown once: the code is not stored and cannot be shown again
/// (a lost slip means a new code from the wish's staff page).
#[derive(Template)]
#[template(path = "staff/slip.html")]
pub struct SlipPage {
    pub ctx: Ctx,
    pub place_id: i64,
    pub wish_id: i64,
    pub station: Text,
    pub what: String,
    pub display_name: String,
    pub code: String,
    pub link: String,
    pub qr: Qr,
    /// A slip for a code issued again, not a new wish.
    pub reissued: bool,
}

/// The station's name; not found for a place that is not a station.
async fn station_name(ctx: &Ctx, state: &AppState, id: i64) -> Result<Text, AppError> {
    let s = db::places::station(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()))
}

async fn page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    form: WishInput,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    // A notice (the station stopped taking wishes) sends the form back too.
    let status = match notice {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => super::respond::form_status(&errors),
    };
    let view = AssistPage {
        station: station_name(&ctx, state, id).await?,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), ctx.t(o.label_key()))).collect(),
        phone_days: state.settings.wish_phone_days,
        id,
        form,
        errors,
        notice,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

pub async fn form(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    page(ctx, &state, id, WishInput::default(), FormErrors::new(), None).await
}

/// The worker's form speaks to her ("您的心愿"); the keeper's speaks of
/// her: the same checks, in staff words where they differ.
fn for_staff(errors: &FormErrors) -> FormErrors {
    let mut out = FormErrors::new();
    for (field, key) in errors.iter() {
        out.add(
            field,
            match key {
                "form.wish.what_required" => "form.assist.what_required",
                "form.wish.occupation_required" => "form.assist.occupation_required",
                "form.display_name.required" => "form.assist.name_required",
                other => other,
            },
        );
    }
    out
}

/// Posts the wish for the worker (no address limit: the keeper is at the
/// counter with her), open at once, and answers with her slip.
#[tracing::instrument(name = "web::staff_assist::create", skip_all, fields(place = id, user = me.id))]
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<WishInput>,
) -> Result<HttpResponse, AppError> {
    let mut input = form.into_inner();
    input.station = id.to_string();
    input.website.clear();
    let wish = match input.parse() {
        Ok(w) => w,
        Err(errors) => return page(ctx, &state, id, input, for_staff(&errors), None).await,
    };
    let code = TrackingCode::generate();
    let now = Utc::now();
    let hash = code.keyed_hash(state.secret.expose());
    let Some(wish_id) =
        db::wishes::post_for_worker(&state.db, id, &wish, &hash, me.id, now).await?
    else {
        let notice = ctx.t("assist.station_closed").to_owned();
        return page(ctx, &state, id, input, FormErrors::new(), Some(notice)).await;
    };
    slip(ctx, &state, id, wish_id, wish.what, wish.display_name.as_str().to_owned(), code, false)
        .await
}

/// The slip for a wish and its code, just made.
#[allow(clippy::too_many_arguments, reason = "the parts of one slip, each used once")]
pub async fn slip(
    ctx: Ctx,
    state: &AppState,
    place_id: i64,
    wish_id: i64,
    what: String,
    display_name: String,
    code: TrackingCode,
    reissued: bool,
) -> Result<HttpResponse, AppError> {
    let link = format!("{}/wishes/track/{}", state.settings.base_url, code.display());
    let view = SlipPage {
        station: station_name(&ctx, state, place_id).await?,
        qr: Qr::new(&link)?,
        code: code.display(),
        link,
        place_id,
        wish_id,
        what,
        display_name,
        reissued,
        ctx,
    };
    // Never stored by any cache: it carries the code.
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}
