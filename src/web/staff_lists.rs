//! Every wish of a station (for its staff) or of a district (for its
//! admins), by status: the claims with their claimer, contact, days held
//! and delivery plan, overdue ones first; a page at a time, and as a CSV
//! in the reader's language, each export audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::auth::CurrentUser;
use super::csv;
use super::ctx::query_param;
use super::params::{Id, Slug};
use super::view::{Pager, WishView};
use super::{AppError, Ctx, no_store, render_with_status};
use crate::db;
use crate::db::audit::EXPORT_MAX;
use crate::db::wishes::{HeldRow, Scope};
use crate::domain::format::moment;
use crate::domain::wish::{WishStatus, is_overdue};
use crate::domain::{Text, page_number};
use crate::web::AppState;

/// What a list covers, as its pages and exports name it.
struct Listing {
    scope: Scope,
    /// The station's or district's name.
    name: Text,
    /// Its staff page, where the list is reached from.
    back: String,
    /// The list's own path (the export adds `.csv`).
    path: String,
    /// The audit log's name for it: `place:6`, `district:xihu`.
    object: String,
    /// A district's list names each wish's station.
    district_wide: bool,
    /// What its export's file name says: `station-6`, `xihu`.
    file: String,
}

impl Listing {
    async fn station(ctx: &Ctx, state: &AppState, id: i64) -> Result<Listing, AppError> {
        let s = db::places::station(&state.db, id).await?.ok_or(AppError::NotFound)?;
        Ok(Listing {
            scope: Scope::Station(id),
            name: Text::pick(ctx.lang, &s.name_zh, s.name_en.as_deref()),
            back: format!("/staff/places/{id}"),
            path: format!("/staff/places/{id}/wishes"),
            object: format!("place:{id}"),
            district_wide: false,
            file: format!("station-{id}"),
        })
    }

    async fn district(ctx: &Ctx, state: &AppState, slug: &str) -> Result<Listing, AppError> {
        let d = db::districts::by_slug(&state.db, slug).await?.ok_or(AppError::NotFound)?;
        Ok(Listing {
            scope: Scope::District(d.id),
            name: Text::pick(ctx.lang, &d.name_zh, d.name_en.as_deref()),
            back: format!("/staff/districts/{}", d.slug),
            path: format!("/staff/districts/{}/wishes", d.slug),
            object: format!("district:{}", d.slug),
            district_wide: true,
            file: d.slug.clone(),
        })
    }
}

/// The status asked for: `all`, a status, or (nothing, or nonsense) the
/// claims, which staff chase.
fn shown(req: &HttpRequest) -> Option<WishStatus> {
    match query_param(req.query_string(), "status").as_deref() {
        Some("all") => None,
        Some(code) => Some(WishStatus::parse(code).unwrap_or(WishStatus::Claimed)),
        None => Some(WishStatus::Claimed),
    }
}

fn code_of(status: Option<WishStatus>) -> &'static str {
    status.map_or("all", WishStatus::code)
}

/// One wish of a list as staff read it.
struct HeldView {
    wish: WishView,
    posted: String,
    claimer_phone: Option<String>,
    claimer_email: Option<String>,
    /// "Held 3 days", while the claim is live or followed up.
    held: Option<String>,
    overdue: bool,
}

impl HeldView {
    fn new(ctx: &Ctx, row: &HeldRow, lapse_days: i64) -> HeldView {
        let now = Utc::now();
        let w = &row.wish;
        let live = matches!(w.status(), WishStatus::Claimed | WishStatus::NotReceived);
        let days = |at: chrono::DateTime<Utc>| (now - at).num_days().max(0);
        HeldView {
            wish: WishView::for_staff(ctx, w),
            posted: moment(w.created_at),
            claimer_phone: row.claimer_phone.clone(),
            claimer_email: row.claimer_email.clone(),
            held: row
                .claimed_at
                .filter(|_| live)
                .map(|at| ctx.tn("held.days", &days(at).to_string())),
            overdue: w.status() == WishStatus::Claimed
                && is_overdue(
                    row.claimed_at,
                    w.delivery().and_then(|d| d.at()),
                    w.at_station_at.is_some(),
                    now,
                    lapse_days,
                ),
        }
    }
}

#[derive(Template)]
#[template(path = "staff/held.html")]
struct HeldPage {
    ctx: Ctx,
    name: Text,
    back: String,
    /// Each tab: its code, label with how many, whether it is shown.
    tabs: Vec<(&'static str, String, bool)>,
    shown_label: &'static str,
    rows: Vec<HeldView>,
    pager: Pager,
    /// The export of what is shown, and of every status.
    csv: String,
    csv_all: String,
    district_wide: bool,
}

async fn list_page(
    ctx: Ctx,
    req: &HttpRequest,
    state: &AppState,
    listing: Listing,
) -> Result<HttpResponse, AppError> {
    let status = shown(req);
    let page = query_param(req.query_string(), "page").and_then(|p| page_number(&p)).unwrap_or(1);
    let lapse = i64::from(state.settings.claim_lapse_days);
    let rows = db::wishes::held(&state.db, listing.scope, status, page, Utc::now(), lapse).await?;
    let counts = db::wishes::held_counts(&state.db, listing.scope).await?;
    let total = counts.iter().map(|(_, n)| n).sum();
    let tab =
        |label: &str, n: i64| ctx.tf("staff.tab_count", &[("label", label), ("n", &n.to_string())]);
    let mut tabs = vec![("all", tab(ctx.t("held.all"), total), status.is_none())];
    // Statuses nobody is in are left out (but the one asked for stays).
    tabs.extend(
        counts
            .iter()
            .filter(|(s, n)| *n > 0 || Some(*s) == status)
            .map(|(s, n)| (s.code(), tab(ctx.t(s.label_key()), *n), Some(*s) == status)),
    );
    let code = code_of(status);
    let path = &listing.path;
    let view = HeldPage {
        shown_label: status.map_or(ctx.t("held.all"), |s| ctx.t(s.label_key())),
        rows: rows.rows.iter().map(|r| HeldView::new(&ctx, r, lapse)).collect(),
        pager: Pager::new(&rows, |n| format!("{path}?status={code}&page={n}")),
        csv: format!("{path}.csv?status={code}"),
        csv_all: format!("{path}.csv?status=all"),
        tabs,
        name: listing.name,
        back: listing.back,
        district_wide: listing.district_wide,
        ctx,
    };
    Ok(no_store(render_with_status(&view, StatusCode::OK)?))
}

async fn export(
    ctx: Ctx,
    req: &HttpRequest,
    state: &AppState,
    me: &CurrentUser,
    listing: Listing,
) -> Result<HttpResponse, AppError> {
    let status = shown(req);
    let now = Utc::now();
    let lapse = i64::from(state.settings.claim_lapse_days);
    let detail = format!("status={}", code_of(status));
    db::audit::audit(&state.db, Some(me.id), "wish.export", &listing.object, &detail, now).await?;
    let (rows, cut) =
        db::wishes::export_held(&state.db, listing.scope, status, now, lapse, EXPORT_MAX).await?;
    let yes_no = |b: bool| ctx.t(if b { "held.yes" } else { "held.no" }).to_owned();
    let mut lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let v = HeldView::new(&ctx, r, lapse);
            let w = &v.wish;
            vec![
                w.id.to_string(),
                w.status_label.to_owned(),
                w.what.text.clone(),
                w.display_name.text.clone(),
                w.occupation.to_owned(),
                w.station.text.clone(),
                v.posted,
                w.claimer.as_ref().map(|c| c.text.clone()).unwrap_or_default(),
                v.claimer_phone.unwrap_or_default(),
                v.claimer_email.unwrap_or_default(),
                r.claimed_at.map(moment).unwrap_or_default(),
                v.held.unwrap_or_default(),
                w.delivery.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
                w.at_station.map(str::to_owned).unwrap_or_default(),
                yes_no(v.overdue),
            ]
        })
        .collect();
    if cut {
        lines.push(vec![String::new(), ctx.t("audit.export_cut").to_owned()]);
    }
    let head: Vec<&str> = [
        "id",
        "status",
        "what",
        "worker",
        "occupation",
        "station",
        "posted",
        "claimer",
        "claimer_phone",
        "claimer_email",
        "claimed",
        "held",
        "delivery",
        "at_station",
        "overdue",
    ]
    .iter()
    .map(|c| ctx.t(&format!("held.col.{c}")))
    .collect();
    let file = format!("wishes-{}-{}.csv", listing.file, code_of(status));
    Ok(csv::staff_download(&file, csv::document(&head, &lines)))
}

/// `/staff/places/{id}/wishes?status=…&page=…`
pub async fn station(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let listing = Listing::station(&ctx, &state, id).await?;
    list_page(ctx, &req, &state, listing).await
}

/// `/staff/places/{id}/wishes.csv?status=…`
pub async fn station_csv(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> Result<HttpResponse, AppError> {
    let listing = Listing::station(&ctx, &state, id).await?;
    export(ctx, &req, &state, &me, listing).await
}

/// `/staff/districts/{slug}/wishes?status=…&page=…`
pub async fn district(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let listing = Listing::district(&ctx, &state, &slug).await?;
    list_page(ctx, &req, &state, listing).await
}

/// `/staff/districts/{slug}/wishes.csv?status=…`
pub async fn district_csv(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    me: CurrentUser,
    Slug(slug): Slug,
) -> Result<HttpResponse, AppError> {
    let listing = Listing::district(&ctx, &state, &slug).await?;
    export(ctx, &req, &state, &me, listing).await
}
