//! The staff console: what I keep, users and roles (site admins), a
//! station's and a district's staff pages, and password-reset links.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::auth::CurrentUser;
use super::ctx::{query_param, set_flash};
use super::params::{Id, Slug};
use super::{AppError, Ctx, render_with_status, see_other};
use crate::db;
use crate::db::districts::DistrictRow;
use crate::db::sessions::Ending;
use crate::domain::account::reset_token_hash;
use crate::domain::format::beijing;
use crate::domain::{FormErrors, Role, RoleKind, Text};
use crate::web::AppState;

/// One role as the staff pages show it.
pub struct RoleView {
    pub kind: RoleKind,
    pub label: &'static str,
    /// What it covers, in words (a station or district name, a workshop slug).
    pub object: String,
    pub scope: String,
}

fn role_views(
    ctx: &Ctx,
    roles: &[Role],
    districts: &[DistrictRow],
    stations: &[db::places::KeptPlace],
) -> Vec<RoleView> {
    roles
        .iter()
        .map(|r| {
            let object = match r {
                Role::SiteAdmin => String::new(),
                Role::StationKeeper { place_id } => stations
                    .iter()
                    .find(|s| s.id == *place_id)
                    .map(|s| Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()).text)
                    .unwrap_or_else(|| format!("#{place_id}")),
                Role::DistrictAdmin { district_id } => districts
                    .iter()
                    .find(|d| d.id == *district_id)
                    .map(|d| Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()).text)
                    .unwrap_or_else(|| format!("#{district_id}")),
                Role::WorkshopKeeper { workshop } => workshop.clone(),
            };
            RoleView {
                kind: r.kind(),
                label: ctx.t(r.kind().label_key()),
                object,
                scope: r.scope(),
            }
        })
        .collect()
}

pub struct StationChoice {
    pub id: i64,
    pub name: Text,
    pub district_slug: String,
}

pub struct DistrictChoice {
    pub slug: String,
    pub name: Text,
}

// ---------------------------------------------------------------- /staff

#[derive(Template)]
#[template(path = "staff/home.html")]
struct HomePage {
    ctx: Ctx,
    site_admin: bool,
    /// What waits: a count, its words and where it is dealt with.
    waiting: Vec<(i64, String, &'static str)>,
    districts: Vec<DistrictChoice>,
    stations: Vec<StationChoice>,
    workshops: Vec<String>,
}

pub async fn home(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let all = db::districts::overview(&state.db, true).await?.districts;
    let districts = all
        .iter()
        .filter(|d| me.grants.admin_of_district(d.id))
        .map(|d| DistrictChoice {
            slug: d.slug.clone(),
            name: Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()),
        })
        .collect();
    let stations = db::places::kept_stations(&state.db, &me.grants)
        .await?
        .into_iter()
        .map(|s| StationChoice {
            id: s.id,
            name: Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()),
            district_slug: all
                .iter()
                .find(|d| d.id == s.district_id)
                .map(|d| d.slug.clone())
                .unwrap_or_default(),
        })
        .collect();
    let workshops = me
        .grants
        .0
        .iter()
        .filter_map(|r| match r {
            Role::WorkshopKeeper { workshop } => Some(workshop.clone()),
            _ => None,
        })
        .collect();
    let w = db::console::waiting(&state.db, &me.grants).await?;
    let waiting = [
        (w.reviews, "staff.waiting.reviews", "/staff/wishes?show=pending"),
        (w.follow_ups, "staff.waiting.follow_ups", "/staff/wishes?show=follow_ups"),
        (w.signups, "staff.waiting.signups", "/staff/workshops"),
        (w.needs_english, "staff.waiting.english", "/staff/english"),
    ]
    .into_iter()
    .map(|(n, key, href)| (n, ctx.tf(key, &[("n", &n.to_string())]), href))
    .collect();
    let page = HomePage {
        ctx,
        site_admin: me.grants.is_site_admin(),
        waiting,
        districts,
        stations,
        workshops,
    };
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

// ---------------------------------------------------------------- /staff/english

pub struct UntranslatedView {
    pub name: String,
    pub href: String,
    /// What is missing, in words.
    pub missing: &'static str,
}

#[derive(Template)]
#[template(path = "staff/english.html")]
struct EnglishPage {
    ctx: Ctx,
    /// Per kind: its heading, how many, the first of them.
    groups: Vec<(&'static str, i64, Vec<UntranslatedView>)>,
}

/// Items within my roles that lack English, each linked to where it is
/// edited.
pub async fn english(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
) -> Result<HttpResponse, AppError> {
    use db::console::EnglishKind;
    let mut groups = Vec::new();
    for kind in EnglishKind::ALL {
        let (rows, total) = db::console::needs_english(&state.db, &me.grants, kind).await?;
        let (heading, href): (&'static str, fn(&str) -> String) = match kind {
            EnglishKind::District => {
                ("staff.english.districts", |k| format!("/staff/content/district/{k}"))
            }
            EnglishKind::Place => ("staff.english.places", |k| format!("/staff/places/{k}/edit")),
            EnglishKind::Workshop => {
                ("staff.english.workshops", |k| format!("/staff/workshops/{k}"))
            }
            EnglishKind::Figure => {
                ("staff.english.figures", |k| format!("/staff/content/figure/{k}"))
            }
            EnglishKind::Programme => {
                ("staff.english.programmes", |k| format!("/staff/content/programme/{k}"))
            }
            EnglishKind::Story => {
                ("staff.english.stories", |k| format!("/staff/content/story/{k}"))
            }
            EnglishKind::Source => {
                ("staff.english.sources", |k| format!("/staff/content/source/{k}"))
            }
            EnglishKind::Territory => {
                ("staff.english.towns", |k| format!("/staff/content/territory/{k}"))
            }
        };
        let items = rows
            .iter()
            .map(|r| UntranslatedView {
                name: r.name_zh.clone(),
                href: href(&r.key),
                missing: ctx.t(if r.lacks_name {
                    "staff.english.lacks_name"
                } else {
                    "staff.english.lacks_summary"
                }),
            })
            .collect();
        if total > 0 {
            groups.push((ctx.t(heading), total, items));
        }
    }
    Ok(super::no_store(render_with_status(&EnglishPage { ctx, groups }, StatusCode::OK)?))
}

// ---------------------------------------------------------------- /staff/users

pub struct UserView {
    pub id: i64,
    pub display_name: String,
    pub contact: String,
    pub roles: Vec<RoleView>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct GrantInput {
    #[serde(default)]
    role: String,
    #[serde(default)]
    station: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    workshop: String,
    /// The grant page's narrowing of its lists: a district (slug) and
    /// words of a name; kept through a refused grant.
    #[serde(default, rename = "in")]
    within: String,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "staff/users.html")]
struct UsersPage {
    ctx: Ctx,
    q: String,
    users: Vec<UserView>,
}

/// The user list's rows, with their roles in words.
async fn user_views(
    ctx: &Ctx,
    state: &AppState,
    rows: Vec<(db::accounts::UserRow, crate::domain::Grants)>,
) -> Result<Vec<UserView>, AppError> {
    let districts = db::districts::overview(&state.db, true).await?.districts;
    let stations = db::places::all_places(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|(u, g)| UserView {
            id: u.id,
            display_name: u.display_name,
            contact: match (u.phone, u.email) {
                (Some(p), _) => {
                    crate::domain::account::Phone::parse(&p).map(|p| p.masked()).unwrap_or_default()
                }
                (None, Some(e)) => e,
                (None, None) => String::new(),
            },
            roles: role_views(ctx, &g.0, &districts, &stations),
        })
        .collect())
}

pub async fn users(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let q = query_param(req.query_string(), "q").unwrap_or_default();
    let rows = db::accounts::list_users(&state.db, &q, 200).await?;
    let users = user_views(&ctx, &state, rows).await?;
    Ok(super::no_store(render_with_status(&UsersPage { ctx, q, users }, StatusCode::OK)?))
}

/// Stations or workshops of one district, for a select's group.
pub struct ChoiceGroup {
    pub district: String,
    pub items: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "staff/grant.html")]
struct GrantPage {
    ctx: Ctx,
    user: UserView,
    districts: Vec<DistrictChoice>,
    stations: Vec<ChoiceGroup>,
    workshops: Vec<ChoiceGroup>,
    /// The lists were cut at [`db::places::CHOICES_SHOWN`]: narrow them.
    more: bool,
    roles: Vec<(&'static str, &'static str)>,
    input: GrantInput,
    errors: FormErrors,
    summary: Vec<(&'static str, String)>,
}

/// `/staff/users/{id}/roles`: grant a role, choosing the station, district
/// or workshop from lists (narrowed by district and name when long).
async fn grant_page(
    ctx: Ctx,
    state: &AppState,
    target: i64,
    input: GrantInput,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let found = db::accounts::user_with_grants(&state.db, target).await?;
    let Some((user, grants)) = found.filter(|(u, _)| u.deleted_at.is_none()) else {
        return Err(AppError::NotFound);
    };
    let user = user_views(&ctx, state, vec![(user, grants)]).await?.remove(0);
    let districts_rows = db::districts::overview(&state.db, true).await?.districts;
    let within = districts_rows.iter().find(|d| d.slug == input.within.trim()).map(|d| d.id);
    let group = |rows: Vec<db::places::Choice>| -> (Vec<ChoiceGroup>, bool) {
        let more = rows.len() as i64 > db::places::CHOICES_SHOWN;
        let mut groups: Vec<ChoiceGroup> = Vec::new();
        for c in rows.into_iter().take(db::places::CHOICES_SHOWN as usize) {
            let district = districts_rows
                .iter()
                .find(|d| d.id == c.district_id)
                .map(|d| Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()).text)
                .unwrap_or_default();
            let name = Text::pick(ctx.lang, &c.name_zh, c.name_en.as_deref()).text;
            match groups.last_mut() {
                Some(g) if g.district == district => g.items.push((c.key, name)),
                _ => groups.push(ChoiceGroup { district, items: vec![(c.key, name)] }),
            }
        }
        (groups, more)
    };
    let (stations, more_stations) =
        group(db::places::choices(&state.db, false, within, &input.q).await?);
    let (workshops, more_workshops) =
        group(db::places::choices(&state.db, true, within, &input.q).await?);
    let districts = districts_rows
        .iter()
        .map(|d| DistrictChoice {
            slug: d.slug.clone(),
            name: Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()),
        })
        .collect();
    let roles = RoleKind::ALL.iter().map(|k| (k.code(), ctx.t(k.label_key()))).collect();
    let summary = super::staff_content::summary(&ctx, &errors, |field| {
        let key = match field {
            "role" => "staff.role",
            "station" => "staff.station",
            "district" => "staff.district",
            "workshop" => "staff.workshop",
            _ => return None,
        };
        Some(ctx.t(key).to_owned())
    });
    let status = crate::web::respond::form_status(&errors);
    let page = GrantPage {
        user,
        districts,
        stations,
        workshops,
        more: more_stations || more_workshops,
        roles,
        input,
        errors,
        summary,
        ctx,
    };
    Ok(super::no_store(render_with_status(&page, status)?))
}

pub async fn grant_form(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    Id(target): Id,
) -> Result<HttpResponse, AppError> {
    let input = GrantInput {
        within: query_param(req.query_string(), "in").unwrap_or_default(),
        q: query_param(req.query_string(), "q").unwrap_or_default(),
        ..GrantInput::default()
    };
    grant_page(ctx, &state, target, input, FormErrors::new()).await
}

#[tracing::instrument(name = "web::staff::grant", skip_all, fields(target = target, user = me.id))]
pub async fn grant(
    ctx: Ctx,
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(target): Id,
    form: web::Form<GrantInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    let mut errors = FormErrors::new();
    errors.refuse_control(&[
        ("role", &input.role),
        ("station", &input.station),
        ("district", &input.district),
        ("workshop", &input.workshop),
    ]);
    let resolved = match RoleKind::parse(&input.role) {
        _ if !errors.is_empty() => None,
        None => {
            errors.add("role", "form.role.required");
            None
        }
        Some(kind) => {
            let station = input.station.trim().parse::<i64>().ok();
            match db::accounts::resolve_role(
                &state.db,
                kind,
                station,
                Some(&input.district),
                Some(&input.workshop),
            )
            .await?
            {
                Ok(role) => Some(role),
                Err((field, key)) => {
                    errors.add(field, key);
                    None
                }
            }
        }
    };
    let Some(role) = resolved else {
        return grant_page(ctx, &state, target, input, errors).await;
    };
    match db::accounts::grant(&state.db, target, &role, Some(me.id), Utc::now()).await {
        Ok(true) => set_flash(&session, "flash.role_granted"),
        Ok(false) => set_flash(&session, "flash.role_already_held"),
        Err(db::accounts::GrantError::NoUser) => return Err(AppError::NotFound),
        Err(db::accounts::GrantError::Db(e)) => return Err(e.into()),
        Err(_) => {
            errors.add("role", "form.role.station_unknown");
            return grant_page(ctx, &state, target, input, errors).await;
        }
    }
    // Back to the grant page, which lists the user's roles now.
    Ok(see_other(&format!("/staff/users/{target}/roles")))
}

#[derive(Debug, Deserialize)]
pub struct RevokeInput {
    role: String,
    #[serde(default)]
    scope: String,
}

/// The role a revoke button names, from its role code and scope string.
fn role_from_scope(kind: RoleKind, scope: &str) -> Option<Role> {
    let (what, value) = scope.split_once(':').unwrap_or(("", ""));
    match (kind, what) {
        (RoleKind::SiteAdmin, _) if scope.is_empty() => Some(Role::SiteAdmin),
        (RoleKind::StationKeeper, "place") => {
            value.parse().ok().map(|place_id| Role::StationKeeper { place_id })
        }
        (RoleKind::DistrictAdmin, "district") => {
            value.parse().ok().map(|district_id| Role::DistrictAdmin { district_id })
        }
        (RoleKind::WorkshopKeeper, "workshop") => {
            Some(Role::WorkshopKeeper { workshop: value.to_owned() })
        }
        _ => None,
    }
}

#[tracing::instrument(name = "web::staff::revoke", skip_all, fields(target = target, user = me.id))]
pub async fn revoke(
    state: web::Data<AppState>,
    session: Session,
    me: CurrentUser,
    Id(target): Id,
    form: web::Form<RevokeInput>,
) -> Result<HttpResponse, AppError> {
    if crate::domain::form::has_control(&form.scope) {
        return Err(AppError::BadRequest);
    }
    let role = RoleKind::parse(&form.role)
        .and_then(|k| role_from_scope(k, &form.scope))
        .ok_or(AppError::BadRequest)?;
    if target == me.id && role == Role::SiteAdmin {
        // A site admin cannot lock the site out by removing themselves.
        set_flash(&session, "flash.cannot_revoke_self");
        return Ok(see_other("/staff/users"));
    }
    // The account signs in again, with what it still holds (one's own
    // revoke keeps this session).
    let ending = if target == me.id { Ending::AllBut(me.session_id) } else { Ending::All };
    let removed =
        db::accounts::revoke(&state.db, target, &role, Some(me.id), ending, Utc::now()).await?;
    set_flash(&session, if removed { "flash.role_revoked" } else { "flash.role_not_held" });
    Ok(see_other("/staff/users"))
}

// ---------------------------------------------------------------- reset links

#[derive(Template)]
#[template(path = "staff/reset_issued.html")]
struct ResetIssuedPage {
    ctx: Ctx,
    display_name: String,
    link: String,
    expires: String,
}

#[tracing::instrument(name = "web::staff::issue_reset", skip_all, fields(target = target, user = me.id))]
pub async fn issue_reset(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(target): Id,
) -> Result<HttpResponse, AppError> {
    let user = db::accounts::user(&state.db, target).await?.ok_or(AppError::NotFound)?;
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("randomness: {e}")))?;
    let token = crate::domain::hex(&bytes);
    let now = Utc::now();
    let expires = now + Duration::hours(24);
    db::accounts::create_reset(
        &state.db,
        target,
        &reset_token_hash(&token),
        Some(me.id),
        now,
        expires,
    )
    .await?;
    let page = ResetIssuedPage {
        link: format!("{}/account/reset/{token}", state.settings.base_url),
        expires: expires.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string(),
        display_name: user.display_name,
        ctx,
    };
    // The link is shown once and must not linger in any cache.
    Ok(super::no_store(render_with_status(&page, StatusCode::OK)?))
}

// ---------------------------------------------------------------- station and district

pub struct KeeperView {
    pub id: i64,
    pub display_name: String,
    /// The viewer may issue this keeper a reset link (the same rule as
    /// the route's, so no button leads to a refusal).
    pub may_reset: bool,
}

/// The keepers of a station as `me` may act on them.
async fn keeper_views(
    state: &AppState,
    me: &CurrentUser,
    place_id: i64,
) -> Result<Vec<KeeperView>, AppError> {
    let mut out = Vec::new();
    for (id, display_name) in db::places::station_keepers(&state.db, place_id).await? {
        let may_reset = me.grants.may_act_on(&db::accounts::account_ties(&state.db, id).await?);
        out.push(KeeperView { id, display_name, may_reset });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "staff/place.html")]
struct PlacePage {
    ctx: Ctx,
    id: i64,
    name: Text,
    district: Text,
    keepers: Vec<KeeperView>,
    notices: Vec<super::staff_content::ItemLine>,
    activities: Vec<super::staff_content::ItemLine>,
    /// A love station: its staff post wishes for workers here.
    is_station: bool,
    /// Gifts waiting here for their workers: (wish id, what, since when).
    waiting: Vec<(i64, String, String)>,
}

pub async fn place(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let page = db::districts::place_page(&state.db, id, crate::domain::format::today())
        .await?
        .ok_or(AppError::NotFound)?;
    let keepers = keeper_views(&state, &me, id).await?;
    let notices = super::staff_content::place_notices(&ctx, &state, page.district.id, id).await?;
    let activities =
        super::staff_content::place_activities(&ctx, &state, page.district.id, id).await?;
    let waiting = db::wishes::waiting_at_station(&state.db, id)
        .await?
        .into_iter()
        .map(|(wish, what, since)| {
            (wish, what, crate::domain::format::age(ctx.lang, since, Utc::now()))
        })
        .collect();
    let view = PlacePage {
        notices,
        activities,
        waiting,
        is_station: page.place.kind == "love_station",
        id,
        name: Text::pick(ctx.lang, &page.place.name_zh, page.place.name_en.as_deref()),
        district: Text::pick(ctx.lang, &page.district.name_zh, page.district.name_en.as_deref()),
        keepers,
        ctx,
    };
    render_with_status(&view, StatusCode::OK)
}

pub struct StationKeepers {
    pub id: i64,
    pub name: Text,
    pub keepers: Vec<KeeperView>,
}

#[derive(Template)]
#[template(path = "staff/district.html")]
struct DistrictPage {
    ctx: Ctx,
    id: i64,
    slug: String,
    name: Text,
    stations: Vec<StationKeepers>,
    sections: Vec<super::staff_content::Section>,
    /// Every place of the district, each with its edit page.
    places: Vec<(i64, Text)>,
    /// Some content is a draft: the preview shows it.
    drafts: bool,
}

pub async fn district(
    ctx: Ctx,
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let page = db::districts::district_page(&state.db, &slug, crate::domain::format::today(), true)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut stations = Vec::new();
    for p in page.places.iter().filter(|p| p.kind == "love_station") {
        let keepers = keeper_views(&state, &me, p.id).await?;
        stations.push(StationKeepers {
            id: p.id,
            name: Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref()),
            keepers,
        });
    }
    let name = Text::pick(ctx.lang, &page.district.name_zh, page.district.name_en.as_deref());
    let all = db::places::of_district(&state.db, page.district.id).await?;
    let sections = super::staff_content::sections(&ctx, &state, &page.district, &all).await?;
    let drafts = sections.iter().flat_map(|s| &s.items).any(|i| i.draft);
    let places = all
        .iter()
        .map(|p| (p.id, Text::pick(ctx.lang, &p.name_zh, p.name_en.as_deref())))
        .collect();
    let view = DistrictPage {
        id: page.district.id,
        slug: page.district.slug.clone(),
        name,
        stations,
        sections,
        places,
        drafts,
        ctx,
    };
    Ok(super::no_store(render_with_status(&view, StatusCode::OK)?))
}
