//! An activity's staff (its district's admins, the keepers of its place):
//! its sessions with their sign-ups, check-in at the door (a code typed
//! or scanned, or a name ticked on the list), calling a session off with
//! a message every registrant's page shows, the sign-ups as CSV.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::auth::CurrentUser;
use super::confirm::{self, Ask, Confirmed};
use super::ctx::set_flash;
use super::params::{Id, SessionId};
use super::view::activities::when_label;
use super::{AppError, Ctx, csv, no_store, render_with_status, see_other};
use crate::db;
use crate::db::activities::{ActivityPage, CheckIn, SessionRow, StaffRegistration, Whom};
use crate::domain::activity::{RegistrationStatus, SignupRule};
use crate::domain::format::moment;
use crate::domain::wish::TrackingCode;
use crate::domain::{FormErrors, Text};
use crate::web::AppState;

/// One session in the staff's list.
pub struct SessionLine {
    pub id: i64,
    pub when: String,
    /// "还剩 3 个，共 20 个"; empty when nobody signs up.
    pub places: String,
    pub registered: i64,
    pub waiting: i64,
    pub attended: i64,
    pub cancelled: bool,
}

impl SessionLine {
    fn new(ctx: &Ctx, s: &SessionRow, now: chrono::DateTime<Utc>) -> SessionLine {
        let places = match (s.places, s.places_left) {
            (Some(of), Some(left)) => ctx.tf(
                "activity.places_left",
                &[("left", &left.to_string()), ("of", &of.to_string())],
            ),
            _ => String::new(),
        };
        SessionLine {
            id: s.id,
            when: when_label(ctx, s.starts_at, s.ends_at, now),
            places,
            registered: s.registered,
            waiting: s.waiting,
            attended: s.attended,
            cancelled: s.cancelled_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/activity.html")]
struct ConsolePage {
    ctx: Ctx,
    id: i64,
    title: Text,
    draft: bool,
    takes_signups: bool,
    ahead: Vec<SessionLine>,
    held: Vec<SessionLine>,
    door: Door,
}

/// The check-in form: the code as typed, and what is wrong with it.
#[derive(Default)]
pub struct Door {
    code: String,
    errors: FormErrors,
}

async fn load(state: &AppState, id: i64) -> Result<ActivityPage, AppError> {
    db::activities::page(&state.db, id, true).await?.ok_or(AppError::NotFound)
}

fn title(ctx: &Ctx, page: &ActivityPage) -> Text {
    Text::pick(ctx.lang, &page.activity.title_zh, page.activity.title_en.as_deref())
}

async fn console(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    door: Door,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = load(state, id).await?;
    let now = Utc::now();
    let (held, ahead): (Vec<&SessionRow>, Vec<&SessionRow>) =
        page.sessions.iter().partition(|s| s.ends_at <= now);
    let view = ConsolePage {
        id,
        title: title(&ctx, &page),
        draft: !page.activity.published,
        takes_signups: page.activity.signup_rule() != SignupRule::None,
        ahead: ahead.into_iter().map(|s| SessionLine::new(&ctx, s, now)).collect(),
        held: held.into_iter().rev().map(|s| SessionLine::new(&ctx, s, now)).collect(),
        door,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

/// `/staff/activities/{id}`: its sessions, ahead and held, with their
/// counts, and the door's check-in form.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    console(ctx, &state, id, Door::default(), StatusCode::OK).await
}

/// A sign-up in a session's list.
pub struct RegistrationLine {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub people: i64,
    pub status: RegistrationStatus,
    pub status_label: &'static str,
    /// When they signed up, moved up, cancelled or came.
    pub at: String,
}

impl RegistrationLine {
    fn new(ctx: &Ctx, r: StaffRegistration) -> RegistrationLine {
        let status = RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Cancelled);
        let (key, at) = match status {
            RegistrationStatus::Attended => ("activity.staff.came_at", r.attended_at),
            RegistrationStatus::Cancelled => ("activity.staff.cancelled_at", r.cancelled_at),
            _ if r.promoted_at.is_some() => ("activity.staff.moved_up_at", r.promoted_at),
            _ => ("activity.staff.signed_up_at", Some(r.created_at)),
        };
        RegistrationLine {
            id: r.id,
            name: r.name,
            phone: r.phone.unwrap_or_default(),
            people: r.people,
            status_label: ctx.t(status.label_key()),
            status,
            at: at.map(|t| ctx.tf(key, &[("at", &moment(t))])).unwrap_or_default(),
        }
    }

    pub fn checks_in(&self) -> bool {
        self.status == RegistrationStatus::Registered
    }

    pub fn came(&self) -> bool {
        self.status == RegistrationStatus::Attended
    }
}

#[derive(Template)]
#[template(path = "staff/activity_session.html")]
struct SessionPage {
    ctx: Ctx,
    id: i64,
    title: Text,
    session: SessionLine,
    cancel_note: Option<Text>,
    /// It has not begun and is not called off.
    ahead: bool,
    /// Its day has come: people may be checked in.
    door_open: bool,
    rows: Vec<RegistrationLine>,
    /// What a check-in just did, and whether it went through.
    outcome: Option<(bool, String)>,
    door: Door,
    call_off: CallOffForm,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
}

/// Why a session is called off, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CallOffForm {
    #[serde(default)]
    pub note_zh: String,
    #[serde(default)]
    pub note_en: String,
}

impl CallOffForm {
    fn parse(&self) -> Result<(String, Option<String>), FormErrors> {
        let mut e = FormErrors::new();
        e.refuse_control(&[("note_zh", &self.note_zh), ("note_en", &self.note_en)]);
        let (zh, en) = (self.note_zh.trim(), self.note_en.trim());
        if zh.is_empty() {
            e.add("note_zh", "form.activity.call_off_note");
        } else if zh.chars().count() > 200 {
            e.add("note_zh", "form.text.too_long");
        }
        if en.chars().count() > 400 {
            e.add("note_en", "form.text.too_long");
        }
        e.into_result(|| (zh.to_owned(), Some(en.to_owned()).filter(|s| !s.is_empty())))
    }
}

/// What a session page shows besides the session.
#[derive(Default)]
struct Shown {
    outcome: Option<(bool, String)>,
    door: Door,
    call_off: CallOffForm,
    errors: FormErrors,
}

async fn session_page(
    ctx: Ctx,
    state: &AppState,
    id: i64,
    session: i64,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = load(state, id).await?;
    let s = page.sessions.iter().find(|s| s.id == session).ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let rows = db::activities::session_registrations(&state.db, id, session)
        .await?
        .into_iter()
        .map(|r| RegistrationLine::new(&ctx, r))
        .collect();
    let today = crate::domain::format::today_at(now);
    let day = db::activities::day_of(s.starts_at);
    let summary = crate::web::respond::error_summary(&ctx, &shown.errors, |field| match field {
        "note_zh" => Some(ctx.t("activity.staff.note_zh").to_owned()),
        "note_en" => Some(ctx.t("activity.staff.note_en").to_owned()),
        _ => None,
    });
    let view = SessionPage {
        id,
        title: title(&ctx, &page),
        cancel_note: s.cancelled_at.map(|_| {
            Text::pick(
                ctx.lang,
                s.cancel_note_zh.as_deref().unwrap_or(""),
                s.cancel_note_en.as_deref(),
            )
        }),
        ahead: s.starts_at > now && s.cancelled_at.is_none(),
        door_open: day <= today && s.cancelled_at.is_none(),
        session: SessionLine::new(&ctx, s, now),
        rows,
        outcome: shown.outcome,
        door: shown.door,
        call_off: shown.call_off,
        errors: shown.errors,
        summary,
        ctx,
    };
    Ok(no_store(render_with_status(&view, status)?))
}

/// `/staff/activities/{id}/sessions/{session}`: who comes, who waits, who
/// cancelled; check-in; calling it off.
pub async fn session(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
    SessionId(session): SessionId,
) -> Result<HttpResponse, AppError> {
    let session = session.parse().map_err(|_| AppError::NotFound)?;
    session_page(ctx, &state, id, session, Shown::default(), StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckInForm {
    /// A code typed or scanned at the door.
    #[serde(default)]
    pub code: String,
    /// A sign-up ticked on a session's list.
    #[serde(default)]
    pub registration: String,
    /// `yes`: take a check-in made by mistake back.
    #[serde(default)]
    pub undo: String,
}

/// Checks someone in, by the code they show (typed, or opened by scanning
/// its QR code: the registration page then offers this to the activity's
/// staff) or ticked on the list; answers with their session's list and
/// what happened, or the door's form with the code kept and what is wrong.
#[tracing::instrument(name = "web::staff_activities::check_in", skip_all, fields(activity = id))]
pub async fn check_in(
    ctx: Ctx,
    state: web::Data<AppState>,
    Id(id): Id,
    form: web::Form<CheckInForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let undo = form.undo == "yes";
    let typed = form.code.trim().to_owned();
    // A scanner reads the code page's address: its code is its last part.
    let code_part = typed.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_owned();
    let door_error = |key| {
        let mut errors = FormErrors::new();
        errors.add("code", key);
        Door { code: typed.clone(), errors }
    };
    let outcome = if let Ok(ticked) = form.registration.trim().parse::<i64>() {
        db::activities::check_in(&state.db, id, Whom::Ticked(ticked), undo, Utc::now()).await?
    } else {
        if typed.is_empty() {
            let door = door_error("form.activity.code_required");
            return console(ctx, &state, id, door, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let Some(code) = TrackingCode::parse(&code_part) else {
            let door = door_error("form.activity.code_invalid");
            return console(ctx, &state, id, door, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let hash = code.keyed_hash(state.secret.expose());
        db::activities::check_in(&state.db, id, Whom::Code(&hash), undo, Utc::now()).await?
    };
    let people = |n: i64| n.to_string();
    let (ok, message, session) = match outcome {
        CheckIn::Missing => {
            let door = door_error("form.activity.code_unknown");
            return console(ctx, &state, id, door, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        CheckIn::Done { name, people: n, session } => {
            let key = if undo { "activity.staff.undone" } else { "activity.staff.checked_in" };
            (true, ctx.tf(key, &[("name", &name), ("n", &people(n))]), session)
        }
        CheckIn::Already { name, at, session } => (
            false,
            ctx.tf("activity.staff.already_in", &[("name", &name), ("at", &moment(at))]),
            session,
        ),
        CheckIn::NotRegistered { name, status, session } => {
            let status =
                RegistrationStatus::parse(&status).unwrap_or(RegistrationStatus::Cancelled);
            let label = ctx.t(status.label_key());
            let key = if undo { "activity.staff.not_in" } else { "activity.staff.not_registered" };
            (false, ctx.tf(key, &[("name", &name), ("status", label)]), session)
        }
        CheckIn::OtherDay { name, session } => {
            (false, ctx.tf("activity.staff.other_day", &[("name", &name)]), session)
        }
        CheckIn::CalledOff { session } => {
            (false, ctx.t("activity.staff.check_in_called_off").to_owned(), session)
        }
        CheckIn::TooEarly { session } => {
            (false, ctx.t("activity.staff.check_in_too_early").to_owned(), session)
        }
    };
    let shown = Shown { outcome: Some((ok, message)), ..Shown::default() };
    let status = if ok { StatusCode::OK } else { StatusCode::CONFLICT };
    session_page(ctx, &state, id, session, shown, status).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CallOffPost {
    #[serde(flatten)]
    pub note: CallOffForm,
    #[serde(flatten)]
    pub confirmed: Confirmed,
}

/// Calls a session off, once confirmed, with the message its registrants
/// read on their pages.
#[tracing::instrument(name = "web::staff_activities::call_off", skip_all, fields(activity = id))]
pub async fn call_off(
    ctx: Ctx,
    state: web::Data<AppState>,
    flash: Session,
    me: CurrentUser,
    Id(id): Id,
    SessionId(session): SessionId,
    form: web::Form<CallOffPost>,
) -> Result<HttpResponse, AppError> {
    let session: i64 = session.parse().map_err(|_| AppError::NotFound)?;
    let form = form.into_inner();
    let here = format!("/staff/activities/{id}/sessions/{session}");
    let (zh, en) = match form.note.parse() {
        Ok(note) => note,
        Err(errors) => {
            let shown = Shown { call_off: form.note, errors, ..Shown::default() };
            return session_page(ctx, &state, id, session, shown, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let page = load(&state, id).await?;
    let s = page.sessions.iter().find(|s| s.id == session).ok_or(AppError::NotFound)?;
    if !form.confirmed.yes() {
        let when = when_label(&ctx, s.starts_at, s.ends_at, Utc::now());
        let what = title(&ctx, &page);
        let (registered, waiting) = (s.registered.to_string(), s.waiting.to_string());
        let explanation = ctx.tf(
            "confirm.session_call_off.text",
            &[("registered", &registered), ("waiting", &waiting)],
        );
        let ask = Ask {
            question: ctx.tf(
                "confirm.session_call_off.question",
                &[("what", what.plain()), ("when", &when)],
            ),
            explanation: &explanation,
            action: format!("{here}/cancel"),
            button: ctx.t("activity.staff.call_off"),
            cancel: here,
            keep: vec![
                (Some(ctx.t("activity.staff.note_zh")), "note_zh", zh),
                (Some(ctx.t("activity.staff.note_en")), "note_en", en.unwrap_or_default()),
            ],
        };
        return confirm::ask(ctx, ask);
    }
    let done =
        db::activities::call_off(&state.db, id, session, (&zh, en.as_deref()), me.id, Utc::now())
            .await?;
    set_flash(
        &flash,
        if done { "flash.session_called_off" } else { "flash.session_not_called_off" },
    );
    Ok(see_other(&here))
}

/// `/staff/activities/{id}/signups.csv`: every sign-up, session by
/// session, in the reader's language; audited before it is read.
pub async fn export(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    load(&state, id).await?;
    let rows = db::activities::export(&state.db, id, me.id, Utc::now()).await?;
    let head: Vec<&str> =
        ["session", "name", "phone", "people", "status", "signed_up_at", "attended_at"]
            .iter()
            .map(|c| ctx.t(&format!("activity.col.{c}")))
            .collect();
    let body = csv::document(
        &head,
        &rows
            .into_iter()
            .map(|r| {
                let status =
                    RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Cancelled);
                vec![
                    moment(r.starts_at),
                    r.name,
                    r.phone.unwrap_or_default(),
                    r.people.to_string(),
                    ctx.t(status.label_key()).to_owned(),
                    moment(r.created_at),
                    r.attended_at.map(moment).unwrap_or_default(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    Ok(csv::staff_download(&format!("activity-{id}-signups.csv"), body))
}
