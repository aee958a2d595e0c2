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
use crate::web::AppState;

/// The session cookie's one sign-in entry: the random token whose hash
/// keys the `sessions` row. Nothing else about the user is in the cookie.
const TOKEN: &str = "sid";

/// A session ends after 14 days without a visit, and 30 days after sign-in
/// whatever happens.
pub const IDLE_SECS: i64 = 14 * 24 * 3600;
pub const ABSOLUTE_SECS: i64 = 30 * 24 * 3600;
/// How stale "last seen" may get before it is written again.
const SEEN_REFRESH_SECS: i64 = 300;

/// The signed-in user, with every role they hold.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub grants: Grants,
    /// The `sessions` row this request came with.
    pub session_id: i64,
}

/// Who is asking: set on every request by [`enforce`].
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("session:{token}").as_bytes());
    crate::domain::hex(&digest)
}

/// Starts a fresh signed-in session: nothing of the anonymous session
/// carries over (a new CSRF token too), so a planted cookie is useless.
pub async fn sign_in(
    session: &Session,
    state: &AppState,
    req: &HttpRequest,
    user_id: i64,
) -> Result<(), AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("randomness: {e}")))?;
    let token = crate::domain::hex(&bytes);
    let agent =
        req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let device = crate::domain::device::summary(agent);
    // A session this browser still held (another sign-in) ends first, so
    // no copy of the earlier cookie outlives it.
    if let Some(old) = session.get::<String>(TOKEN).ok().flatten() {
        db::sessions::end_token(&state.db, &token_hash(&old)).await?;
    }
    db::sessions::start(&state.db, user_id, &token_hash(&token), &device, Utc::now()).await?;
    session.clear();
    session.renew();
    session.insert(TOKEN, token).map_err(|e| AppError::Internal(e.into()))?;
    Ok(())
}

/// Ends the signed-in session, here and on every instance. The cookie is
/// rewritten empty rather than removed, so a message for the next page
/// can still be left in it.
pub async fn sign_out(
    session: &Session,
    state: &AppState,
    me: &CurrentUser,
) -> Result<(), AppError> {
    db::sessions::end(&state.db, me.id, me.session_id).await?;
    session.clear();
    session.renew();
    Ok(())
}

/// Forgets a sign-in whose row is already gone (deleted account, used reset).
pub fn forget(session: &Session) {
    session.clear();
    session.renew();
}

/// A session ends 14 days after the last visit or 30 days after sign-in.
fn session_expired(now: i64, issued: i64, seen: i64) -> bool {
    now - issued > ABSOLUTE_SECS || now - seen > IDLE_SECS
}

/// The oldest sign-in and last visit a live session may have, for sweeping.
pub fn expiry_bounds(now: chrono::DateTime<Utc>) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    (now - chrono::Duration::seconds(IDLE_SECS), now - chrono::Duration::seconds(ABSOLUTE_SECS))
}

/// The user a session signs in, if any (for checks that run before
/// [`enforce`], such as the upload gate in `csrf`).
pub async fn viewer_of(
    session: &Session,
    state: &AppState,
) -> Result<Option<CurrentUser>, AppError> {
    load_viewer(session, state).await
}

/// Reads the session and the user behind it. A token with no row (signed
/// out, ended elsewhere, account gone) or an idle or old session signs
/// nobody in, and is forgotten here.
async fn load_viewer(session: &Session, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = session.get::<String>(TOKEN).ok().flatten() else { return Ok(None) };
    let Some((found, grants)) = db::sessions::find(&state.db, &token_hash(&token)).await? else {
        session.purge();
        return Ok(None);
    };
    let s = &found.session;
    let now = Utc::now();
    if session_expired(now.timestamp(), s.created_at.timestamp(), s.last_seen_at.timestamp()) {
        db::sessions::end(&state.db, s.user_id, s.id).await?;
        session.purge();
        return Ok(None);
    }
    if now.timestamp() - s.last_seen_at.timestamp() > SEEN_REFRESH_SECS {
        db::sessions::touch(&state.db, s.id, now).await?;
    }
    Ok(Some(CurrentUser {
        id: s.user_id,
        display_name: found.display_name,
        grants,
        session_id: s.id,
    }))
}

/// Who edits a district's item: its admins; the keepers of its place, for
/// a notice or an activity there (`at_place`); the keepers of its workshop, for a
/// workshop's figure.
fn edits_item(g: &Grants, owner: &db::content::Owner, at_place: bool) -> bool {
    g.edits_content(owner.district, owner.place.filter(|_| at_place))
        || owner.workshop.as_deref().is_some_and(|w| g.keeps_workshop(w, owner.district))
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
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            let district =
                db::places::place_district(&state.db, id).await?.ok_or(AppError::NotFound)?;
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
        Access::ContentEditor => {
            use crate::domain::content::ContentKind;
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            let kind =
                param("what").as_deref().and_then(ContentKind::parse).ok_or(AppError::NotFound)?;
            let owner = db::content::owner(&state.db, kind, id).await?.ok_or(AppError::NotFound)?;
            edits_item(g, &owner, matches!(kind, ContentKind::Notice | ContentKind::Activity))
        }
        Access::ActivityKeeper => {
            use crate::domain::content::ContentKind;
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            let owner = db::content::owner(&state.db, ContentKind::Activity, id)
                .await?
                .ok_or(AppError::NotFound)?;
            edits_item(g, &owner, true)
        }
        Access::FigureEditor | Access::StoryEditor => {
            use crate::domain::content::ContentKind;
            let kind =
                if rule == Access::FigureEditor { ContentKind::Figure } else { ContentKind::Story };
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            let owner = db::content::owner(&state.db, kind, id).await?.ok_or(AppError::NotFound)?;
            edits_item(g, &owner, false)
        }
        Access::WishStaff => {
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            let (station, district) =
                db::wishes::station_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
            g.keeps_station(station, district)
        }
        Access::AccountOf => {
            let super::params::Id(id) = super::params::Id::of(req.match_info())?;
            if db::accounts::user(&state.db, id).await?.is_none_or(|u| u.deleted_at.is_some()) {
                return Err(AppError::NotFound);
            }
            g.may_act_on(&db::accounts::account_ties(&state.db, id).await?)
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
    let mut signed_in = false;
    let outcome = match load_viewer(&session, &state).await {
        Ok(viewer) => {
            let decision = decide(rule, &viewer, &req, &state).await;
            signed_in = viewer.is_some();
            req.extensions_mut().insert(Viewer(viewer));
            decision
        }
        Err(e) => Err(e),
    };
    match outcome {
        // What a signed-in reader is shown may hold their own phone,
        // e-mail or claims: no cache anywhere may keep it.
        // (Pages only: the stylesheet and icons stay cached for a year.)
        Ok(Decision::Allow) if signed_in => next.call(req).await.map(|mut res| {
            let page = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("text/html"));
            if page || res.status().is_redirection() {
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            }
            res
        }),
        Ok(Decision::Allow) => next.call(req).await,
        Ok(Decision::SignInFirst) if matches!(*req.method(), Method::GET | Method::HEAD) => {
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
