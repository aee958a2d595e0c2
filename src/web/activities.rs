//! `/activities`: what is on, soonest first, with filters; an activity's
//! page with its sessions and one sign-up form; the page a registration
//! code opens (what, when, where, the code as text and as a QR code to
//! show at the door, the waiting-list position, cancelling).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::auth::Viewer;
use super::confirm::{self, Ask, Confirmed};
use super::params::{self, Code, Id};
use super::view::activities::{
    ActivityCard, SessionView, Whereabouts, kind_and_audience, when_label,
};
use super::view::{Choice, Pager, Qr};
use super::{AppError, Ctx, no_store, render_with_status, see_other, throttle};
use crate::db;
use crate::db::activities::SignUp;
use crate::domain::activity::{
    Audience, Kind, Listing, ListingParams, RegistrationInput, RegistrationStatus, SignupRule,
};
use crate::domain::wish::TrackingCode;
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "activities/index.html")]
struct IndexPage {
    ctx: Ctx,
    listing: Listing,
    cards: Vec<ActivityCard>,
    pager: Pager,
    districts: Vec<Choice>,
    kinds: Vec<Choice>,
    audiences: Vec<Choice>,
    /// The date choices (value, label, chosen).
    whens: Vec<(&'static str, &'static str, bool)>,
    /// The same as links keeping the other filters (href, label, current).
    when_links: Vec<(String, &'static str, bool)>,
    from: String,
    to: String,
}

pub async fn index(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let listing = params::query::<ListingParams>(req.query_string()).parse();
    let now = Utc::now();
    let page = db::activities::listing(&state.db, &listing, now).await?;
    let cards = page.rows.iter().map(|a| ActivityCard::new(&ctx, a, now)).collect();
    let pager = Pager::new(&page, |n| match listing.query(n) {
        q if q.is_empty() => "/activities".to_owned(),
        q => format!("/activities?{q}"),
    });
    let overview = db::districts::overview(&state.db, false).await?;
    let districts = overview
        .districts
        .iter()
        .map(|d| {
            let label = Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref());
            Choice::named(&d.slug, label, listing.district.as_deref() == Some(d.slug.as_str()))
        })
        .collect();
    let kinds = Kind::ALL
        .iter()
        .map(|k| Choice::catalogue(k.code(), ctx.t(k.label_key()), listing.kind == Some(*k)))
        .collect();
    let audiences = Audience::ALL
        .iter()
        .map(|a| Choice::catalogue(a.code(), ctx.t(a.label_key()), listing.audience == Some(*a)))
        .collect();
    use crate::domain::activity::When;
    let whens = vec![
        ("", ctx.t("activities.when.upcoming"), listing.when == When::Upcoming),
        ("today", ctx.t("activities.when.today"), listing.when == When::Today),
        ("week", ctx.t("activities.when.week"), listing.when == When::Week),
    ];
    let when_links = [When::Upcoming, When::Today, When::Week]
        .into_iter()
        .zip(&whens)
        .map(|(when, (_, label, current))| {
            let q = Listing { when, page: 1, ..listing.clone() }.query(1);
            let href =
                if q.is_empty() { "/activities".to_owned() } else { format!("/activities?{q}") };
            (href, *label, *current)
        })
        .collect();
    let (from, to) = listing.range();
    let view = IndexPage {
        cards,
        pager,
        districts,
        kinds,
        audiences,
        whens,
        when_links,
        from,
        to,
        listing,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "activities/show.html")]
struct ShowPage {
    ctx: Ctx,
    id: i64,
    title: Text,
    photos: Vec<super::view::PhotoShown>,
    kind: &'static str,
    audience: &'static str,
    summary: Text,
    place: Whereabouts,
    organiser: Text,
    cost: Option<Text>,
    bring: Option<Text>,
    outcome: Option<Text>,
    rule: &'static str,
    /// Sessions ahead (and running), then those held.
    upcoming: Vec<SessionView>,
    held: Vec<SessionView>,
    /// How many people came to the sessions held (checked in), if any
    /// sign-up was kept.
    came: Option<i64>,
    /// The sign-up form: the sessions open for it, and what was typed.
    open: Vec<SessionView>,
    chosen: i64,
    input: RegistrationInput,
    errors: FormErrors,
    notice: Option<String>,
    party_max: i64,
    phone_required: bool,
    phone_days: u32,
}

/// What the sign-up form shows besides the activity: the session chosen,
/// what was typed, the messages at the fields, a notice above the form.
#[derive(Default)]
struct Typed {
    session: i64,
    input: RegistrationInput,
    errors: FormErrors,
    notice: Option<String>,
}

/// Sessions held, most recent first, shown on the page at most.
const HELD_SHOWN: usize = 10;
/// Sessions ahead shown on the page (and offered in the form) at most.
const AHEAD_SHOWN: usize = 12;

async fn show_page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    viewer: &Viewer,
    typed: Option<Typed>,
) -> Result<HttpResponse, AppError> {
    // A draft (or one in a district not yet public) is shown to its staff only.
    let page = match db::activities::page(&state.db, id, false).await? {
        Some(page) => page,
        None if viewer.0.is_some() => db::activities::page(&state.db, id, true)
            .await?
            .filter(|p| {
                viewer.0.as_ref().is_some_and(|me| {
                    me.grants.edits_content(p.activity.district_id, p.activity.place_id)
                })
            })
            .ok_or(AppError::NotFound)?,
        None => return Err(AppError::NotFound),
    };
    let a = &page.activity;
    let now = Utc::now();
    let rule = a.signup_rule();
    let views: Vec<SessionView> =
        page.sessions.iter().map(|s| SessionView::new(&ctx, s, rule, now)).collect();
    let (held, upcoming): (Vec<SessionView>, Vec<SessionView>) =
        views.into_iter().partition(|s| s.past);
    let came = (rule != SignupRule::None && !held.is_empty())
        .then(|| held.iter().map(|s| s.attended).sum());
    let held: Vec<SessionView> = held.into_iter().rev().take(HELD_SHOWN).collect();
    let upcoming: Vec<SessionView> = upcoming.into_iter().take(AHEAD_SHOWN).collect();
    let status = match &typed {
        Some(t) if !t.errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        Some(t) if t.notice.is_some() => StatusCode::CONFLICT,
        _ => StatusCode::OK,
    };
    let mut typed = typed.unwrap_or_default();
    // A signed-in volunteer's form starts filled in.
    if typed.input.name.is_empty()
        && typed.errors.is_empty()
        && let Some(me) = &viewer.0
    {
        typed.input.name = me.display_name.clone();
        if let Some(user) = db::accounts::user(&state.db, me.id).await? {
            typed.input.phone = user.phone.unwrap_or_default();
        }
    }
    let open: Vec<SessionView> = upcoming
        .iter()
        .filter(|s| s.open)
        .map(|s| SessionView {
            label: s.label.clone(),
            when: s.when.clone(),
            cancelled: None,
            ..*s
        })
        .collect();
    let chosen = if open.iter().any(|s| s.id == typed.session) {
        typed.session
    } else {
        open.first().map_or(0, |s| s.id)
    };
    let (kind, audience) = kind_and_audience(&ctx, a);
    let opt = |zh: &Option<String>, en: &Option<String>| {
        zh.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|zh| Text::pick(ctx.lang, zh, en.as_deref()))
    };
    let photos = db::photos::of(&state.db, db::photos::Owner::Activity(id)).await?;
    let view = ShowPage {
        photos: super::view::PhotoShown::all(&ctx, &photos),
        id,
        title: Text::pick(ctx.lang, &a.title_zh, a.title_en.as_deref()),
        kind,
        audience,
        summary: Text::pick(ctx.lang, &a.summary_zh, a.summary_en.as_deref()),
        place: Whereabouts::new(&ctx, a),
        organiser: Text::pick(ctx.lang, &a.organiser_zh, a.organiser_en.as_deref()),
        cost: opt(&a.cost_zh, &a.cost_en),
        bring: opt(&a.bring_zh, &a.bring_en),
        outcome: opt(&a.outcome_zh, &a.outcome_en),
        rule: ctx.t(match rule {
            SignupRule::None => "activity.rule.none",
            SignupRule::Places => "activity.rule.places",
            SignupRule::Waitlist => "activity.rule.waitlist",
        }),
        upcoming,
        held,
        came,
        open,
        chosen,
        input: typed.input,
        errors: typed.errors,
        notice: typed.notice,
        party_max: a.party_max,
        phone_required: a.phone_required,
        phone_days: state.settings.signup_phone_days,
        ctx,
    };
    // A signed-in reader's phone may be in the form.
    let res = render_with_status(&view, status)?;
    Ok(if viewer.0.is_some() { no_store(res) } else { res })
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    viewer: Viewer,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, &state, id, &viewer, None).await
}

/// The sign-up form as posted: the session chosen and the person.
#[derive(Debug, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    session: String,
    #[serde(flatten)]
    person: RegistrationInput,
}

#[tracing::instrument(name = "web::activities::sign_up", skip_all, fields(activity = id))]
pub async fn sign_up(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    Id(id): Id,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let page = db::activities::page(&state.db, id, false).await?.ok_or(AppError::NotFound)?;
    let a = &page.activity;
    let now = Utc::now();
    let session = form.session.trim().parse::<i64>().unwrap_or(0);
    let mut typed = Typed { session, input: form.person, ..Typed::default() };
    let chosen = page.sessions.iter().find(|s| s.id == session);
    let parsed = typed.input.parse(a.phone_required, a.party_max);
    let registration = match (parsed, chosen) {
        (Ok(r), Some(_)) => r,
        (parsed, chosen) => {
            typed.errors = parsed.err().unwrap_or_default();
            if chosen.is_none() {
                typed.errors.add("session", "form.activity.session_choose");
            }
            return show_page(ctx, &state, id, &viewer, Some(typed)).await;
        }
    };
    // Generous limits per phone and per address, as for workshop sign-ups;
    // staff signing people up at the desk are not counted.
    if !ctx.is_staff {
        let secret = state.secret.expose();
        let ip = throttle::client_key(&req, &state.settings);
        let mut limits = vec![(
            throttle::Counter::new(secret, "activity-ip", &ip, now, 3600),
            state.settings.signups_per_hour,
            "form.signup.throttled_address",
        )];
        if let Some(phone) = &registration.phone {
            limits.push((
                throttle::Counter::new(secret, "activity-phone", phone.as_str(), now, 3600),
                state.settings.signups_per_phone_per_hour,
                "form.signup.throttled_phone",
            ));
        }
        for (counter, max, key) in &limits {
            if !counter.admit(&state.db, *max).await? {
                typed.notice = Some(ctx.tf(key, &[("time", &counter.until_label())]));
                return show_page(ctx, &state, id, &viewer, Some(typed)).await;
            }
        }
    }
    let code = TrackingCode::generate();
    let user = viewer.0.as_ref().map(|u| u.id);
    let outcome = db::activities::sign_up(
        &state.db,
        session,
        &registration,
        &code.keyed_hash(state.secret.expose()),
        user,
        now,
    )
    .await?;
    let notice = match outcome {
        SignUp::Registered(_) | SignUp::Waiting(..) => {
            return Ok(see_other(&format!("/activities/registrations/{}?new=1", code.display())));
        }
        SignUp::Full => ctx.t("form.activity.full").to_owned(),
        SignUp::Closed => ctx.t("form.activity.closed").to_owned(),
        SignUp::Duplicate => ctx.t("form.activity.duplicate").to_owned(),
    };
    typed.notice = Some(notice);
    show_page(ctx, &state, id, &viewer, Some(typed)).await
}

#[derive(Template)]
#[template(path = "activities/registration.html")]
struct RegistrationPage {
    ctx: Ctx,
    code: String,
    qr: Qr,
    just_made: bool,
    activity: i64,
    title: Text,
    when: String,
    place: Whereabouts,
    name: String,
    people: i64,
    status: RegistrationStatus,
    status_label: &'static str,
    position: Option<i64>,
    promoted: bool,
    session_cancelled: Option<Text>,
    /// Still ahead and not cancelled: it may be cancelled.
    cancellable: bool,
    /// The reader keeps this activity (they scanned the code at the
    /// door): they may check this person in here.
    check_in: bool,
}

/// The registration a code names, or 404 (a malformed code and an
/// unknown one answer alike); look-ups are throttled per address.
async fn registered(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
    staff: bool,
) -> Result<(TrackingCode, db::activities::RegistrationRow), AppError> {
    // Staff scanning codes at a busy door have ten times the room, no more
    // (codes could be guessed without any limit at all).
    let per_hour = state.settings.track_lookups_per_hour;
    let limit = if staff { per_hour.saturating_mul(10) } else { per_hour };
    let ip = throttle::client_key(req, &state.settings);
    let counter =
        throttle::Counter::new(state.secret.expose(), "registration-ip", &ip, Utc::now(), 3600);
    if !counter.admit(&state.db, limit).await? {
        return Err(AppError::TooMany);
    }
    let code = TrackingCode::parse(code).ok_or(AppError::NotFound)?;
    let row = db::activities::registration(&state.db, &code.keyed_hash(state.secret.expose()))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((code, row))
}

pub async fn registration(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    viewer: Viewer,
    Code(code): Code,
) -> Result<HttpResponse, AppError> {
    let (code, r) = registered(&req, &state, &code, ctx.is_staff).await?;
    let page =
        db::activities::page(&state.db, r.activity_id, true).await?.ok_or(AppError::NotFound)?;
    let a = &page.activity;
    let now = Utc::now();
    let status = RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Cancelled);
    let session_cancelled = r.session_cancelled_at.map(|_| {
        Text::pick(ctx.lang, r.cancel_note_zh.as_deref().unwrap_or(""), r.cancel_note_en.as_deref())
    });
    let keeps =
        viewer.0.as_ref().is_some_and(|me| me.grants.edits_content(a.district_id, a.place_id));
    let view = RegistrationPage {
        // From the session's day, as the door's check-in.
        check_in: keeps
            && status == RegistrationStatus::Registered
            && session_cancelled.is_none()
            && db::activities::day_of(r.starts_at) == crate::domain::format::today_at(now),
        // Scanned at the door, it opens this page: its staff check in here.
        qr: Qr::new(&format!(
            "{}/activities/registrations/{}",
            state.settings.base_url,
            code.display()
        ))?,
        code: code.display(),
        just_made: super::ctx::query_param(req.query_string(), "new").is_some(),
        activity: a.id,
        title: Text::pick(ctx.lang, &a.title_zh, a.title_en.as_deref()),
        when: when_label(&ctx, r.starts_at, r.ends_at, now),
        place: Whereabouts::new(&ctx, a),
        name: r.name.clone(),
        people: r.people,
        status_label: ctx.t(status.label_key()),
        status,
        position: r.position,
        promoted: r.promoted_at.is_some() && status == RegistrationStatus::Registered,
        cancellable: matches!(status, RegistrationStatus::Registered | RegistrationStatus::Waiting)
            && r.starts_at > now
            && session_cancelled.is_none(),
        session_cancelled,
        ctx,
    };
    // The code is this page's address: no cache keeps it, no link leaks it.
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}

#[tracing::instrument(name = "web::activities::cancel", skip_all)]
pub async fn cancel(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: actix_session::Session,
    Code(code): Code,
    form: web::Form<Confirmed>,
) -> Result<HttpResponse, AppError> {
    let (code, r) = registered(&req, &state, &code, ctx.is_staff).await?;
    let here = format!("/activities/registrations/{}", code.display());
    if !form.yes() {
        let page = db::activities::page(&state.db, r.activity_id, true)
            .await?
            .ok_or(AppError::NotFound)?;
        let title =
            Text::pick(ctx.lang, &page.activity.title_zh, page.activity.title_en.as_deref());
        let when = when_label(&ctx, r.starts_at, r.ends_at, Utc::now());
        let ask = Ask {
            question: ctx.tf(
                "confirm.registration_cancel.question",
                &[("what", title.plain()), ("when", &when)],
            ),
            explanation: ctx.t("confirm.registration_cancel.text"),
            action: format!("{here}/cancel"),
            button: ctx.t("activity.cancel"),
            cancel: here,
            keep: Vec::new(),
        };
        return confirm::ask(ctx, ask);
    }
    let flash = match db::activities::cancel(
        &state.db,
        &code.keyed_hash(state.secret.expose()),
        Utc::now(),
    )
    .await?
    {
        db::activities::Cancelled::Done(_) => "flash.registration_cancelled",
        db::activities::Cancelled::Unchanged => "flash.registration_unchanged",
        db::activities::Cancelled::Missing => return Err(AppError::NotFound),
    };
    super::ctx::set_flash(&session, flash);
    Ok(see_other(&here))
}

/// The next few activities, as cards (a place's, a district's, the home
/// page's "this week").
pub async fn next_cards(
    ctx: &Ctx,
    state: &AppState,
    listing: &Listing,
    n: i64,
) -> Result<Vec<ActivityCard>, AppError> {
    let now: DateTime<Utc> = Utc::now();
    Ok(db::activities::next(&state.db, listing, now, n)
        .await?
        .iter()
        .map(|a| ActivityCard::new(ctx, a, now))
        .collect())
}

/// The filters a subscribable calendar takes: a district or a place.
#[derive(Debug, Default, Deserialize)]
struct CalendarParams {
    #[serde(default)]
    district: String,
    #[serde(default)]
    place: String,
}

/// `/activities.ics`: every activity (or a district's, or a place's) as a
/// calendar to subscribe to; what ended more than 30 days ago is left out.
pub async fn calendar(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let p = params::query::<CalendarParams>(req.query_string());
    let listing =
        ListingParams { district: p.district, place: p.place, ..ListingParams::default() }.parse();
    if !listing.ignored.is_empty() {
        return Err(AppError::NotFound);
    }
    ics_answer(&ctx, &state, listing.district.as_deref(), listing.place, None, "activities.ics")
        .await
}

/// `/activities/{id}/calendar.ics`: one activity, every session of it.
pub async fn activity_calendar(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    ics_answer(&ctx, &state, None, None, Some(id), &format!("activity-{id}.ics")).await
}

async fn ics_answer(
    ctx: &Ctx,
    state: &AppState,
    district: Option<&str>,
    place: Option<i64>,
    activity: Option<i64>,
    file: &str,
) -> Result<HttpResponse, AppError> {
    let since = match activity {
        Some(_) => DateTime::<Utc>::UNIX_EPOCH,
        None => Utc::now() - chrono::Duration::days(30),
    };
    let rows = db::activities::calendar(&state.db, district, place, activity, since).await?;
    if activity.is_some() && rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let base = &state.settings.base_url;
    let events: Vec<crate::domain::ics::Event> = rows
        .iter()
        .filter_map(|(a, cancelled)| {
            let schedule = a.schedule()?;
            let sessions = schedule.sessions();
            let (start, end) = *sessions.first()?;
            let place = Whereabouts::new(ctx, a);
            let location = match &place.address {
                Some(addr) => format!("{} {}", place.name.plain(), addr.plain()),
                None => place.name.plain().to_owned(),
            };
            // Days left out of the rule, then sessions cancelled.
            let mut exdates: Vec<DateTime<Utc>> = schedule
                .except
                .iter()
                .map(|d| match schedule.times {
                    Some((s, _)) => crate::domain::activity::at_beijing(*d, s),
                    None => crate::domain::activity::at_beijing(*d, chrono::NaiveTime::MIN),
                })
                .filter(|d| schedule.recurs() && *d > start)
                .collect();
            exdates.extend(cancelled.iter().copied().filter(|_| schedule.recurs()));
            exdates.sort();
            exdates.dedup();
            Some(crate::domain::ics::Event {
                uid: format!("activity-{}@{}", a.id, host_of(base)),
                stamp: a.updated_at,
                start,
                end,
                all_day: schedule.times.is_none(),
                rrule: schedule.rrule(),
                exdates,
                summary: Text::pick(ctx.lang, &a.title_zh, a.title_en.as_deref())
                    .plain()
                    .to_owned(),
                description: Text::pick(ctx.lang, &a.summary_zh, a.summary_en.as_deref())
                    .plain()
                    .to_owned(),
                location,
                url: format!("{base}/activities/{}", a.id),
                cancelled: !schedule.recurs() && !cancelled.is_empty(),
            })
        })
        .collect();
    let body = crate::domain::ics::calendar(ctx.t("activities.calendar_name"), &events);
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=300"))
        .body(body))
}

/// The host of the portal's address, for event UIDs.
fn host_of(base: &str) -> &str {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

// ---------------------------------------------------------------- open data

/// The open data's fields, in order (API keys and CSV headers).
const OPEN_FIELDS: [&str; 14] = [
    "id",
    "url",
    "title_zh",
    "title_en",
    "kind",
    "audience",
    "district",
    "place_id",
    "where_zh",
    "cost_zh",
    "signup",
    "next_starts_at",
    "next_ends_at",
    "sessions_in_range",
];

/// An activity of the listing as open data, in [`OPEN_FIELDS`]' order:
/// what, where, when next (Beijing time), and nothing of any sign-up.
fn open_values(base: &str, a: &db::activities::ListedRow) -> [serde_json::Value; 14] {
    use serde_json::Value;
    let at = |t: DateTime<Utc>| {
        Value::String(t.with_timezone(&crate::domain::format::beijing()).to_rfc3339())
    };
    let text = |t: &Option<String>| t.clone().map_or(Value::Null, Value::String);
    [
        Value::from(a.id),
        Value::String(format!("{base}/activities/{}", a.id)),
        Value::String(a.title_zh.clone()),
        text(&a.title_en),
        Value::String(a.kind.clone()),
        Value::String(a.audience.clone()),
        Value::String(a.district_slug.clone()),
        a.place_id.map_or(Value::Null, Value::from),
        Value::String(a.place_name_zh.clone().or_else(|| a.address_zh.clone()).unwrap_or_default()),
        text(&a.cost_zh),
        Value::String(a.signup.clone()),
        at(a.next_at),
        at(a.next_ends_at),
        Value::from(a.sessions),
    ]
}

pub async fn api(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let listing = params::query::<ListingParams>(req.query_string()).parse();
    let page = db::activities::listing(&state.db, &listing, Utc::now()).await?;
    let base = &state.settings.base_url;
    let items: Vec<serde_json::Value> = page
        .rows
        .iter()
        .map(|a| {
            let fields = OPEN_FIELDS.iter().map(|k| (*k).to_owned()).zip(open_values(base, a));
            serde_json::Value::Object(fields.collect())
        })
        .collect();
    let next =
        page.more.then(|| format!("{base}/api/v1/activities?{}", listing.query(page.page + 1)));
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=60"))
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .json(serde_json::json!({
            // As the workshops' API: the total is known on the last page only.
            "total": page.total(),
            "page": page.page,
            "next": next,
            "ignored": listing.ignored,
            "activities": items,
        })))
}

pub async fn csv_export(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut listing = params::query::<ListingParams>(req.query_string()).parse();
    let now = Utc::now();
    let base = &state.settings.base_url;
    let mut rows: Vec<Vec<String>> = Vec::new();
    listing.page = 1;
    loop {
        let page = db::activities::listing(&state.db, &listing, now).await?;
        for a in &page.rows {
            rows.push(
                open_values(base, a)
                    .into_iter()
                    .map(|v| match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
        // Bounded by the listing itself: at most MAX_PAGES pages.
        if !page.more {
            break;
        }
        listing.page += 1;
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"activities.csv\"",
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=60"))
        .body(super::csv::document(&OPEN_FIELDS, &rows)))
}
