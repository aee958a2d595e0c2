//! Volunteer accounts: register, sign in and out, my account, change
//! password, sign out everywhere, delete, and using a reset link.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::auth::{self, CurrentUser};
use super::ctx::{query_param, set_flash};
use super::params::{Id, Token};
use super::passwords::HashError;
use super::{AppError, Ctx, no_store, render_with_status, see_other, throttle};
use crate::db;
use crate::db::accounts::CreateError;
use crate::db::sessions::Ending;
use crate::domain::account::{Login, Password, Personal, RegistrationInput, reset_token_hash};
use crate::domain::format::{age, moment};
use crate::domain::{FormErrors, password_hash};
use crate::web::AppState;

/// Where to go after signing in: a path on this site, or `/account`.
fn safe_next(next: &str) -> String {
    crate::domain::local_path(next).unwrap_or("/account").to_owned()
}

/// The `next` a sign-in or registration page was opened with, when it is a
/// path on this site (anything else is dropped, never followed).
fn next_from(req: &HttpRequest) -> String {
    query_param(req.query_string(), "next")
        .and_then(|n| crate::domain::local_path(&n).map(str::to_owned))
        .unwrap_or_default()
}

/// `?next=…` for a link between the sign-in and registration pages, so
/// the way back to where the visitor started goes with them.
fn next_query(next: &str) -> String {
    match crate::domain::local_path(next) {
        Some(n) if n != "/account" => format!("?next={}", super::ctx::encode(n)),
        _ => String::new(),
    }
}

/// The notice for a form that was not sent through because too many
/// passwords were being checked at once (the answer's status is 503).
fn busy_notice(ctx: &Ctx) -> Option<String> {
    Some(ctx.t("form.password.busy").to_owned())
}

// ---------------------------------------------------------------- register

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage {
    ctx: Ctx,
    form: RegistrationInput,
    /// `?next=…` for the link to the sign-in page.
    next_query: String,
    errors: FormErrors,
    /// A message about the whole form (e.g. throttled), shown in the summary.
    notice: Option<String>,
}

pub async fn register_form(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let form = RegistrationInput { next: next_from(&req), ..RegistrationInput::default() };
    let page = RegisterPage {
        ctx,
        next_query: next_query(&form.next),
        form,
        errors: FormErrors::new(),
        notice: None,
    };
    render_with_status(&page, StatusCode::OK)
}

/// Registration, cheapest checks first: the form's own rules; then the
/// address's limit, counting every well-formed attempt (so nobody can try
/// many phone numbers); then whether the contact is free, answered in the
/// same words for a phone and an e-mail; and only then the slow hash.
#[tracing::instrument(name = "web::account::register", skip_all)]
pub async fn register(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<RegistrationInput>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let now = Utc::now();
    let redisplay = |ctx: Ctx,
                     mut form: RegistrationInput,
                     errors: FormErrors,
                     notice: Option<String>,
                     status: StatusCode| {
        form.password.clear(); // never sent back
        form.next = crate::domain::local_path(&form.next).unwrap_or_default().to_owned();
        let page = RegisterPage { ctx, next_query: next_query(&form.next), form, errors, notice };
        render_with_status(&page, status)
    };
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    let volunteer = match form.parse() {
        Ok(v) => v,
        Err(errors) => return redisplay(ctx, form, errors, None, redo),
    };
    let ip = throttle::client_key(&req, &state.settings);
    let counter = throttle::Counter::new(state.secret.expose(), "register-ip", &ip, now, 3600);
    if !counter.admit(&state.db, state.settings.registrations_per_hour).await? {
        let notice = ctx.tf("form.register.throttled", &[("time", &counter.until_label())]);
        return redisplay(ctx, form, FormErrors::new(), Some(notice), redo);
    }
    let taken = |ctx: Ctx, form: RegistrationInput| {
        let mut errors = FormErrors::new();
        for field in ["phone", "email"] {
            let typed = if field == "phone" { &form.phone } else { &form.email };
            if !typed.trim().is_empty() {
                errors.add(field, "form.contact.check_or_sign_in");
            }
        }
        redisplay(ctx, form, errors, None, StatusCode::UNPROCESSABLE_ENTITY)
    };
    if db::accounts::contact_in_use(&state.db, &volunteer).await? {
        return taken(ctx, form);
    }
    let password_hash = match state.hashing.hash(volunteer.password.expose().to_owned()).await {
        Ok(h) => h,
        // The attempt still counts: otherwise "busy" (a free contact)
        // against "taken" could be probed without limit.
        Err(HashError::Busy(_)) => {
            let status = StatusCode::SERVICE_UNAVAILABLE;
            return redisplay(ctx.clone(), form, FormErrors::new(), busy_notice(&ctx), status);
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    let id = match db::accounts::create_volunteer(&state.db, &volunteer, &password_hash, now).await
    {
        Ok(id) => id,
        // Taken by someone else a moment ago: the same answer.
        Err(CreateError::PhoneTaken | CreateError::EmailTaken) => return taken(ctx, form),
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    auth::sign_in(&session, &state, &req, id).await?;
    set_flash(&session, "flash.registered");
    Ok(see_other(&safe_next(&form.next)))
}

// ---------------------------------------------------------------- sign in

#[derive(Debug, Default, Deserialize)]
pub struct LoginInput {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    ctx: Ctx,
    login: String,
    next: String,
    /// `?next=…` for the link to the registration page.
    next_query: String,
    errors: FormErrors,
    notice: Option<String>,
}

pub async fn login_form(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let next = next_from(&req);
    let page = LoginPage {
        ctx,
        login: String::new(),
        next_query: next_query(&next),
        next,
        errors: FormErrors::new(),
        notice: None,
    };
    render_with_status(&page, StatusCode::OK)
}

/// Tries allowed from one address on an account that has reached its own
/// limit: the owner, signing in from their usual phone, still gets in
/// while someone elsewhere floods the account with wrong passwords.
const LOGIN_PAIR_MAX: u32 = 3;

/// Past this many times its limit in one window, an account takes no
/// tries at all, from anywhere: the allowance above would otherwise let a
/// crowd of addresses guess without end. (Reaching it takes a flood from
/// dozens of networks, each stopped at its own limit first.)
const LOGIN_ACCOUNT_CEILING: i64 = 20;

/// Sign-in, counted before it is checked: every attempt is added to the
/// address's, the account's and the (account, address) pair's counters in
/// one statement each, and a sign-in that succeeds is taken back. Over the
/// address's limit, nothing is checked. Over the account's, only an
/// address with fewer than [`LOGIN_PAIR_MAX`] tries on it gets through,
/// until [`LOGIN_ACCOUNT_CEILING`] times the limit.
#[tracing::instrument(name = "web::account::login", skip_all)]
pub async fn login(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<LoginInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let now = Utc::now();
    let settings = &state.settings;
    let secret = state.secret.expose();
    let again = |ctx: Ctx, errors: FormErrors, notice: Option<String>, status: StatusCode| {
        let login = input.login.clone();
        let next = safe_next(&input.next);
        let page = LoginPage { ctx, login, next_query: next_query(&next), next, errors, notice };
        render_with_status(&page, status)
    };
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    let mut errors = FormErrors::new();
    if input.login.trim().is_empty() {
        errors.add("login", "form.login.required");
    } else if input.login.chars().any(char::is_control) {
        errors.add("login", "form.text.control");
    }
    if input.password.is_empty() {
        errors.add("password", "form.password.required");
    }
    if !errors.is_empty() {
        return again(ctx, errors, None, redo);
    }

    let window = settings.login_window_secs;
    let ip = throttle::client_key(&req, settings);
    let login = Login::parse(&input.login);
    let account =
        login.as_ref().map(Login::key).unwrap_or_else(|| input.login.trim().to_lowercase());
    let by_ip = throttle::Counter::new(secret, "login-ip", &ip, now, window);
    let by_account = throttle::Counter::new(secret, "login-acct", &account, now, window);
    let by_pair =
        throttle::Counter::new(secret, "login-pair", &format!("{account} {ip}"), now, window);
    let limit = i64::from(settings.login_max_failures);
    let throttled = |ctx: Ctx, counter: &throttle::Counter| {
        let notice = ctx.tf("form.login.throttled", &[("time", &counter.until_label())]);
        again(ctx, FormErrors::new(), Some(notice), redo)
    };
    let ip_hits = by_ip.add(&state.db).await?;
    if ip_hits > limit {
        if ip_hits == limit + 1 {
            db::audit::audit(&state.db, None, "login.throttled", "address", "", now).await?;
        }
        return throttled(ctx, &by_ip);
    }
    let account_hits = by_account.add(&state.db).await?;
    let pair_hits = by_pair.add(&state.db).await?;
    if account_hits == limit + 1 {
        db::audit::audit(&state.db, None, "login.throttled", "account", "", now).await?;
    }
    let over_ceiling = account_hits > LOGIN_ACCOUNT_CEILING * limit;
    if account_hits > limit && (pair_hits > i64::from(LOGIN_PAIR_MAX) || over_ceiling) {
        return throttled(ctx, &by_account);
    }
    let take_back = || async {
        for c in [&by_ip, &by_account, &by_pair] {
            c.take_back(&state.db).await?;
        }
        Ok::<(), AppError>(())
    };

    let creds = match &login {
        Some(l) => db::accounts::credentials(&state.db, l).await?,
        None => None,
    };
    let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
    let verified = match state.hashing.verify(input.password.clone(), stored.clone()).await {
        Ok(v) => v,
        Err(_busy) => {
            take_back().await?;
            let status = StatusCode::SERVICE_UNAVAILABLE;
            return again(ctx.clone(), FormErrors::new(), busy_notice(&ctx), status);
        }
    };
    let Some(creds) = creds.filter(|_| verified) else {
        // The same words whether the account exists or not.
        errors.add("login", "form.login.failed");
        return again(ctx, errors, None, redo);
    };
    take_back().await?;
    if stored.as_deref().is_some_and(password_hash::needs_rehash)
        && let Ok(upgraded) = state.hashing.hash(input.password.clone()).await
    {
        db::accounts::set_password_hash(&state.db, creds.id, &upgraded, Ending::None, now).await?;
    }
    auth::sign_in(&session, &state, &req, creds.id).await?;
    Ok(see_other(&safe_next(&input.next)))
}

#[tracing::instrument(name = "web::account::logout", skip_all, fields(user = me.id))]
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    auth::sign_out(&session, &state, &me).await?;
    set_flash(&session, "flash.signed_out");
    Ok(see_other("/"))
}

// ---------------------------------------------------------------- my account

/// One signed-in device on `/account`.
pub struct DeviceView {
    pub id: i64,
    pub browser: &'static str,
    pub system: &'static str,
    pub signed_in: String,
    pub last_seen: String,
    pub this_one: bool,
}

#[derive(Template)]
#[template(path = "account/home.html")]
struct AccountPage {
    ctx: Ctx,
    user: db::accounts::UserRow,
    devices: Vec<DeviceView>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn account_page(
    ctx: Ctx,
    state: &AppState,
    me: &CurrentUser,
    errors: FormErrors,
    notice: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = db::accounts::user(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    let now = Utc::now();
    let (idle_before, begun_before) = auth::expiry_bounds(now);
    let devices = db::sessions::list(&state.db, me.id, idle_before, begun_before)
        .await?
        .into_iter()
        .map(|s| {
            let (browser, system) = crate::domain::device::label_keys(&s.device);
            DeviceView {
                id: s.id,
                browser: ctx.t(&browser),
                system: ctx.t(&system),
                signed_in: moment(s.created_at),
                last_seen: age(ctx.lang, s.last_seen_at, now),
                this_one: s.id == me.session_id,
            }
        })
        .collect();
    render_with_status(&AccountPage { ctx, user, devices, errors, notice }, status)
}

pub async fn home(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    account_page(ctx, &state, &me, FormErrors::new(), None, StatusCode::OK).await
}

/// The details a new password may not contain, of a stored account.
fn personal(user: &db::accounts::UserRow) -> Personal<'_> {
    Personal {
        phone: user.phone.as_deref(),
        name: Some(user.display_name.as_str()),
        email: user.email.as_deref(),
    }
}

/// Checks the signed-in user's own password (to change it, or to delete
/// the account), counted per account like sign-ins (a success or a busy
/// answer is taken back), so whoever holds a stolen session cannot guess
/// it without end; an empty one is wrong without a hash. `None` when it is
/// right; otherwise the account page saying why: at `field`, in a notice
/// (too many tries), or as a 503 (busy).
async fn unless_own_password(
    ctx: &Ctx,
    state: &AppState,
    me: &CurrentUser,
    field: &'static str,
    password: &str,
) -> Result<Option<HttpResponse>, AppError> {
    let mut errors = FormErrors::new();
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    if password.is_empty() {
        errors.add(field, "form.password.current_wrong");
        return account_page(ctx.clone(), state, me, errors, None, redo).await.map(Some);
    }
    let settings = &state.settings;
    let counter = throttle::Counter::new(
        state.secret.expose(),
        "own-password",
        &me.id.to_string(),
        Utc::now(),
        settings.login_window_secs,
    );
    if !counter.admit(&state.db, settings.login_max_failures).await? {
        let notice = ctx.tf("form.login.throttled", &[("time", &counter.until_label())]);
        return account_page(ctx.clone(), state, me, errors, Some(notice), redo).await.map(Some);
    }
    let creds =
        db::accounts::credentials_by_id(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    match state.hashing.verify(password.to_owned(), creds.password_hash).await {
        Ok(true) => {
            counter.take_back(&state.db).await?;
            Ok(None)
        }
        Ok(false) => {
            errors.add(field, "form.password.current_wrong");
            account_page(ctx.clone(), state, me, errors, None, redo).await.map(Some)
        }
        Err(_) => {
            counter.take_back(&state.db).await?;
            let busy = StatusCode::SERVICE_UNAVAILABLE;
            account_page(ctx.clone(), state, me, errors, busy_notice(ctx), busy).await.map(Some)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordInput {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

#[tracing::instrument(name = "web::account::change_password", skip_all, fields(user = me.id))]
pub async fn change_password(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<PasswordInput>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let user = db::accounts::user(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    let new = Password::parse(&form.new_password, personal(&user))
        .map_err(|k| errors.add("new_password", k))
        .ok();
    if form.current_password.is_empty() {
        errors.add("current_password", "form.password.required");
    }
    let redo = StatusCode::UNPROCESSABLE_ENTITY;
    let (Some(new), true) = (new, errors.is_empty()) else {
        return account_page(ctx, &state, &me, errors, None, redo).await;
    };
    if let Some(refused) =
        unless_own_password(&ctx, &state, &me, "current_password", &form.current_password).await?
    {
        return Ok(refused);
    }
    let hashed = match state.hashing.hash(new.expose().to_owned()).await {
        Ok(h) => h,
        Err(HashError::Busy(_)) => {
            let busy = StatusCode::SERVICE_UNAVAILABLE;
            return account_page(ctx.clone(), &state, &me, errors, busy_notice(&ctx), busy).await;
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    // Every session ends, this one too; this browser starts a new one.
    db::accounts::set_password_hash(&state.db, me.id, &hashed, Ending::All, Utc::now()).await?;
    auth::sign_in(&session, &state, &req, me.id).await?;
    set_flash(&session, "flash.password_changed");
    Ok(see_other("/account"))
}

/// "Sign out everywhere": every session ends, this one too, and this
/// browser gets a new one, so even a copy of this very cookie stops working.
#[tracing::instrument(name = "web::account::sign_out_everywhere", skip_all, fields(user = me.id))]
pub async fn sign_out_everywhere(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    db::sessions::end_others(&state.db, me.id, 0, Utc::now()).await?;
    auth::sign_in(&session, &state, &req, me.id).await?;
    set_flash(&session, "flash.signed_out_elsewhere");
    Ok(see_other("/account"))
}

/// "Sign out this one", from the list of signed-in devices. Only one's own
/// sessions; ending the current one signs this browser out.
#[tracing::instrument(name = "web::account::end_session", skip_all, fields(session_id = id, user = me.id))]
pub async fn end_session(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    if id == me.session_id {
        auth::sign_out(&session, &state, &me).await?;
        set_flash(&session, "flash.signed_out");
        return Ok(see_other("/"));
    }
    if !db::sessions::end(&state.db, me.id, id).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, "flash.device_signed_out");
    Ok(see_other("/account"))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteInput {
    #[serde(default)]
    confirm_password: String,
}

#[tracing::instrument(name = "web::account::delete", skip_all, fields(user = me.id))]
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<DeleteInput>,
) -> Result<HttpResponse, AppError> {
    if let Some(refused) =
        unless_own_password(&ctx, &state, &me, "confirm_password", &form.confirm_password).await?
    {
        return Ok(refused);
    }
    db::accounts::delete_account(&state.db, me.id, Utc::now()).await?;
    auth::forget(&session);
    set_flash(&session, "flash.account_deleted");
    Ok(see_other("/"))
}

// ---------------------------------------------------------------- reset link

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    ctx: Ctx,
    token: String,
    valid: bool,
    errors: FormErrors,
    notice: Option<String>,
}

pub async fn reset_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    Token(token): Token,
) -> Result<HttpResponse, AppError> {
    let valid =
        db::accounts::reset_user(&state.db, &reset_token_hash(&token), Utc::now()).await?.is_some();
    let status = if valid { StatusCode::OK } else { StatusCode::GONE };
    let page = ResetPage { ctx, token, valid, errors: FormErrors::new(), notice: None };
    Ok(no_store(render_with_status(&page, status)?))
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    new_password: String,
}

#[tracing::instrument(name = "web::account::reset", skip_all)]
pub async fn reset(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    Token(token): Token,
    form: web::Form<ResetInput>,
) -> Result<HttpResponse, AppError> {
    let now = Utc::now();
    let Some(user_id) = db::accounts::reset_user(&state.db, &reset_token_hash(&token), now).await?
    else {
        let page = ResetPage { ctx, token, valid: false, errors: FormErrors::new(), notice: None };
        return Ok(no_store(render_with_status(&page, StatusCode::GONE)?));
    };
    let user = db::accounts::user(&state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let again = |ctx: Ctx, token: String, errors: FormErrors, notice, status| {
        let page = ResetPage { ctx, token, valid: true, errors, notice };
        Ok(no_store(render_with_status(&page, status)?))
    };
    let new = match Password::parse(&form.new_password, personal(&user)) {
        Ok(p) => p,
        Err(key) => {
            let mut errors = FormErrors::new();
            errors.add("new_password", key);
            return again(ctx, token, errors, None, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let hashed = match state.hashing.hash(new.expose().to_owned()).await {
        Ok(h) => h,
        Err(HashError::Busy(_)) => {
            let notice = busy_notice(&ctx);
            return again(ctx, token, FormErrors::new(), notice, StatusCode::SERVICE_UNAVAILABLE);
        }
        Err(e) => return Err(AppError::Internal(e.into())),
    };
    match db::accounts::use_reset(&state.db, &reset_token_hash(&token), &hashed, now).await? {
        Some(_) => {
            auth::forget(&session);
            set_flash(&session, "flash.password_reset");
            Ok(see_other("/account/login"))
        }
        None => {
            let page =
                ResetPage { ctx, token, valid: false, errors: FormErrors::new(), notice: None };
            Ok(no_store(render_with_status(&page, StatusCode::GONE)?))
        }
    }
}
