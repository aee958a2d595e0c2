//! The worker's side after posting, with no account: look up a code, the
//! tracking page, withdrawing, and saying whether help arrived.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::db;
use crate::db::wishes::WishRow;
use crate::domain::FormErrors;
use crate::domain::wish::{
    Actor, Change, ConfirmInput, Move, ResubmitInput, TrackingCode, WishStatus, mask_phones,
};
use crate::web::confirm::{self, Ask, Confirmed};
use crate::web::ctx::{query_param, set_flash};
use crate::web::params::Code;
use crate::web::view::{TimelineEntry, WishView};
use crate::web::{AppError, AppState, Ctx, no_store, render_with_status, see_other, throttle};

#[derive(Template)]
#[template(path = "wishes/track_lookup.html")]
struct LookupPage {
    ctx: Ctx,
    code: String,
    errors: FormErrors,
}

/// `/wishes/track?code=…`: a worker types their code.
pub async fn lookup(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let Some(typed) = query_param(req.query_string(), "code") else {
        return render_with_status(
            &LookupPage { ctx, code: String::new(), errors: FormErrors::new() },
            StatusCode::OK,
        );
    };
    // Sent empty: said at the field, not a silent blank form.
    if typed.trim().is_empty() {
        return lookup_again(
            ctx,
            typed,
            "form.wish.code_required",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match TrackingCode::parse(&typed) {
        Some(code) => Ok(no_store(see_other(&format!("/wishes/track/{}", code.display())))),
        None => {
            lookup_again(ctx, typed, "form.wish.code_invalid", StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// The look-up form again, with what was typed and why it found nothing.
fn lookup_again(
    ctx: Ctx,
    code: String,
    key: &'static str,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    errors.add("code", key);
    Ok(no_store(render_with_status(&LookupPage { ctx, code, errors }, status)?))
}

#[derive(Template)]
#[template(path = "wishes/track.html")]
struct TrackPage {
    ctx: Ctx,
    code: String,
    just_posted: bool,
    wish: WishView,
    reject_reason: Option<String>,
    arrived: Option<bool>,
    timeline: Vec<TimelineEntry>,
    thanks_input: String,
    /// A rejected wish's texts, to edit and send again.
    resubmit: ResubmitInput,
    errors: FormErrors,
}

/// What the worker typed into the tracking page's forms, sent back to it.
#[derive(Default)]
enum Typed {
    #[default]
    None,
    Thanks(String),
    Resubmit(ResubmitInput),
}

/// The wish behind a typed code, after the look-up limit. Unknown and
/// malformed codes get the same 404 as any missing page.
async fn tracked(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
) -> Result<(TrackingCode, WishRow), AppError> {
    let ip = throttle::client_key(req, &state.settings);
    let counter = throttle::Counter::new(state.secret.expose(), "track-ip", &ip, Utc::now(), 3600);
    if !counter.admit(&state.db, state.settings.track_lookups_per_hour).await? {
        return Err(AppError::TooMany);
    }
    let code = TrackingCode::parse(code).ok_or(AppError::NotFound)?;
    let wish = db::wishes::by_code(&state.db, &code.keyed_hash(state.secret.expose()))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((code, wish))
}

async fn track_page(
    ctx: Ctx,
    state: &AppState,
    code: TrackingCode,
    wish: WishRow,
    just_posted: bool,
    typed: Typed,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let (thanks_input, resubmit) = match typed {
        Typed::None => (String::new(), None),
        Typed::Thanks(t) => (t, None),
        Typed::Resubmit(r) => (String::new(), Some(r)),
    };
    // Her own texts as she wrote them, to edit.
    let resubmit = resubmit
        .unwrap_or_else(|| ResubmitInput { what: wish.what.clone(), why: wish.why.clone() });
    let timeline = TimelineEntry::list(&ctx, db::wishes::events(&state.db, wish.id).await?, false);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = TrackPage {
        code: code.display(),
        just_posted,
        // The reason while it stands (a wish sent again waits afresh).
        reject_reason: wish.reject_reason.clone().filter(|_| wish.status() == WishStatus::Rejected),
        arrived: wish.arrived,
        wish: WishView::new(&ctx, &wish),
        timeline,
        thanks_input,
        resubmit,
        errors,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    Code(code): Code,
) -> Result<HttpResponse, AppError> {
    // A code that finds no wish: the look-up form again with the code as
    // typed (the same answer for a malformed and an unknown code).
    let (code, wish) = match tracked(&req, &state, &code).await {
        Err(AppError::NotFound) => {
            return lookup_again(ctx, code, "form.wish.code_unknown", StatusCode::NOT_FOUND);
        }
        found => found?,
    };
    let just_posted = query_param(req.query_string(), "new").is_some();
    track_page(ctx, &state, code, wish, just_posted, Typed::None, FormErrors::new()).await
}

#[tracing::instrument(name = "web::wishes::tracking::withdraw", skip_all)]
pub async fn withdraw(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Code(code): Code,
    form: web::Form<Confirmed>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
    // A wish that can still be withdrawn: asked first.
    let withdrawable = Move::Withdraw.from(wish.status()).is_some();
    if withdrawable && !form.yes() {
        let track = format!("/wishes/track/{}", code.display());
        let ask = Ask {
            question: ctx.tf("confirm.withdraw.question", &[("what", &mask_phones(&wish.what))]),
            explanation: ctx.t("confirm.withdraw.text"),
            action: format!("{track}/withdraw"),
            button: ctx.t("track.withdraw"),
            cancel: track,
            keep: Vec::new(),
        };
        return confirm::ask(ctx, ask);
    }
    let flash =
        match db::wishes::change(&state.db, wish.id, &Change::Withdraw, Actor::WORKER, Utc::now())
            .await?
        {
            Ok(_) => "flash.wish_withdrawn",
            Err(_) => "flash.wish_cannot_withdraw",
        };
    set_flash(&session, flash);
    Ok(no_store(see_other(&format!("/wishes/track/{}", code.display()))))
}

#[tracing::instrument(name = "web::wishes::tracking::confirm", skip_all)]
pub async fn confirm(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Code(code): Code,
    form: web::Form<ConfirmInput>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
    let said = match form.parse() {
        Ok(said) => said,
        Err(errors) => {
            let typed = Typed::Thanks(form.thanks.clone());
            return track_page(ctx, &state, code, wish, false, typed, errors).await;
        }
    };
    let now = Utc::now();
    let flash = if said.arrived {
        let thanked = db::wishes::confirm(&state.db, wish.id, said.thanks.as_deref(), now).await?;
        if thanked { "flash.wish_thanked" } else { "flash.wish_cannot_confirm" }
    } else {
        // Not arrived: the wish waits for its station's staff to follow up.
        match db::wishes::change(&state.db, wish.id, &Change::NotArrived, Actor::WORKER, now)
            .await?
        {
            Ok(_) => "flash.wish_not_arrived",
            Err(_) => "flash.wish_cannot_confirm",
        }
    };
    set_flash(&session, flash);
    Ok(no_store(see_other(&format!("/wishes/track/{}", code.display()))))
}

/// A rejected wish, edited by its worker and sent again with the same
/// code: waiting for review once more, the staff told it is a second try.
#[tracing::instrument(name = "web::wishes::tracking::resubmit", skip_all)]
pub async fn resubmit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Code(code): Code,
    form: web::Form<ResubmitInput>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
    let change = match form.parse() {
        Ok(change) => change,
        Err(errors) => {
            let typed = Typed::Resubmit(form.into_inner());
            return track_page(ctx, &state, code, wish, false, typed, errors).await;
        }
    };
    let flash =
        match db::wishes::change(&state.db, wish.id, &change, Actor::WORKER, Utc::now()).await? {
            Ok(_) => "flash.wish_resubmitted",
            Err(_) => "flash.wish_moved_on",
        };
    set_flash(&session, flash);
    Ok(no_store(see_other(&format!("/wishes/track/{}", code.display()))))
}
