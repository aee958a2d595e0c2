//! Station staff and district admins: the review queue, one wish with its
//! whole history, and what only staff may do to a wish.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::confirm::{self, Ask, Confirmed};
use super::ctx::{query_param, set_flash};
use super::params::Id;
use super::view::{Pager, TimelineEntry, WishView};
use super::{AppError, Ctx, no_store, render_with_status, see_other};
use crate::db;
use crate::db::wishes::Queue;
use crate::domain::wish::{
    Actor, Change, FlagInput, FollowUpInput, Outcome, Refused, ReviewInput, TakeBackInput,
    TrackingCode, WishStatus,
};
use crate::domain::{FormErrors, page_number};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "staff/wishes.html")]
struct QueuePage {
    ctx: Ctx,
    /// Each queue: its code, label, its label with how many wait, whether
    /// it is shown.
    tabs: Vec<(&'static str, &'static str, String, bool)>,
    /// What the shown queue says when nothing waits in it.
    empty: &'static str,
    wishes: Vec<WishView>,
    pager: Pager,
}

/// `/staff/wishes?show=…&page=…`: one queue a page at a time, only the
/// wishes at the viewer's stations and districts.
pub async fn queue(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let query = req.query_string();
    let shown = query_param(query, "show").and_then(|s| Queue::parse(&s)).unwrap_or(Queue::Pending);
    let page = query_param(query, "page").and_then(|p| page_number(&p)).unwrap_or(1);
    let now = Utc::now();
    let rows = db::wishes::queue(&state.db, &me.grants, shown, page, now).await?;
    let counts = db::wishes::queue_counts(&state.db, &me.grants, now).await?;
    let tabs = Queue::ALL
        .iter()
        .zip(counts)
        .map(|(q, n)| {
            let label = ctx.t(&format!("staff.queue.{}", q.code()));
            let counted = ctx.tf("staff.tab_count", &[("label", label), ("n", &n.to_string())]);
            (q.code(), label, counted, *q == shown)
        })
        .collect();
    let href = |n: i64| format!("/staff/wishes?show={}&page={n}", shown.code());
    let view = QueuePage {
        tabs,
        empty: ctx.t(&format!("staff.queue.{}_none", shown.code())),
        wishes: rows.rows.iter().map(|w| WishView::for_staff(&ctx, w)).collect(),
        pager: Pager::new(&rows, href),
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
    /// A "did not arrive" follow-up: the claimer's contact and the form
    /// that ends it.
    follow_up: Option<FollowUpView>,
    /// The worker's thank-you as written (hidden from the public or not),
    /// so staff read what they hide.
    thanks: Option<String>,
    thanks_hidden: bool,
    timeline: Vec<TimelineEntry>,
    review: ReviewInput,
    errors: FormErrors,
    /// The next step of a gift left at the station: (action, button).
    gift_step: Option<(&'static str, &'static str)>,
    take_back: TakeBackInput,
    /// Sent again after a rejection: the earlier reason.
    resubmitted: Option<String>,
}

/// What staff see to end a follow-up: how to reach the volunteer, the
/// choices (code, label, hint) and what was typed.
struct FollowUpView {
    claimer_phone: Option<String>,
    claimer_email: Option<String>,
    outcomes: Vec<(&'static str, &'static str, &'static str)>,
    typed: FollowUpInput,
}

/// What a form on the wish page brought back to it, typed as it was.
enum Typed {
    None,
    Review(ReviewInput),
    FollowUp(FollowUpInput),
    TakeBack(TakeBackInput),
}

async fn wish_page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    typed: Typed,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (review, follow_up_typed, take_back) = match typed {
        Typed::None => (None, None, TakeBackInput::default()),
        Typed::Review(r) => (Some(r), None, TakeBackInput::default()),
        Typed::FollowUp(f) => (None, Some(f), TakeBackInput::default()),
        Typed::TakeBack(t) => (None, None, t),
    };
    let follow_up = if w.status() == WishStatus::NotReceived {
        let (claimer_phone, claimer_email) =
            db::wishes::claimer_contact(&state.db, id).await?.unwrap_or((None, None));
        let outcomes = Outcome::ALL
            .iter()
            // Nobody to try again when the volunteer's account is gone.
            .filter(|o| **o != Outcome::TryAgain || w.claimed_by.is_some())
            .map(|o| {
                (
                    o.code(),
                    ctx.t(&format!("staff.follow_up.{}", o.code())),
                    ctx.t(&format!("staff.follow_up.{}_hint", o.code())),
                )
            })
            .collect();
        Some(FollowUpView {
            claimer_phone,
            claimer_email,
            outcomes,
            typed: follow_up_typed.unwrap_or_default(),
        })
    } else {
        None
    };
    let events = db::wishes::events(&state.db, id).await?;
    // Sent again after a rejection: the reviewer sees it is a second try,
    // and why the first was turned down.
    let resubmitted = (w.status() == WishStatus::Pending
        && events.iter().any(|e| e.kind.as_deref() == Some("resubmit")))
    .then(|| w.reject_reason.clone().unwrap_or_default());
    let timeline = TimelineEntry::list(&ctx, events, true);
    let status = crate::web::respond::form_status(&errors);
    let gift_step = match (w.delivery.as_deref(), w.at_station_at, w.picked_up_at) {
        (Some("station"), None, _)
            if matches!(
                w.status(),
                WishStatus::Claimed | WishStatus::Fulfilled | WishStatus::NotReceived
            ) =>
        {
            Some(("at-station", ctx.t("staff.gift.at_station")))
        }
        (_, Some(_), None) => Some(("picked-up", ctx.t("staff.gift.picked_up"))),
        _ => None,
    };
    let view = WishPage {
        gift_step,
        take_back,
        resubmitted,
        review: review.unwrap_or(ReviewInput {
            what: w.what.clone(),
            why: w.why.clone(),
            reason: String::new(),
            confirm: String::new(),
        }),
        phone: w.phone.clone(),
        follow_up,
        thanks: w.thanks.clone(),
        thanks_hidden: w.thanks_hidden,
        wish: WishView::for_staff(&ctx, &w),
        timeline,
        errors,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    wish_page(ctx, &state, id, Typed::None, FormErrors::new()).await
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
        Err(errors) => wish_page(ctx, state, id, Typed::Review(typed), errors).await,
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
        Err(Refused::NoClaimer) => set_flash(session, "flash.wish_no_claimer"),
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
    // A good reason: asked first, the reason shown and posted again.
    if change.is_ok() && form.confirm != "yes" {
        let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
        let ask = Ask {
            question: ctx.tf("confirm.reject.question", &[("what", &w.what)]),
            explanation: ctx.t("confirm.reject.text"),
            action: format!("/staff/wishes/{id}/reject"),
            button: ctx.t("staff.wish_reject"),
            cancel: format!("/staff/wishes/{id}"),
            keep: vec![(Some(ctx.t("staff.wish_reason")), "reason", form.reason.trim().to_owned())],
        };
        return confirm::ask(ctx, ask);
    }
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
    form: web::Form<Confirmed>,
) -> Result<HttpResponse, AppError> {
    if !form.yes() {
        let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
        let ask = Ask {
            question: ctx.tf("confirm.new_code.question", &[("what", &w.what)]),
            explanation: ctx.t("confirm.new_code.text"),
            action: format!("/staff/wishes/{id}/new-code"),
            button: ctx.t("staff.wish_issue_code"),
            cancel: format!("/staff/wishes/{id}"),
            keep: Vec::new(),
        };
        return confirm::ask(ctx, ask);
    }
    let code = TrackingCode::generate();
    let now = Utc::now();
    if !db::wishes::new_code(&state.db, id, &code.keyed_hash(state.secret.expose()), me.id, now)
        .await?
    {
        return Err(AppError::NotFound);
    }
    // Shown once on her new slip, to print or read out; never stored or
    // logged.
    let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    super::staff_assist::slip(ctx, &state, w.station_id, id, w.what, w.display_name, code, true)
        .await
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

/// Ends a "did not arrive" follow-up: it arrived after all, back to the
/// wall, the same volunteer again, or closed with a note.
#[tracing::instrument(name = "web::staff_wishes::follow_up", skip_all, fields(wish_id = id, user = me.id))]
pub async fn follow_up(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<FollowUpInput>,
) -> Result<HttpResponse, AppError> {
    match form.parse() {
        Ok(change) => {
            let done = match &change {
                Change::Resolve { outcome, .. } => match outcome {
                    Outcome::Arrived => "flash.follow_up.arrived",
                    Outcome::BackToWall => "flash.follow_up.back_to_wall",
                    Outcome::TryAgain => "flash.follow_up.try_again",
                    Outcome::Close => "flash.follow_up.close",
                },
                _ => "flash.wish_updated",
            };
            apply(&state, &session, &me, id, change, done).await
        }
        Err(errors) => wish_page(ctx, &state, id, Typed::FollowUp(form.into_inner()), errors).await,
    }
}

/// A gift left at the station: its staff took it in, or the worker
/// picked it up. Back to the wish, saying whether it was recorded.
async fn gift(
    state: &AppState,
    session: &Session,
    me: &CurrentUser,
    id: i64,
    step: db::wishes::GiftStep,
) -> Result<HttpResponse, AppError> {
    let done = db::wishes::gift_step(&state.db, id, step, me.id, Utc::now()).await?;
    let flash = match (done, step) {
        (true, db::wishes::GiftStep::AtStation) => "flash.gift_at_station",
        (true, db::wishes::GiftStep::PickedUp) => "flash.gift_picked_up",
        (false, _) => "flash.wish_moved_on",
    };
    set_flash(session, flash);
    Ok(see_other(&format!("/staff/wishes/{id}")))
}

#[tracing::instrument(name = "web::staff_wishes::at_station", skip_all, fields(wish_id = id, user = me.id))]
pub async fn at_station(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    gift(&state, &session, &me, id, db::wishes::GiftStep::AtStation).await
}

#[tracing::instrument(name = "web::staff_wishes::picked_up", skip_all, fields(wish_id = id, user = me.id))]
pub async fn picked_up(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    gift(&state, &session, &me, id, db::wishes::GiftStep::PickedUp).await
}

/// Staff take a claim back: to the wall, or handed to another volunteer
/// (found by phone or e-mail), with a reason the volunteer reads. Asked
/// first on the one confirmation page.
#[tracing::instrument(name = "web::staff_wishes::take_back", skip_all, fields(wish_id = id, user = me.id))]
pub async fn take_back(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<TakeBackInput>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let w = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (reason, to) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => return wish_page(ctx, &state, id, Typed::TakeBack(form), errors).await,
    };
    let to_id = match &to {
        None => None,
        Some(who) => {
            let found = db::accounts::find_user(&state.db, who).await?;
            let mut errors = FormErrors::new();
            match found {
                None => errors.add("to", "form.wish.hand_to_unknown"),
                Some(u) if Some(u) == w.claimed_by => errors.add("to", "form.wish.hand_to_same"),
                Some(_) => {}
            }
            if !errors.is_empty() {
                return wish_page(ctx, &state, id, Typed::TakeBack(form), errors).await;
            }
            found
        }
    };
    if form.confirm != "yes" {
        let question = match to_id {
            None => ctx.tf("confirm.take_back.question", &[("what", &w.what)]),
            Some(_) => ctx.tf("confirm.hand_over.question", &[("what", &w.what)]),
        };
        let mut keep = vec![(Some(ctx.t("staff.take_back.reason")), "reason", reason.clone())];
        if let Some(who) = &to {
            keep.push((Some(ctx.t("staff.take_back.to")), "to", who.clone()));
        }
        let ask = Ask {
            question,
            explanation: ctx.t("confirm.take_back.text"),
            action: format!("/staff/wishes/{id}/take-back"),
            button: ctx.t("staff.take_back.button"),
            cancel: format!("/staff/wishes/{id}"),
            keep,
        };
        return confirm::ask(ctx, ask);
    }
    let (change, done) = match to_id {
        None => (Change::StaffRelease { reason }, "flash.wish_taken_back"),
        Some(to) => (Change::HandOver { to, reason }, "flash.wish_handed_over"),
    };
    apply(&state, &session, &me, id, change, done).await
}

#[cfg(test)]
mod tests {
    use crate::domain::Lang;
    use crate::domain::wish::{Move, Outcome, WishStatus};
    use crate::i18n::has_key;

    #[test]
    fn every_follow_up_and_event_reads_in_both_languages() {
        let mut keys: Vec<String> = Vec::new();
        for o in Outcome::ALL {
            let mv = Move::Resolve(o).code();
            keys.extend([
                format!("staff.follow_up.{}", o.code()),
                format!("staff.follow_up.{}_hint", o.code()),
                ["flash", "follow_up", o.code()].join("."),
                format!("wish.event.{mv}"),
                format!("audit.action.wish.{mv}"),
            ]);
        }
        for kind in ["confirmed", "not_arrived", "new_code"] {
            keys.push(format!("wish.event.{kind}"));
        }
        keys.extend(WishStatus::ALL.iter().map(|s| s.label_key().to_owned()));
        for lang in [Lang::Zh, Lang::En] {
            for key in &keys {
                assert!(has_key(lang, key), "{lang:?} lacks {key}");
            }
        }
    }
}
