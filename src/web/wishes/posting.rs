//! Posting a wish: the form (with the station from a poster's QR code),
//! and the post itself through the queue, answered after its commit.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use crate::db;
use crate::db::wishes::Posted;
use crate::domain::wish::{Limit, NewWish, Occupation, TrackingCode, WishInput};
use crate::domain::{FormErrors, Text};
use crate::web::auth::Viewer;
use crate::web::ctx::query_param;
use crate::web::view::StationChoice;
use crate::web::{AppError, AppState, Ctx, no_store, render_with_status, see_other, throttle};

#[derive(Template)]
#[template(path = "wishes/new.html")]
struct NewPage {
    ctx: Ctx,
    form: WishInput,
    errors: FormErrors,
    notice: Option<String>,
    stations: Vec<StationChoice>,
    occupations: Vec<(&'static str, &'static str)>,
    phone_days: u32,
}

async fn new_page(
    ctx: Ctx,
    state: &AppState,
    form: WishInput,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Sent back because the database is away: keep the chosen station
        // as the only choice, without asking the database again.
        let kept = StationChoice {
            selected: true,
            name: ctx.t("wish_new.station_kept").to_owned(),
            code: form.station.clone(),
        };
        let stations = if form.station.is_empty() { vec![] } else { vec![kept] };
        return render_new(ctx, state, form, errors, notice, status, stations);
    }
    let stations = db::places::public_stations(&state.db).await?;
    let codes: Vec<(i64, String)> = db::wishes::station_codes(&state.db).await?;
    let stations = stations
        .iter()
        .map(|s| {
            let code = codes
                .iter()
                .find(|(id, _)| *id == s.id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            StationChoice {
                selected: form.station == code || form.station == s.id.to_string(),
                name: Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()).text,
                code,
            }
        })
        .collect();
    render_new(ctx, state, form, errors, notice, status, stations)
}

fn render_new(
    ctx: Ctx,
    state: &AppState,
    form: WishInput,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
    stations: Vec<StationChoice>,
) -> Result<HttpResponse, AppError> {
    let view = NewPage {
        stations,
        occupations: Occupation::ALL.iter().map(|o| (o.code(), ctx.t(o.label_key()))).collect(),
        phone_days: state.settings.wish_phone_days,
        form,
        errors,
        notice,
        ctx,
    };
    render_with_status(&view, status)
}

pub async fn form(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = WishInput {
        station: query_param(req.query_string(), "station").unwrap_or_default(),
        ..Default::default()
    };
    new_page(ctx, &state, form, FormErrors::new(), None, StatusCode::OK).await
}

#[tracing::instrument(name = "web::wishes::posting::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    form: web::Form<WishInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match post_wish(ctx.clone(), &req, &state, &viewer, input.clone()).await {
        Err(AppError::Unavailable(e)) => {
            // What the worker typed comes back with the form (503), so
            // they can send it again when the database is back.
            tracing::warn!(error = format!("{e:#}"), "wish form sent back: database unavailable");
            let notice = ctx.t("form.unavailable").to_owned();
            let status = StatusCode::SERVICE_UNAVAILABLE;
            new_page(ctx, &state, input, FormErrors::new(), Some(notice), status).await
        }
        other => other,
    }
}

async fn post_wish(
    ctx: Ctx,
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    input: WishInput,
) -> Result<HttpResponse, AppError> {
    if input.is_bot() {
        // Say nothing useful to a bot; store nothing.
        return Ok(see_other("/wishes"));
    }
    let now = Utc::now();
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    let wish = match input.parse() {
        Ok(w) => w,
        Err(errors) => return new_page(ctx, state, input, errors, None, redo).await,
    };
    let limits = Limits::of(req, state, viewer, &wish, now).await?;
    let code = TrackingCode::generate();
    let post = db::wishes::Post {
        quotas: limits.quotas(),
        wish,
        code_hash: code.keyed_hash(state.secret.expose()),
        now,
    };
    match state.posts.post(post).await? {
        Posted::New(_) => {
            Ok(no_store(see_other(&format!("/wishes/track/{}?new=1", code.display()))))
        }
        Posted::Throttled(which) => {
            let key = match which {
                Limit::Address => "form.wish.throttled_address",
                Limit::Phone => "form.wish.throttled_phone",
                Limit::Station => "form.wish.throttled_station",
            };
            let notice = ctx.tf(key, &[("time", &limits.until(which))]);
            new_page(ctx, state, input, FormErrors::new(), Some(notice), redo).await
        }
        Posted::Duplicate(_) => {
            let notice = ctx.t("form.wish.duplicate").to_owned();
            new_page(ctx, state, input, FormErrors::new(), Some(notice), redo).await
        }
        Posted::UnknownStation | Posted::ClosedStation => {
            let mut errors = FormErrors::new();
            errors.add("station", "form.wish.station_unknown");
            new_page(ctx, state, input, errors, None, redo).await
        }
    }
}

/// The limits a post counts against, each an hour long: its address's
/// (generous: workers share a station's Wi-Fi or a carrier's network), its
/// phone's when one is given, and its station's. A station's own staff,
/// signed in, post there without limits (they see who is at the counter).
struct Limits {
    counters: Vec<(throttle::Counter, u32, Limit)>,
}

impl Limits {
    async fn of(
        req: &HttpRequest,
        state: &AppState,
        viewer: &Viewer,
        wish: &NewWish,
        now: chrono::DateTime<Utc>,
    ) -> Result<Limits, AppError> {
        if let Some(user) = &viewer.0
            && !user.grants.0.is_empty()
            && let Some(station) = db::places::station_named(&state.db, wish.station.trim()).await?
            && user.grants.keeps_station(station.id, station.district_id)
        {
            return Ok(Limits { counters: Vec::new() });
        }
        let secret = state.secret.expose();
        let s = &state.settings;
        let counter = |kind: &str, who: &str| throttle::Counter::new(secret, kind, who, now, 3600);
        let ip = throttle::client_key(req, s);
        let mut counters = vec![(counter("wish-ip", &ip), s.wishes_per_hour, Limit::Address)];
        if let Some(phone) = &wish.phone {
            let c = counter("wish-phone", phone.as_str());
            counters.push((c, s.wishes_per_phone_per_hour, Limit::Phone));
        }
        let station = counter("wish-station", wish.station.trim());
        counters.push((station, s.wishes_per_station_per_hour, Limit::Station));
        Ok(Limits { counters })
    }

    fn quotas(&self) -> Vec<db::wishes::PostQuota> {
        self.counters
            .iter()
            .map(|(c, limit, which)| {
                let (bucket, window_start) = c.parts();
                db::wishes::PostQuota {
                    bucket,
                    window_start,
                    limit: i64::from(*limit),
                    limit_kind: *which,
                }
            })
            .collect()
    }

    /// When the limit that was met lets posts in again.
    fn until(&self, which: Limit) -> String {
        self.counters
            .iter()
            .find(|(_, _, w)| *w == which)
            .map(|(c, _, _)| c.until_label())
            .unwrap_or_default()
    }
}
