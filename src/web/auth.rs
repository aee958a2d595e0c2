//! Who is asking, and may they? Sessions, the signed-in user, and the one
//! access check every route goes through (registered from the route table).

use std::future::{Ready, ready};

use actix_session::{Session, SessionExt};
use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use chrono::Utc;

use super::{Access, AppError};
use crate::db;
use crate::domain::Grants;
use crate::startup::AppState;

const UID: &str = "uid";
const GENERATION: &str = "gen";
const ISSUED_AT: &str = "iat";
const SEEN_AT: &str = "seen";

/// A session ends after 14 days without a visit, and 30 days after sign-in
/// whatever happens.
pub const IDLE_SECS: i64 = 14 * 24 * 3600;
pub const ABSOLUTE_SECS: i64 = 30 * 24 * 3600;
/// How stale "last seen" may get before the cookie is rewritten.
const SEEN_REFRESH_SECS: i64 = 300;

/// The signed-in user, with every role they hold.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub grants: Grants,
}

/// Who is asking: set on every request by [`enforce`].
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

/// Starts a fresh signed-in session: nothing of the anonymous session
/// carries over (a new CSRF token too), so a planted cookie is useless.
pub fn sign_in(session: &Session, user_id: i64, generation: i64) -> Result<(), AppError> {
    let now = Utc::now().timestamp();
    session.clear();
    session.renew();
    let put = |k: &str, v: i64| session.insert(k, v).map_err(|e| AppError::Internal(e.into()));
    put(UID, user_id)?;
    put(GENERATION, generation)?;
    put(ISSUED_AT, now)?;
    put(SEEN_AT, now)?;
    Ok(())
}

/// Keeps the current session valid after the generation moved on (a
/// password change or "sign out everywhere" from this session).
pub fn adopt_generation(session: &Session, generation: i64) -> Result<(), AppError> {
    session.insert(GENERATION, generation).map_err(|e| AppError::Internal(e.into()))
}

/// Ends the signed-in session. The cookie is rewritten empty rather than
/// removed, so a message for the next page can still be left in it.
pub fn sign_out(session: &Session) {
    session.clear();
    session.renew();
}

/// A session ends 14 days after the last visit or 30 days after sign-in.
fn session_expired(now: i64, issued: i64, seen: i64) -> bool {
    now - issued > ABSOLUTE_SECS || now - seen > IDLE_SECS
}

/// Reads the session and the user behind it. A session whose user is gone,
/// whose generation is old, or that is idle or too old, is ended here.
async fn load_viewer(session: &Session, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let get = |k: &str| session.get::<i64>(k).ok().flatten();
    let Some(uid) = get(UID) else { return Ok(None) };
    let now = Utc::now().timestamp();
    let issued = get(ISSUED_AT).unwrap_or(0);
    let seen = get(SEEN_AT).unwrap_or(0);
    if session_expired(now, issued, seen) {
        session.purge();
        return Ok(None);
    }
    let Some((user, grants)) = db::accounts::user_with_grants(&state.db, uid).await? else {
        session.purge();
        return Ok(None);
    };
    if get(GENERATION) != Some(user.session_generation) {
        session.purge();
        return Ok(None);
    }
    if now - seen > SEEN_REFRESH_SECS {
        let _ = session.insert(SEEN_AT, now);
    }
    Ok(Some(CurrentUser { id: user.id, display_name: user.display_name, grants }))
}

/// What the access rule says about this request.
enum Decision {
    Allow,
    SignInFirst,
    Deny,
}

async fn decide(
    rule: Access,
    viewer: &Option<CurrentUser>,
    req: &ServiceRequest,
    state: &AppState,
) -> Result<Decision, AppError> {
    let Some(user) = viewer else {
        return Ok(if rule == Access::Public { Decision::Allow } else { Decision::SignInFirst });
    };
    let g = &user.grants;
    let param = |name: &str| req.match_info().get(name).map(str::to_owned);
    let allowed = match rule {
        Access::Public | Access::SignedIn => true,
        Access::Staff => g.is_staff(),
        Access::SiteAdmin => g.is_site_admin(),
        Access::StationKeeper => {
            let id = param("id").and_then(|s| s.parse::<i64>().ok()).ok_or(AppError::NotFound)?;
            let district =
                db::accounts::place_district(&state.db, id).await?.ok_or(AppError::NotFound)?;
            g.keeps_station(id, district)
        }
        Access::DistrictAdmin => {
            let slug = param("slug").ok_or(AppError::NotFound)?;
            let id =
                db::accounts::district_id(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
            g.admin_of_district(id)
        }
        Access::WorkshopKeeper => {
            let slug = param("slug").ok_or(AppError::NotFound)?;
            let district =
                db::workshops::district_of(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
            g.keeps_workshop(&slug, district)
        }
        Access::WishStaff => {
            let id = param("id").and_then(|s| s.parse::<i64>().ok()).ok_or(AppError::NotFound)?;
            let (station, district) =
                db::wishes::station_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
            g.keeps_station(station, district)
        }
        Access::ResetFor => {
            let id = param("id").and_then(|s| s.parse::<i64>().ok()).ok_or(AppError::NotFound)?;
            if db::accounts::user(&state.db, id).await?.is_none_or(|u| u.deleted_at.is_some()) {
                return Err(AppError::NotFound);
            }
            g.is_staff() && g.may_reset_for(&db::accounts::user_district_ids(&state.db, id).await?)
        }
    };
    Ok(if allowed { Decision::Allow } else { Decision::Deny })
}

/// The access check, wrapped around every route with that route's rule.
/// It also leaves the [`Viewer`] in the request for handlers and pages.
pub async fn enforce(
    rule: Access,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned().expect("AppState is registered");
    let session = req.get_session();
    let outcome = match load_viewer(&session, &state).await {
        Ok(viewer) => {
            let decision = decide(rule, &viewer, &req, &state).await;
            req.extensions_mut().insert(Viewer(viewer));
            decision
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(Decision::Allow) => next.call(req).await,
        Ok(Decision::SignInFirst) if req.method() == Method::GET => {
            let here = match req.query_string() {
                "" => req.path().to_owned(),
                q => format!("{}?{q}", req.path()),
            };
            let to = format!("/account/login?next={}", super::ctx::encode(&here));
            let res = HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish();
            Ok(req.into_response(res))
        }
        Ok(Decision::SignInFirst | Decision::Deny) => Ok(req.error_response(AppError::Forbidden)),
        Err(e) => Ok(req.error_response(e)),
    }
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = Ready<Result<Viewer, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(req.extensions().get::<Viewer>().cloned().unwrap_or_default()))
    }
}

/// For handlers of routes that require a signed-in user.
impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = Ready<Result<CurrentUser, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req.extensions().get::<Viewer>().and_then(|v| v.0.clone());
        ready(user.ok_or_else(|| AppError::Forbidden.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_or_old() {
        let day = 24 * 3600;
        let now = 100 * day;
        assert!(!session_expired(now, now - 29 * day, now - 13 * day));
        assert!(session_expired(now, now - 13 * day, now - 15 * day), "14 days idle");
        assert!(
            session_expired(now, now - 31 * day, now - day),
            "30 days after sign-in, however active"
        );
    }
}
