//! Micro-wishes: love-station pages and posters, posting a wish, the
//! worker's tracking page, the wish wall, claiming and fulfilling.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::{CurrentUser, Viewer};
use super::ctx::{query_param, set_flash};
use super::params::Id;
use super::view::PlaceView;
use super::{AppError, Ctx, no_store, render_with_status, see_other, throttle};
use crate::db;
use crate::db::wishes::{Posted, WishRow};
use crate::domain::format::{age, count_label, moment};
use crate::domain::wish::{
    Actor, ActorKind, Change, NOTE_MAX, Occupation, Refused, THANKS_MAX, TrackingCode, WishInput,
    WishStatus, mask_phones,
};
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// A wish as the public sees it: never a phone number.
pub struct WishView {
    pub id: i64,
    pub what: Text,
    pub why: Text,
    pub display_name: Text,
    pub occupation: &'static str,
    pub station_id: i64,
    pub station: Text,
    pub status: WishStatus,
    pub status_label: &'static str,
    pub age: String,
    pub claimer: Option<Text>,
    pub fulfil_note: Option<Text>,
    pub thanks: Option<Text>,
}

impl WishView {
    /// The wish as anyone may see it: every text a worker or volunteer
    /// wrote has its phone numbers masked (`138****5678`).
    pub fn new(ctx: &Ctx, w: &WishRow) -> WishView {
        WishView::shown(ctx, w, mask_phones)
    }

    /// The wish as its station's staff see it: the texts as written.
    pub fn for_staff(ctx: &Ctx, w: &WishRow) -> WishView {
        WishView::shown(ctx, w, str::to_owned)
    }

    fn shown(ctx: &Ctx, w: &WishRow, clean: impl Fn(&str) -> String) -> WishView {
        let occupation = Occupation::parse(&w.occupation).unwrap_or(Occupation::Other);
        let status = w.status();
        let typed = |s: &str| Text::typed(ctx.lang, &clean(s));
        WishView {
            id: w.id,
            what: typed(&w.what),
            why: typed(&w.why),
            display_name: typed(&w.display_name),
            occupation: ctx.t(occupation.label_key()),
            station_id: w.station_id,
            station: Text::pick(ctx.lang, &w.station_name_zh, w.station_name_en.as_deref()),
            status,
            status_label: ctx.t(status.label_key()),
            age: age(ctx.lang, w.opened_at.unwrap_or(w.created_at), Utc::now()),
            claimer: w.claimer_name.as_ref().map(|n| {
                if w.claimer_deleted == Some(true) || n.is_empty() {
                    typed(ctx.t("wish.deleted_volunteer"))
                } else {
                    typed(n)
                }
            }),
            fulfil_note: w.fulfil_note.as_deref().map(typed),
            thanks: w.thanks.as_deref().filter(|_| !w.thanks_hidden).map(typed),
        }
    }
}

/// One line of a timeline. `note` only where the reader may see it.
pub struct TimelineEntry {
    pub status: &'static str,
    pub actor: &'static str,
    pub at: String,
    pub note: Option<String>,
}

/// The events of a wish; staff see every note, others only the public ones.
pub async fn timeline(
    ctx: &Ctx,
    state: &AppState,
    wish_id: i64,
    staff: bool,
) -> Result<Vec<TimelineEntry>, AppError> {
    Ok(db::wishes::events(&state.db, wish_id)
        .await?
        .into_iter()
        .map(|e| TimelineEntry {
            status: WishStatus::parse(&e.to_status).map(|s| ctx.t(s.label_key())).unwrap_or(""),
            actor: ctx.t(ActorKind::label_key(&e.actor_kind)),
            at: moment(e.at),
            note: (!e.note.is_empty() && (e.public_note || staff))
                .then(|| if staff { e.note } else { mask_phones(&e.note) }),
        })
        .collect())
}

// ---------------------------------------------------------------- stations

#[derive(Template)]
#[template(path = "stations/show.html")]
struct StationPage {
    ctx: Ctx,
    place: PlaceView,
    code: String,
    district_slug: String,
    district: Text,
    wishes: Vec<WishView>,
    stories: Vec<super::view::StoryView>,
}

async fn station_page(state: &AppState, id: i64) -> Result<db::districts::PlacePage, AppError> {
    let page = db::districts::place_page(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if page.place.kind != "love_station" {
        return Err(AppError::NotFound);
    }
    Ok(page)
}

pub async fn station(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = station_page(&state, id).await?;
    let wishes = db::wishes::open_at_station(&state.db, page.place.id).await?;
    let view = StationPage {
        place: PlaceView::new(&ctx, &page.place),
        code: page.place.code.clone(),
        district_slug: page.district.slug.clone(),
        district: Text::pick(ctx.lang, &page.district.name_zh, page.district.name_en.as_deref()),
        wishes: wishes.iter().map(|w| WishView::new(&ctx, w)).collect(),
        stories: page.stories.iter().map(|s| super::view::StoryView::new(&ctx, s)).collect(),
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

/// A QR code as one SVG path of dark squares (no inline styles: the CSP).
pub struct Qr {
    pub size: usize,
    pub path: String,
}

impl Qr {
    pub fn new(data: &str) -> Result<Qr, AppError> {
        let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e}")))?;
        let width = code.width();
        let quiet = 4;
        let mut path = String::new();
        for (i, c) in code.to_colors().iter().enumerate() {
            if *c == qrcode::Color::Dark {
                path.push_str(&format!("M{} {}h1v1h-1z", i % width + quiet, i / width + quiet));
            }
        }
        Ok(Qr { size: width + 2 * quiet, path })
    }
}

#[derive(Template)]
#[template(path = "stations/poster.html")]
struct PosterPage {
    ctx: Ctx,
    name: Text,
    address: Text,
    link: String,
    qr: Qr,
}

pub async fn poster(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = station_page(&state, id).await?;
    // The stable code, not the id: a printed poster outlives a re-seed.
    let link = format!("{}/wishes/new?station={}", state.settings.base_url, page.place.code);
    let view = PosterPage {
        name: Text::pick(ctx.lang, &page.place.name_zh, page.place.name_en.as_deref()),
        address: Text::pick(ctx.lang, &page.place.address_zh, page.place.address_en.as_deref()),
        qr: Qr::new(&link)?,
        link,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

// ---------------------------------------------------------------- posting

pub struct StationChoice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

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
    let stations = db::places::all_stations(&state.db).await?;
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

pub async fn new_form(
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

pub async fn create(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<WishInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match post_wish(ctx.clone(), &req, &state, input.clone()).await {
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
    input: WishInput,
) -> Result<HttpResponse, AppError> {
    if input.is_bot() {
        // Say nothing useful to a bot; store nothing.
        return Ok(see_other("/wishes"));
    }
    let now = Utc::now();
    let ip = throttle::client_key(req, &state.settings);
    let counter = throttle::Counter::new(state.secret.expose(), "wish-ip", &ip, now, 3600);
    let (bucket, window) = counter.parts();
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    let wish = match input.parse() {
        Ok(w) => w,
        Err(errors) => return new_page(ctx, state, input, errors, None, redo).await,
    };
    let code = TrackingCode::generate();
    let post = db::wishes::Post {
        wish,
        code_hash: code.keyed_hash(state.secret.expose()),
        bucket,
        window_start: window,
        limit: state.settings.wishes_per_hour as i64,
        now,
    };
    match state.posts.post(post).await? {
        Posted::New(_) => {
            Ok(no_store(see_other(&format!("/wishes/track/{}?new=1", code.display()))))
        }
        Posted::Throttled => {
            let notice = ctx.tf("form.wish.throttled", &[("time", &counter.until_label())]);
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

// ---------------------------------------------------------------- tracking

#[derive(Template)]
#[template(path = "wishes/track_lookup.html")]
struct LookupPage {
    ctx: Ctx,
    code: String,
    errors: FormErrors,
}

/// `/wishes/track?code=…`: a worker types their code.
pub async fn track_lookup(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let typed = query_param(req.query_string(), "code").unwrap_or_default();
    if typed.trim().is_empty() {
        return render_with_status(
            &LookupPage { ctx, code: typed, errors: FormErrors::new() },
            StatusCode::OK,
        );
    }
    match TrackingCode::parse(&typed) {
        Some(code) => Ok(no_store(see_other(&format!("/wishes/track/{}", code.display())))),
        None => {
            let mut errors = FormErrors::new();
            errors.add("code", "form.wish.code_invalid");
            render_with_status(
                &LookupPage { ctx, code: typed, errors },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
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
    errors: FormErrors,
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
    thanks_input: String,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let timeline = timeline(&ctx, state, wish.id, false).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = TrackPage {
        code: code.display(),
        just_posted,
        reject_reason: wish.reject_reason.clone(),
        arrived: wish.arrived,
        wish: WishView::new(&ctx, &wish),
        timeline,
        thanks_input,
        errors,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

pub async fn track(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
    let just_posted = query_param(req.query_string(), "new").is_some();
    track_page(ctx, &state, code, wish, just_posted, String::new(), FormErrors::new()).await
}

pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
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

#[derive(Debug, Default, serde::Deserialize)]
pub struct ConfirmInput {
    #[serde(default)]
    arrived: String,
    #[serde(default)]
    thanks: String,
}

pub async fn confirm(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    code: web::Path<String>,
    form: web::Form<ConfirmInput>,
) -> Result<HttpResponse, AppError> {
    let (code, wish) = tracked(&req, &state, &code).await?;
    let mut errors = FormErrors::new();
    errors.refuse_control(&[("thanks", &form.thanks)]);
    let arrived = match form.arrived.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("arrived", "form.wish.arrived_required");
            None
        }
    };
    let thanks = form.thanks.trim();
    if thanks.chars().count() > THANKS_MAX {
        errors.add("thanks", "form.wish.thanks_too_long");
    }
    let Some(arrived) = arrived.filter(|_| errors.is_empty()) else {
        return track_page(ctx, &state, code, wish, false, form.thanks.clone(), errors).await;
    };
    let thanks = (arrived && !thanks.is_empty()).then_some(thanks);
    let flash = if db::wishes::confirm(&state.db, wish.id, arrived, thanks, Utc::now()).await? {
        if arrived { "flash.wish_thanked" } else { "flash.wish_not_arrived" }
    } else {
        "flash.wish_cannot_confirm"
    };
    set_flash(&session, flash);
    Ok(no_store(see_other(&format!("/wishes/track/{}", code.display()))))
}

// ---------------------------------------------------------------- the wall

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "wishes/index.html")]
struct WallPage {
    ctx: Ctx,
    wishes: Vec<WishView>,
    total: String,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    districts: Vec<Choice>,
    stations: Vec<Choice>,
    occupations: Vec<Choice>,
    ignored: Vec<&'static str>,
    filtered: bool,
}

/// The most stations the wall's filter lists (beyond, only the chosen one).
const STATION_CHOICES: usize = 60;

pub async fn wall(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let q = req.query_string();
    let mut ignored = Vec::new();
    let mut filter = db::wishes::WallFilter::default();
    let given =
        |name: &str| query_param(q, name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let overview = state
        .cache
        .memo(&state.db, "districts.overview", || db::districts::overview(&state.db))
        .await?;
    let stations =
        state.cache.memo(&state.db, "stations.all", || db::places::all_stations(&state.db)).await?;
    if let Some(d) = given("district") {
        if overview.districts.iter().any(|x| x.slug == d) {
            filter.district = Some(d)
        } else {
            ignored.push("wishes.ignored.district")
        }
    }
    if let Some(s) = given("station") {
        match s.parse::<i64>().ok().filter(|id| stations.iter().any(|x| x.id == *id)) {
            Some(id) => filter.station = Some(id),
            None => ignored.push("wishes.ignored.station"),
        }
    }
    if let Some(o) = given("occupation") {
        match Occupation::parse(&o) {
            Some(o) => filter.occupation = Some(o.code().to_owned()),
            None => ignored.push("wishes.ignored.occupation"),
        }
    }
    let page_no = match given("page") {
        None => 1,
        Some(p) => match p.parse::<i64>() {
            Ok(n) if n >= 1 => n.min(100_000),
            _ => {
                ignored.push("wishes.ignored.page");
                1
            }
        },
    };
    let page = db::wishes::wall(&state.db, &filter, page_no).await?;
    let href = |n: i64| {
        let mut parts: Vec<(&str, String)> = Vec::new();
        if let Some(d) = &filter.district {
            parts.push(("district", d.clone()))
        }
        if let Some(s) = filter.station {
            parts.push(("station", s.to_string()))
        }
        if let Some(o) = &filter.occupation {
            parts.push(("occupation", o.clone()))
        }
        if n > 1 {
            parts.push(("page", n.to_string()))
        }
        let q = serde_urlencoded::to_string(&parts).unwrap_or_default();
        if q.is_empty() { "/wishes".to_owned() } else { format!("/wishes?{q}") }
    };
    let view = WallPage {
        wishes: page.rows.iter().map(|w| WishView::new(&ctx, w)).collect(),
        total: count_label(page.total, page.more),
        page: page.page,
        pages: page.pages,
        prev: (page.page > 1).then(|| href(page.page - 1)),
        next: (page.page < page.pages).then(|| href(page.page + 1)),
        districts: overview
            .districts
            .iter()
            .map(|d| Choice {
                value: d.slug.clone(),
                label: Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()).text,
                selected: filter.district.as_deref() == Some(&d.slug),
            })
            .collect(),
        // A list of hundreds of stations is no use on a phone: past
        // STATION_CHOICES readers reach a station's wishes from its page.
        stations: stations
            .iter()
            .filter(|s| {
                if stations.len() > STATION_CHOICES {
                    return filter.station == Some(s.id);
                }
                filter.district.as_ref().is_none_or(|d| {
                    overview.districts.iter().any(|x| &x.slug == d && x.id == s.district_id)
                })
            })
            .map(|s| Choice {
                value: s.id.to_string(),
                label: Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()).text,
                selected: filter.station == Some(s.id),
            })
            .collect(),
        occupations: Occupation::ALL
            .iter()
            .map(|o| Choice {
                value: o.code().to_owned(),
                label: ctx.t(o.label_key()).to_owned(),
                selected: filter.occupation.as_deref() == Some(o.code()),
            })
            .collect(),
        filtered: filter != db::wishes::WallFilter::default(),
        ignored,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

// ---------------------------------------------------------------- one wish, claiming

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
    errors: FormErrors,
}

async fn show_page(
    ctx: Ctx,
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    notice: Option<&'static str>,
    note_input: String,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let wish = db::wishes::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let user = viewer.0.as_ref();
    let is_claimer = user.is_some_and(|u| wish.claimed_by == Some(u.id));
    let is_staff = user.is_some_and(|u| u.grants.keeps_station(wish.station_id, wish.district_id));
    // Pending, rejected and withdrawn wishes are not public.
    if matches!(wish.status(), WishStatus::Pending | WishStatus::Rejected | WishStatus::Withdrawn)
        && !is_staff
    {
        return Err(AppError::NotFound);
    }
    // Only the claimer and the station's staff see the worker's phone.
    let phone = (is_claimer && wish.status() == WishStatus::Claimed || is_staff)
        .then(|| wish.phone.clone())
        .flatten();
    let status =
        if notice.is_some() || !errors.is_empty() { StatusCode::CONFLICT } else { StatusCode::OK };
    let view = ShowPage {
        timeline: timeline(&ctx, state, id, false).await?,
        notice: notice.map(|k| ctx.t(k).to_owned()),
        signed_in: user.is_some(),
        is_claimer,
        is_staff,
        phone,
        wish: WishView::new(&ctx, &wish),
        note_input,
        errors,
        ctx,
    };
    let res = render_with_status(&view, status)?;
    Ok(if user.is_some() { no_store(res) } else { res })
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
    show_page(ctx, state, viewer, id, Some(key), note_input, FormErrors::new()).await
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    viewer: Viewer,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, &state, &viewer, id, None, String::new(), FormErrors::new()).await
}

pub async fn claim(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let limit = state.settings.claim_limit as i64;
    match db::wishes::change(
        &state.db,
        id,
        &Change::Claim { limit },
        Actor::volunteer(me.id),
        Utc::now(),
    )
    .await?
    {
        Ok(_) => {
            set_flash(&session, "flash.wish_claimed");
            Ok(see_other(&format!("/wishes/{id}")))
        }
        Err(Refused::NoSuchWish) => Err(AppError::NotFound),
        Err(Refused::ClaimLimit) => {
            refused(ctx, &state, &viewer, id, "wish.refused.claim_limit", String::new()).await
        }
        Err(_) => refused(ctx, &state, &viewer, id, "wish.refused.taken", String::new()).await,
    }
}

pub async fn release(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    match db::wishes::change(&state.db, id, &Change::Release, Actor::volunteer(me.id), Utc::now())
        .await?
    {
        Ok(_) => {
            set_flash(&session, "flash.wish_released");
            Ok(see_other(&format!("/wishes/{id}")))
        }
        Err(Refused::NoSuchWish) => Err(AppError::NotFound),
        Err(_) => refused(ctx, &state, &viewer, id, "wish.refused.not_yours", String::new()).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FulfilInput {
    #[serde(default)]
    note: String,
}

pub async fn fulfil(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    me: CurrentUser,
    Id(id): Id,
    form: web::Form<FulfilInput>,
) -> Result<HttpResponse, AppError> {
    let note = form.note.trim();
    let mut errors = FormErrors::new();
    errors.refuse_control(&[("note", &form.note)]);
    if note.chars().count() > NOTE_MAX {
        errors.add("note", "form.wish.note_too_long");
    }
    if !errors.is_empty() {
        return show_page(ctx, &state, &viewer, id, None, form.note.clone(), errors).await;
    }
    let (station, district) =
        db::wishes::station_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let by_staff = me.grants.keeps_station(station, district);
    let actor = if by_staff { Actor::staff(me.id) } else { Actor::volunteer(me.id) };
    let change = Change::Fulfil { note: note.to_owned(), by_staff };
    match db::wishes::change(&state.db, id, &change, actor, Utc::now()).await? {
        Ok(_) => {
            set_flash(&session, "flash.wish_fulfilled");
            Ok(see_other(&format!("/wishes/{id}")))
        }
        Err(Refused::NotYours) => {
            refused(ctx, &state, &viewer, id, "wish.refused.not_yours", form.note.clone()).await
        }
        Err(_) => {
            refused(ctx, &state, &viewer, id, "wish.refused.not_claimed", form.note.clone()).await
        }
    }
}

#[derive(Template)]
#[template(path = "account/claims.html")]
struct ClaimsPage {
    ctx: Ctx,
    current: Vec<WishView>,
    past: Vec<WishView>,
}

pub async fn my_claims(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let rows = db::wishes::claimed_by(&state.db, me.id).await?;
    let (current, past): (Vec<_>, Vec<_>) = rows
        .iter()
        .map(|w| {
            (
                w.status() == WishStatus::Claimed && w.claimed_by == Some(me.id),
                WishView::new(&ctx, w),
            )
        })
        .partition(|(c, _)| *c);
    let view = ClaimsPage {
        current: current.into_iter().map(|(_, v)| v).collect(),
        past: past.into_iter().map(|(_, v)| v).collect(),
        ctx,
    };
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}

/// Warm stories for the home and district pages.
pub async fn stories(
    ctx: &Ctx,
    state: &AppState,
    district: Option<&str>,
) -> Result<Vec<WishView>, AppError> {
    Ok(db::wishes::warm_stories(&state.db, district, 6)
        .await?
        .iter()
        .map(|w| WishView::new(ctx, w))
        .collect())
}
