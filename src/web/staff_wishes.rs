//! Station staff and district admins: the review queue, one wish with its
//! whole history, and what only staff may do to a wish.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::ctx::set_flash;
use super::params::Id;
use super::view::{TimelineEntry, WishView};
use super::{AppError, Ctx, no_store, render_with_status, see_other};
use crate::db;
use crate::db::wishes::WishRow;
use crate::domain::FormErrors;
use crate::domain::wish::{
    Actor, Change, FlagInput, Refused, ReviewInput, TrackingCode, WishStatus,
};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "staff/wishes.html")]
struct QueuePage {
    ctx: Ctx,
    pending: Vec<WishView>,
    attention: Vec<WishView>,
    expired: Vec<WishView>,
}

pub async fn queue(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let mine = |w: &&WishRow| me.grants.keeps_station(w.station_id, w.district_id);
    let rows = db::wishes::at_stations(&state.db, &["pending", "expired"], true).await?;
    let pick = |f: &dyn Fn(&WishRow) -> bool| {
        rows.iter()
            .filter(mine)
            .filter(|w| f(w))
            .map(|w| WishView::for_staff(&ctx, w))
            .collect::<Vec<_>>()
    };
    let view = QueuePage {
        pending: pick(&|w| w.status() == WishStatus::Pending),
        attention: pick(&|w| w.needs_attention),
        expired: pick(&|w| w.status() == WishStatus::Expired),
        ctx: ctx.clone(),
    };
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}

#[derive(Template)]
#[template(path = "staff/wish.html")]
struct WishPage {
    ctx: Ctx,
    wish: WishView,
    phone: Option<String>,
    needs_attention: bool,
    has_thanks: bool,
    thanks_hidden: bool,
    timeline: Vec<TimelineEntry>,
    review: ReviewInput,
    errors: FormErrors,
    new_code: Option<String>,
}

async fn wish_page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    review: Option<ReviewInput>,
    errors: FormErrors,
    new_code: Option<String>,
) -> Result<HttpResponse, AppError> {
    let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let timeline = TimelineEntry::list(&ctx, db::wishes::events(&state.db, id).await?, true);
    let status = crate::web::respond::form_status(&errors);
    let view = WishPage {
        review: review.unwrap_or(ReviewInput {
            what: w.what.clone(),
            why: w.why.clone(),
            reason: String::new(),
        }),
        phone: w.phone.clone(),
        needs_attention: w.needs_attention,
        has_thanks: w.thanks.is_some(),
        thanks_hidden: w.thanks_hidden,
        wish: WishView::for_staff(&ctx, &w),
        timeline,
        errors,
        new_code,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    wish_page(ctx, &state, id, None, FormErrors::new(), None).await
}

/// A review (approve or reject): the change the form came to, applied, or
/// the wish page again with the form as typed and its errors.
#[allow(clippy::too_many_arguments, reason = "the parts of one review, each used once")]
async fn review(
    ctx: Ctx,
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    id: i64,
    typed: ReviewInput,
    change: Result<Change, FormErrors>,
    done: &'static str,
) -> Result<HttpResponse, AppError> {
    match change {
        Ok(change) => apply(state, session, me, id, change, done).await,
        Err(errors) => wish_page(ctx, state, id, Some(typed), errors, None).await,
    }
}

/// Applies a staff change, audits it, and goes back to the wish.
async fn apply(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    id: i64,
    change: Change,
    done: &'static str,
) -> Result<HttpResponse, AppError> {
    let now = Utc::now();
    // (The change writes its own audit row, in its transaction.)
    match db::wishes::change(&state.db, id, &change, Actor::staff(me.id), now).await? {
        Ok(_) => set_flash(session, done),
        Err(Refused::NoSuchWish) => return Err(AppError::NotFound),
        Err(_) => set_flash(session, "flash.wish_moved_on"),
    }
    Ok(see_other(&format!("/staff/wishes/{id}")))
}

#[tracing::instrument(name = "web::staff_wishes::approve", skip_all, fields(wish_id = id, user = me.id))]
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<ReviewInput>,
) -> Result<HttpResponse, AppError> {
    let change = form.approval();
    review(ctx, &state, &session, &me, id, form.into_inner(), change, "flash.wish_approved").await
}

#[tracing::instrument(name = "web::staff_wishes::reject", skip_all, fields(wish_id = id, user = me.id))]
pub async fn reject(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<ReviewInput>,
) -> Result<HttpResponse, AppError> {
    let change = form.rejection();
    review(ctx, &state, &session, &me, id, form.into_inner(), change, "flash.wish_rejected").await
}

#[tracing::instrument(name = "web::staff_wishes::reopen", skip_all, fields(wish_id = id, user = me.id))]
pub async fn reopen(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    apply(&state, &session, &me, id, Change::Reopen, "flash.wish_reopened").await
}

#[tracing::instrument(name = "web::staff_wishes::new_code", skip_all, fields(wish_id = id, user = me.id))]
pub async fn new_code(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let code = TrackingCode::generate();
    let now = Utc::now();
    if !db::wishes::new_code(&state.db, id, &code.keyed_hash(state.secret.expose()), me.id, now)
        .await?
    {
        return Err(AppError::NotFound);
    }
    // Shown once, to read out to the worker; never stored or logged.
    wish_page(ctx, &state, id, None, FormErrors::new(), Some(code.display())).await
}

#[tracing::instrument(name = "web::staff_wishes::flags", skip_all, fields(wish_id = id, user = me.id))]
pub async fn flags(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<FlagInput>,
) -> Result<HttpResponse, AppError> {
    if !db::wishes::set_flags(&state.db, id, form.parse(), me.id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "flash.wish_updated");
    Ok(see_other(&format!("/staff/wishes/{id}")))
}
