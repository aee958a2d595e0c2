//! Volunteer accounts: register, sign in and out, my account, change
//! password, sign out everywhere, delete, and using a reset link.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use super::auth::{self, CurrentUser};
use super::ctx::{query_param, set_flash};
use super::{AppError, Ctx, render_with_status, throttle};
use crate::db;
use crate::db::accounts::CreateError;
use crate::domain::account::{Login, Password, RegistrationInput};
use crate::domain::format::beijing;
use crate::domain::{FormErrors, password_hash};
use crate::startup::AppState;

pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_owned())).finish()
}

/// Hashing takes tens of milliseconds of CPU: keep it off the async workers.
async fn hash(password: String) -> Result<String, AppError> {
    web::block(move || password_hash::hash(&password))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}

async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    web::block(move || match stored {
        Some(h) => password_hash::verify(&password, &h),
        None => {
            password_hash::dummy_verify(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// A local path to go back to after signing in; anything else goes to /account.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

// ---------------------------------------------------------------- register

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage {
    ctx: Ctx,
    form: RegistrationInput,
    errors: FormErrors,
    /// A message about the whole form (e.g. throttled), shown in the summary.
    notice: Option<String>,
}

pub async fn register_form(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let page = RegisterPage {
        ctx,
        form: RegistrationInput::default(),
        errors: FormErrors::new(),
        notice: None,
    };
    render_with_status(&page, StatusCode::OK)
}

pub async fn register(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<RegistrationInput>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    let now = Utc::now();
    let ip =
        throttle::client_ip(&req, &state.settings).map(|ip| ip.to_string()).unwrap_or_default();
    let bucket = throttle::bucket(state.secret.expose(), "register-ip", &ip);
    let (window, until) = throttle::window(now, 3600);
    let redisplay =
        |ctx: Ctx, mut form: RegistrationInput, errors: FormErrors, notice: Option<String>| {
            form.password.clear(); // never sent back
            let page = RegisterPage { ctx, form, errors, notice };
            render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        };
    if db::accounts::hits(&state.db, &bucket, window).await?
        >= state.settings.registrations_per_hour as i64
    {
        let time = until.with_timezone(&beijing()).format("%H:%M").to_string();
        let notice = ctx.tf("form.register.throttled", &[("time", &time)]);
        return redisplay(ctx, form, FormErrors::new(), Some(notice));
    }
    let volunteer = match form.parse() {
        Ok(v) => v,
        Err(errors) => return redisplay(ctx, form, errors, None),
    };
    let password_hash = hash(volunteer.password.expose().to_owned()).await?;
    let id = match db::accounts::create_volunteer(&state.db, &volunteer, &password_hash, now).await
    {
        Ok(id) => id,
        Err(CreateError::PhoneTaken) => {
            let mut errors = FormErrors::new();
            errors.add("phone", "form.phone.taken");
            form.password.clear();
            return redisplay(ctx, form, errors, None);
        }
        Err(CreateError::EmailTaken) => {
            let mut errors = FormErrors::new();
            errors.add("email", "form.email.taken");
            return redisplay(ctx, form, errors, None);
        }
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    db::accounts::hit(&state.db, &bucket, window).await?;
    auth::sign_in(&session, id, 0)?;
    set_flash(&session, "flash.registered");
    Ok(see_other("/account"))
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
    errors: FormErrors,
    notice: Option<String>,
}

pub async fn login_form(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let next = query_param(req.query_string(), "next").unwrap_or_default();
    let page =
        LoginPage { ctx, login: String::new(), next, errors: FormErrors::new(), notice: None };
    render_with_status(&page, StatusCode::OK)
}

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
    let again = |ctx: Ctx, errors: FormErrors, notice: Option<String>| {
        let page =
            LoginPage { ctx, login: input.login.clone(), next: input.next.clone(), errors, notice };
        render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let mut errors = FormErrors::new();
    if input.login.trim().is_empty() {
        errors.add("login", "form.login.required");
    }
    if input.password.is_empty() {
        errors.add("password", "form.password.required");
    }
    if !errors.is_empty() {
        return again(ctx, errors, None);
    }

    let (window, until) = throttle::window(now, settings.login_window_secs);
    let ip = throttle::client_ip(&req, settings).map(|ip| ip.to_string()).unwrap_or_default();
    let ip_bucket = throttle::bucket(secret, "login-ip", &ip);
    let login = Login::parse(&input.login);
    let acct_key =
        login.as_ref().map(Login::key).unwrap_or_else(|| input.login.trim().to_lowercase());
    let acct_bucket = throttle::bucket(secret, "login-acct", &acct_key);
    let limit = settings.login_max_failures as i64;
    let throttled = db::accounts::hits(&state.db, &ip_bucket, window).await? >= limit
        || db::accounts::hits(&state.db, &acct_bucket, window).await? >= limit;
    if throttled {
        let time = until.with_timezone(&beijing()).format("%H:%M").to_string();
        let notice = ctx.tf("form.login.throttled", &[("time", &time)]);
        return again(ctx, FormErrors::new(), Some(notice));
    }

    let creds = match &login {
        Some(l) => db::accounts::credentials(&state.db, l).await?,
        None => None,
    };
    let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
    if !verify(input.password.clone(), stored.clone()).await? {
        let by_ip = db::accounts::hit(&state.db, &ip_bucket, window).await?;
        let by_acct = db::accounts::hit(&state.db, &acct_bucket, window).await?;
        if by_ip == limit || by_acct == limit {
            let what = if by_acct == limit { "account" } else { "address" };
            db::accounts::audit(&state.db, None, "login.throttled", what, "", now).await?;
        }
        // The same words whether the account exists or not.
        errors.add("login", "form.login.failed");
        return again(ctx, errors, None);
    }
    let creds = creds.expect("verified credentials exist");
    if stored.as_deref().is_some_and(password_hash::needs_rehash) {
        let upgraded = hash(input.password.clone()).await?;
        db::accounts::set_password_hash(&state.db, creds.id, &upgraded, false, now).await?;
    }
    auth::sign_in(&session, creds.id, creds.session_generation)?;
    Ok(see_other(&safe_next(&input.next)))
}

pub async fn logout(session: Session) -> HttpResponse {
    auth::sign_out(&session);
    set_flash(&session, "flash.signed_out");
    see_other("/")
}

// ---------------------------------------------------------------- my account

#[derive(Template)]
#[template(path = "account/home.html")]
struct AccountPage {
    ctx: Ctx,
    user: db::accounts::UserRow,
    errors: FormErrors,
}

async fn account_page(
    ctx: Ctx,
    state: &AppState,
    me: &CurrentUser,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = db::accounts::user(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    render_with_status(&AccountPage { ctx, user, errors }, status)
}

pub async fn home(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    account_page(ctx, &state, &me, FormErrors::new(), StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordInput {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<PasswordInput>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::new();
    let creds =
        db::accounts::credentials_by_id(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    if form.current_password.is_empty() {
        errors.add("current_password", "form.password.required");
    } else if !verify(form.current_password.clone(), creds.password_hash.clone()).await? {
        errors.add("current_password", "form.password.current_wrong");
    }
    let new = Password::parse(&form.new_password).map_err(|k| errors.add("new_password", k)).ok();
    let (Some(new), true) = (new, errors.is_empty()) else {
        return account_page(ctx, &state, &me, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let hashed = hash(new.expose().to_owned()).await?;
    let generation =
        db::accounts::set_password_hash(&state.db, me.id, &hashed, true, Utc::now()).await?;
    auth::adopt_generation(&session, generation)?;
    set_flash(&session, "flash.password_changed");
    Ok(see_other("/account"))
}

pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let generation = db::accounts::bump_generation(&state.db, me.id, Utc::now()).await?;
    auth::adopt_generation(&session, generation)?;
    set_flash(&session, "flash.signed_out_elsewhere");
    Ok(see_other("/account"))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteInput {
    #[serde(default)]
    confirm_password: String,
}

pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    form: web::Form<DeleteInput>,
) -> Result<HttpResponse, AppError> {
    let creds =
        db::accounts::credentials_by_id(&state.db, me.id).await?.ok_or(AppError::Forbidden)?;
    if !verify(form.confirm_password.clone(), creds.password_hash).await? {
        let mut errors = FormErrors::new();
        errors.add("confirm_password", "form.password.current_wrong");
        return account_page(ctx, &state, &me, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    db::accounts::delete_account(&state.db, me.id, Utc::now()).await?;
    auth::sign_out(&session);
    set_flash(&session, "flash.account_deleted");
    Ok(see_other("/"))
}

// ---------------------------------------------------------------- reset link

/// Only a hash of a reset token is stored.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    ctx: Ctx,
    token: String,
    valid: bool,
    errors: FormErrors,
}

pub async fn reset_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let valid =
        db::accounts::reset_user(&state.db, &token_hash(&token), Utc::now()).await?.is_some();
    let status = if valid { StatusCode::OK } else { StatusCode::GONE };
    render_with_status(
        &ResetPage { ctx, token: token.into_inner(), valid, errors: FormErrors::new() },
        status,
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    new_password: String,
}

pub async fn reset(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    token: web::Path<String>,
    form: web::Form<ResetInput>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let new = match Password::parse(&form.new_password) {
        Ok(p) => p,
        Err(key) => {
            let mut errors = FormErrors::new();
            errors.add("new_password", key);
            let page = ResetPage { ctx, token, valid: true, errors };
            return render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let hashed = hash(new.expose().to_owned()).await?;
    match db::accounts::use_reset(&state.db, &token_hash(&token), &hashed, Utc::now()).await? {
        Some(_) => {
            auth::sign_out(&session);
            set_flash(&session, "flash.password_reset");
            Ok(see_other("/account/login"))
        }
        None => {
            let page = ResetPage { ctx, token, valid: false, errors: FormErrors::new() };
            render_with_status(&page, StatusCode::GONE)
        }
    }
}
