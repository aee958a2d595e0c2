//! One wish's public page, and what a volunteer does with it: claim,
//! release, fulfil; and their "my claims" page.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::db;
use crate::db::wishes::WishRow;
use crate::domain::FormErrors;
use crate::domain::wish::{
    self, Actor, Change, ClaimInput, Delivery, FulfilInput, Refused, WishStatus, mask_phones,
};
use crate::web::auth::{CurrentUser, Viewer};
use crate::web::confirm::{self, Ask, Confirmed};
use crate::web::ctx::set_flash;
use crate::web::params::Id;
use crate::web::view::{TimelineEntry, WishView};
use crate::web::{AppError, AppState, Ctx, no_store, render_with_status, see_other};

#[derive(Template)]
#[template(path = "wishes/show.html")]
struct ShowPage {
    ctx: Ctx,
    wish: WishView,
    signed_in: bool,
    is_claimer: bool,
    is_staff: bool,
    phone: Option<String>,
    timeline: Vec<TimelineEntry>,
    notice: Option<String>,
    note_input: String,
    claim: ClaimInput,
    /// The ways a gift may reach the worker (code, label), for the claim form.
    ways: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
}

/// What the reader typed into the page's forms, sent back with it.
#[derive(Default)]
struct Typed {
    note: String,
    claim: ClaimInput,
}

impl Typed {
    fn note(note: String) -> Typed {
        Typed { note, ..Typed::default() }
    }
}

async fn show_page(
    ctx: Ctx,
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    notice: Option<&'static str>,
    typed: Typed,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let wish = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let user = viewer.0.as_ref();
    let is_claimer = user.is_some_and(|u| wish.claimed_by == Some(u.id));
    let is_staff = user.is_some_and(|u| u.grants.keeps_station(wish.station_id, wish.district_id));
    let looking = if is_staff {
        wish::Viewer::Staff
    } else if is_claimer {
        wish::Viewer::Claimer
    } else {
        wish::Viewer::Public
    };
    if !looking.sees(wish.status()) {
        return Err(AppError::NotFound);
    }
    let phone = looking.sees_phone(wish.status()).then(|| wish.phone.clone()).flatten();
    // A change that did not happen is a conflict; a form with errors, 422.
    let status = match notice {
        Some(_) if errors.is_empty() => StatusCode::CONFLICT,
        _ => crate::web::respond::form_status(&errors),
    };
    let view = ShowPage {
        timeline: TimelineEntry::list(&ctx, db::wishes::events(&state.db, id).await?, false),
        notice: notice.map(|k| ctx.t(k).to_owned()),
        signed_in: user.is_some(),
        is_claimer,
        is_staff,
        phone,
        wish: WishView::new(&ctx, &wish),
        note_input: typed.note,
        claim: typed.claim,
        ways: Delivery::CODES.iter().map(|c| (*c, ctx.t(&format!("delivery.{c}")))).collect(),
        errors,
        ctx,
    };
    let res = render_with_status(&view, status)?;
    Ok(if user.is_some() { no_store(res) } else { res })
}

/// Makes a volunteer's change to wish `id`: done, or the catalogue key of
/// why nothing changed. A wish that does not exist is the 404 page.
async fn attempt(
    state: &AppState,
    id: i64,
    change: &Change,
    actor: Actor,
) -> Result<Result<(), &'static str>, AppError> {
    Ok(match db::wishes::change(&state.db, id, change, actor, Utc::now()).await? {
        Ok(_) => Ok(()),
        Err(Refused::NoSuchWish) => return Err(AppError::NotFound),
        Err(why) => Err(refusal_key(change, &why)),
    })
}

/// Why nothing changed, as the volunteer reads it.
fn refusal_key(change: &Change, why: &Refused) -> &'static str {
    match (change, why) {
        (_, Refused::ClaimLimit) => "wish.refused.claim_limit",
        (_, Refused::NotYours) | (Change::Release, _) => "wish.refused.not_yours",
        (Change::Claim { .. }, _) => "wish.refused.taken",
        _ => "wish.refused.not_claimed",
    }
}

/// Back to the wish, with `flash` said once.
fn done(session: &Session, id: i64, flash: &'static str) -> HttpResponse {
    set_flash(session, flash);
    see_other(&format!("/wishes/{id}"))
}

/// The wish page again, saying why nothing changed.
async fn refused(
    ctx: Ctx,
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    key: &'static str,
    note_input: String,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, state, viewer, id, Some(key), Typed::note(note_input), FormErrors::new()).await
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    viewer: Viewer,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, &state, &viewer, id, None, Typed::default(), FormErrors::new()).await
}

#[tracing::instrument(name = "web::wishes::claims::claim", skip_all, fields(wish_id = id, user = me.id))]
pub async fn claim(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<ClaimInput>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let delivery = match form.parse(Utc::now()) {
        Ok(d) => d,
        Err(errors) => {
            let typed = Typed { claim: form, ..Typed::default() };
            return show_page(ctx, &state, &viewer, id, None, typed, errors).await;
        }
    };
    let change = Change::Claim { limit: i64::from(state.settings.claim_limit), delivery };
    match attempt(&state, id, &change, Actor::volunteer(me.id)).await? {
        Ok(()) => Ok(done(&session, id, "flash.wish_claimed")),
        Err(why) => {
            let typed = Typed { claim: form, ..Typed::default() };
            show_page(ctx, &state, &viewer, id, Some(why), typed, FormErrors::new()).await
        }
    }
}

#[tracing::instrument(name = "web::wishes::claims::release", skip_all, fields(wish_id = id, user = me.id))]
pub async fn release(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<Confirmed>,
) -> Result<HttpResponse, AppError> {
    // Their own claim: asked first (someone else's is refused as before).
    if !form.yes()
        && let Some(w) = db::wishes::by_id(&state.db, id).await?
        && w.status() == WishStatus::Claimed
        && w.claimed_by == Some(me.id)
    {
        let ask = Ask {
            question: ctx.tf("confirm.release.question", &[("what", &mask_phones(&w.what))]),
            explanation: ctx.t("confirm.release.text"),
            action: format!("/wishes/{id}/release"),
            button: ctx.t("wish.release"),
            cancel: format!("/wishes/{id}"),
            keep: Vec::new(),
        };
        return confirm::ask(ctx, ask);
    }
    match attempt(&state, id, &Change::Release, Actor::volunteer(me.id)).await? {
        Ok(()) => Ok(done(&session, id, "flash.wish_released")),
        Err(why) => refused(ctx, &state, &viewer, id, why, String::new()).await,
    }
}

#[tracing::instrument(name = "web::wishes::claims::fulfil", skip_all, fields(wish_id = id, user = me.id))]
pub async fn fulfil(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<FulfilInput>,
) -> Result<HttpResponse, AppError> {
    let note = match form.parse() {
        Ok(note) => note,
        Err(errors) => {
            let typed = Typed::note(form.note.clone());
            return show_page(ctx, &state, &viewer, id, None, typed, errors).await;
        }
    };
    let (station, district) =
        db::wishes::station_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let by_staff = me.grants.keeps_station(station, district);
    let actor = if by_staff { Actor::staff(me.id) } else { Actor::volunteer(me.id) };
    let change = Change::Fulfil { note, by_staff };
    match attempt(&state, id, &change, actor).await? {
        Ok(()) => Ok(done(&session, id, "flash.wish_fulfilled")),
        Err(why) => refused(ctx, &state, &viewer, id, why, form.note.clone()).await,
    }
}

#[derive(Template)]
#[template(path = "account/claims.html")]
struct ClaimsPage {
    ctx: Ctx,
    /// Claims the worker says did not arrive, being followed up.
    follow_ups: Vec<WishView>,
    current: Vec<WishView>,
    past: Vec<WishView>,
}

pub async fn mine(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let rows = db::wishes::claimed_by(&state.db, me.id).await?;
    let theirs = |w: &WishRow| w.claimed_by == Some(me.id);
    let (mut follow_ups, mut current, mut past) = (Vec::new(), Vec::new(), Vec::new());
    for w in &rows {
        // A gift the worker says did not arrive comes first: it is still theirs to sort out.
        match w.status() {
            WishStatus::NotReceived if theirs(w) => follow_ups.push(WishView::new(&ctx, w)),
            WishStatus::Claimed if theirs(w) => current.push(WishView::new(&ctx, w)),
            _ => past.push(WishView::new(&ctx, w)),
        }
    }
    let view = ClaimsPage { follow_ups, current, past, ctx };
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}
